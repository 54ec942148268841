"""Benchmark of the survey engine and the file readers: ``python tools/bench.py``.

Synthetic surveys of N respondents x 40 questions (4 roles, 9 regions, weights,
agree scales, yes/no questions, routed follow-ups, 3% item non-response) are
cut by role, region and role x region with Wilson intervals and tests against
the rest of the sample (Holm), then pairwise tests within each grouping. The
same cells are computed by a naive loop calling statsmodels per cell, and the
synthetic data are written to CSV, XLSX and SAV to time the readers.

``--write docs/performance.md`` writes the figures and the machine description.
A script, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

# `python tools/bench.py`: tools/ is not an installed package, so the project folder goes on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedback.regions import REGIONS  # noqa: E402
from tools.synthetic import (  # noqa: E402 - the data the benchmarks measure
    ROLES,
    as_text,
    docx_with_table,
    hostile_notes,
    suggest_points,
    synthetic,
    synthetic_points,
    text_answers,
    tracker_workbook,
    wide_csv,
)

GROUPINGS = (("role",), ("region",), ("role", "region"))
NOTES = """## Reading the figures

- The naive loop's time is mostly per-call overhead (a pandas mask and two statsmodels calls per
  cell), so it changes little from 10,000 to 100,000 respondents; the engine's time grows with
  respondents x questions. Both were measured while other sessions ran tests on the same two
  cores (see the load average), so single figures can be off by a factor of two; the medians are
  printed by the script.
- The engine's answer coding factorises each question column once; categorical answers (SAV with
  value labels) skip most of that work, which is the difference between the two engine columns
  from 100,000 respondents up (at 10,000 both are within the noise).
- The app refuses uploads over 50 MB (`feedback.safety`), so the 100,000-respondent CSV is
  refused by `read_survey` by design; `pandas.read_csv` shows what reading it would cost.

