"""Veille: sector watch for Morocco's offshoring industry."""

__version__ = "0.1.0"
