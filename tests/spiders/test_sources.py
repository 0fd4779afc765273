from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from veille.core.errors import ConfigError, VeilleError
from veille.core.sources import (
    Source,
    append_sources,
    find_sources,
    load_sources,
    source_labels,
    source_to_toml,
    sources_for_demo,
)  # fmt: skip
from veille.opml import sources_from_opml, sources_to_opml


def test_bundled_sources_load() -> None:
    sources = load_sources(REPO / "config" / "sources.toml")
    names = {s.name for s in sources}
    assert {"medias24", "leseco", "hespress-fr", "add", "apebi", "q-offshoring-maroc"} <= names
    assert all(s.language == "fr" for s in sources)
    query = next(s for s in sources if s.name == "q-offshoring-maroc")
    assert query.kind == "news-query" and query.allowed_domains == ()


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "sources.toml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            '[[source]]\nname = "a"\nkind = "blog"\nurls = ["https://a.ma/"]\n',
            "source 'a'.kind",
            "must be one of",
        ),
        ('[[source]]\nname = "a"\nkind = "rss"\n', "source 'a'.urls", "non-empty"),
        ('[[source]]\nname = "a"\nkind = "rss"\nurls = ["ftp://a.ma/"]\n', "source 'a'.urls", "not an http"),
        ('[[source]]\nkind = "rss"\nurls = ["https://a.ma/"]\n', "source #1.name", "missing field 'name'"),
        (
            '[[source]]\nname = "A b"\nkind = "rss"\nurls = ["https://a.ma/"]\n',
            "source 'A b'.name",
            "lower-case",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\nmax_pages = 0\n',
            "source 'a'.max_pages",
            ">= 1",
        ),
        (
            '[[source]]\nname = "a"\nkind = "listing"\nurls = ["https://a.ma/"]\n[source.selectors]\nbody = "p"\n',
            "source 'a'.selectors.body",
            "unknown selector",
        ),
        (
            '[[source]]\nname = "a"\nkind = "listing"\nurls = ["https://a.ma/"]\n[source.selectors]\ntitle = "h1[["\n',
            "source 'a'.selectors.title",
            "invalid selector",
        ),
        (
            '[[source]]\nname = "a"\nkind = "listing"\nurls = ["https://a.ma/"]\n[source.link_rules]\nallow = ["(("]\n',
            "source 'a'.link_rules.allow",
            "invalid regular expression",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\nenabled = "yes"\n',
            "source 'a'.enabled",
            "must be bool",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\n[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://b.ma/"]\n',
            "source 'a'.name",
            "duplicate",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\nfrequency = 3\n',
            "source 'a'",
            "unknown field",
        ),
        (
            '[[source]]\nname = "a"\nlabel = 24\nkind = "rss"\nurls = ["https://a.ma/"]\n',
            "source 'a'.label",
            "non-empty string",
        ),
        (
            '[[source]]\nname = "a"\nlabel = "  "\nkind = "rss"\nurls = ["https://a.ma/"]\n',
            "source 'a'.label",
            "non-empty string",
        ),
        (
            '[[source]]\nname = "a"\nlabel = "' + "x" * 121 + '"\nkind = "rss"\nurls = ["https://a.ma/"]\n',
            "source 'a'.label",
            "max 120",
        ),
        (
            '[[source]]\nname = "a"\nlabel = "A\\nB"\nkind = "rss"\nurls = ["https://a.ma/"]\n',
            "source 'a'.label",
            "single line",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\ntimezone = "Afrique/Rabat"\n',
            "source 'a'.timezone",
            "unknown timezone 'Afrique/Rabat'",
        ),
        (
            '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/"]\ntimezone = 1\n',
            "source 'a'.timezone",
            "must be str",
        ),
    ],
)
def test_config_errors_name_file_source_and_field(tmp_path: Path, body: str, field: str, words: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert str(path) in message and f"[{field}]" in message and words in message
    assert "\n" not in message


def test_label_is_what_readers_see_and_defaults_to_the_name(tmp_path: Path) -> None:
    longest = "É" * 120
    path = _write(tmp_path, '[[source]]\nname = "medias24"\nlabel = " Médias24 "\nkind = "rss"\nurls = ["https://medias24.com/feed/"]\n'
                            '[[source]]\nname = "b"\nkind = "rss"\nurls = ["https://b.ma/"]\n'
                            f'[[source]]\nname = "c"\nlabel = "{longest}"\nkind = "rss"\nurls = ["https://c.ma/"]\n')  # fmt: skip
    medias24, b, c = load_sources(path)
    assert (medias24.label, medias24.display_name) == ("Médias24", "Médias24")  # spaces around dropped
    assert (b.label, b.display_name) == (None, "b")
    assert c.label == longest
    assert source_labels([medias24, b, c]) == {"medias24": "Médias24", "c": longest}


def test_bundled_sources_all_have_a_label() -> None:
    sources = load_sources(REPO / "config" / "sources.toml")
    assert all(s.label for s in sources)
    labels = {s.name: s.label for s in sources}
    assert labels["medias24"] == "Médias24" and labels["leconomiste"] == "L'Economiste"
    assert len(set(labels.values())) == len(labels)  # two sources never look the same to readers


def test_a_source_may_name_the_zone_of_its_dates(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.fr/"]\ntimezone = "Europe/Paris"\n'
        '[[source]]\nname = "b"\nkind = "rss"\nurls = ["https://b.ma/"]\n',
    )
    a, b = load_sources(path)
    assert a.timezone == "Europe/Paris" and b.timezone is None
    assert 'timezone = "Europe/Paris"' in source_to_toml(a) and "timezone" not in source_to_toml(b)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[[source]\nname=")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_sources(path)


def test_defaults_and_derived_domains(tmp_path: Path) -> None:
    path = _write(tmp_path, '[defaults]\nmax_pages = 7\nlanguage = "fr"\n[[source]]\nname = "x"\nkind = "listing"\n'
                            'urls = ["https://www.exemple.ma/actus"]\n')  # fmt: skip
    (src,) = load_sources(path)
    assert src.max_pages == 7 and src.allowed_domains == ("exemple.ma",)


def test_unknown_name_is_one_clear_error() -> None:
    with pytest.raises(VeilleError, match="unknown source 'nope'"):
        find_sources([Source("a", "rss", ("https://a.ma/",))], ["nope"])


def test_opml_round_trip() -> None:
    sources = load_sources(REPO / "config" / "sources.toml") + sources_for_demo(
        "http://127.0.0.1:8000/rss.xml",
        "http://127.0.0.1:8000/atom.xml",
        "http://127.0.0.1:8000/actualites/",
        "127.0.0.1",
    )
    opml = sources_to_opml(sources)
    # feed readers show the label; Veille takes the name back from its own attribute
    assert 'text="L\'Economiste" title="L\'Economiste" veille:name="leconomiste"' in opml
    again = sources_from_opml(opml)
    assert again == sources
    unlabelled = [Source("a_b", "rss", ("https://a.ma/feed",), ("a.ma",))]
    assert sources_from_opml(sources_to_opml(unlabelled)) == unlabelled


def test_opml_of_older_exports_without_names_still_imports() -> None:
    opml = sources_to_opml([Source("medias24", "rss", ("https://medias24.com/feed/",), ("medias24.com",))])
    old = opml.replace(' veille:name="medias24"', "")
    assert sources_from_opml(old) == sources_from_opml(opml)
    assert sources_from_opml(old)[0].label is None


def test_plain_feed_reader_opml_imports_as_rss() -> None:
    opml = """<?xml version="1.0"?><opml version="1.0"><head><title>Mes flux</title></head><body>
    <outline text="Économie"><outline text="Médias24" type="rss" xmlUrl="https://medias24.com/feed/"/>
    <outline text="Le Desk" type="atom" xmlUrl="https://ledesk.ma/feed/atom/"/></outline></body></opml>"""
    got = sources_from_opml(opml)
    assert [(s.name, s.label, s.kind, s.urls, s.allowed_domains) for s in got] == [
        ("medias24", "Médias24", "rss", ("https://medias24.com/feed/",), ("medias24.com",)),
        ("le-desk", "Le Desk", "atom", ("https://ledesk.ma/feed/atom/",), ("ledesk.ma",)),
    ]


def test_bad_opml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid OPML"):
        sources_from_opml("<opml><body>", origin="x.opml")


def test_append_sources_keeps_comments_and_skips_known(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '# mes sources\n[[source]]\nname = "a"\nkind = "rss"\nurls = ["https://a.ma/feed"]\n'
    )
    added = append_sources(path, [Source("a", "rss", ("https://z.ma/",)), Source("b", "rss", ("https://a.ma/feed",)),
                                  Source("c", "listing", ("https://c.ma/",), ("c.ma",), {"article_links": "h2 a"},
                                         {"allow": (r"/\d+",)}, label='L\'« Éco » "C"')])  # fmt: skip
    assert [s.name for s in added] == ["c"]
    assert path.read_text().startswith("# mes sources")
    assert [s.name for s in load_sources(path)] == ["a", "c"]
    assert load_sources(path)[1] == added[0]


def test_demo_sources() -> None:
    got = sources_for_demo("http://h:1/rss.xml", "http://h:1/atom.xml", "http://h:1/actualites/", "h")
    assert [s.kind for s in got] == ["rss", "atom", "listing"]
    assert all(s.allowed_domains == ("h",) for s in got)
    assert [s.label for s in got] == ["Atlas Éco (RSS)", "Atlas Éco (Atom)", "Atlas Éco (actualités)"]
