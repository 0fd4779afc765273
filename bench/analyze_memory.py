"""Peak memory of `veille analyze` on a text at (or near) the extractor's limit.

    python bench/analyze_memory.py [--chars 300000] [--json]

Builds a French sector text of CHARS characters from the annotated sets (tests/data/heldout*,
gold), paragraphs cycled with a running number so none repeats, runs
``python -m veille analyze FILE --json`` in a child process, samples the resident memory of
that process and all its descendants every 20 ms (from /proc), and prints the peak of the
sum, the child's own peak RSS (getrusage), the wall time and the number of figures found.
Figures are printed, never asserted. The goal (issue 16): under 1.5 GB for any text up to the cap.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def corpus_text(chars: int) -> str:
    paragraphs: list[str] = []
    for folder in ("tests/data/gold", "tests/data/heldout", "tests/data/heldout2", "tests/data/heldout3"):
        for path in sorted((ROOT / folder).rglob("*.txt")):
            paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out: list[str] = []
    size, i = 0, 0
    while size < chars:
        p = f"{paragraphs[i % len(paragraphs)]} (§{i})"
        out.append(p)
        size += len(p) + 2
        i += 1
    return "\n\n".join(out)[:chars]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
        todo += _children(p)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=300_000)
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(corpus_text(args.chars), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out_path, err_path = Path(tmp) / "out.json", Path(tmp) / "err.txt"
        start = time.monotonic()
        with (
            out_path.open("wb") as out_fh,
            err_path.open("wb") as err_fh,
        ):  # files: a full pipe would block it
            proc = subprocess.Popen([sys.executable, "-m", "veille", "analyze", str(path), "--json"],
                                    stdout=out_fh, stderr=err_fh, env=env)  # fmt: skip
            peak = 0
            while proc.poll() is None:
                peak = max(peak, tree_rss(proc.pid))
                time.sleep(0.02)
        wall = time.monotonic() - start
        out, err = out_path.read_bytes(), err_path.read_bytes()
    if proc.returncode != 0:
        sys.exit(f"veille analyze exited {proc.returncode}: {err.decode()[-500:]}")
    own = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    result = {
        "chars": args.chars,
        "peak_tree_rss_mb": round(peak / 2**20),
        "peak_rss_mb": round(own / 2**20),
        "seconds": round(wall, 1),
        "figures": len(json.loads(out)["figures"]),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"veille analyze, {args.chars:,} characters: peak RSS {result['peak_rss_mb']} MB "
              f"(process tree {result['peak_tree_rss_mb']} MB), {result['seconds']} s, {result['figures']} figures")  # fmt: skip


if __name__ == "__main__":
    main()
