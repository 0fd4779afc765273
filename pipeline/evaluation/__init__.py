"""Scorers for the extraction quality gate (figures, organisations, persons)."""
