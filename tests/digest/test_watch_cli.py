"""``veille watch``: add, list, remove and run by hand, through ``veille.cli.main``."""

from __future__ import annotations

import pytest

from tests.digest.test_alerts import Crawl
from veille.archive import watches as w
from veille.archive.accounts import add_account
from veille.archive.store import Store
from veille.cli import main
from veille.core.config import Settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_run_remove(settings: Settings, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    add_account(store, "amina@example.ma", role="analyste", password="veille-2026-longue")
    code, out, err = run(capsys, "watch", "add", "Gros investissements", "--unit", "MAD", "--min-value", "1e8",
                         "--indicator", "investissement", "--owner", "amina@example.ma", "--every", "immediate",
                         "--to", "direction@example.ma")  # fmt: skip
    assert code == 0, err
    assert "alerts to: amina@example.ma, direction@example.ma" in out and "/veilles/flux/" in out
    [watch] = w.list_watches(store)
    assert watch.query.status == ("actual", "announced") and watch.query.mad_rates  # EUR and USD in MAD
    code, out, _ = run(capsys, "watch", "add", "Webhelp", "Webhelp", "--owner", "amina@example.ma")
    assert code == 0
    code, out, _ = run(capsys, "watch", "list")
    assert "Gros investissements" in out and "Webhelp" in out and "immediate" in out
    aid = Crawl(store).bring("Webhelp ouvre un site à Fès")
    code, out, _ = run(capsys, "watch", "run", "--dry-run")
    assert code == 0 and f"Webhelp\tamina@example.ma\t1 new\t{aid}" in out and "dry run" in out
    code, out, _ = run(capsys, "watch", "remove", "Webhelp", "--owner", "amina@example.ma")
    assert code == 0 and "Removed watch" in out
    assert [x.name for x in w.list_watches(store)] == ["Gros investissements"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--min-value", "beaucoup"], "--min-value: 'beaucoup' is not a number"),
        (["--indicator", "nope"], "--indicator: unknown indicator 'nope'"),
        (["--every", "hourly"], "unknown frequency 'hourly'"),
        (["--webhook", "http://10.0.0.1/x"], "webhook http://10.0.0.1/x refused (blocked host)"),
        (["--owner", "nobody@example.ma"], "no account 'nobody@example.ma'"),
    ],
)
def test_bad_input_is_one_line_and_nothing_saved(
    settings: Settings, store: Store, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    add_account(store, "amina@example.ma", role="analyste", password="veille-2026-longue")
    owner = [] if "--owner" in args else ["--owner", "amina@example.ma"]
    code, _, err = run(capsys, "watch", "add", "x", "offshoring", *owner, *args)
    assert code != 0 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert w.list_watches(store) == []
