"""Time the change between two waves: ``python scripts/bench_waves.py [--write docs/performance.md]``.

Two synthetic waves (``tools/synthetic.py``, different seeds) of N
respondents x 40 questions each, weighted, with routed follow-ups; the change
for every question x group (total, 4 roles, 9 regions, 36 role x region cells)
with Holm within each question x grouping. A script, not a test: timings depend
on the machine and its load. ``--write`` replaces only its own section.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from feedback.survey.loading import Survey  # noqa: E402
from feedback.survey.waves import Wave, change  # noqa: E402
from tools.synthetic import synthetic  # noqa: E402

BY = (("role",), ("region",), ("role", "region"))
HEADING = "## Change between waves"


def wave(n: int, seed: int, label: str) -> Wave:
    frame, codebook = synthetic(n, seed=seed)
    return Wave(label, Survey(name=label, filename=f"{label}.sav", kind="respondents", frame=frame,
                              codebook=codebook))


def measure(n: int, runs: int) -> tuple[float, float, float, int]:
    """(median ms of a change, slowest ms, median ms of the engine on one wave alone, rows out)."""
    from feedback.survey.rates import rates_by_group

    before, after = wave(n, 1, "2021"), wave(n, 2, "2022")
    change(before, after, by=BY)  # warm
    times, engine = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = change(before, after, by=BY)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        rates_by_group(before.survey.frame, before.survey.codebook, by=BY)
        engine.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, max(times) * 1000, statistics.median(engine) * 1000, len(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="replace this script's section of a Markdown file")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = ["| Respondents per wave | rows out (question x group) | change, median ms | slowest ms | "
            "engine on one wave, median ms |", "|---:|---:|---:|---:|---:|"]
    for n in (10_000, 100_000):
        median, worst, engine, out = measure(n, args.runs)
        rows.append(f"| {n:,} | {out:,} | {median:.0f} | {worst:.0f} | {engine:.0f} |")
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    section = "\n".join([
        HEADING, "",
        "`scripts/bench_waves.py`: two synthetic waves x 40 questions (weighted, routed follow-ups), the",
        "change for every question x group (total, 4 roles, 9 regions, 36 role x region cells), Wald",
        "intervals and tests, Holm within each question x grouping. Each wave is one pass of the survey",
        "engine (`rates_by_group`), then a merge and array arithmetic: a change costs about two engine",
        "passes, so it scales as the engine does (see the rates table above, measured at lower load).",
        f"Measured with load average {load:.1f} on the machine described above ({args.runs} runs each).", "",
        *rows, "",
    ])
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
        text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else \
            text.rstrip("\n") + "\n\n" + section
        args.write.write_text(text, encoding="utf-8")
    else:
        print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