"""


# ----------------------------------------------------------------------------- data

# ----------------------------------------------------------------------------- measuring

def best_time(fn, repeats: int) -> tuple[float, float, object]:
    """(best, median) wall-clock seconds over ``repeats`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def peak_memory(fn) -> int:
    """Peak bytes allocated through Python and numpy during ``fn()`` (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def engine(frame, codebook):
    """Everything a page shows: rates, intervals, tests vs rest, and pairwise tests."""
    from feedback.survey.rates import rates_by_group
    from feedback.survey.significance import pairwise

    results = rates_by_group(frame, codebook, by=GROUPINGS, method="wilson", adjust="holm")
    return results, pairwise(results)


def group_masks(frame: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """(grouping, group, mask) for the total and every group of every grouping: what the per-cell
    loops select each cell's respondents with."""
    cells = [("total", "Total", np.ones(len(frame), dtype=bool))]
    for keys in GROUPINGS:
        values = frame[keys[0]].astype(str)
        for key in keys[1:]:
            values = values + " / " + frame[key].astype(str)
        for group in pd.unique(values):
            cells.append((" × ".join(keys), group, (values == group).to_numpy()))
    return cells


def naive(frame: pd.DataFrame, codebook, questions: int):
    """The per-cell baseline: for each question x group, mask the frame and call statsmodels.

    Wilson interval on the Kish base and a z test against the rest per cell, Holm
    per question x grouping. It computes less than the engine (no design
    variance, deff or pairwise tests), which flatters it.
    """
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint, proportions_ztest

    w = frame["weight"].to_numpy()
    ids = {q.id: q for q in codebook.questions}
    cells = group_masks(frame)  # group masks, built once
    rows = []
    for q in codebook.questions[:questions]:
        answered = frame[q.column].notna().to_numpy().copy()
        positive = frame[q.column].isin(q.positive).to_numpy()
        if q.base_question:
            base_q = ids[q.base_question]
            answered &= frame[base_q.column].isin(base_q.positive).to_numpy()
        family_p: dict[str, list] = {}
        for by, group, member in cells:
            inside, rest = member & answered, ~member & answered
            wi, wr = w[inside], w[rest]
            p = (wi * positive[inside]).sum() / wi.sum()
            n_eff = wi.sum() ** 2 / (wi**2).sum()
            low, high = proportion_confint(p * n_eff, n_eff, method="wilson")
            p_value = np.nan
            if by != "total":
                p_rest = (wr * positive[rest]).sum() / wr.sum()
                n_rest = wr.sum() ** 2 / (wr**2).sum()
                p_value = proportions_ztest([p * n_eff, p_rest * n_rest], [n_eff, n_rest])[1]
                family_p.setdefault(by, []).append(p_value)
            rows.append((q.id, by, group, p, low, high, n_eff, p_value))
        for values in family_p.values():
            multipletests(values, method="holm")
    return rows


def cells_per_question(frame: pd.DataFrame) -> int:
    combos = frame.groupby(["role", "region"], observed=True).ngroups
    return 1 + frame["role"].nunique() + frame["region"].nunique() + combos


# ----------------------------------------------------------------------------- readers

def write_files(frame: pd.DataFrame, folder: Path, xlsx: bool) -> dict[str, Path]:
    """The survey as CSV, SAV (numeric codes with value labels) and, if asked, XLSX."""
    import pyreadstat

    text = as_text(frame)
    paths = {"csv": folder / "survey.csv", "sav": folder / "survey.sav"}
    text.to_csv(paths["csv"], index=False)
    codes = pd.DataFrame({c: (frame[c].cat.codes.astype(float).replace(-1, np.nan) + 1
                              if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c])
                          for c in frame.columns})
    labels = {c: {float(i + 1): str(v) for i, v in enumerate(frame[c].cat.categories)}
              for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    pyreadstat.write_sav(codes, paths["sav"], variable_value_labels=labels)
    if xlsx:
        from openpyxl import Workbook

        paths["xlsx"] = folder / "survey.xlsx"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Survey")
        ws.append(list(text.columns))
        for row in text.itertuples(index=False, name=None):
            ws.append([None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in row])
        wb.save(paths["xlsx"])
    return paths


def read_times(paths: dict[str, Path], repeats: int, openpyxl: bool):
    """Yields (reader, seconds or the reader's refusal) for each file and reader."""
    import pyreadstat

    readers = [
        ("CSV: pandas read_csv", "csv", lambda p: pd.read_csv(p)),
        ("SAV: pyreadstat read_sav (value labels applied)", "sav",
         lambda p: pyreadstat.read_sav(str(p), apply_value_formats=True)),
        ("XLSX: pandas read_excel, calamine", "xlsx", lambda p: pd.read_excel(p, engine="calamine")),
    ]
    if openpyxl:
        readers.append(("XLSX: pandas read_excel, openpyxl", "xlsx", lambda p: pd.read_excel(p, engine="openpyxl")))
    try:
        from feedback.survey.read import read_survey
    except ImportError:
        read_survey = None
    if read_survey is not None:
        for kind in ("csv", "xlsx", "sav"):
            readers.append((f"{kind.upper()}: feedback read_survey (bytes in, checks, labels)", kind,
                            lambda p: read_survey(p.name, p.read_bytes())))
    from feedback.errors import InputError

    for name, kind, fn in readers:
        if kind in paths:
            try:
                best, _, _ = best_time(lambda fn=fn, kind=kind: fn(paths[kind]), 1 if "openpyxl" in name else repeats)
            except InputError as err:  # e.g. the app's upload size limit
                best = f"refused: {err}"
            yield name, best


# ----------------------------------------------------------------------------- report

def machine() -> dict[str, str]:
    """What the figures were measured on."""
    info = {"cpus": str(len(os.sched_getaffinity(0))), "cpu": platform.processor() or "unknown",
            "memory": "unknown", "load": " ".join(f"{v:.2f}" for v in os.getloadavg()),
            "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return info


def _mb(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


def _s(x: float) -> str:
    if x != x or x == float("inf"):
        return "stopped at the 60 s limit" if x == float("inf") else "-"
    return f"{x * 1000:,.0f} ms" if x < 1 else f"{x:,.2f} s"


def run(sizes, questions, repeats, naive_questions, read_sizes, openpyxl_max, log) -> dict:
    """Measure everything; returns the figures for the report."""
    figures = {"engine": [], "reads": []}
    for n in sizes:
        frame, codebook = synthetic(n, questions)
        log(f"{n:,} respondents: frame {_mb(frame.memory_usage(deep=True).sum())}")
        engine(frame.head(1000), codebook)  # warm imports
        best, median, (results, pairs) = best_time(lambda frame=frame, codebook=codebook: engine(frame, codebook),
                                                   repeats)
        peak = peak_memory(lambda frame=frame, codebook=codebook: engine(frame, codebook))
        text = as_text(frame)
        text_best, _, _ = best_time(lambda text=text, codebook=codebook: engine(text, codebook), max(1, repeats // 2))
        cells = questions * cells_per_question(frame)
        nq = questions if naive_questions is None or naive_questions(n) >= questions else naive_questions(n)
        naive_time, _, _ = best_time(lambda frame=frame, codebook=codebook, nq=nq: naive(frame, codebook, nq), 1)
        naive_peak = peak_memory(lambda frame=frame, codebook=codebook, nq=nq: naive(frame, codebook, min(nq, 2)))
        naive_total = naive_time * questions / nq
        row = dict(n=n, cells=cells, rows=len(results), pairs=len(pairs), best=best, median=median, peak=peak,
                   text=text_best, naive=naive_total, naive_measured_questions=nq, naive_peak=naive_peak,
                   frame_mb=frame.memory_usage(deep=True).sum())
        figures["engine"].append(row)
        log(f"  engine best {_s(best)} (median {_s(median)}), text columns {_s(text_best)}, peak {_mb(peak)}; "
            f"naive {_s(naive_total)}{f' (extrapolated from {nq} questions)' if nq < questions else ''}; "
            f"speed-up {naive_total / best:,.0f}x")
        del frame, text, results, pairs
        gc.collect()
    for n in read_sizes:
        frame, _ = synthetic(n, questions)
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_files(frame, Path(tmp), xlsx=True)
            sizes_mb = {k: p.stat().st_size for k, p in paths.items()}
            for name, seconds in read_times(paths, repeats, openpyxl=n <= openpyxl_max):
                figures["reads"].append(dict(n=n, reader=name, seconds=seconds,
                                             file_mb=sizes_mb[name.split(":")[0].lower()]))
                log(f"  read {n:,}: {name}: {_s(seconds) if isinstance(seconds, float) else seconds}")
    import resource

    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def report(figures: dict, info: dict[str, str], questions: int, repeats: int) -> str:
    """docs/performance.md."""
    lines = [
        "# Performance of the survey engine",
        "",
        "Measured by `python tools/bench.py` (`make bench`); regenerate this file with",
        "`python tools/bench.py --write docs/performance.md`. Figures vary with the machine's load:",
        "the development machine is shared, so treat them as orders of magnitude.",
        "",
        "## Machine",
        "",
        f"- CPUs available: {info['cpus']} ({info['cpu']})",
        f"- Memory: {info['memory']}",
        f"- Load average when the run started: {info['load']}",
        f"- Python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}",
        "",
        "## Rates, intervals and tests",
        "",
        f"Synthetic survey, {questions} questions (every fifth a yes/no awareness question followed by a",
        "routed agree question, the rest agree scales; 3% item non-response), 4 roles x 9 regions, lognormal",
        "weights. One call computes, for every question, the total, each role, each region and each role x",
        "region cell: unweighted and weighted bases, p, Wilson interval on the Kish base, se, deff, the test",
        "of each group against the rest with Holm adjustment; then all pairwise tests within each grouping",
        f"(`engine` in `tools/bench.py`). Best of {repeats} runs; peak memory by `tracemalloc` (numpy and",
        "Python allocations during the call, not the input frame).",
        "",
        "The naive baseline loops over question x group cells in Python, masks the frame and calls",
        "statsmodels' `proportion_confint` and `proportions_ztest` for each cell (Holm per family). It does",
        "less than the engine (no design variance, deff or pairwise tests). Where it was too slow to run in",
        "full it was timed on the first questions and scaled to all of them, as marked.",
        "",
        "| respondents | cells (question x group) | engine | engine, text columns | engine peak memory "
        "| naive loop | naive peak memory | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in figures["engine"]:
        naive_note = (f"{_s(r['naive'])} (timed on {r['naive_measured_questions']} questions, scaled)"
                      if r["naive_measured_questions"] < questions else _s(r["naive"]))
        lines.append(f"| {r['n']:,} | {r['cells']:,} | {_s(r['best'])} | {_s(r['text'])} | {_mb(r['peak'])} "
                     f"| {naive_note} | {_mb(r['naive_peak'])} | {r['naive'] / r['best']:,.0f}x |")
    lines += [
        "",
        "\"engine\" takes answers as categoricals (as the SAV reader and value-labelled data give them);",
        "\"text columns\" is the same survey with plain text answers (as from CSV or XLSX), where each",
        "column is factorised once per call.",
        "",
    ]
    if figures["reads"]:
        lines += ["## Reading files", "",
                  f"The same synthetic survey ({questions} questions + id, role, region, weight) written as CSV,",
                  "XLSX (openpyxl, one sheet) and SAV (numeric codes with value labels). Best of the runs;",
                  "openpyxl once.", "",
                  "| respondents | reader | file size | time |", "|---:|---|---:|---:|"]
        for r in figures["reads"]:
            shown = _s(r["seconds"]) if isinstance(r["seconds"], float) else r["seconds"]
            lines.append(f"| {r['n']:,} | {r['reader']} | {_mb(r['file_mb'])} | {shown} |")
        lines.append("")
    lines += ["Peak resident memory of the whole benchmark process (`resource.getrusage`, including the",
              f"synthetic frames and the naive loop): {figures.get('max_rss_mb', 0):,.0f} MB.", ""]
    lines += NOTES.splitlines()[:-1]
    reads = {(r["n"], r["reader"]): r["seconds"] for r in figures["reads"] if isinstance(r["seconds"], float)}
    for n in sorted({n for n, _ in reads}):
        calamine = reads.get((n, "XLSX: pandas read_excel, calamine"))
        openpyxl = reads.get((n, "XLSX: pandas read_excel, openpyxl"))
        if calamine and openpyxl:
            lines.append(f"- XLSX, {n:,} respondents: calamine read the workbook {openpyxl / calamine:,.0f} times "
                         "faster than openpyxl.")
    lines += ["", "## Against the aim", ""]
    by_n = {r["n"]: r for r in figures["engine"]}
    if 100_000 in by_n:
        r = by_n[100_000]
        lines.append(f"- 100,000 x {questions} with every grouping: {_s(r['best'])} (aim: under 1 s on 2 cores): "
                     f"{'met' if r['best'] < 1 else 'NOT met'}; {r['naive'] / r['best']:,.0f}x faster than the "
                     f"per-cell loop (aim: at least 20x): {'met' if r['naive'] / r['best'] >= 20 else 'NOT met'}.")
    lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- design-based tests, side by side

R_TIMING = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
qs <- strsplit(args[2], ",")[[1]]
d$cross <- paste(d$role, d$region, sep = " / ")
des <- svydesign(ids = ~1, weights = ~weight, data = d)
t <- system.time(for (q in qs) {
  sub <- subset(des, !is.na(d[[q]]))                  # the question's base: a domain of the full design
  f <- as.formula(paste0("~", q))
  svyciprop(f, sub, method = "logit")
  for (g in c("role", "region", "cross"))
    svyby(f, as.formula(paste0("~", g)), sub, svyciprop, vartype = "ci", method = "logit")
})
cat(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], as.character(packageVersion("survey")), "\n")
"""


def design_engine(frame: pd.DataFrame, codebook, *, coded: bool = False):
    """Intervals, design-based tests against the rest and pairwise (and column letters), every grouping.

    ``coded=False``: from text answers, coding them in the call (``code_answers``); ``True``: the
    answers were coded once when the survey was read, as the app and the CLI do.
    """
    from feedback.survey.rates import code_answers, rates_by_group
    from feedback.survey.significance import pairwise

    frame = frame if coded else code_answers(frame, codebook)
    results = rates_by_group(frame, codebook, by=GROUPINGS, method="wilson", adjust="holm", test="design")
    return results, pairwise(results)


def design_naive(frame: pd.DataFrame, codebook, questions: int):
    """The per-cell loop for the same figures: pandas masks, numpy sums, statsmodels and scipy per cell and pair.

    Per question x group: p, the linearised domain se (N of the whole sample), Wilson on the Kish
    base (statsmodels), the design t test against the rest (scipy), Holm per family
    (statsmodels); then every pair within each grouping from the cells' se, and Holm. It skips
    deff, the letters and the small-base rules, which flatters it.
    """
    from scipy import stats
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint

    w_all = frame["weight"].to_numpy()
    big_n = len(frame)
    ids = {q.id: q for q in codebook.questions}
    cells = group_masks(frame)

    def domain(mask, y):
        w = w_all[mask]
        total = w.sum()
        p = (w * y[mask]).sum() / total
        z = w * (y[mask] - p) / total
        return p, np.sqrt(big_n / (big_n - 1) * (z**2).sum()), mask.sum(), total**2 / (w**2).sum()

    rows = []
    for q in codebook.questions[:questions]:
        answered = frame[q.column].notna().to_numpy().copy()
        y = frame[q.column].isin(q.positive).to_numpy().astype(float)
        if q.base_question:
            answered &= frame[ids[q.base_question].column].isin(ids[q.base_question].positive).to_numpy()
        stats_of, family_p = {}, {}
        for by, group, member in cells:
            p, se, n, n_eff = domain(member & answered, y)
            proportion_confint(p * n_eff, n_eff, method="wilson")
            if by != "total":
                p_r, se_r, n_r, _ = domain(~member & answered, y)
                t = (p - p_r) / np.hypot(se, se_r)
                family_p.setdefault(by, []).append(2 * stats.t.sf(abs(t), n + n_r - 2))
                stats_of.setdefault(by, []).append((group, p, se, n))
            rows.append((q.id, by, group, p, se))
        for values in family_p.values():
            multipletests(values, method="holm")
        for _by, groups in stats_of.items():
            pair_p = []
            for i, (_, p_a, se_a, n_a) in enumerate(groups):
                for _, p_b, se_b, n_b in groups[i + 1:]:
                    t = (p_a - p_b) / np.hypot(se_a, se_b)
                    pair_p.append(2 * stats.t.sf(abs(t), n_a + n_b - 2))
            multipletests(pair_p, method="holm")
    return rows


def r_survey_seconds(frame: pd.DataFrame, codebook, questions: int) -> dict | None:
    """R survey's svyciprop (total) and svyby(svyciprop) (role, region, role x region) on the first questions.

    Returns {"elapsed", "cpu", "questions", "version"} or None when Rscript or the survey package is missing.
    """
    import shutil
    import subprocess

    rscript = shutil.which("Rscript")
    if not rscript:
        return None
    ids = {q.id: q for q in codebook.questions}
    chosen = codebook.questions[:questions]
    data = {"role": frame["role"].astype(str), "region": frame["region"].astype(str), "weight": frame["weight"]}
    for q in chosen:
        answered = frame[q.column].notna()
        if q.base_question:
            answered &= frame[ids[q.base_question].column].isin(ids[q.base_question].positive)
        data[q.id] = frame[q.column].isin(q.positive).astype(float).where(answered)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, script = Path(tmp) / "survey.csv", Path(tmp) / "timing.R"
        pd.DataFrame(data).to_csv(csv_path, index=False)
        script.write_text(R_TIMING, encoding="utf-8")
        done = subprocess.run([rscript, str(script), str(csv_path), ",".join(q.id for q in chosen)],
                              capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return None
    elapsed, cpu, version = done.stdout.split()[:3]
    return {"elapsed": float(elapsed), "cpu": float(cpu), "questions": questions, "version": version}


def cpu_and_wall(fn, repeats: int) -> dict:
    """Median and best wall-clock and CPU seconds of ``fn()`` over ``repeats`` runs."""
    wall, cpu = [], []
    for _ in range(repeats):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return {"wall_median": statistics.median(wall), "wall_best": min(wall), "cpu_median": statistics.median(cpu)}


def run_design(n: int, questions: int, repeats: int, naive_questions: int, r_questions: int, log) -> dict:
    """Every comparison of the design-based section, measured in this one run."""
    frame, codebook = synthetic(n, questions)
    text = text_answers(frame)
    from feedback.survey.rates import code_answers

    coded = code_answers(text, codebook)
    load_before = os.getloadavg()
    design_engine(text.head(2000), codebook)  # warm imports
    fig = {"n": n, "questions": questions, "repeats": repeats, "load_before": load_before}
    fig["text"] = cpu_and_wall(lambda: design_engine(text, codebook), repeats)
    fig["coded"] = cpu_and_wall(lambda: design_engine(coded, codebook, coded=True), repeats)
    fig["categorical"] = cpu_and_wall(lambda: design_engine(frame, codebook, coded=True), repeats)
    fig["coding"] = cpu_and_wall(lambda: code_answers(text, codebook), repeats)
    results, pairs = design_engine(text, codebook)
    fig["rows"], fig["pairs"] = len(results), len(pairs)
    fig["peak"] = peak_memory(lambda: design_engine(text, codebook))
    log(f"design {n:,}: text {_s(fig['text']['wall_median'])} median (CPU {_s(fig['text']['cpu_median'])}), "
        f"coded {_s(fig['coded']['wall_median'])}, peak {_mb(fig['peak'])}")
    naive = cpu_and_wall(lambda: design_naive(text, codebook, naive_questions), 1)
    fig["naive"] = {k: v * questions / naive_questions for k, v in naive.items()}
    fig["naive_questions"] = naive_questions
    log(f"  naive loop {_s(fig['naive']['wall_median'])} (from {naive_questions} questions)")
    fig["r"] = r_survey_seconds(text, codebook, r_questions)
    if fig["r"]:
        fig["r"]["scaled"] = fig["r"]["elapsed"] * questions / r_questions
        fig["r"]["scaled_cpu"] = fig["r"]["cpu"] * questions / r_questions
        log(f"  R survey {fig['r']['elapsed']:.1f} s on {r_questions} questions")
    else:
        log("  R survey: Rscript with the survey package is not installed here: no R timing")
    fig["load_after"] = os.getloadavg()
    return fig


DESIGN_SECTION = "\n## Design-based tests, side by side"


def design_report(fig: dict) -> str:
    """The design-based tests section of docs/performance.md."""
    n, q = fig["n"], fig["questions"]
    load = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731
    t, c, k, cat = fig["text"], fig["coded"], fig["coding"], fig["categorical"]
    lines = [
        DESIGN_SECTION.strip(), "",
        f"{n:,} respondents x {q} questions, every grouping (total, role, region, role x region):",
        "Wilson intervals, the design-based t test of each group against the rest and of every pair within",
        f"each grouping (Holm), and the column letters: {fig['rows']:,} result rows and {fig['pairs']:,} pairs",
        f"(`design_engine` in `tools/bench.py`). Median of {fig['repeats']} runs, wall clock and CPU time; all",
        "measured in the same run, one after the other. Load average (1, 5, 15 min) before:",
        f"{load(fig['load_before'])}; after: {load(fig['load_after'])} (2 cores shared with other jobs: a load",
        "above 2 means the wall clock includes waiting for a core; the CPU column does not).", "",
        "| what | median (wall) | best (wall) | median CPU |", "|---|---:|---:|---:|",
        f"| engine from text answers (coded in the call, as from CSV/XLSX) | {_s(t['wall_median'])} "
        f"| {_s(t['wall_best'])} | {_s(t['cpu_median'])} |",
        f"| engine, answers coded once when read (the app and CLI) | {_s(c['wall_median'])} | {_s(c['wall_best'])} "
        f"| {_s(c['cpu_median'])} |",
        f"| engine, SAV-style categoricals | {_s(cat['wall_median'])} | {_s(cat['wall_best'])} "
        f"| {_s(cat['cpu_median'])} |",
        f"| coding the text answers once (`code_answers`) | {_s(k['wall_median'])} | {_s(k['wall_best'])} "
        f"| {_s(k['cpu_median'])} |",
        f"| per-cell pandas + statsmodels loop (timed on {fig['naive_questions']} questions, scaled to {q}) "
        f"| {_s(fig['naive']['wall_median'])} | | {_s(fig['naive']['cpu_median'])} |",
    ]
    r = fig.get("r")
    if r:
        lines.append(f"| R survey {r['version']} svyciprop + svyby(svyciprop), intervals only (timed on "
                     f"{r['questions']} questions, scaled to {q}) | {_s(r['scaled'])} | | {_s(r['scaled_cpu'])} |")
    lines += ["", f"Peak memory of the engine from text answers (`tracemalloc`, beyond the input frame): "
                  f"{_mb(fig['peak'])}.", ""]
    speed, cpu = t["wall_median"], t["cpu_median"]
    met = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    loop, loop_cpu = fig["naive"]["wall_median"] / speed, fig["naive"]["cpu_median"] / cpu
    lines += ["Against the aims:", "",
              f"- median from text answers {_s(speed)} (aim: at most 300 ms on 2 cores): {met(speed <= 0.3)}; "
              f"CPU {_s(cpu)}, on up to two threads, so CPU time can exceed the wall clock (300 ms of CPU "
              f"would meet the aim on one core: {met(cpu <= 0.3)});",
              f"- {loop:,.0f}x faster than the per-cell loop (aim: at least 50x): {met(loop >= 50)}; "
              f"CPU {loop_cpu:,.0f}x: {met(loop_cpu >= 50)};"]
    if r:
        vs_r, vs_r_cpu = r["scaled"] / speed, r["scaled_cpu"] / cpu
        lines.append(f"- {vs_r:,.0f}x faster than R survey on the same cells, though R computes only the intervals "
                     f"(aim: at least 500x): {met(vs_r >= 500)}; CPU {vs_r_cpu:,.0f}x: {met(vs_r_cpu >= 500)};")
    else:
        lines.append("- R survey: not installed on this machine (`Rscript` with `r-cran-survey`), so not timed;")
    lines.append(f"- peak memory {_mb(fig['peak'])} (aim: at most 100 MB): "
                 f"{'met' if fig['peak'] <= 100 * 1024**2 else 'NOT met'}.")
    lines.append("")
    return "\n".join(lines)


def _parse_sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


KEPT_SECTIONS = ("\n## Explorer re-render",  # written by scripts/measure_explorer.py; kept as it is
                 "\n## Tracker import")     # written by --tracker-import


def _replace_engine_part(path: Path, text: str) -> None:
    """Write the engine's report, keeping the sections other scripts measured after it."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    starts = [old.index(k) for k in KEPT_SECTIONS if k in old]
    kept = old[min(starts):] if starts else ""
    path.write_text(text.rstrip("\n") + "\n" + kept, encoding="utf-8")


# ----------------------------------------------------------------------------- tracker import

TRACKER_SECTION = "\n## Tracker import"


def tracker_import(n: int, folder: Path, log) -> dict[str, float]:
    """Time one import of ``n`` new items into a fresh SQLite database: reading and checking the
    workbook, then the write transaction (how long SQLite's write lock is held), and in total."""
    from feedback import db
    from feedback.tracker import spreadsheet

    content = tracker_workbook(n)
    engine = db.get_engine(f"sqlite:///{folder / f'tracker_{n}.sqlite3'}")
    db.upgrade(engine)
    timings: dict[str, float] = {}
    original = spreadsheet._insert_new

    def timed_insert(*args, **kwargs):  # the first INSERT takes SQLite's write lock
        timings.setdefault("write_start", time.perf_counter())
        timings.setdefault("write_cpu_start", time.process_time())
        return original(*args, **kwargs)

    spreadsheet._insert_new = timed_insert
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        report = spreadsheet.import_workbook(engine, "bench.xlsx", content, "Bench")
        end, cpu_end = time.perf_counter(), time.process_time()  # after the commit
        timings["total"], timings["total_cpu"] = end - start, cpu_end - cpu_start
        timings["write"] = end - timings.pop("write_start")  # first INSERT to COMMIT: the write lock
        timings["write_cpu"] = cpu_end - timings.pop("write_cpu_start")
    finally:
        spreadsheet._insert_new = original
    assert report.added["Items"] == n, report.summary()
    with engine.connect() as conn:
        from sqlalchemy import text

        timings["history_rows"] = conn.execute(text("SELECT count(*) FROM history")).scalar_one()
    engine.dispose()
    timings["bytes"] = len(content)
    log(f"tracker import of {n:,} items: {timings['total']:.2f} s in total, write {timings['write']:.2f} s")
    return timings


def tracker_report(n: int, t: dict[str, float], info: dict[str, str]) -> str:
    return (f"{TRACKER_SECTION} (`python tools/bench.py --tracker-import {n}`)\n\n"
            f"One XLSX of {n:,} new items ({t['bytes'] / 1e6:.1f} MB) imported into a fresh SQLite database "
            f"(`spreadsheet.import_workbook`), on the machine above (load average {info.get('load', '?')}):\n\n"
            "| Step | Seconds (wall clock) | CPU seconds of the import |\n| --- | --- | --- |\n"
            f"| Read, check and prepare every row (no lock held) | {t['total'] - t['write']:.2f} "
            f"| {t['total_cpu'] - t['write_cpu']:.2f} |\n"
            f"| Write and commit: bulk INSERTs of items and their history rows (SQLite's write lock is held) "
            f"| {t['write']:.2f} | {t['write_cpu']:.2f} |\n"
            f"| Whole import | {t['total']:.2f} | {t['total_cpu']:.2f} |\n\n"
            "Wall-clock time includes waiting for the CPU: on this shared two-core machine other sessions' "
            "tests ran at the same time (the load average above), so the CPU column is the steadier figure.\n\n"
            f"{int(t['history_rows']):,} history rows were written in the same transaction. Other people's saves "
            "wait for the write step (SQLite's busy timeout is 10 s); the aim is under 3 s.\n")


def _replace_section(path: Path, heading: str, text: str) -> None:
    """Replace one '## ...' section of a Markdown file where it stands (or append it), keeping the rest."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = text.strip("\n") + "\n"
    if heading in old:
        start = old.index(heading)
        end = old.find("\n## ", start + len(heading))
        after = old[end:] if end != -1 else ""
        path.write_text(old[:start].rstrip("\n") + "\n\n" + text.strip("\n") + "\n" + after, encoding="utf-8")
    else:
        path.write_text(old.rstrip("\n") + "\n" + text, encoding="utf-8")


def _write_section(path: str | None, heading: str, text: str, log) -> int:
    """Replace the section in ``path`` (``--write``), or print it."""
    if path:
        _replace_section(Path(path), heading, text)
        log(f"wrote {path}")
    else:
        print(text)
    return 0


# ------------------------------------------------------------------ raking (python tools/bench.py --raking 100000)
RAKING_SECTION = "\n## Raking to population margins"
R_RAKING = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
t <- read.csv(args[2], stringsAsFactors = FALSE)
repeats <- as.integer(args[3])
des <- svydesign(ids = ~1, weights = ~weight, data = d)
total <- sum(d$weight)
share <- function(v) { s <- t[t$variable == v, ]; setNames(s$target, s$category) }
r <- share("role"); g <- share("region")
pop <- c("(Intercept)" = total, setNames(r[levels(d$role)[-1]] * total, paste0("role", levels(d$role)[-1])),
         setNames(g[levels(d$region)[-1]] * total, paste0("region", levels(d$region)[-1])))
times <- sapply(seq_len(repeats), function(i) system.time(
  cal <- calibrate(des, ~role + region, population = pop, calfun = "raking"))[c("elapsed", "user.self", "sys.self")])
cat(median(times[1, ]), min(times[1, ]), median(times[2, ] + times[3, ]), as.character(packageVersion("survey")), "\n")
"""


def raking_bench(n: int, repeats: int, log) -> dict:
    """Time ``weighting.rake`` on n respondents and two margins (4 roles, 9 regions), and R's calibrate."""
    import shutil
    import subprocess

    from feedback.survey.weighting import rake, read_targets

    frame, codebook = synthetic(n, questions=1, seed=7)
    roles = np.array([0.4, 0.3, 0.2, 0.1])
    regions = np.linspace(1, 2, len(REGIONS)) / np.linspace(1, 2, len(REGIONS)).sum()
    rows = [("role", r, float(v)) for r, v in zip(ROLES, roles)] + [("region", g, float(v)) for g, v in
                                                                     zip(REGIONS, regions)]
    text = "variable,category,target\n" + "".join(f"{a},{b},{c!r}\n" for a, b, c in rows)
    targets = read_targets(text)
    log(f"raking: {n:,} respondents, two margins")
    ours = cpu_and_wall(lambda: rake(frame, codebook, targets), repeats)
    result = rake(frame, codebook, targets)
    out = {"n": n, "ours": ours, "iterations": result.iterations, "r": None}
    from feedback.survey.rates import rates_by_group

    full, full_cb = synthetic(n, questions=40, seed=7)
    raked = rake(full, full_cb, targets)
    by = (("role",), ("region",), ("role", "region"))
    log("raking: rates with and without the calibration's variance")
    out["rates_plain"] = cpu_and_wall(lambda: rates_by_group(full, full_cb, by=by), max(3, repeats // 2))
    out["rates_raked"] = cpu_and_wall(lambda: rates_by_group(full, full_cb, by=by, raking=raked), max(3, repeats // 2))
    rscript = shutil.which("Rscript")
    if rscript:
        with tempfile.TemporaryDirectory() as tmp:
            data, tpath, script = Path(tmp) / "d.csv", Path(tmp) / "t.csv", Path(tmp) / "rake.R"
            frame[["role", "region", "weight"]].to_csv(data, index=False)
            tpath.write_text(text, encoding="utf-8")
            script.write_text(R_RAKING, encoding="utf-8")
            log("raking: R calibrate")
            done = subprocess.run([rscript, str(script), str(data), str(tpath), str(max(3, repeats // 2))],
                                  capture_output=True, text=True, timeout=3600)
            if done.returncode == 0:
                median, best, cpu, version = done.stdout.split()[:4]
                out["r"] = {"median": float(median), "best": float(best), "cpu": float(cpu), "version": version}
    return out


def raking_report(fig: dict, info: dict[str, str]) -> str:
    ours, r = fig["ours"], fig["r"]
    lines = [RAKING_SECTION.strip("\n"), "",
             f"`python tools/bench.py --raking {fig['n']}`: `weighting.rake` on {fig['n']:,} synthetic "
             "respondents with lognormal input weights, raked to two margins (4 roles, 9 regions; shares) to a "
             f"relative gap of 1e-12 ({fig['iterations']} sweeps over the table of margin cells, one `np.bincount` per "
             "margin each; each respondent then gets its cell's adjustment), reading the margins, the refusals' "
             "checks and the cells for the variance included. R: `calibrate(svydesign(ids = ~1, weights = "
             "~weight), ~role + region, population = pop, calfun = \"raking\")` on the same rows, at its default "
             f"tolerance (1e-7, looser). Load average {info.get('load', '?')}.", "",
             "| | median s | best s |", "|---|---:|---:|",
             f"| feedback `rake` (wall) | {ours['wall_median']:.3f} | {ours['wall_best']:.3f} |",
             f"| feedback `rake` (CPU) | {ours['cpu_median']:.3f} | |"]
    if r:
        lines.append(f"| R survey {r['version']} `calibrate` (elapsed) | {r['median']:.3f} | {r['best']:.3f} |")
        lines.append(f"| R survey {r['version']} `calibrate` (CPU) | {r['cpu']:.3f} | |")
        lines += ["", f"feedback is {r['median'] / ours['wall_median']:.0f} times faster in wall-clock time and "
                      f"{r['cpu'] / ours['cpu_median']:.0f} times in CPU time (medians); the aim is under 0.2 s "
                      "and at least 50 times faster than R."]
    else:
        lines += ["", "R was not available: no comparison."]
    plain, raked = fig["rates_plain"], fig["rates_raked"]
    lines += ["", f"The rates of 40 questions x 50 groups (total, 4 roles, 9 regions, 36 role x region cells) on the "
                  f"same {fig['n']:,} respondents: {plain['cpu_median']:.2f} s of CPU "
                  f"({plain['wall_median']:.2f} s wall) on "
                  f"the input weights, {raked['cpu_median']:.2f} s ({raked['wall_median']:.2f} s wall) on the raked "
                  "design with the calibration's variance (the sums are taken per cell of the margins too: 36 times "
                  "as many cells; the column letters test 26,880 pairs with their covariance through the raking)."]
    return "\n".join(lines) + "\n"


TABBOOK_SECTION = "\n## Tab book: every answer, every grouping"


def tabbook_timings(n: int, questions: int, repeats: int, log) -> dict:
    """``tab_book`` on ``n`` respondents x ``questions``: every answer and net by the total, role, region and
    role x region, with the interval and the column letters (pairwise design-based tests, Holm), CPU and wall."""
    from feedback.survey.tabbook import tab_book

    frame, codebook = synthetic(n, questions)
    by = [("role",), ("region",), ("role", "region")]
    log(f"tab book: {n:,} x {questions}")
    rows = len(tab_book(frame, codebook, by=by))  # warm: imports and first-call costs
    timing = cpu_and_wall(lambda: tab_book(frame, codebook, by=by), repeats)
    return {"n": n, "questions": questions, "rows": rows, "repeats": repeats, **timing}


def tabbook_report(t: dict, info: dict[str, str]) -> str:
    """The tab book section of docs/performance.md."""
    met = "met" if t["cpu_median"] < 0.5 else "not met"
    wall = "met" if t["wall_best"] < 0.5 else "not met"
    return f"""{TABBOOK_SECTION.strip()}

`python tools/bench.py --tabbook --write docs/performance.md` ({info['cpus']} cores, {info['cpu']}, load
average {info['load']} while measuring; median of {t['repeats']} runs after one warm run).

`tab_book` on {t['n']:,} synthetic respondents x {t['questions']} questions (agree scales with "Don't know", every
fifth a yes/no question routing the next), by the total, role, region and role x region: every answer, the
negative and positive nets, n, weighted base, p, Wilson interval on the effective base, and the column letters
from every pairwise design-based test, Holm within each question x answer x break. {t['rows']:,} rows.

| CPU (median) | wall (median) | wall (best) |
|---|---|---|
| {_s(t['cpu_median'])} | {_s(t['wall_median'])} | {_s(t['wall_best'])} |

Aim: under 0.5 s. CPU time: {met}. Wall clock at this load: {wall} (the machine's 2 cores were shared with
other work; the wall clock is the CPU time plus the wait for a core).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="respondent counts, comma-separated")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-budget", type=float, default=2e8,
                        help="run the naive loop on at most this many respondent x cell visits (default 2e8: "
                             "all questions up to 100,000 respondents); beyond, time the first questions and scale")
    parser.add_argument("--read-sizes", default="10000,100000", help="sizes for the file-reading figures ('' = none)")
    parser.add_argument("--openpyxl-max", type=int, default=100_000, help="largest size read with openpyxl")
    parser.add_argument("--design-size", type=int, default=100_000,
                        help="respondents for the design-based tests section (0 = skip it)")
    parser.add_argument("--design-repeats", type=int, default=7)
    parser.add_argument("--design-only", action="store_true",
                        help="only the design-based tests section (--design-size respondents); with --write, "
                             "replace that section where it stands and keep the rest of the file")
    parser.add_argument("--design-naive-questions", type=int, default=2)
    parser.add_argument("--r-questions", type=int, default=2, help="questions R survey is timed on (then scaled)")
    parser.add_argument("--write", metavar="PATH", help="write the Markdown report here (e.g. docs/performance.md)")
    parser.add_argument("--tracker-import", type=int, metavar="N",
                        help="only time a tracker import of N new items (e.g. 20000) and write its section")
    parser.add_argument("--uploads", action="store_true", help="only the untrusted-uploads figures (isolation, "
                        "merging, long Word tables, sheet check, memory per upload)")
    parser.add_argument("--suggest", action="store_true", help="only the roundtable theme suggestions: 2,000 "
                                                                "points within 10 s")
    parser.add_argument("--notes", action="store_true", help="only the roundtable notes check: every notes file "
                        "(the hostile ones and the corpus of staff layouts) read within 5 s")
    parser.add_argument("--raking", type=int, metavar="N",
                        help="only time raking N respondents to two margins, against R's calibrate, and write its "
                             "section")
    parser.add_argument("--tabbook", action="store_true", help="only the tab book figure (--design-size "
                        "respondents x --questions, every answer, every grouping) and write its section")
    parser.add_argument("--limits", action="store_true",
                        help=f"only the timed limits: uploads that once cost far more than their size, each within "
                             f"{LIMIT_S:g} s of CPU time (exit status 1 when one is not)")
    args = parser.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    if args.limits:
        load_before = os.getloadavg()
        rows = limits(args.repeats, log)
        text = limits_report(rows, machine(), load_before, os.getloadavg())
        _write_section(args.write, LIMITS_SECTION, text, log)
        return 0 if all(r["cpu"] <= LIMIT_S for r in rows if r["target"]) else 1
    if args.tabbook:
        figures = tabbook_timings(args.design_size or 100_000, args.questions, args.design_repeats, log)
        return _write_section(args.write, TABBOOK_SECTION, tabbook_report(figures, machine()), log)
    if args.suggest:
        figures = suggest_timings(2000, args.repeats, log)
        return _write_section(args.write, SUGGEST_SECTION, suggest_report(figures, machine()), log)
    if args.notes:
        figures = notes_timings(args.repeats, log)
        return _write_section(args.write, NOTES_SECTION, notes_report(figures, machine()), log)
    if args.raking:
        fig = raking_bench(args.raking, max(args.repeats, 7), log)
        return _write_section(args.write, RAKING_SECTION, raking_report(fig, machine()), log)
    if args.tracker_import:
        with tempfile.TemporaryDirectory() as folder:
            timings = tracker_import(args.tracker_import, Path(folder), log)
        return _write_section(args.write, TRACKER_SECTION, tracker_report(args.tracker_import, timings, machine()),
                              log)
    if args.uploads:
        text = uploads_report(uploads(args.repeats, log), machine())
        if args.write:
            _write_uploads(Path(args.write), text)
        else:
            print(text)
        return 0

    if args.design_only:
        design = run_design(args.design_size or 100_000, args.questions, args.design_repeats,
                            args.design_naive_questions, args.r_questions, log)
        return _write_section(args.write, DESIGN_SECTION, design_report(design), log)

    sizes, read_sizes = _parse_sizes(args.sizes), _parse_sizes(args.read_sizes)
    per_question = 1 + len(ROLES) + len(REGIONS) + len(ROLES) * len(REGIONS)
    budget = lambda n: max(1, int(args.naive_budget / max(n, 1) / per_question))
    info = machine()
    figures = run(sizes, args.questions, args.repeats, budget, read_sizes, args.openpyxl_max, log)
    text = report(figures, info, args.questions, args.repeats)
    if args.design_size:
        design = run_design(args.design_size, args.questions, args.design_repeats, args.design_naive_questions,
                            args.r_questions, log)
        text = text.rstrip("\n") + "\n\n" + design_report(design)
    if args.write:
        _replace_engine_part(Path(args.write), text)
        log(f"wrote {args.write}")
    else:
        print(text)
    return 0



# ------------------------------------------------------------------ untrusted uploads (python tools/bench.py --uploads)
UPLOADS_SECTION = "\n## Untrusted uploads"


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _measure(fn, repeats: int, pause: float = 0.0) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``fn()``. CPU time is this process's plus, when the call
    ran in a child, the child's (what the work costs, whatever else the shared machine is doing).

    ``pause`` seconds before each call (not timed) let the previous call's child be collected
    and the next spare child be forked, as between two users' uploads; back-to-back calls would
    time that housekeeping instead.
    """
    from feedback import isolation

    walls, cpus = [], []
    for _ in range(repeats):
        if pause:
            time.sleep(pause)
        isolation._last_measures.clear()
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c + isolation.last_measures().get("cpu", 0.0))
    return float(np.median(walls)), float(np.median(cpus))


