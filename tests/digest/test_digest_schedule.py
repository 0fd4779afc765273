"""The scheduler: jobs from schedule.toml in the archive's job store; missed runs; listing."""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import digest.schedule as schedule
from digest.compose import last_complete_week
from veille.core.config import Settings
from veille.core.errors import ConfigError

FIRED: list[tuple[str, str]] = []
FIRED_EVENT = threading.Event()


def fake_digest_job(data_dir: str, config_dir: str, period: str | None = None, attempt: int = 1) -> None:
    FIRED.append((data_dir, config_dir))
    FIRED_EVENT.set()


@pytest.fixture
def sched_settings(tmp_path: Path, settings: Settings) -> Settings:
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    (conf / "schedule.toml").write_text(
        '[schedule]\ntimezone = "Africa/Casablanca"\n'
        "[schedule.crawl]\nenabled = true\nevery_hours = 6\n"
        '[schedule.digest]\nday_of_week = "mon"\nhour = 8\nminute = 0\nmisfire_grace_hours = 1\n',
        encoding="utf-8",
    )
    settings.ensure_data_dir()
    return Settings.load(settings.data_dir, conf)


@pytest.fixture(autouse=True)
def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    FIRED.clear()
    FIRED_EVENT.clear()
    # the job store keeps "digest.schedule:digest_job"; resolve it to the recorder
    monkeypatch.setattr(schedule, "digest_job", fake_digest_job)


def _set_next_run(settings: Settings, job_id: str, when: datetime) -> None:
    sched = schedule.build_scheduler(settings)
    try:
        sched.modify_job(job_id, next_run_time=when)
    finally:
        sched.shutdown(wait=False)


def test_list_jobs_and_next_digest_is_monday_8_in_casablanca(sched_settings: Settings) -> None:
    jobs = {j.id: j for j in schedule.list_jobs(sched_settings)}
    assert set(jobs) == {"crawl", "digest"}
    nxt = jobs["digest"].next_run
    assert nxt is not None and nxt.weekday() == 0 and (nxt.hour, nxt.minute) == (8, 0)
    assert str(nxt.tzinfo) == "Africa/Casablanca"
    # a restart keeps the stored next run (that is how a missed digest is caught up)
    again = {j.id: j for j in schedule.list_jobs(sched_settings)}
    assert again["digest"].next_run == nxt and again["crawl"].next_run == jobs["crawl"].next_run


def test_missed_digest_within_grace_fires_once_at_restart(sched_settings: Settings) -> None:
    schedule.list_jobs(sched_settings)  # first start stores the jobs
    _set_next_run(sched_settings, "digest", datetime.now(UTC) - timedelta(minutes=20))  # down since then
    sched = schedule.build_scheduler(sched_settings)
    try:
        sched.resume()
        assert FIRED_EVENT.wait(5), "the missed digest did not run at restart"
        time_after = sched.get_job("digest").next_run_time
    finally:
        sched.shutdown(wait=True)
    assert FIRED == [(str(sched_settings.data_dir), str(sched_settings.config_dir))]  # once, coalesced
    assert time_after > datetime.now(UTC)


def test_missed_digest_outside_grace_is_logged_not_sent(
    sched_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    schedule.list_jobs(sched_settings)
    _set_next_run(sched_settings, "digest", datetime.now(UTC) - timedelta(hours=3))  # grace is 1 h
    caplog.set_level(logging.WARNING, logger="veille.schedule")
    sched = schedule.build_scheduler(sched_settings)
    try:
        sched.resume()
        for _ in range(50):
            if "missed" in caplog.text:
                break
            threading.Event().wait(0.1)
    finally:
        sched.shutdown(wait=True)
    assert FIRED == []
    assert "job digest missed its run" in caplog.text


def test_failed_digest_is_logged_and_retried_later(sched_settings: Settings, caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def failing(data_dir: str, config_dir: str, period: str | None = None, attempt: int = 1) -> None:
        FIRED_EVENT.set()
        raise schedule.DigestIncomplete("2026-W48", attempt, "2026-W48: 0 sent, 3 deferred")

    monkeypatch.setattr(schedule, "digest_job", failing)
    schedule.list_jobs(sched_settings)
    _set_next_run(sched_settings, "digest", datetime.now(UTC) - timedelta(seconds=5))
    caplog.set_level(logging.INFO, logger="veille.schedule")
    sched = schedule.build_scheduler(sched_settings)
    try:
        sched.resume()
        assert FIRED_EVENT.wait(5)
        for _ in range(50):
            if sched.get_job("digest-retry"):
                break
            threading.Event().wait(0.1)
        retry = sched.get_job("digest-retry")
    finally:
        sched.shutdown(wait=True)
    assert "job digest" in caplog.text and "failed" in caplog.text
    assert retry is not None and list(retry.args)[2:] == ["2026-W48", 2]


def test_changed_config_replaces_the_job_and_disabled_jobs_go(sched_settings: Settings) -> None:
    schedule.list_jobs(sched_settings)
    path = sched_settings.path("schedule.toml")
    path.write_text(path.read_text().replace("every_hours = 6", "every_hours = 2").replace(
        "[schedule.digest]\n", "[schedule.digest]\nenabled = false\n"), encoding="utf-8")  # fmt: skip
    edited = Settings.load(
        data_dir=sched_settings.data_dir, config_dir=sched_settings.config_dir
    )  # read once
    jobs = {j.id: j for j in schedule.list_jobs(edited)}
    assert set(jobs) == {"crawl"} and "2:00:00" in jobs["crawl"].trigger


def test_bad_schedule_config_is_one_clear_error(sched_settings: Settings) -> None:
    sched_settings.path("schedule.toml").write_text(
        '[schedule.digest]\nday_of_week = "lundi"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="bad digest time"):
        Settings.load(data_dir=sched_settings.data_dir, config_dir=sched_settings.config_dir).check()


def test_crawl_job_runs_the_cli_and_reports_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[list[str]] = []

    class Done:
        def __init__(self, code: int) -> None:
            self.returncode, self.stdout, self.stderr = code, "", "Error: no source named x"

    def fake_run(argv: list[str], **_kw: object) -> Done:
        calls.append(argv)
        return Done(0 if "crawl" in argv else 2)

    monkeypatch.setattr(schedule.subprocess, "run", fake_run)
    with pytest.raises(schedule.JobFailed, match="extract --pending .* exited 2"):
        schedule.crawl_job(str(tmp_path), str(tmp_path))
    assert calls[0][1:4] == ["-m", "veille", "crawl"] and calls[1][3:5] == ["extract", "--pending"]
    assert len(calls) == 2  # no alerts on a failed extraction: the next crawl's run catches up


def test_crawl_job_runs_the_watches_after_the_extraction(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[list[str]] = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    monkeypatch.setattr(schedule.subprocess, "run", lambda argv, **_kw: calls.append(argv) or Done())
    schedule.crawl_job(str(tmp_path), str(tmp_path))
    assert [c[3:5] for c in calls] == [["crawl", "--data-dir"], ["extract", "--pending"], ["watch", "run"]]


def test_last_complete_week_on_monday_morning() -> None:
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Casablanca, week 49 starts
    assert last_complete_week(monday).id == "2026-W48"
