"""The digest, subscribers and schedule commands: help with an example, and they work end to end."""

from __future__ import annotations

import pytest

from tests.digest.conftest import WEEK, Archive, make_subscribers
from veille.archive.store import Store
from veille.cli import main
from veille.core.config import Settings

COMMANDS = [
    ["digest", "preview"], ["digest", "send"], ["digest", "review"], ["schedule"],
    ["subscribers", "add"], ["subscribers", "remove"], ["subscribers", "list"], ["subscribers", "import"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example: veille " + command[0] in out and "--data-dir" in out and "--config-dir" in out


def _args(settings: Settings) -> list[str]:
    return ["--data-dir", str(settings.data_dir), "--config-dir", str(settings.config_dir)]


def test_preview_review_and_dry_run(settings: Settings, store: Store, archive: Archive, tmp_path,
                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    make_subscribers(store, 2)
    out_dir = tmp_path / "apercu"
    assert (
        main(
            [
                "digest",
                "preview",
                "--subscriber",
                "youssef@example.ma",
                "--out",
                str(out_dir),
                *_args(settings),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "semaine 48" in printed
    assert len(list(out_dir.glob("*.eml"))) == 1 and len(list(out_dir.glob("*.html"))) == 1
    # the .html opens in a browser with its chart: an inline data: URI, not the mail-only cid:
    page = next(out_dir.glob("*.html")).read_text(encoding="utf-8")
    assert "cid:" not in page and 'src="data:image/png;base64,iVBOR' in page
    assert main(["digest", "review", "--week", WEEK, "--pin", str(archive.ids["fes"]), *_args(settings)]) == 0
    assert f"[{archive.ids['fes']}] Fès Shore s'agrandit de 25 hectares  (pinned)" in capsys.readouterr().out
    assert main(["digest", "review", "--week", WEEK, "--pin", "9999", *_args(settings)]) == 1
    assert "no article with id 9999" in capsys.readouterr().err
    assert main(["digest", "send", "--week", WEEK, "--dry-run", *_args(settings)]) == 0
    assert f"{WEEK}: 2 built" in capsys.readouterr().out
    assert main(["digest", "preview", "--week", "2026-48", *_args(settings)]) == 2
    assert "bad period" in capsys.readouterr().err


def test_send_with_the_smtp_server_down_fails_clearly(settings: Settings, store: Store, archive: Archive,
                                                      tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import shutil

    from tests.digest.conftest import free_port

    conf = tmp_path / "conf"
    shutil.copytree(settings.config_dir, conf)
    text = (conf / "digest.toml").read_text(encoding="utf-8")
    text = text.replace('host = "localhost"', 'host = "127.0.0.1"').replace(
        "port = 25", f"port = {free_port()}"
    )
    text = text.replace("backoff_seconds = 5.0", "backoff_seconds = 0")
    (conf / "digest.toml").write_text(text, encoding="utf-8")
    make_subscribers(store, 1)
    code = main(
        ["digest", "send", "--week", WEEK, "--data-dir", str(settings.data_dir), "--config-dir", str(conf)]
    )
    err = capsys.readouterr().err
    assert code == 5 and "not fully sent" in err and "unreachable" in err


def test_schedule_list(settings: Settings, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "--list", *_args(settings)]) == 0
    out = capsys.readouterr().out
    assert "crawl" in out and "digest" in out and "next run" in out