def uploads(repeats: int = 5, log=print) -> dict:
    """Isolation overhead, merging, a long Word table, the sheet check, memory per upload."""
    from feedback import isolation, safety
    from feedback.roundtables.read import _docx_blocks, merge_near_duplicates, read_notes
    from feedback.survey.read import read_survey

    figures: dict = {"load_before": os.getloadavg()}
    isolation.start_forkserver(background=False)
    small = ("id,role,q1\n" + "".join(f"{i},Health,Yes\n" for i in range(40))).encode()
    read_survey("small.csv", small)  # the forkserver is up and warm

    def in_process_read():
        with isolation.in_process():
            read_survey("small.csv", small)

    # In-process and isolated reads alternate, so both meet the same load; the overhead is the
    # median of each pair's difference.
    runs = repeats * 4
    pairs = [(_measure(in_process_read, 1, pause=0.3), _measure(lambda: read_survey("small.csv", small), 1,
                                                                pause=0.3)) for _ in range(runs)]
    here, child = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    figures["small_in_process"], figures["small_in_process_cpu"] = np.median(here, axis=0)
    figures["small_isolated"], figures["small_isolated_cpu"] = np.median(child, axis=0)
    figures["overhead"], figures["overhead_cpu"] = np.median(child - here, axis=0)
    figures["round_trip"], _cpu = _measure(lambda: isolation.run_limited(sum, [1]), runs, pause=0.3)
    figures["small_back_to_back"], _cpu = _measure(lambda: read_survey("small.csv", small), runs)
    log("isolation measured")
    for n in (500, 2000, 5000):
        points = synthetic_points(n)
        merge_near_duplicates(points[:50])  # imports
        figures[f"merge_{n}"], figures[f"merge_{n}_cpu"] = _measure(lambda points=points: merge_near_duplicates(points),
                                                                    max(3, repeats))
        figures[f"merge_{n}_kept"] = len(merge_near_duplicates(points))
    log("merging measured")
    content = docx_with_table(5000)
    figures["docx_5000_bytes"] = len(content)
    with isolation.in_process():
        figures["docx_table"], figures["docx_table_cpu"] = _measure(lambda: _docx_blocks("table.docx", content),
                                                                    max(3, repeats))
    try:
        figures["docx_5000_points"] = sum(1 + len(p.merged) for p in read_notes("table.docx", content).points)
        figures["docx_5000"], figures["docx_5000_cpu"] = _measure(lambda: read_notes("table.docx", content),
                                                                  max(3, repeats), pause=0.3)
    except isolation.LimitExceeded:  # stopped at the child's time limit (a loaded machine)
        figures.update(docx_5000_points=5000, docx_5000=float("inf"), docx_5000_cpu=float("nan"))
    log("word table measured")
    frame, _cb = synthetic(50_000, 40)
    buffer = io.BytesIO()
    as_text(frame).to_excel(buffer, index=False, engine="openpyxl")
    xlsx = buffer.getvalue()
    figures["xlsx_bytes"] = len(xlsx)
    figures["sheet_check"] = _median_time(lambda: safety.sheet_extents("s.xlsx", xlsx), 2)
    try:
        figures["xlsx_read"] = _median_time(lambda: read_survey("s.xlsx", xlsx), 1)
    except isolation.LimitExceeded:  # stopped at the child's time limit (a loaded machine)
        figures["xlsx_read"] = float("inf")
    figures["xlsx_memory"] = isolation.last_measures() or {"peak_rss": 0, "start_rss": 0}
    log("sheet check measured")
    rows = 40 * 2**20 // len(as_text(frame.head(1000)).to_csv(index=False).encode()) * 1000
    big, _cb = synthetic(rows, 40, seed=2)
    csv = as_text(big).to_csv(index=False).encode()
    figures["csv_bytes"] = len(csv)
    try:
        figures["csv_read"] = _median_time(lambda: read_survey("big.csv", csv), 1)
    except isolation.LimitExceeded:
        figures["csv_read"] = float("inf")
    figures["csv_memory"] = isolation.last_measures() or {"peak_rss": 0, "start_rss": 0}
    log("40 MB CSV measured")
    figures["load_after"] = os.getloadavg()
    return figures


