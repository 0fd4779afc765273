"""Bad configuration gives one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _veille(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "veille", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def _one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    return target


def test_missing_config_dir(tmp_path: Path) -> None:
    result = _veille("sources", "list", "--config-dir", str(tmp_path / "nowhere"))
    _one_line_error(result, "nowhere")


def test_malformed_sources_file_names_the_file(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "sources.toml").write_text('[[sources]]\nname = "x"\nkind = \n', encoding="utf-8")
    result = _veille("crawl", "--config-dir", str(config_copy), "--data-dir", str(tmp_path / "d"))
    _one_line_error(result, "sources.toml")


def test_missing_sources_file(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "sources.toml").unlink()
    result = _veille("sources", "list", "--config-dir", str(config_copy))
    _one_line_error(result, "sources.toml")


def test_bad_field_names_source_and_field(config_copy: Path) -> None:
    (config_copy / "sources.toml").write_text(
        '[[source]]\nname = "exemple"\nkind = "carrier-pigeon"\nurls = ["https://exemple.ma/"]\n',
        encoding="utf-8",
    )
    result = _veille("sources", "list", "--config-dir", str(config_copy))
    _one_line_error(result, "sources.toml", "exemple", "kind")


def test_unknown_source_timezone_is_one_line_and_exit_2(config_copy: Path) -> None:
    (config_copy / "sources.toml").write_text(
        '[[source]]\nname = "exemple"\nkind = "rss"\nurls = ["https://exemple.ma/"]\n'
        'timezone = "Africa/Casablanka"\n',
        encoding="utf-8",
    )
    result = _veille("sources", "list", "--config-dir", str(config_copy))
    line = _one_line_error(result, "sources.toml", "source 'exemple'.timezone", "Africa/Casablanka")
    assert result.returncode == 2, line


def test_malformed_gazetteer(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "organisations.toml").write_text("[[organisations]\nname = ", encoding="utf-8")
    text = tmp_path / "a.txt"
    text.write_text("L'APEBI annonce 5 000 emplois.", encoding="utf-8")
    result = _veille("analyze", str(text), "--config-dir", str(config_copy))
    _one_line_error(result, "organisations.toml")


def test_unreachable_database(tmp_path: Path) -> None:
    result = _veille(
        "search",
        "emploi",
        env_extra={"VEILLE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/veille"},
    )
    _one_line_error(result)


def test_nothing_archived_is_lost_by_a_bad_config(config_copy: Path, tmp_path: Path) -> None:
    from veille.archive.store import open_store
    from veille.core.models import Article

    data = tmp_path / "data"
    store = open_store(f"sqlite:///{data / 'veille.db'}")
    store.upsert_article(
        Article(url="https://exemple.ma/a", source="exemple", title="Offshoring", text="Texte.")
    )
    store.close()
    (config_copy / "sources.toml").write_text("not toml at all = = =", encoding="utf-8")
    _one_line_error(
        _veille("crawl", "--config-dir", str(config_copy), "--data-dir", str(data)), "sources.toml"
    )
    store = open_store(f"sqlite:///{data / 'veille.db'}")
    assert store.count_articles() == 1
    store.close()


# One bad value per config file: `veille crawl` refuses it before any work (no data directory,
# so no archive, no run and no fetch), in one line naming the file and the field, exit code 2.
BAD_CONFIG = [
    ("lexicon.toml", "[[[\n", None, "lexicon.toml"),
    ("pipeline.toml", "x = = 1\n", None, "pipeline.toml"),
    ("figures.toml", ("dizaine = 10", 'dizaine = "abc"'), None, "approx_nouns.dizaine"),
    ("organisations.toml", "", "empty", "organisations.toml"),
    ("pipeline.toml", ("threshold = 0.7 ", "threshold = 7 "), None, "dedup.threshold"),
    (
        "pipeline.toml",
        ("max_text_chars = 300_000", "max_text_chars = 300_000\nbogus = 1"),
        None,
        "extract.bogus",
    ),
    ("crawl.toml", ('LOG_LEVEL = "INFO"', "DOWNLOAD_DELAYY = 1"), None, "DOWNLOAD_DELAY?"),
    ("crawl.toml", ("download_timeout = 20 ", 'download_timeout = "vingt" '), None, "crawl.download_timeout"),
    ("digest.toml", ("top_stories = 8 ", 'top_stories = "x" '), None, "digest.top_stories"),
    ("digest.toml", ('security = "none"', 'security = "ssl"'), None, "smtp.security"),
    ("indicators.toml", "", "empty", "indicators.toml"),
    ("schedule.toml", ("hour = 8", "hour = 25"), None, "schedule.digest.hour"),
    ("web.toml", ("per_page = 20", "per_page = 0"), None, "web.per_page"),
    ("web.toml", ("per_page = 20", "per_page = 20\nthemes = 1"), None, "web.themes"),
]


@pytest.mark.parametrize(
    ("name", "edit", "empty", "needle"), BAD_CONFIG, ids=[f"{b[0]}:{b[3]}" for b in BAD_CONFIG]
)
def test_a_bad_config_file_stops_the_crawl_before_any_work(
    config_copy: Path, tmp_path: Path, name: str, edit: object, empty: str | None, needle: str
) -> None:
    path = config_copy / name
    text = path.read_text(encoding="utf-8")
    if empty:
        text = ""
    elif isinstance(edit, tuple):
        assert edit[0] in text, f"{name} no longer has {edit[0]!r}"
        text = text.replace(edit[0], edit[1], 1)
    else:
        text += str(edit)
    path.write_text(text, encoding="utf-8")
    data = tmp_path / "d"
    result = _veille("crawl", "--config-dir", str(config_copy), "--data-dir", str(data))
    assert result.returncode == 2, result.stderr
    _one_line_error(result, name, needle)
    assert not data.exists()  # nothing was created, so nothing was fetched
