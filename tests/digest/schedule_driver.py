"""`veille schedule` with its jobs' commands replaced by a line in a file (tests only).

python tests/digest/schedule_driver.py FIRINGS schedule --data-dir ... --config-dir ...

The scheduler, its leadership and its job store are the real ones; only the `veille crawl`
subprocess a crawl job would start is replaced by a line "<pid> <command>" appended to FIRINGS,
so that a test can fire a job every few seconds on a shared two-core machine.
"""

from __future__ import annotations

import os
import sys

import digest.schedule


def main() -> int:
    firings = sys.argv[1]

    def record(argv: list[str], timeout: float) -> None:
        with open(firings, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {' '.join(argv[3:])}\n")

    digest.schedule._run = record  # type: ignore[assignment]
    from veille.cli import main as veille

    return veille(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