def uploads_report(f: dict, info: dict[str, str]) -> str:
    overhead, cpu_overhead = f["overhead"], f["overhead_cpu"]
    signed = lambda x: f"{x * 1000:+,.0f} ms"
    work = lambda m: m.get("work", m["peak_rss"] - m["start_rss"])
    mem = lambda m, size: work(m) / size
    shared = lambda m: (f"; resident {_mb(m['peak_rss'] - m['start_rss'])}, of which {_mb(m['library_rss'])} is "
                        "library code read again (shared)" if "library_rss" in m else "")
    load = lambda values: " ".join(f"{v:.2f}" for v in values)
    met = lambda wall, cpu, aim: (f"{'met' if wall <= aim else 'not met'} on the wall clock, "
                                  f"{'met' if cpu <= aim else 'not met'} on CPU time")
    lines = [
        UPLOADS_SECTION.strip(), "",
        "Measured by `python tools/bench.py --uploads` (`make bench`). Every upload is parsed in a child",
        "forked from a warm forkserver (`feedback.isolation`); medians of repeated runs, wall clock and CPU time",
        "(this process's plus the child's). Uploads are timed one at a time, 0.3 s apart (the time between two",
        "users' uploads, in which the last child is collected and the next spare forked), except the",
        "back-to-back row; the small CSV's in-process and isolated reads alternate.",
        f"Machine: {info.get('cpus', '?')} cores ({info.get('cpu', '?')}), Python {info.get('python', '?')}; "
        f"load average (1, 5, 15 min) before the run {load(f['load_before'])}, after {load(f['load_after'])}",
        "(the machine is shared: above 2, other work was running and the wall clock includes waiting for a core).",
        "",
        "| What | Wall time | CPU time | Target |", "|---|---:|---:|---|",
        f"| small CSV (40 rows) read in-process | {_s(f['small_in_process'])} | {_s(f['small_in_process_cpu'])} | |",
        f"| the same, in a limited child | {_s(f['small_isolated'])} | {_s(f['small_isolated_cpu'])} | |",
        f"| isolation overhead (median of each pair's difference) | {signed(overhead)} | {signed(cpu_overhead)} | "
        "at most 150 ms: "
        f"{met(overhead, cpu_overhead, 0.15)} |",
        f"| the small CSV in a child, back to back (no spare waiting: the fork is timed too) | "
        f"{_s(f['small_back_to_back'])} | | |",
        f"| child round trip (`run_limited(sum, [1])`) | {_s(f['round_trip'])} | | |",
        f"| merge near-duplicates, 500 points ({f['merge_500_kept']} kept) | {_s(f['merge_500'])} | "
        f"{_s(f['merge_500_cpu'])} | |",
        f"| merge near-duplicates, 2,000 points ({f['merge_2000_kept']} kept) | {_s(f['merge_2000'])} | "
        f"{_s(f['merge_2000_cpu'])} | under 2 s: {met(f['merge_2000'], f['merge_2000_cpu'], 2)} |",
        f"| merge near-duplicates, 5,000 points ({f['merge_5000_kept']} kept) | {_s(f['merge_5000'])} | "
        f"{_s(f['merge_5000_cpu'])} | |",
        f"| a 5,000-row Word table: paragraphs and rows read (in-process, no merging) | {_s(f['docx_table'])} | "
        f"{_s(f['docx_table_cpu'])} | |",
        f"| Word notes with that table ({f['docx_5000_bytes'] / 1024:,.0f} KB, {f['docx_5000_points']:,} points), "
        f"read and merged in a child | {_s(f['docx_5000'])} | {_s(f['docx_5000_cpu'])} | under 5 s: "
        f"{met(f['docx_5000'], f['docx_5000_cpu'], 5)} |",
        f"| sheet check (cells streamed from the XML), 50,000 x 44 XLSX ({_mb(f['xlsx_bytes'])}) | "
        f"{_s(f['sheet_check'])} | | |",
        f"| that XLSX read in a child (check + calamine + labels) | {_s(f['xlsx_read'])} | "
        f"{_s(f['xlsx_memory'].get('cpu', float('nan')))} | |",
        f"| memory of that child beyond its start | {_mb(work(f['xlsx_memory']))}"
        f" ({mem(f['xlsx_memory'], f['xlsx_bytes']):.1f}x the file{shared(f['xlsx_memory'])}) | | |",
        f"| {_mb(f['csv_bytes'])} CSV read in a child | {_s(f['csv_read'])} | "
        f"{_s(f['csv_memory'].get('cpu', float('nan')))} | |",
        f"| memory of that child beyond its start | {_mb(work(f['csv_memory']))}"
        f" ({mem(f['csv_memory'], f['csv_bytes']):.1f}x the file{shared(f['csv_memory'])}) | | at most 5x the file: "
        f"{'met' if mem(f['csv_memory'], f['csv_bytes']) <= 5 else 'not met'} |",
        "",
        UPLOADS_NOTES,
    ]
    return "\n".join(lines)


