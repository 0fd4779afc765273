"""Configuration: the TOML files under ``config/``, each read once into its typed model
(:mod:`veille.core.conf`), on one :class:`Settings` object that callers load and pass on.

Nothing here is a module-level global. The secrets (SMTP password, the key that signs sessions
and unsubscribe links, the admin password hash) are read from environment variables here only,
when the settings are loaded (:class:`veille.core.conf.secrets.Secrets`), and travel on the
settings object: the digest's config carries the SMTP password and the links' key, the web
app reads them from the settings it is given.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from veille.core.conf import PACKAGE_CONFIG, load_file
from veille.core.conf.secrets import Secrets
from veille.core.errors import ConfigError

if TYPE_CHECKING:
    from veille.core.conf.crawl import CrawlConfig
    from veille.core.conf.digest import DigestConfig
    from veille.core.conf.pipeline import PipelineConfig
    from veille.core.conf.rates import RatesFile
    from veille.core.conf.schedule import ScheduleConfig
    from veille.core.conf.web import WebSection
    from veille.core.conf.zones import ZonesFile
    from veille.core.series import SeriesRule
    from veille.core.sources import Source
    from veille.core.taxonomy import Taxonomy


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("veille", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where things are, and every config file as a typed model, each read once
    (on first use) and passed down. :meth:`check` reads them all: commands call it before any
    work, so a bad file is one line naming the file, the table and the field, exit code 2."""

    data_dir: Path
    config_dir: Path
    database_url: str
    secrets: Secrets = field(default_factory=Secrets)

    @classmethod
    def load(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        config_dir: str | os.PathLike[str] | None = None,
        database_url: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        data = Path(data_dir or env.get("VEILLE_DATA_DIR") or default_data_dir()).expanduser()
        conf = Path(config_dir or env.get("VEILLE_CONFIG_DIR") or PACKAGE_CONFIG).expanduser()
        if not conf.is_dir():
            raise ConfigError(conf, "config directory not found (set --config-dir or VEILLE_CONFIG_DIR)")
        url = database_url or env.get("VEILLE_DATABASE_URL") or ""
        if not url:
            url = f"sqlite:///{(data / 'veille.db').resolve()}"
        return cls(data_dir=data, config_dir=conf, database_url=url, secrets=Secrets.from_environ(env))

    def __repr__(self) -> str:
        # the secrets show as '**********'; a password in the database URL is masked too
        return (
            f"Settings(data_dir={self.data_dir!r}, config_dir={self.config_dir!r}, "
            f"database_url={masked_url(self.database_url)!r}, secrets={self.secrets!r})"
        )

    def path(self, name: str) -> Path:
        """A config file by name, e.g. ``settings.path("sources.toml")``."""
        return self.config_dir / name

    def ensure_data_dir(self) -> Path:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(self.data_dir, f"cannot create the data directory: {exc.strerror}") from None
        return self.data_dir

    # -- the files, each read once ------------------------------------------------------------
    @functools.cached_property
    def crawl(self) -> CrawlConfig:
        from veille.core.conf.crawl import CrawlFile

        return load_file(CrawlFile, self.path("crawl.toml")).crawl

    @functools.cached_property
    def pipeline(self) -> PipelineConfig:
        return load_pipeline(self.config_dir)

    @functools.cached_property
    def digest(self) -> DigestConfig:
        from veille.core.conf.digest import DigestConfig, DigestFile
        from veille.core.sources import source_labels

        file = load_file(DigestFile, self.path("digest.toml"))
        return DigestConfig(
            **file.digest.model_dump(),
            # the password never comes from the file (its model refuses one): from the secrets
            smtp=file.smtp.model_copy(update={"password": self.secrets.smtp_password}),
            send=file.send,
            source_labels=source_labels(self.sources),
            link_secret=self.secrets.secret_key,
        )

    @functools.cached_property
    def schedule(self) -> ScheduleConfig:
        from veille.core.conf.schedule import ScheduleFile

        return load_file(ScheduleFile, self.path("schedule.toml")).schedule

    @functools.cached_property
    def web(self) -> WebSection:
        from veille.core.conf.web import WebFile

        return load_file(WebFile, self.path("web.toml")).web

    @functools.cached_property
    def sources(self) -> list[Source]:
        """The sources of ``sources.toml`` (none when there is no such file)."""
        from veille.core.sources import load_sources

        path = self.path("sources.toml")
        return load_sources(path) if path.exists() else []

    @functools.cached_property
    def taxonomy(self) -> Taxonomy:
        from veille.core.taxonomy import load_taxonomy

        path = self.path("indicators.toml")
        return load_taxonomy(path if path.exists() else PACKAGE_CONFIG / "indicators.toml")

    @functools.cached_property
    def zones(self) -> ZonesFile:
        """``zones.toml``: zones, regions, countries and segments of the sector (figure scopes),
        and the official organisation kinds (the bundled file when the folder has none)."""
        from veille.core.conf.zones import load_zones

        return load_zones(self.path("zones.toml"))

    @functools.cached_property
    def rates(self) -> RatesFile:
        """``rates.toml``: yearly MAD rates of the euro and the dollar (the bundled file when
        the folder has none)."""
        from veille.core.conf.rates import load_rates

        return load_rates(self.path("rates.toml"))

    @property
    def official_sources(self) -> frozenset[str]:
        """Names of the sources flagged ``official = true`` in ``sources.toml``."""
        return frozenset(s.name for s in self.sources if s.official)

    @functools.cached_property
    def series_rule(self) -> SeriesRule:
        """What the indicator series' rule needs of the config: the rates and the conflicts'
        tolerances (``rates.toml``), the default country and the official kinds
        (``zones.toml``), the official sources (``sources.toml``), the flows (``indicators.toml``)."""
        from veille.core.series import SeriesRule

        return SeriesRule(
            rates=self.rates,
            default_country=self.zones.default_country,
            official_kinds=frozenset(self.zones.official_kinds),
            official_sources=self.official_sources,
            conflict_share=self.rates.series.conflict_share,
            approx_share=self.rates.series.approx_share,
            flows=self.taxonomy.flows,
        )

    def check(self) -> Settings:
        """Read every config file now; the first problem is a :class:`ConfigError`."""
        for name in (
            "sources",
            "crawl",
            "pipeline",
            "digest",
            "schedule",
            "web",
            "taxonomy",
            "zones",
            "rates",
        ):
            getattr(self, name)
        return self


def masked_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``: fit for a repr or a log line."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return url
    if not password:
        return url
    scheme, sep, rest = url.partition("://")
    userinfo, at, location = rest.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***{at}{location}"


def load_pipeline(config_dir: str | os.PathLike[str] | None = None) -> PipelineConfig:
    """``pipeline.toml`` of ``config_dir`` (default: the bundled config/)."""
    from veille.core.conf.pipeline import PipelineConfig

    return load_file(PipelineConfig, Path(config_dir or PACKAGE_CONFIG) / "pipeline.toml")
