"""The page extractor on pinned pages: one case per tests/data/pages/<site>/<page>.html.

When a change is intended: ``python tests/data/pages/regenerate.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import REPO

PAGES = REPO / "tests" / "data" / "pages"
_spec = importlib.util.spec_from_file_location("pages_regenerate", PAGES / "regenerate.py")
assert _spec and _spec.loader
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("html", regenerate.fixtures(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_matches_expectation(html: Path) -> None:
    expected = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    assert regenerate.extract_fixture(html) == expected


def test_fixture_set_covers_the_hard_cases() -> None:
    got = {
        f"{p.parent.name}/{p.stem}": json.loads(p.with_suffix(".json").read_text())
        for p in regenerate.fixtures()
    }
    # JSON-LD wins over the comments' dates
    assert got["wordpress/offshoring-exportations"]["published"] == "2025-03-12T09:30:00+00:00"
    assert "Karim" not in got["wordpress/offshoring-exportations"]["text"]
    # cp1252 bytes with a wrong utf-8 declaration, and UTF-8 declared as latin-1: clean text
    for page in ("legacy/article-1", "legacy/article-2", "legacy/article-3"):
        assert "\ufffd" not in got[page]["text"] and "Ã" not in got[page]["text"], page
    assert "Maârouf" in got["legacy/article-1"]["text"] and "l'œuvre" in got["legacy/article-1"]["text"]
    assert "recruté" in got["legacy/article-3"]["title"]
    # French dates written on the page, resolved against the fetch time
    assert got["legacy/article-1"]["published"] == "2025-03-12T10:15:00+00:00"  # Ramadan: UTC+0
    assert got["legacy/article-2"]["published"].startswith("2025-06-03")  # "mardi 3 juin"
    assert got["legacy/article-3"]["published"] == "2025-06-05T09:00:00+01:00"  # "il y a 3 heures"
    # layout tables unwrapped: paragraphs, no menu
    assert (
        got["legacy/article-1"]["text"].count("\n\n") == 3
        and "Contact" not in got["legacy/article-1"]["text"]
    )
    assert got["wordpress/arabic"]["language"] == "ar"
    # relative canonical links resolved
    assert (
        got["newsite/technopolis"]["canonical_url"] == "http://fixture.test/news/technopolis-extension.html"
    )
