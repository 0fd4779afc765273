"""``config/schedule.toml``: when the scheduler crawls and sends the digest."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from veille.core.conf import Bool, Float, Int, Model, Str
from veille.core.conf.digest import DEFAULT_TIMEZONE, check_timezone


class CrawlJob(Model):
    enabled: Bool = True
    every_hours: Float = Field(6.0, gt=0)
    extract_after: Bool = True  # run `veille extract --pending` after each crawl
    misfire_grace_minutes: Float = Field(30.0, ge=0)
    timeout_minutes: Float = Field(240.0, gt=0)


class DigestJob(Model):
    enabled: Bool = True
    day_of_week: Str = "mon"
    hour: Int = Field(8, ge=0, le=23)
    minute: Int = Field(0, ge=0, le=59)
    misfire_grace_hours: Float = Field(24.0, ge=0)

    @model_validator(mode="after")
    def _cron(self) -> DigestJob:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger(day_of_week=self.day_of_week, hour=self.hour, minute=self.minute)
        except ValueError as exc:
            raise ValueError(f"bad digest time: {exc}") from None
        return self


class ScheduleConfig(Model):
    """The ``[schedule]`` table."""

    timezone: Str = DEFAULT_TIMEZONE
    # several `veille schedule` processes may run: the one holding this lease in the archive
    # runs the jobs; it renews it every third of it, the others take over once it expires
    lease_seconds: Float = Field(60.0, ge=3)
    crawl: CrawlJob = CrawlJob()
    digest: DigestJob = DigestJob()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)


class ScheduleFile(Model):
    schedule: ScheduleConfig = ScheduleConfig()
