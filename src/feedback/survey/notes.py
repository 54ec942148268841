"""The methods notes that go with survey figures (under a table, in an export's notes
sheet, in the command line's output): what the interval method, the test, the
small-base rules, the design and any raking mean for the numbers shown.
"""

from __future__ import annotations

import pandas as pd

from feedback.export import TABLE_LABELS
from feedback.regions import region_name
from feedback.survey import significance
from feedback.survey.settings import Adjust, Level, Method, Settings
from feedback.survey.significance import TEST_NAMES, results_test

# The results columns as the exported table (Results XLSX, ODS and CSV, the Results page's table) heads
# them: the notes of an export name these, and only the columns the export holds.
EXPORTED_HEADERS = {**{c: TABLE_LABELS[c] for c in (
    "question_text", "base_label", "by", "group", "letter", "p", "n", "base_weighted", "n_eff", "sig_vs_rest",
    "higher_than", "p_value_vs_rest", "p_adj_vs_rest", "method")},
    "ci_low": "Interval from (%)", "ci_high": "Interval to (%)", "level": "Confidence level (%)"}


def interval_notes(method: str) -> list[str]:
    """What a reader needs to know about the interval method at the edges (p of 0% or 100%)."""
    if method in ("logit", "beta", "mean"):
        return ["Where a group's share is 0% or 100% the design-based interval is not defined (no variation, so a "
                "standard error of 0); the interval shown there is Clopper–Pearson on the Kish effective base, "
                "from 0% or to 100%."]
    if method in ("clopper-pearson", "jeffreys"):
        return ["At 0% or 100% the interval reaches 0% or 100% (Clopper–Pearson by definition; Jeffreys with "
                "Brown, Cai and DasGupta's boundary correction)."]
    return []


def letters_legend(res: pd.DataFrame, *, headers: dict[str, str] | None = None) -> list[str]:
    """The column letters explained, naming the columns by ``headers`` (e.g. ``EXPORTED_HEADERS``;
    the results model's names without): the first line of ``significance.letters_legend`` in the
    words of the table it goes with, then one line per grouping."""
    lines = significance.letters_legend(res)
    if not lines or not headers:
        return lines
    level = float(res["level"].iloc[0]) if "level" in res and len(res) else 0.95
    first = (f"'{headers['letter']}': each group's letter within its grouping. Letters in "
             f"'{headers['higher_than']}' name the groups of the same grouping that a group is significantly "
             f"higher than at the {level:.0%} level, after adjustment for multiple comparisons "
             f"({TEST_NAMES[results_test(res)]}); suppressed cells [c] are never tested.")
    return [first, *lines[1:]]


def test_notes(res: pd.DataFrame, *, level: float, adjust: str, headers: dict[str, str] | None = None) -> list[str]:
    """Which test the significance marks and letters come from, in words. With ``headers`` (the exported
    table's, ``EXPORTED_HEADERS``) the notes name columns by those headers and leave out columns the
    table does not hold; without, by the results model's names (the command line's output)."""
    used = [t for t in pd.unique(res["test"].astype(str)) if t] if "test" in res and len(res) else []
    if not used:
        return ["No significance tests: published data tables give no respondent-level data for them."]
    test = results_test(res)
    lvl = Level.label_of(level)
    sig = f"'{headers['sig_vs_rest']}'" if headers else "sig_vs_rest"
    notes = [f"Test: {TEST_NAMES[test]}. {sig}: 'higher' or 'lower' when the group differs from the rest of "
             f"the sample at the {lvl} level ({Adjust.label_of(adjust)} adjustment within each question and "
             "grouping); shown on charts as ▲ / ▼. The rest is the other respondents with a label for the grouping "
             "(within the region, if one is chosen)."]
    if test == "design":
        notes.append("Design-based test: the difference of the two weighted proportions over its linearised "
                     "standard error under the full design, on Student's t with n + n_rest - 2 degrees of freedom "
                     "(R survey's svyttest); respondents outside a question's base stay in the design. Where either "
                     "side is at exactly 0% or 100% (no design variance on that side, where the t test would claim "
                     "certainty) the comparison is made by the Rao-Scott test instead (R's svychisq(~y + group, "
                     "design, statistic = \"F\"))" + ("." if headers else "; the test column says which."))
    if test == "rao-scott":
        notes.append("Rao-Scott test: Pearson's X² of answer by group against the rest, divided by its design "
                     "effect, on F(1, respondents in the design - 1), as R survey's svychisq(statistic = \"F\")"
                     + ("." if headers else "; t_vs_rest is the signed square root of F."))
    if "sig_vs_rest" in res and (res["sig_vs_rest"] == "[z]").any():
        notes.append("[z]: the group and the rest are both at 0%, or both at 100%: nothing to test; such "
                     "comparisons are left out of the adjustment's family.")
    notes += letters_legend(res, headers=headers)
    return notes


