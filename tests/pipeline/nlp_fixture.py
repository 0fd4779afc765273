"""The loaded extractor, once per test session; import the fixtures into a test module:

from tests.pipeline.nlp_fixture import entities_nlp, nlp  # noqa: F401
"""

from __future__ import annotations

import pytest
from spacy.language import Language


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The full pipeline (with veille_figures when it is installed)."""
    from pipeline.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def entities_nlp() -> Language:
    """The pipeline without the figure extractor: organisations and persons only."""
    from pipeline.nlp import build_nlp

    return build_nlp(figures=False)
