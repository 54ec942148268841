"""How often the suggested codebook is exactly right on the supplier corpus.

``score_file(path, expected)`` reads a corpus file as an upload is read, runs
``suggest_codebook`` (which applies ``platforms.annotate_codebook``: metadata, question
sets and "[ASK IF …]" routing from the file's layout) and compares it with the
hand-written expected codebook, column by column:

- columns found: the suggested role / region / weight column is the expected one;
- questions found: an expected question's column is a suggested question;
- positive sets exact: the suggested positive answers are the expected ones
  (compared as the engine compares answers: case and spacing aside);
- unfavourable answers counted positive: suggested positive answers that the
  expected codebook does not count positive (must be 0: a wrong headline);
- left to check: found questions the suggestion marked ``check = "why"``;
- routing and question sets: expected routed questions given the right base, and
  expected sets (multi-selects, grids) suggested with the same members.

``report(scores)`` is the Markdown written to docs/supplier_corpus.md by
``scripts/score_suggestions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from feedback.survey.answers import answer_key

SLOTS = ("role", "region", "weight")


@dataclass
class FileScore:
    file: str
    layout: str = ""
    columns_right: int = 0
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # slot -> (expected, suggested)
    questions: int = 0
    found: int = 0
    extra: list[str] = field(default_factory=list)           # suggested questions not in the expected codebook
    positive_exact: int = 0
    unfavourable: list[tuple[str, str]] = field(default_factory=list)  # (column, answer) counted positive wrongly
    left_to_check: int = 0
    routed: int = 0
    routed_right: int = 0
    sets: int = 0
    sets_right: int = 0
    missed: list[str] = field(default_factory=list)          # expected question columns not suggested
    wrong_positive: list[tuple[str, list[str], list[str]]] = field(default_factory=list)


def score(expected, suggested, *, file: str = "", layout: str = "") -> FileScore:
    """Compare a suggested codebook with the expected one (both ``Codebook``)."""
    out = FileScore(file=file, layout=layout)
    for slot in SLOTS:
        want, got = getattr(expected, slot, "") or "", getattr(suggested, slot, "") or ""
        out.columns[slot] = (want, got)
        out.columns_right += want == got
    by_column = {q.column: q for q in suggested.questions}
    expected_columns = {q.column for q in expected.questions}
    out.extra = [q.column for q in suggested.questions if q.column not in expected_columns]
    out.questions = len(expected.questions)
    exp_by_id = {q.id: q for q in expected.questions}
    sug_by_id = {q.id: q for q in suggested.questions}
    for q in expected.questions:
        s = by_column.get(q.column)
        if s is None:
            out.missed.append(q.column)
            continue
        out.found += 1
        want = {answer_key(a) for a in q.positive}
        got = [a for a in s.positive]
        if {answer_key(a) for a in got} == want:
            out.positive_exact += 1
        else:
            out.wrong_positive.append((q.column, list(q.positive), got))
        out.unfavourable += [(q.column, a) for a in got if answer_key(a) not in want]
        out.left_to_check += bool(getattr(s, "check", ""))
        if q.base_question:
            out.routed += 1
            base = sug_by_id.get(s.base_question)
            out.routed_right += base is not None and base.column == exp_by_id[q.base_question].column
    groups: dict[str, set[str]] = {}
    for q in expected.questions:
        if q.question_set:
            groups.setdefault(q.question_set, set()).add(q.column)
    suggested_sets: dict[str, set[str]] = {}
    for q in suggested.questions:
        if getattr(q, "question_set", ""):
            suggested_sets.setdefault(q.question_set, set()).add(q.column)
    out.sets = len(groups)
    out.sets_right = sum(any(members == s for s in suggested_sets.values()) for members in groups.values())
    return out


def score_file(path: Path, expected=None) -> FileScore:
    """Read ``path`` as an upload is read, suggest a codebook, score it against ``<stem>.expected.toml``."""
    from feedback import isolation
    from feedback.survey.codebook import load_codebook, suggest_codebook
    from feedback.survey.read import read_survey

    path = Path(path)
    expected = expected or load_codebook(path.with_name(f"{path.stem}.expected.toml"))
    with isolation.in_process():  # the app's own test files
        data = read_survey(path.name, path.read_bytes())
    suggested = suggest_codebook(data)
    layout = getattr(getattr(data, "layout", None), "name", "")
    return score(expected, suggested, file=path.name, layout=layout)


def score_corpus(folder: Path) -> list[FileScore]:
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".csv", ".xlsx", ".sav"))
    return [score_file(p) for p in files]


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "–"


def report(scores: list[FileScore], *, commit: str = "") -> str:
    """The Markdown report of docs/supplier_corpus.md."""
    t = {k: sum(getattr(s, k) for s in scores) for k in ("columns_right", "questions", "found", "positive_exact",
                                                         "left_to_check", "routed", "routed_right", "sets",
                                                         "sets_right")}
    unfavourable = sum(len(s.unfavourable) for s in scores)
    lines = [
        "# Supplier corpus: how often the suggested codebook is exactly right",
        "",
        "Written by `scripts/score_suggestions.py` (do not edit by hand). The corpus is "
        "`tests/fixtures/suppliers/`, built by `scripts/make_supplier_corpus.py`: synthetic respondents "
        "in the export layouts of Qualtrics, SurveyMonkey, SmartSurvey, Microsoft Forms, Google Forms "
        "and YouGov, each with a hand-written expected codebook (`<name>.expected.toml`).",
        "",
        "Each file is read as an upload is read; `suggest_codebook` drafts a codebook and "
        "`platforms.annotate_codebook` adds what the layout knows (metadata columns, question sets, "
        "\"[ASK IF …]\" routing). Answers are compared as the engine compares them (case and spacing aside).",
        "",
        *([f"Measured at commit `{commit}`.", ""] if commit else []),
        "## Totals",
        "",
        "| Measure | Result |",
        "| --- | --- |",
        f"| Role / region / weight column exactly right (no weight suggested for an unweighted file "
        f"counts as right) | {_pct(t['columns_right'], 3 * len(scores))} |",
        f"| Expected questions found | {_pct(t['found'], t['questions'])} |",
        f"| Positive sets exact (of questions found) | {_pct(t['positive_exact'], t['found'])} |",
        f"| **Unfavourable answers counted positive (must be 0)** | **{unfavourable}** |",
        f"| Questions left to check (`check = \"why\"`) | {t['left_to_check']} |",
        f"| Routed questions given the right base | {_pct(t['routed_right'], t['routed'])} |",
        f"| Question sets (multi-selects, grids) with the right members | {_pct(t['sets_right'], t['sets'])} |",
        f"| Suggested questions not in the expected codebooks | {sum(len(s.extra) for s in scores)} |",
        "",
        "## By file",
        "",
        "| File | Layout read | Columns right | Questions found | Positive exact | Unfavourable positive "
        "| Routing | Sets |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in scores:
        lines.append(f"| {s.file} | {s.layout} | {s.columns_right}/3 | {s.found}/{s.questions} | "
                     f"{s.positive_exact}/{s.found} | {len(s.unfavourable)} | {s.routed_right}/{s.routed} | "
                     f"{s.sets_right}/{s.sets} |")
    lines += ["", "## What went wrong", ""]
    any_wrong = False
    for s in scores:
        items = []
        for slot, (want, got) in s.columns.items():
            if want != got:
                items.append(f"{slot} column: expected {want or '(none)'!r}, suggested {got or '(none)'!r}")
        items += [f"not suggested as a question: {c!r}" for c in s.missed]
        items += [f"positive for {c!r}: expected {want}, suggested {got}" for c, want, got in s.wrong_positive]
        items += [f"suggested but not a question: {c!r}" for c in s.extra]
        if items:
            any_wrong = True
            lines.append(f"### {s.file}")
            lines.append("")
            lines += [f"- {i}" for i in items[:40]]
            if len(items) > 40:
                lines.append(f"- … and {len(items) - 40} more")
            lines.append("")
    if not any_wrong:
        lines.append("Nothing: every suggestion matched its expected codebook.")
    return "\n".join(lines).rstrip() + "\n"
