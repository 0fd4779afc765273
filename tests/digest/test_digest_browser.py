"""The HTML digest in headless Chromium: readable at 375 px (no horizontal scroll) and 1024 px."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from digest.chart import render_chart
from digest.compose import compose
from digest.message import MessageBuilder
from tests.digest.conftest import WEEK, Archive, make_subscribers
from veille.archive.store import Store
from veille.core.conf.digest import DigestConfig

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); CI runs this check")
    return CHROMIUM


def _html_with_inline_chart(store: Store, config: DigestConfig) -> str:
    sub = make_subscribers(store, 1)[0]
    d = compose(store, config, WEEK)
    chart = render_chart(d)
    builder = MessageBuilder(config)
    msg = builder.build(d, sub, chart=chart)
    html = msg.get_body(("html",)).get_content()
    assert chart is not None
    data = "data:image/png;base64," + base64.b64encode(chart.png).decode()
    return html.replace(f"cid:{builder.chart_cid(d)}", data)  # a browser cannot resolve cid:


def test_layout_at_375_and_1024(store: Store, archive: Archive, config: DigestConfig, chromium_path: Path,
                                tmp_path: Path) -> None:  # fmt: skip
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "digest.html"
    page_file.write_text(_html_with_inline_chart(store, config), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path), args=ARGS)
        try:
            for width, height in ((375, 812), (1024, 768)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_file.as_uri())
                page.wait_for_load_state("load")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, (
                    f"horizontal scroll at {width}px: content is {scroll_width}px wide"
                )
                box = page.locator("div").first.bounding_box()
                assert box is not None and box["width"] <= 640 + 1
                img = page.locator("img").first.bounding_box()
                assert img is not None and img["width"] <= min(width, 640)
                assert page.evaluate("document.images[0].complete && document.images[0].naturalWidth > 0")
                if width == 1024:
                    assert abs(box["x"] - (width - box["width"]) / 2) < 2  # centred column
                font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('p')).fontSize)")
                assert font >= 14
                page.screenshot(path=str(tmp_path / f"digest-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