UPLOADS_NOTES = """Where the time went, and what changed:

- Isolation (the figures in this paragraph were measured when it was changed): no sleep or polling
  loop was involved (the parent waits on the child's pipe and exit sentinel). A child's start cost a
  fork of the forkserver (which holds pandas, pyarrow, scipy and the readers: ~160 MB resident,
  10-16 ms to fork on this machine) and the child's start-up (~5-10 ms); after its answer the parent
  waited for it to exit and for the forkserver to report it (10-16 ms).
  Now one child is forked ahead and waits for its upload (a spare, forked again after each answer),
  and answered children are stopped and collected by a background thread. Each child still reads
  one upload, with its memory and time limits set when the upload arrives, and a crash still fails
  only that upload. What remains is mostly the child touching memory it shares with the forkserver
  (about 2,400 copy-on-write page faults for the small CSV, ~15 ms of system time) and the pipe.
- Merging: every pair of points was compared character by character (rapidfuzz's C++ `cdist`, about
  0.4 us a pair: 2 million pairs for 2,000 points) and word sets with a sparse product. Now two exact
  bounds skip the pairs that cannot reach the threshold before rapidfuzz computes the ratio: the
  characters the two texts share, counted, for every pair of a block of texts sorted by length;
  and, where most pairs pass that (texts made of the same characters in another order, as the rows
  of this numbered table), the longest common subsequence of the texts without their commonest
  characters (as few as leave most texts at 64 characters or less, which rapidfuzz compares several
  at a time) plus how many of those characters they share. Word sets are compared only between sizes that \
can reach the threshold,
  common words as bits (AND and popcount). The merged points are the same as before (a test checks
  every pair against `similarity`).
- Word tables: the rows were read through python-docx's cell objects (~0.15 ms a cell, not
  quadratic: 0.7 s for 5,000 rows); they are now read from the table's XML with lxml (the same texts,
  checked against python-docx's). Most of the 5,000-row figure is merging those 5,000 points.
- Memory per upload: a child's memory is counted from before the upload's bytes reach it, to after
  its answer has been sent back (the peak of its resident memory), less the library code it reads
  again from disk (a forked child re-reads the code it runs: ~30 MB, the same for any file, and
  shared with every other process). The 40 MB CSV cost 7.4x its size (and that figure left out
  the upload's bytes and the sending): the CSV's text was decoded whole, split into lines, and put in a
  `StringIO` (4 bytes a character, ~160 MB) for pandas; the text columns were then trimmed into a
  second frame while the first was kept; and pickling the answer copied every pyarrow column into one
  chunk (pandas' own pickling), kept every copy until the end and copied the pickle into a buffer.
  Now pandas parses the bytes themselves (the encoding is checked a megabyte at a time and only the
  first lines are decoded to find the delimiter and header), the columns are trimmed one at a time
  (each dropped from the parsed grid as it is converted), rows and columns are filtered only when
  some are empty, and the upload and the answer cross the pipe as their own buffers (pickle protocol
  5, out of band; the pyarrow columns' chunks as they are). The values and dtypes returned are
  unchanged (a test compares the frame read in the child with the one read in-process).
- A child's memory goes back to the system when it exits. The server keeps the upload's bytes and what
  was read from it in that session's state (the Upload page's frame, and the survey made from it), so
  they go when the session drops the upload or ends; they used to be kept as well, pickled, in a cache
  shared by every user for an hour (`st.cache_data`): another copy of each upload's frame.
"""


