"""Shared fixtures: the French model with Veille's components, loaded once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pipeline.figures  # noqa: E402,F401  (registers veille_paragraphs and veille_figures)


@pytest.fixture(scope="session")
def nlp() -> Language:
    model = spacy.load("fr_core_news_md")
    model.add_pipe("veille_paragraphs", before="parser")
    model.add_pipe("veille_figures", last=True)
    return model