def difference_notes(diff: pd.DataFrame, *, level: float) -> list[str]:
    """Notes for a table or chart of differences (Compare page): the interval and the test used."""
    lvl = Level.label_of(level)
    if "test" in diff and (diff["test"] == "design").all():
        return [f"Lines show {lvl} intervals for the difference (difference ± t × its design-based standard error).",
                "▲ / ▼ first group significantly higher / lower (design-based t test, adjusted)."]
    return [f"Lines show {lvl} intervals for the difference (Newcombe).",
            "▲ / ▼ first group significantly higher / lower (two-proportion z test on effective bases, adjusted)."]


DESIGN_NOTE = ("Design: weights only (R's svydesign(ids = ~1, weights = ~weight)); no strata or clusters are used. "
               "For a clustered or stratified sample the standard errors, intervals and tests are wrong (on R's "
               "apiclus1, a cluster sample, a standard error of 0.035 against 0.080 with the clusters): analyse such a "
               "design in R's survey package with its strata and clusters.")


def raking_notes(raking) -> list[str]:
    """What a reader needs to know about raked figures."""
    if raking is None:
        return []
    d = raking.diagnostics()
    cap = f", weights capped at {raking.cap:g} times the mean ({raking.trimmed} trimmed)" if raking.cap else ""
    return [f"Weighted to population margins by raking ({', '.join(raking.variables)}): the input weight (or 1) "
            f"times the raking adjustment{cap}; {d['iterations']} iterations, weighting efficiency "
            f"{d['weighting efficiency']:.1%}, Kish design effect {d['Kish design effect']:.3f}, weights "
            f"{d['smallest weight']:.4g} to {d['largest weight']:.4g}.",
            "Standard errors, intervals and tests allow for the raking (linearisation with the residuals of the "
            "regression on the margins, as R survey's calibrate(design, ~margins, population, calfun = "
            "\"raking\")); a pair of groups, with their covariance through the calibration."]


def design_notes(survey) -> list[str]:
    """The design the figures assume, for respondent-level data (and its raking, if any)."""
    if getattr(survey, "kind", "respondents") != "respondents":
        return []
    notes = [DESIGN_NOTE]
    raking = getattr(survey, "raking", None)
    if raking is not None:
        notes += raking_notes(raking)
    return notes


def table_notes(survey, res: pd.DataFrame, *, region: str | None, grouping: str, settings: Settings) -> list[str]:
    """The notes sheet of an exported table: what the figures are and how they were made, naming only
    the columns the export holds, by their headers (``EXPORTED_HEADERS``)."""
    weighted = survey.weighted
    h = {k: f"'{v}'" for k, v in EXPORTED_HEADERS.items()}
    notes = [
        f"Survey: {survey.title or survey.name}" + (f", fieldwork {survey.fieldwork}" if survey.fieldwork else "")
        + f" (file {survey.filename}).",
        f"Region: {region_name(region)}"
        + (" — a domain of the full sample, so intervals use the full design." if region else "."),
        f"Grouping: {grouping.lower()}.",
        f"{h['p']}, {h['ci_low']} and {h['ci_high']} are percentages from 0 to 100: {h['p']} is the share "
        "giving a positive answer (the net, e.g. 'Strongly agree' + 'Tend to agree') among those in the "
        "question's base.",
        f"Intervals: {Level.label_of(settings.level)} confidence, {Method.label_of(settings.method)} method"
        + (f", on the Kish effective base ({h['n_eff']}) because the data are weighted." if weighted else "."),
        *interval_notes(settings.method),
        f"{h['n']} is the unweighted base (respondents with a weight above 0); {h['base_weighted']} the weighted "
        f"base; {h['n_eff']} the Kish effective base (the unweighted base divided by Kish's design effect, "
        "1 + the squared coefficient of variation of the weights).",
        *settings.small_base.describe(),
        *test_notes(res, level=settings.level, adjust=settings.adjust, headers=EXPORTED_HEADERS),
        *design_notes(survey),
    ]
    if "n_not_grouped" in res and len(res):
        missing = res[res["by"] != "total"].groupby("by", sort=False)["n_not_grouped"].max()
        for by, count in missing.items():
            if count > 0:
                notes.append(f"{int(count)} respondent(s) have no {by} recorded: they count in the total but in no "
                             f"{by} group and in no group's rest.")
    if survey.kind == "data tables":
        notes.append("Figures read from published data tables; intervals computed from the published bases.")
    if survey.source:
        notes.append(survey.source)
    notes.append("Produced with the Panel feedback analysis app; the same figures come from "
                 "`python -m feedback rates` with the same choices.")
    return notes