# ------------------------------------------------------------------ roundtable notes within 5 s (--notes)
SUGGEST_SECTION = "\n## Roundtable theme suggestions: 2,000 points within 10 s"
SUGGEST_LIMIT = 10.0


def suggest_timings(n: int, repeats: int, log=print) -> dict:
    """Fitting the suggester on the coded sample and suggesting for ``n`` points: median wall and CPU."""
    from feedback.roundtables.suggest import Suggester, load_examples
    from feedback.roundtables.themes import load_themes

    codebook, examples, texts = load_themes(), load_examples(), suggest_points(n)
    run = lambda: Suggester(codebook, examples).suggest(texts)
    rows = run()
    wall, cpu = _measure(run, max(1, repeats), pause=0.3)
    log(f"suggestions for {n:,} points: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return {"n": n, "wall": wall, "cpu": cpu, "load": os.getloadavg(),
            "suggested": sum(any(s.suggested for s in r) for r in rows)}


def suggest_report(f: dict, info: dict[str, str]) -> str:
    ok = "yes" if f["wall"] <= SUGGEST_LIMIT else ("yes on CPU time" if f["cpu"] <= SUGGEST_LIMIT else "NO")
    return "\n".join([
        SUGGEST_SECTION.strip(), "",
        "Measured by `python tools/bench.py --suggest` (`--write docs/performance.md` replaces this section):",
        "fitting the suggester on the 54 coded sample points and the codebook, then ranked suggestions with",
        f"reasons for {f['n']:,} distinct points made from the sample's words (`suggest_points`); median of",
        "repeated runs, one process, no network.",
        f"Machine: {info.get('cpus', '?')} cores ({info.get('cpu', '?')}), Python {info.get('python', '?')}; load "
        f"average {' '.join(f'{v:.2f}' for v in f['load'])}.", "",
        "| Points | Wall time | CPU time | Points with a suggestion | Within 10 s |", "|---:|---:|---:|---:|---|",
        f"| {f['n']:,} | {_s(f['wall'])} | {_s(f['cpu'])} | {f['suggested']:,} | {ok} |", "",
        "Vectorised: one sparse product (points x features by features x examples) gives every cosine; the",
        "best example per sub-theme is a column maximum. The keyword rules run per point, as on import.", ""])


