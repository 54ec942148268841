"""The tab book: every answer of every question, by any break, with column letters.

One row per question x answer x group. A question's rows are each of its answer
categories (in scale order: the positive answers as the codebook lists them,
then neutral, negative, other answers, "Don't know" last), then its nets: the
negative net (the answers on the unfavourable side of a known scale, when there
are two or more) and the positive net (the codebook's positive answers, the
figure ``rates`` reports).

Every row is a share of the question's base, with the rates engine's pieces:
its bases and routing (``answer_status``), groupings and finest cells, domain
estimates (the variance of a domain of the full design), small-base rules and
intervals, and the column letters of ``significance.column_letters``. Per
question, one ``np.bincount`` per power of the weight over (cell, answer) gives
every answer's sums; nets and bases are sums of those columns and every group
is a sum of cells (a 0/1 matrix product): no loop over cells or answers. The
positive net equals ``rates``' figure. ``higher_than`` holds the letters of the groups of the same
break that the cell is significantly higher than, adjusted within each
question x answer x break family.

Breaks (``by``): role, region, their crossing, any column named in the
codebook's ``[columns] breaks``, and any question id (its answers become the
groups). Filters: any question's answer or any break column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.intervals import DEFAULT_SMALL_BASE, check_level, check_method, proportion_interval
from feedback.survey.answers import answer_key, display_label, factorize, respondent_weights
from feedback.survey.rates import (
    SmallBase,
    _cells,
    _domain,
    _factorized,
    _groupings,
    _normalise_by,
    answer_status,
    domain_estimates,
    small_base_flags,
)
from feedback.survey.scales import SCALES, _favourable, _unfavourable, answer_words
from feedback.survey.significance import check_adjust, check_test, column_letters

SEP = "\x1f"
POSITIVE_NET = "Positive net"
NEGATIVE_NET = "Negative net"
KINDS = ("answer", "net")
TABBOOK_COLUMNS = ["question", "question_text", "answer", "row_kind", "by", "group", "letter", "n",
                   "base_weighted", "p", "ci_low", "ci_high", "n_eff", "flag", "higher_than", "method", "level",
                   "test", "dont_know_in_base"]
PERCENT_COLUMNS = ("p", "ci_low", "ci_high", "level")
DONT_KNOW = frozenset({"dont know", "do not know", "not sure", "unsure", "dont know not sure",
                       "not sure dont know", "cant say", "cannot say", "dont know cant say", "no opinion"})
_NEUTRAL = frozenset(n for s in SCALES for n in s.neutral)


def is_dont_know(answer) -> bool:
    """"Don't know", "Not sure", "Can't say" in any spelling."""
    return answer_words(answer) in DONT_KNOW


def _scale_level(words: str) -> int:
    for scale in SCALES:
        if scale.sure and (lv := scale.level_of(words)) is not None:
            return lv
    return 99


def _answers(series: pd.Series) -> list[str]:
    """Distinct non-blank answers as shown (categories first for coded columns), one per matching key."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = np.bincount(series.cat.codes.to_numpy() + 1, minlength=len(series.cat.categories) + 1)[1:] > 0
        values = [c for c, keep in zip(series.cat.categories, present) if keep]
    else:
        values = list(factorize(series)[1])
    out: dict[str, str] = {}
    for v in values:
        shown = display_label(v)
        if shown and answer_key(shown) not in out:
            out[answer_key(shown)] = shown
    return list(out.values())


def question_answers(series: pd.Series, question) -> tuple[list[str], list[str]]:
    """(answer categories in display order, the negative net's answers) of a question in the data.

    Excluded answers (out of the base) are not categories.
    """
    excluded = {answer_key(v) for v in question.exclude or ()}
    positive = [answer_key(v) for v in question.positive or ()]
    found = [a for a in _answers(series) if answer_key(a) not in excluded]

    def rank(item):
        i, a = item
        key, words = answer_key(a), answer_words(a)
        if key in positive:
            return (0, positive.index(key), i)
        if is_dont_know(a):
            return (5, 0, i)
        if words in _NEUTRAL:
            return (1, 0, i)
        if _unfavourable(words) and not _favourable(words):
            return (2, _scale_level(words), i)
        return (3 if _scale_level(words) < 99 else 4, _scale_level(words), i)

    ordered = [a for _, a in sorted(enumerate(found), key=rank)]
    negative = [a for a in ordered if rank((0, a))[0] == 2]
    return ordered, negative


def _question_column(frame: pd.DataFrame, question, found: list[str]) -> pd.Series:
    """The question's answers as a categorical in display order (a break's groups in that order)."""
    keys = {answer_key(a): a for a in found}
    codes, uniques = factorize(frame[question.column])
    shown = [keys.get(answer_key(u), None) for u in uniques]
    remap = np.array([found.index(s) if s is not None else -1 for s in shown] + [-1])
    return pd.Series(pd.Categorical.from_codes(remap[codes], found, validate=False), index=frame.index)


