"""Rewrite the expected outputs (``<page>.json``) of the page-extractor fixtures.

Each ``<site>/<page>.html`` here is a pinned page (bytes as served, in its own encoding);
``<site>/<page>.json`` is what :func:`spiders.page.extract_page` must make of it. When a
change to the extractor is intended, run::

    /work/venv/bin/python tests/data/pages/regenerate.py      # then review `git diff`

The test (``tests/spiders/test_page_fixtures.py``) compares with the same function below.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Pages are extracted as if fetched at this moment, so relative dates are stable.
FETCHED_AT = datetime.fromisoformat("2025-06-05T12:00:00+01:00")


def fixture_url(html: Path) -> str:
    return f"http://fixture.test/{html.parent.name}/{html.stem}/"


def extract_fixture(html: Path) -> dict[str, Any]:
    from spiders.page import extract_page

    fields = extract_page(html.read_bytes(), fixture_url(html), fetched_at=FETCHED_AT, language="fr")
    return {**fields.to_dict(), "canonical_url": fields.canonical_url}


def fixtures() -> list[Path]:
    return sorted(HERE.glob("*/*.html"))


def main() -> int:
    sys.path.insert(0, str(HERE.parent.parent.parent))
    for html in fixtures():
        out = html.with_suffix(".json")
        text = json.dumps(extract_fixture(html), ensure_ascii=False, indent=2) + "\n"
        changed = not out.exists() or out.read_text(encoding="utf-8") != text
        out.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'same   '} {out.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
