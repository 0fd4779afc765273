"""The email: MIME structure, headers, responsive HTML, templates checked at load, golden text."""

from __future__ import annotations

import difflib
import os
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digest.chart import render_chart
from digest.compose import compose
from digest.message import MessageBuilder, TemplateLoadError, load_templates
from tests.digest.conftest import SECRET, WEEK, Archive, make_subscribers
from veille.archive.store import Store
from veille.archive.subscribers import verify_unsubscribe_token
from veille.core.conf.digest import DigestConfig
from veille.core.config import Settings
from veille.core.errors import ConfigError

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("VEILLE_UPDATE_GOLDEN") == "1"


def _message(store: Store, config: DigestConfig, **filters):  # type: ignore[no-untyped-def]
    sub = make_subscribers(store, 3)[0]
    d = compose(store, config, WEEK, **filters)
    msg = MessageBuilder(config).build(d, sub, chart=render_chart(d))
    return message_from_bytes(msg.as_bytes(), policy=policy.default), sub


def test_mime_structure_and_inline_chart(store: Store, archive: Archive, config: DigestConfig) -> None:
    msg, _ = _message(store, config)
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    body = html.get_content()
    assert f'src="cid:{cid}"' in body
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    alt = re.search(r'<img[^>]*alt="([^"]+)"', body)
    assert alt and alt.group(1).startswith("Articles par jour")


def test_headers(store: Store, archive: Archive, config: DigestConfig) -> None:
    msg, sub = _message(store, config)
    assert msg["Subject"] == "Veille offshoring — semaine 48 (23–29 novembre 2026)"
    assert msg["From"] == "Veille offshoring <veille@veille.test>"
    assert msg["To"] == "Amina Benali <amina@example.ma>"
    assert msg["Date"] and re.fullmatch(
        r"<veille\.2026-W48\.\d+\.[0-9a-f]{16}@veille\.test>", msg["Message-ID"]
    )
    assert msg["List-Id"] == "Veille offshoring <veille-offshoring.veille.test>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", msg["List-Unsubscribe"])
    assert https.startswith("https://veille.test/unsubscribe/") and mailto.startswith(
        "mailto:desinscription@"
    )
    token = https.rsplit("/", 1)[1]
    assert verify_unsubscribe_token(store, token, secret=SECRET.encode()).email == sub.email
    assert https in msg.get_body(("plain",)).get_content()
    assert https in msg.get_body(("html",)).get_content()


def test_html_is_inlined_and_responsive(store: Store, archive: Archive, config: DigestConfig) -> None:
    msg, _ = _message(store, config)
    html = msg.get_body(("html",)).get_content()
    assert "<style" not in html  # css_inline moved the rules onto the elements
    assert "max-width: 640px" in html and 'name="viewport"' in html
    fixed = [int(w) for w in re.findall(r'\bwidth="(\d+)"', html)]
    fixed += [int(w) for w in re.findall(r"(?<![-\w])width:\s*(\d+)px", html)]
    assert all(w <= 375 for w in fixed), fixed
    assert "18,5&nbsp;milliards&nbsp;DH" in html or "18,5\u00a0milliards\u00a0DH" in html


def test_sources_show_their_label_or_their_name(store: Store, archive: Archive, config: DigestConfig) -> None:
    unlabelled = config.model_copy(
        update={"source_labels": {k: v for k, v in config.source_labels.items() if k != "lavieeco"}}
    )
    msg, _ = _message(store, unlabelled)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "  Le Matin — 24 novembre 2026" in text and "Source : LesEco.ma, «" in text
    assert "  lavieeco — 27 novembre 2026" in text  # no label: the name
    assert "lematin —" not in text and "Source : leseco," not in text
    assert "Le Matin — 24 novembre 2026" in html and "LesEco.ma :" in html
    assert "Médias24 —" in html and "lavieeco —" in html


def test_source_labels_come_from_sources_toml(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    sources = config_dir / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "medias24"\nlabel = "Médias24"\nkind = "rss"\nurls = ["https://medias24.com/feed/"]\n'
        '[[source]]\nname = "sans-nom"\nkind = "rss"\nurls = ["https://x.ma/feed"]\n',
        encoding="utf-8",
    )
    settings = Settings.load(data_dir=tmp_path / "data", config_dir=config_dir)
    config = settings.digest
    assert config.source_labels == {"medias24": "Médias24"}
    assert config.source_label("medias24") == "Médias24" and config.source_label("sans-nom") == "sans-nom"
    # each file is read once per settings object: a broken sources.toml is refused on the next
    # load, naming the file and the field, like any config file (it no longer costs only the labels)
    sources.write_text('[[source]]\nname = "x"\nlabel = 3\n', encoding="utf-8")
    assert settings.digest.source_labels == {"medias24": "Médias24"}
    with pytest.raises(ConfigError, match=r"sources.toml.*label"):
        Settings.load(data_dir=tmp_path / "data", config_dir=config_dir).check()


def test_broken_template_fails_at_load(tmp_path: Path) -> None:
    (tmp_path / "digest.html.j2").write_text("<p>{% for x in y %}</p>", encoding="utf-8")
    (tmp_path / "digest.txt.j2").write_text("ok", encoding="utf-8")
    with pytest.raises(TemplateLoadError, match=r"digest\.html\.j2, line 1"):
        load_templates(tmp_path)
    (tmp_path / "digest.html.j2").unlink()
    with pytest.raises(TemplateLoadError, match="not found"):
        load_templates(tmp_path)


def test_empty_week_says_so(store: Store, config: DigestConfig) -> None:
    sub = make_subscribers(store, 1)[0]
    d = compose(store, config, "2026-W30")
    msg = MessageBuilder(config).build(d, sub, chart=render_chart(d))
    text = msg.get_body(("plain",)).get_content()
    assert "aucun article du secteur cette semaine" in text and "CHIFFRES" not in text


def mask(message_text: str) -> str:
    """Hide what changes from run to run: dates, ids, tokens, ports."""
    out = re.sub(r"(?m)^Date: .*$", "Date: <DATE>", message_text)
    out = re.sub(r"<veille\.[^>]+>", "<MESSAGE-ID>", out)
    out = re.sub(r"unsubscribe/[A-Za-z0-9._-]+", "unsubscribe/<TOKEN>", out)
    out = re.sub(r"unsubscribe%20[A-Za-z0-9._-]+", "unsubscribe%20<TOKEN>", out)
    out = re.sub(r"(https?://[\w.-]+):\d+", r"\1:<PORT>", out)
    return out


def golden_text(msg) -> str:  # type: ignore[no-untyped-def]
    headers = "".join(
        f"{name}: {msg[name]}\n"
        for name in (
            "Subject",
            "From",
            "To",
            "Date",
            "Message-ID",
            "List-Id",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        )
    )
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return mask(headers + "\n" + body)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote a new golden file {path}: check it and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile="actual",
        ))  # fmt: skip
        pytest.fail(f"the digest changed (VEILLE_UPDATE_GOLDEN=1 to accept):\n{diff}", pytrace=False)


def test_plain_text_golden(store: Store, archive: Archive, config: DigestConfig) -> None:
    msg, _ = _message(store, config)
    check_golden("digest-2026-W48.txt", golden_text(msg))


def test_plain_text_golden_filtered(store: Store, archive: Archive, config: DigestConfig) -> None:
    msg, _ = _message(store, config, themes=["emploi"])
    check_golden("digest-2026-W48-emploi.txt", golden_text(msg))
