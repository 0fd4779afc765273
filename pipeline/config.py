"""The pipeline's part of the settings, in a crawl: what ``veille crawl`` passed down
(``VEILLE_PIPELINE``, the settings' ``pipeline.toml`` already read and checked), or, under a
bare ``scrapy crawl``, ``pipeline.toml`` of ``VEILLE_CONFIG_DIR`` read once here."""

from __future__ import annotations

from typing import Any

from veille.core.conf.pipeline import PipelineConfig
from veille.core.config import load_pipeline


def pipeline_config(crawler_settings: Any) -> PipelineConfig:
    given = crawler_settings.get("VEILLE_PIPELINE")
    if given:
        return PipelineConfig.model_validate(dict(given))
    return load_pipeline(crawler_settings.get("VEILLE_CONFIG_DIR"))