def break_keys(codebook) -> list[str]:
    """What a tab book can break by: role, region (when named), the codebook's breaks, question ids."""
    keys = [k for k in ("role", "region") if getattr(codebook, k, "")]
    keys += [b for b in getattr(codebook, "breaks", []) or [] if b not in keys]
    return keys + [q.id for q in codebook.questions if q.id not in keys]


def tab_book(frame: pd.DataFrame, codebook, by=None, filter: Mapping | None = None,
             method: str = "wilson", level: float = 0.95, small_base: SmallBase = DEFAULT_SMALL_BASE,
             adjust: str = "holm", test: str = "design", dont_know: bool = True,
             questions: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per question x answer x group (total first), columns ``TABBOOK_COLUMNS``.

    ``dont_know=False`` leaves "Don't know" (and "Not sure", "Can't say") out of
    every question's base: no row for it, and every other share re-based.
    ``questions``: ids to tabulate (default all; routing still uses the others).
    ``by`` defaults to the role and the region, those the codebook names.
    """
    if len(frame) == 0:
        raise InputError("the data has no respondent rows: check that the right file and sheet were read")
    if by is None:
        by = [(k,) for k in ("role", "region") if getattr(codebook, k, "")]
    by = [g for g in _normalise_by(by) if g != ("total",)]
    allowed = set(break_keys(codebook))
    by_question = {q.id: q for q in codebook.questions}
    for keys in by:
        for key in keys:
            if key not in allowed:
                raise InputError(f"cannot break by {key!r}: use role, region, a column listed in the codebook's "
                                 "[columns] breaks, or a question id")
    for key in filter or {}:
        if key not in allowed:
            raise InputError(f"cannot filter by {key!r}: use role, region, a column listed in the codebook's "
                             "[columns] breaks, or a question id")
    for column in getattr(codebook, "breaks", []) or []:
        if column not in frame.columns:
            raise InputError(f"break column {column!r} (from the codebook's [columns] breaks) is not in the data")
    wanted = set(questions) if questions is not None else None
    if wanted is not None and (unknown := wanted - set(by_question)):
        raise InputError(f"no question with id {sorted(unknown)[0]!r} in the codebook")

    method, level = check_method(method), check_level(level)
    adjust, test = check_adjust(adjust), check_test(test)
    weights = respondent_weights(frame, codebook)
    counted = weights > 0
    inside = _domain(frame, codebook, filter) if not filter else None  # filters need the break columns below

    # Each question: its answers as shown, the nets, and who is in its base (routing applied).
    used_as_break = {k for keys in by for k in keys} | set(filter or {})
    extra: dict[str, pd.Series] = {}
    plans = []  # (question, shown answers, [(net name, answer positions)])
    based = []
    for q in codebook.questions:
        if q.column not in frame.columns:
            raise InputError(f"question {q.id!r}: column {q.column!r} is not in the data; "
                             "correct its column in the codebook")
        found, negative = question_answers(frame[q.column], q)
        dk = [a for a in found if is_dont_know(a)]
        shown = found if dont_know else [a for a in found if a not in dk]
        if q.id in used_as_break and q.id not in ("role", "region") and q.id not in (codebook.breaks or []):
            extra[q.id] = _question_column(frame, q, shown)
        keys = [answer_key(a) for a in shown]
        positive = [i for i, k in enumerate(keys) if k in {answer_key(v) for v in q.positive or ()}]
        nets = [(NEGATIVE_NET, [shown.index(a) for a in negative if a in shown])] if len(negative) >= 2 else []
        nets.append((POSITIVE_NET, positive))
        plans.append((q, shown, nets))
        based.append(replace(q, exclude=list(q.exclude or ()) + ([] if dont_know else dk)))
    if extra:
        frame = frame.assign(**extra)
    if inside is None:
        inside = _domain(frame, codebook, filter)
    status = answer_status(frame, replace(codebook, questions=based))  # 0: outside the question's base
    groupings = _groupings(frame, codebook, by, inside)
    cell, first = _cells([g[2] for g in groupings])
    n_cells = len(first)
    sizes = [len(g[1]) for g in groupings]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    into = np.zeros((int(offsets[-1]), n_cells))
    for (_, _, code), offset in zip(groupings, offsets[:-1]):
        of_cell = code[first]
        into[offset + of_cell[of_cell >= 0], np.flatnonzero(of_cell >= 0)] = 1.0
    sample = inside & counted
    squared = weights * weights

    # One pass per question: counts, Σw and Σw² per (cell, answer); nets and bases are sums of those columns.
    blocks = {"n": [], "w": [], "w2": [], "base_n": [], "base_w": [], "base_w2": []}
    rows = []  # (question id, text, base label, answer, kind)
    for j, (q, shown, nets) in enumerate(plans):
        codes, labels = _factorized(frame[q.column])
        position = {answer_key(a): i for i, a in enumerate(shown)}
        of_label = np.array([position.get(lab, -1) for lab in labels] + [-1])
        answer = of_label[codes]
        answer = np.where(sample & (status[:, j] > 0), answer, -1)
        k = len(shown)
        index = cell.astype(np.int64) * (k + 1) + (answer + 1)
        size = n_cells * (k + 1)
        tables = [np.bincount(index, minlength=size).reshape(n_cells, k + 1)[:, 1:].astype(float),
                  np.bincount(index, weights=weights, minlength=size).reshape(n_cells, k + 1)[:, 1:],
                  np.bincount(index, weights=squared, minlength=size).reshape(n_cells, k + 1)[:, 1:]]
        combine = np.zeros((k, k + len(nets)))
        combine[np.arange(k), np.arange(k)] = 1.0
        for m, (_, members) in enumerate(nets):
            combine[members, k + m] = 1.0
        for name, table in zip(("n", "w", "w2"), tables):
            blocks[name].append(table @ combine)
            blocks["base_" + name].append(np.repeat(table.sum(axis=1, keepdims=True), k + len(nets), axis=1))
        rows += [(q.id, q.text or "", q.base_label or "", a, "answer") for a in shown]
        rows += [(q.id, q.text or "", q.base_label or "", name, "net") for name, _ in nets]
    cells = {name: into @ np.concatenate(parts, axis=1) for name, parts in blocks.items()}
    sums = {"n": cells["base_n"], "w1": cells["w"], "w0": cells["base_w"] - cells["w"],
            "w21": cells["w2"], "w20": cells["base_w2"] - cells["w2"]}
    est = domain_estimates(sums, int(counted.sum()))
    n = np.rint(est["n"])
    suppressed, flag = small_base_flags(n, est["n_eff"], small_base)
    p = np.where(suppressed, np.nan, np.clip(est["p"], 0.0, 1.0))
    low, high = proportion_interval(p, est["n_eff"], method, level, se=est["se"], n=n)

    k_groups, r = p.shape
    long = lambda a: np.asarray(a).T.ravel()  # noqa: E731 - (group x row) -> row-major
    meta = list(zip(*rows)) if rows else [[]] * 5
    out = pd.DataFrame({
        "question": np.repeat(np.array(meta[0], dtype=object), k_groups),
        "question_text": np.repeat(np.array(meta[1], dtype=object), k_groups),
        "answer": np.repeat(np.array(meta[3], dtype=object), k_groups),
        "row_kind": np.repeat(np.array(meta[4], dtype=object), k_groups),
        "by": np.tile(np.concatenate([[g[0]] * len(g[1]) for g in groupings]).astype(object), r),
        "group": np.tile(np.concatenate([g[1] for g in groupings]).astype(object), r),
        "n": long(n).astype(np.int64),
        "base_weighted": long(est["base_weighted"]),
        "p": long(p),
        "ci_low": long(low),
        "ci_high": long(high),
        "n_eff": long(est["n_eff"]),
        "se": long(np.where(suppressed, np.nan, est["se"])),
        "flag": long(flag),
    })
    out["method"], out["level"], out["test"], out["dont_know_in_base"] = method, level, test, bool(dont_know)
    family = out["question"].to_numpy(dtype=object) + SEP + out["answer"].to_numpy(dtype=object)
    lettered = column_letters(out.assign(question=family), level=level, adjust=adjust, test=test)
    out["letter"], out["higher_than"] = lettered["letter"].to_numpy(), lettered["higher_than"].to_numpy()
    if wanted is not None:
        out = out[out["question"].isin(wanted)].reset_index(drop=True)
    return out[TABBOOK_COLUMNS]


def tab_book_notes(table: pd.DataFrame, *, adjust: str) -> list[str]:
    """What a reader of an exported tab book needs to know."""
    if not len(table):
        return []
    level = float(table["level"].iloc[0])
    test = str(table["test"].iloc[0])
    dk = bool(table["dont_know_in_base"].iloc[0])
    return [
        "One row per question x answer x group. p, ci_low and ci_high are proportions (0-1) of the question's base; "
        f"intervals: {table['method'].iloc[0]} at {level:.0%} confidence, on the effective base.",
        "n is the question's unweighted base in the group, base_weighted its weighted base.",
        "Positive net: the codebook's positive answers. Negative net: the unfavourable answers of the scale.",
        "Don't know is in every base." if dk else "Don't know is left out of every base (and has no row).",
        f"letter: the group's column letter. higher_than: the letters of the groups of the same break that the cell "
        f"is significantly higher than ({test} test, {adjust} adjustment within each question x answer x break, "
        f"{1 - level:.0%} level).",
        "[c] suppressed (base too small, never tested); [u] low reliability.",
    ]


def wide_table(table: pd.DataFrame, question: str, *, letters: bool = True, sort: bool = False) -> pd.DataFrame:
    """One question's tab: answers down (nets last), groups across; the base row first.

    Cells are percentages as text with the letters ("62% BC"); "[c]" where suppressed.
    ``sort``: answers (not nets) by the total's share, highest first.
    """
    part = table[table["question"] == question]
    if part.empty:
        raise InputError(f"no rows for question {question!r}")
    by, group, letter = (part[c].astype(str).to_numpy(dtype=object) for c in ("by", "group", "letter"))
    column = np.where(by == "total", "", by + ": ") + group + np.where(letter != "", " (" + letter + ")", "")
    part = part.assign(column=column)
    columns = list(dict.fromkeys(part["column"]))
    answers = list(dict.fromkeys(part["answer"]))
    if sort:
        total = part[part["by"] == "total"].set_index("answer")["p"]
        nets = set(part.loc[part["row_kind"] == "net", "answer"])
        plain = sorted((a for a in answers if a not in nets),
                       key=lambda a: -np.nan_to_num(total.get(a, np.nan), nan=-1))
        answers = plain + [a for a in answers if a in nets]
    pct = np.where(part["p"].isna(), "[c]", (part["p"] * 100).round(0).map(lambda v: f"{v:.0f}%"))
    if letters:
        pct = np.where(part["higher_than"] != "", pct + " " + part["higher_than"], pct)
    cells = part.assign(cell=pct).pivot(index="answer", columns="column", values="cell").reindex(
        index=answers, columns=columns)
    base = part.drop_duplicates("column").set_index("column")["n"].reindex(columns)
    out = pd.concat([pd.DataFrame([base.astype(str).to_numpy()], index=["Base (unweighted)"], columns=columns), cells])
    out.index.name = "Answer"
    return out.reset_index()


def published_tables(table: pd.DataFrame, codebook, *, sort: bool = False) -> list:
    """The tab book as tables for a publication workbook (``feedback.export.PublishedTable``): per question,
    answers down and, per group, its share (a number; [c] where suppressed, [u] as the cell's marker) and the
    letters of the groups it is significantly higher than ("none"; [z] for the total, never tested); the
    group's column letter and unweighted base in the header. Then every row of the long table."""
    from feedback.export import PublishedTable

    texts = {q.id: q.text or q.id for q in codebook.questions}
    out = []
    for qid in dict.fromkeys(table["question"]):
        part = table[table["question"] == qid]
        answers = list(dict.fromkeys(part["answer"]))
        if sort:
            total = part[part["by"] == "total"].set_index("answer")["p"]
            nets = set(part.loc[part["row_kind"] == "net", "answer"])
            answers = sorted((a for a in answers if a not in nets),
                             key=lambda a: -np.nan_to_num(total.get(a, np.nan), nan=-1)) + \
                [a for a in answers if a in nets]
        frame = {"Answer": answers}
        percent, markers = [], {}
        for (by, group), cells in part.groupby(["by", "group"], sort=False, observed=True):
            cells = cells.set_index("answer").reindex(answers)
            letter = cells["letter"].iloc[0]
            name = ("Total" if by == "total" else f"{by}: {group} ({letter})") + f", base {int(cells['n'].iloc[0])}"
            frame[name] = [v if v == v else "[c]" for v in cells["p"]]
            percent.append(name)
            markers[name] = ["[u]" if f == "[u]" else "" for f in cells["flag"]]
            if by != "total":
                frame[f"{by}: {group} ({letter}), higher than"] = [
                    h if h else ("[c]" if f == "[c]" else "none") for h, f in zip(cells["higher_than"], cells["flag"])]
        out.append(PublishedTable(sheet=texts.get(qid, qid), title=texts.get(qid, qid), frame=pd.DataFrame(frame),
                                  percent_columns=percent, markers=markers))
    out.append(PublishedTable(sheet="All rows", title="Every question x answer x group", frame=table,
                              percent_columns=[c for c in PERCENT_COLUMNS if c in table]))
    return out


def table_workbook(table: pd.DataFrame, codebook, *, adjust: str, sort: bool = False) -> bytes:
    """XLSX to the spreadsheet standard: cover, contents, notes, one table per question, then the long table."""
    from feedback.export import publication_workbook

    title = f"Tab book: {getattr(codebook, 'title', '') or 'survey'}"
    return publication_workbook(published_tables(table, codebook, sort=sort), title=title,
                                survey=getattr(codebook, "title", "") or "",
                                fieldwork=getattr(codebook, "fieldwork", "") or "",
                                source=getattr(codebook, "source", "") or "",
                                notes=tab_book_notes(table, adjust=adjust))
