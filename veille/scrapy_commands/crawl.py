"""``scrapy crawl NAME [NAME...] [-a since=DATE] [-a limit=N] [-a refresh=1] [-s NAME=VALUE]``:
the same crawl as ``veille crawl`` (config checked first, one run in the ledger, every stage),
so that a Scrapy user's habit and Veille's command never differ. The data and config folders
come from ``VEILLE_DATA_DIR`` and ``VEILLE_CONFIG_DIR``."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from veille.core.errors import VeilleError


class Command(BaseRunSpiderCommand):
    requires_project = True
    requires_crawler_process = False  # the crawl makes its own, as veille crawl does

    def syntax(self) -> str:
        return "[options] <source> [<source>...]"

    def short_desc(self) -> str:
        return "Crawl sources as `veille crawl` does (checked config, run ledger, every stage)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("name one or more sources (scrapy list)")
        from scrapy.utils.conf import arglist_to_dict

        from veille.commands.crawl import print_report, scrapy_options, start_crawl

        spargs = dict(opts.spargs or {})
        try:
            limit = spargs.pop("limit", None)
            refresh = str(spargs.pop("refresh", "")).lower() in ("1", "true", "yes")
            since = spargs.pop("since", None)  # read by start_crawl, in digest.toml's timezone
            if spargs:
                raise VeilleError(f"-a {sorted(spargs)[0]}: Veille's spiders take since, limit and refresh")
            settings = arglist_to_dict(opts.set or [])
            report = start_crawl(
                None,
                None,
                args,
                since=since,
                limit=int(limit) if limit is not None else None,
                refresh=refresh,
                overrides=scrapy_options(f"{k}={v}" for k, v in settings.items()),
            )
        except (VeilleError, ValueError) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            self.exitcode = getattr(exc, "exit_code", 2)
            return
        print_report(report)
        self.exitcode = 0 if report.status == "ok" else 1
