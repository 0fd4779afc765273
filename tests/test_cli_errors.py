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
