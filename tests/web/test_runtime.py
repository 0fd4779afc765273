"""A served application moves its startup heap out of the garbage collector's reach."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from veille.core.config import Settings
from veille.web import create_app


def test_a_served_app_freezes_its_startup_heap(web_settings: Settings) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(web_settings)):  # opens its own store, as `veille serve` does
            assert gc.get_freeze_count() > 10_000  # modules, framework, templates, SQL metadata
    finally:
        gc.unfreeze()


def test_an_app_given_a_store_leaves_the_collector_alone(web_settings: Settings, archive) -> None:
    gc.unfreeze()
    with TestClient(create_app(web_settings, store=archive[0])):
        assert gc.get_freeze_count() == 0
