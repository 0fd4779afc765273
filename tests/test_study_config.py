"""The data the studies stand on (issue 18): zones.toml and rates.toml typed and checked like
the other config files (one line naming the file, the table and the field; unknown keys
refused), and the ``official`` flag of sources.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from veille.core.conf.rates import RatesFile
from veille.core.config import Settings
from veille.core.errors import ConfigError
from veille.core.sources import load_sources, parse_source, source_to_toml


def _settings(tmp_path: Path, name: str, text: str) -> Settings:
    conf = tmp_path / "config"
    conf.mkdir()
    (conf / name).write_text(text, encoding="utf-8")
    return Settings.load(data_dir=tmp_path / "data", config_dir=conf)


def test_the_bundled_files_load_once_on_settings(settings: Settings) -> None:
    settings.check()
    assert settings.zones is settings.zones
    assert settings.zones.default_country == "Maroc"
    assert {
        "Casanearshore",
        "Technopolis Rabat",
        "Fès Shore",
        "Oujda Shore",
        "Tétouan Shore",
        "Atlantic Free Zone",
    } <= {z.name for z in settings.zones.zone}
    assert {"Tunisie", "Sénégal", "Égypte", "Maurice", "Portugal"} <= {c.name for c in settings.zones.country}
    assert "Bank Al-Maghrib" in settings.rates.source
    assert settings.rates.rate("EUR", 2018) == (11.08, 2018)
    assert sorted(settings.official_sources) == [
        "add", "amdie", "apebi", "hcp-publications", "mtnra", "office-changes-indicateurs",
    ]  # fmt: skip
    rule = settings.series_rule  # what the indicator series are given, from three files
    assert (rule.conflict_share, rule.approx_share, rule.default_country) == (0.05, 0.10, "Maroc")
    assert rule.official_sources == settings.official_sources and "agency" in rule.official_kinds


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("zones.toml", 'default_country = "Maroc"\nsurprise = 1\n[[country]]\nname = "Maroc"\n', "[surprise]: unknown key"),
        ("zones.toml", '[[zone]]\nname = "X"\ncolour = "red"\n[[country]]\nname = "Maroc"\n', "[zone.0.colour]: unknown key"),
        ("zones.toml", 'default_country = "Tunisie"\n[[country]]\nname = "Maroc"\n', "is not a [[country]] name"),
        ("zones.toml", 'official_kinds = ["agencies"]\n[[country]]\nname = "Maroc"\n', "unknown organisation kind"),
        ("rates.toml", 'source = "BAM"\n[EUR]\n2018 = "11"\n', "EUR.2018"),
        ("rates.toml", 'source = "BAM"\n[EUR]\nlast = 11.0\n', "'last' is not a year"),
        ("rates.toml", '[EUR]\n2018 = 11.0\n', "[source]: missing key"),
        ("rates.toml", 'source = "BAM"\n[GBP]\n2018 = 14.0\n', "[GBP]: unknown key"),
        ("rates.toml", 'source = "BAM"\n[series]\nconflict_share = 5\n', "[series.conflict_share]"),
        ("rates.toml", 'source = "BAM"\n[series]\napprox_share = 0\n', "[series.approx_share]"),
        ("rates.toml", 'source = "BAM"\n[series]\nshare = 0.1\n', "[series.share]: unknown key"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    settings = _settings(tmp_path, name, text)
    with pytest.raises(ConfigError) as err:
        settings.check()
    assert name in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_config_folder_without_the_files_uses_the_bundled_ones(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "crawl.toml", "[crawl]\n")
    assert settings.zones.default_country == "Maroc" and settings.rates.EUR


def test_rates_fall_back_to_the_publication_year_then_the_nearest() -> None:
    rates = RatesFile(source="test", EUR={"2018": 11.0, "2020": 10.0}, USD={})
    assert rates.rate("EUR", 2018) == (11.0, 2018)
    assert rates.rate("EUR", 2030, 2020) == (10.0, 2020)  # a 2030 target: the publication year's rate
    assert rates.rate("EUR", 2019) == (10.0, 2020)  # equally near: the later year
    assert rates.rate("EUR", 2010) == (11.0, 2018)
    assert rates.rate("MAD", 2018) == (1.0, 2018)


def test_official_sources(tmp_path: Path) -> None:
    source = parse_source(
        {"name": "odc", "kind": "listing", "urls": ["https://oc.gov.ma/"], "official": True}, tmp_path
    )
    assert source.official
    assert "official = true" in source_to_toml(source)
    assert not parse_source({"name": "x", "kind": "rss", "urls": ["https://x.ma/"]}, tmp_path).official
    with pytest.raises(ConfigError, match="official"):
        parse_source({"name": "x", "kind": "rss", "urls": ["https://x.ma/"], "official": "yes"}, tmp_path)
    assert {s.name for s in load_sources(REPO / "config" / "sources.toml") if s.official} == {
        "add", "amdie", "apebi", "mtnra", "office-changes-indicateurs", "hcp-publications",
    }  # fmt: skip
