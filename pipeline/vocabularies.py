"""The extractor's and the relevance judge's vocabularies, checked before any work."""

from __future__ import annotations

from pathlib import Path

from pipeline.gazetteer import load_gazetteer
from pipeline.lexicon import load_lexicon as load_figures
from pipeline.relevance import load_lexicon as load_relevance
from veille.core.conf import PACKAGE_CONFIG
from veille.core.conf.zones import load_zones


def check_vocabularies(config_dir: str | Path | None = None) -> None:
    """Read and check ``organisations.toml``, ``figures.toml``, ``zones.toml`` and ``lexicon.toml`` without
    loading the language model, so that a bad file is one line before any fetch or extraction,
    not an error once the crawl is under way."""
    folder = Path(config_dir or PACKAGE_CONFIG)
    load_gazetteer(str(folder / "organisations.toml"))
    if (folder / "figures.toml").exists():
        load_figures(folder / "figures.toml")
    load_zones(folder / "zones.toml")
    load_relevance(folder)