NOTES_SECTION = "\n## Roundtable notes: every file within 5 s"
NOTES_LIMIT = 5.0


def notes_timings(repeats: int, log=print) -> dict:
    """Each hostile notes file and each corpus file read as an upload is (in the limited child): the
    median wall-clock and CPU time, and what was read."""
    from feedback import isolation
    from feedback.roundtables.read import read_notes

    isolation.start_forkserver(background=False)
    files = hostile_notes()
    corpus = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notes_corpus"
    for path in sorted(corpus.glob("*")) if corpus.is_dir() else []:
        files[f"corpus: {path.name}"] = (path.name, path.read_bytes())
    figures: dict = {"load_before": os.getloadavg(), "rows": []}
    for label, (name, content) in files.items():
        try:
            notes = read_notes(name, content)
            read = (f"{len(notes.points):,} point(s), {sum(bool(p.response) for p in notes.points):,} with a "
                    f"response, {len(notes.lines):,} line(s) given a role")
            wall, cpu = _measure(lambda name=name, content=content: read_notes(name, content), max(1, repeats),
                                 pause=0.3)
        except isolation.LimitExceeded:
            read, wall, cpu = "stopped at the child's time limit", float("inf"), float("nan")
        figures["rows"].append((label, len(content), read, wall, cpu))
        log(f"{label}: {wall:.2f} s")
    figures["load_after"] = os.getloadavg()
    return figures


