"""The ground floor: what every other part stands on and that imports nothing of Veille's above it.

Models (:mod:`~veille.core.models`), typed settings (:mod:`~veille.core.config`,
:mod:`~veille.core.sources`, :mod:`~veille.core.taxonomy`), errors, text folding and French
formatting, and the worker pool. See ``docs/architecture.md``.
"""