def notes_report(f: dict, info: dict[str, str]) -> str:
    load = lambda values: " ".join(f"{v:.2f}" for v in values)
    lines = [
        NOTES_SECTION.strip(), "",
        "Measured by `python tools/bench.py --notes` (`--write docs/performance.md` replaces this section).",
        "Each file is read as an upload is: `read_notes` in the limited child, reading, roles of every line,",
        "responses and merging included; medians of repeated runs, 0.3 s apart, wall clock and CPU time (this",
        f"process's and the child's). The aim: every notes file within {NOTES_LIMIT:.0f} s.",
        f"Machine: {info.get('cpus', '?')} cores ({info.get('cpu', '?')}), Python {info.get('python', '?')}; load "
        f"average before {load(f['load_before'])}, after {load(f['load_after'])} (the machine is shared: above 2, "
        "the wall clock includes waiting for a core).", "",
        "| File | Size | Read | Wall time | CPU time | Within 5 s |", "|---|---:|---|---:|---:|---|"]
    for label, size, read, wall, cpu in f["rows"]:
        ok = "yes" if wall <= NOTES_LIMIT else ("yes on CPU time" if cpu <= NOTES_LIMIT else "NO")
        lines.append(f"| {label} | {size / 1024:,.0f} KB | {read} | {_s(wall)} | {_s(cpu)} | {ok} |")
    lines += ["", "What made them slow, and what changed: the Markdown heading regex backtracked on a line of",
              "spaces (headings, pipe tables and their delimiter rows are now parsed with string methods), and",
              "merging near-identical points kept every alike pair (12.5 million for 5,000 near-copies); it now",
              "keeps per point only the earliest earlier point it is alike, reduced within each block of",
              "comparisons, with the word measure first and the character measure skipping the pairs that",
              "cannot change that answer; every point is first compared with the first 64, which finds near-copies of",
              "an early point at once. Wall time above CPU time is time spent waiting for a core.", "",
              "Before the change (the previous reader, the same files read the same way on this machine on",
              "6 December 2026, load average 10): the heading line 49 s; 4,000 near-copies 13.1 s wall (3.2 s",
              "CPU); 5,000 near-copies 16.4 s (5.4 s CPU); 5,000 distinct points 2.5 s (0.5 s CPU); the",
              "5,000-row Word table 2.5 s (0.65 s CPU; reading every line's role now costs about 0.3 s CPU more).",
              ""]
    return "\n".join(lines)


def _write_uploads(path: Path, text: str) -> None:
    """Replace (or add) the uploads section of docs/performance.md, keeping the rest."""
    _replace_section(path, UPLOADS_SECTION, text)


# ------------------------------------------------------------------ limits (python tools/bench.py --limits)
LIMITS_SECTION = "\n## Limits"
LIMIT_S = 5.0  # what one upload may take, at most, on the app's largest allowed shapes


def limits(repeats: int = 3, log=print) -> list[dict]:
    """Time the uploads that once cost far more than their size (each median of ``repeats`` runs).

    Each row: what, its size, median wall-clock and CPU seconds (this process's plus the parsing
    child's), and whether it finished within ``LIMIT_S``."""
    from feedback import isolation
    from feedback.survey.codebook import suggest_codebook, validate
    from feedback.survey.read import read_survey

    isolation.start_forkserver(background=False)
    read_survey("warm.csv", b"id,q1\n1,Yes\n")  # the forkserver is up and warm
    rows = []
    for columns, n in ((500, 4), (1000, 4), (2000, 4), (2000, 200)):
        content = wide_csv(columns, n)

        def upload(content=content, n=n, columns=columns):
            data = read_survey("wide.csv", content)  # in a limited child, as the Upload page reads it
            cb = suggest_codebook(data)
            # every column read; a question suggested wherever a "Yes" was (all but a few columns)
            assert data.frame.shape == (n, columns) and len(cb.questions) > 0.9 * columns, (data.frame.shape,
                                                                                          len(cb.questions))
            validate(cb, data.frame)

        wall, cpu = _measure(upload, repeats, pause=0.3)
        rows.append({"what": f"CSV of {columns:,} columns x {n} rows: read in a child, codebook suggested and "
                             "checked", "bytes": len(content), "wall": wall, "cpu": cpu,
                     "target": columns == 2000 and n == 4})
        log(f"{columns} columns x {n} rows: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return rows


def limits_report(rows: list[dict], info: dict[str, str], load_before, load_after) -> str:
    load = lambda values: " ".join(f"{v:.2f}" for v in values)
    lines = [LIMITS_SECTION.strip(), "",
             "Measured by `python tools/bench.py --limits` (`make bench`): uploads that once cost far more than",
             f"their size, each within {LIMIT_S:g} s; the script exits with status 1 when the CPU time of one is over",
             "(the wall clock also counts waiting for a core on a busy machine). Medians of 3 runs, wall clock and",
             "CPU time (this process's plus the parsing child's). "
             f"Machine: {info.get('cpus', '?')} cores ({info.get('cpu', '?')}), Python {info.get('python', '?')};",
             f"load average before the run {load(load_before)}, after {load(load_after)} (shared machine: above 2,",
             "other work was running and the wall clock includes waiting for a core; the child runs at a lower",
             "priority than the server).", "",
             "| What | Size | Wall time | CPU time | Target |", "|---|---:|---:|---:|---|"]
    for r in rows:
        target = (f"under {LIMIT_S:g} s: {'met' if r['cpu'] <= LIMIT_S else 'NOT MET'} on CPU time, "
                  f"{'met' if r['wall'] <= LIMIT_S else 'not met'} on the wall clock" if r["target"] else "")
        lines.append(f"| {r['what']} | {r['bytes'] / 1024:,.0f} KB | {_s(r['wall'])} | {_s(r['cpu'])} | {target} |")
    lines += ["", LIMITS_NOTES]
    return "\n".join(lines)


LIMITS_NOTES = """- A 19 KB CSV of 2,000 columns took over 60 s: each column was converted to text and then dropped
  from the parsed grid (`DataFrame.pop`, to keep memory low), and pandas rebuilds the grid's list
  of columns on every `pop`, so the cost grew with the square of the columns (2,000 columns x 3 rows,
  before the change: 39 s of CPU time in the child, 46 s on the wall clock). The columns are now
  taken out of the grid at once and let go one by one; a grid of few cells is converted in one pass
  (not one pandas operation per column), and the header search reads the first rows as one array.
- The suggested codebook's routing (a question answered only by those positive on an earlier one)
  tried every earlier question for each question; it now counts first and checks row by row only
  the earlier questions whose number of positive answers fits. Validation no longer counts each id
  in the list of ids. Both grow with the number of columns, not its square.
"""


if __name__ == "__main__":
    sys.exit(main())
