"""Survey platforms' respondent exports, read as the platforms write them.

A respondent file from Qualtrics, SurveyMonkey, SmartSurvey, Microsoft Forms,
Google Forms or YouGov is recognised from its own columns and header rows
(``detect``), and turned into the frame the engine uses: one row per
respondent, one column per question, with each column's question text.
Within it:

- a multi-select becomes one question per option, answered "Selected" or
  "Not selected" (missing when the respondent answered none of its options),
  whether the platform wrote one column per option or joined the options in
  one cell ("A;B;", "A, B", "A,B": split on the options seen in the data, so
  an option holding the separator stays whole);
- the rows of a grid (``Q6_1`` "Where do you… - My organisation") and the
  options of a multi-select share a ``question_sets`` label;
- "[ASK IF Q3 = Yes]" in a question's text is read as routing (``routes``)
  and taken out of the text;
- the platform's own columns (response id, dates, IP address, e-mail, name,
  duration, status…) are listed in ``metadata``: not questions.

``Layout`` says which layout was found and what was done, for the page to
show. Everything here runs inside the parsing child (``read._read_survey``
calls ``read_layout``) and works on distinct answers, never cell by cell.
``annotate_codebook`` carries sets, routing and metadata into a suggested
codebook.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from feedback import grids, safety
from feedback.errors import InputError

SELECTED, NOT_SELECTED = "Selected", "Not selected"
MAX_OPTIONS = 40  # more options than this in a joined cell: free text, not a multi-select

PLATFORM_NAMES = {
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "smartsurvey": "SmartSurvey",
    "msforms": "Microsoft Forms",
    "googleforms": "Google Forms",
    "yougov": "YouGov",
    "": "respondent file",
}

# The platforms' own columns, compared without case, spaces or punctuation. A platform's list
# applies to its exports; a file of no known platform is checked against the common names only
# (a plain file's "Score" or "Status" may be a question).
_COMMON_METADATA = {"id", "respondentid", "responseid", "recordno", "record", "caseid", "timestamp", "startdate",
                    "enddate", "starttime", "endtime", "ipaddress", "emailaddress", "durationinseconds"}
_PLATFORM_METADATA = {
    "qualtrics": {"status", "progress", "finished", "recordeddate", "recipientlastname", "recipientfirstname",
                  "recipientemail", "externalreference", "externaldatareference", "locationlatitude",
                  "locationlongitude", "distributionchannel", "userlanguage", "responsetype", "qrecaptchascore",
                  "qrelevantidduplicate", "qrelevantidduplicatescore", "qrelevantidfraudscore",
                  "qrelevantidlaststartdate", "qballotboxstuffing", "qtotalduration"},
    "surveymonkey": {"collectorid", "firstname", "lastname", "customdata1", "customdata"},
    "smartsurvey": {"userno", "userid", "uniqueid", "started", "ended", "trackinglink", "customvalue", "timetaken",
                    "name", "email"},
    "msforms": {"completiontime", "email", "name", "lastmodifiedtime", "totalpoints", "quizfeedback"},
    "googleforms": {"score"},
    "yougov": {"disposition", "duration", "panelistid", "pid"},
    "": set(),
}


def _metadata_keys(platform: str) -> set[str]:
    return _COMMON_METADATA | _PLATFORM_METADATA.get(platform, set())


# "Stem - Part" splits at the last spaced dash: a part may hold a hyphen ("Multi-agency training"),
# a stem a spaced dash ("Thinking about last year - how…?").
_GRID_TEXT = (re.compile(r"^(?P<stem>.+)\s+[-–]\s+(?P<part>.+?)$"),
              re.compile(r"^(?P<stem>.+?)\s*\[(?P<part>[^\[\]]+)\]$"))
_GRID_NAME = re.compile(r"^(?P<stem>[A-Za-z]+\d+[A-Za-z]?)_(?P<part>\d+)$")
_ASK = re.compile(r"[\[(]\s*ask\s+(?P<cond>(?:all|if|only|those)\b[^\])]*)[\])]", re.IGNORECASE)
_QREF = re.compile(r"\b(q\d+[a-z]?)\b", re.IGNORECASE)
_SELECTED_WORDS = {"1", "selected", "checked", "ticked"}
_UNSELECTED_WORDS = {"0", "not selected", "unchecked", "not ticked"}


@dataclass
class Route:
    """A question asked only of those who gave ``answers`` to the question in ``base``."""

    base: str                     # the base question's column
    answers: list[str] = field(default_factory=list)  # as written in the condition ([] = not stated)
    condition: str = ""           # the condition as written ("ASK IF Q3 = Yes")


@dataclass
class Layout:
    """What the reader found in the file and what it did with it."""

    platform: str = ""            # key of PLATFORM_NAMES; "" = a plain respondent file
    name: str = "respondent file (one header row)"
    header_rows: int = 1
    notes: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)
    question_sets: dict[str, str] = field(default_factory=dict)   # column -> set label
    routes: dict[str, Route] = field(default_factory=dict)        # column -> its routing
    options: dict[str, str] = field(default_factory=dict)         # option column -> the option

    def describe(self) -> str:
        """One paragraph for the page: the layout and what was done."""
        text = f"Read as a {self.name}."
        return " ".join([text] + [n if n.endswith(".") else n + "." for n in self.notes])

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SurveyData:
    """A respondent file as read: one row per respondent; ``question_text`` maps columns to
    SPSS variable labels (or a platform's question text row). ``layout``: the platform
    :class:`Layout` found and what the reader did. (Here, beside ``Layout``, so that the
    readers in ``survey.read`` import this module and not the other way round.)"""

    frame: pd.DataFrame
    question_text: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    layout: object = None

    @property
    def title_rows(self) -> list[str]:
        """The text of any title rows above the header (CSV/XLSX), for the suggested codebook."""
        return list(self.frame.attrs.get("title_rows", []))


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).casefold())


def _present(values) -> set[str]:
    return {_key(v) for v in values}


# ------------------------------------------------------------------ detection
def detect(columns, first_rows: list[list] | None = None) -> tuple[str, int]:
    """(platform, header rows) from the header row and the rows just below it.

    ``first_rows``: the cells of the next two rows as text (None = unknown).
    """
    keys = _present(columns)
    rows = first_rows or []
    below = [_present(r) for r in rows]
    if "responseid" in keys or ("startdate" in keys and "finished" in keys and "progress" in keys):
        text_row = bool(below) and bool({"responseid", "startdate", "ipaddress"} & below[0])
        import_row = len(rows) > 1 and any(str(c).startswith('{"ImportId"') for c in rows[1] if c is not None)
        return "qualtrics", 1 + text_row + (text_row and import_row)
    if "respondentid" in keys and "collectorid" in keys:
        two = bool(below) and bool({"response", "openendedresponse"} & below[0])
        return "surveymonkey", 2 if two else 1
    if "userno" in keys and ({"started", "ended"} & keys):
        return "smartsurvey", 1
    if {"id", "starttime", "completiontime"} <= keys:
        return "msforms", 1
    if columns is not None and len(columns) and _key(list(columns)[0]) == "timestamp":
        return "googleforms", 1
    if ({"record", "recordno"} & keys) and ({"starttime", "endtime", "disposition"} & keys):
        return "yougov", 1
    return "", 1


def _layout_name(platform: str, kind: str, header_rows: int) -> str:
    where = PLATFORM_NAMES[platform]
    if not platform:
        return f"respondent {kind} (one header row)"
    rows = {1: "one header row", 2: "two header rows", 3: "three header rows"}[header_rows]
    what = {("qualtrics", 3): "ids, question text, ImportId", ("qualtrics", 2): "ids, question text",
            ("surveymonkey", 2): "question text, answer options"}.get((platform, header_rows))
    return f"{where} {kind} export ({rows}{': ' + what if what else ''})"


# ------------------------------------------------------------------ reading
def read_layout(name: str, content: bytes, read_plain):
    """The respondent file as the platform wrote it: a ``SurveyData`` with its ``layout``.

    ``read_plain(name, content, sheets)`` is the plain reader (one header row; ``sheets``:
    an XLSX workbook already read); files whose header takes two rows (SurveyMonkey) are
    read here instead.
    """
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    kind = {"csv": "CSV", "txt": "CSV", "tsv": "CSV", "xlsx": "XLSX", "xlsm": "XLSX", "sav": "SPSS",
            "zsav": "SPSS"}.get(suffix, "file")
    if kind == "CSV" and not content.startswith((b"PK\x03\x04", b"$FL2", b"$FL3")):
        top = _csv_top(name, content)
        if top is not None and detect(top[0], top[1:3]) == ("surveymonkey", 2):
            grid = _csv_grid(name, content, top)
            return _from_two_rows(name, grid, kind)
    if kind == "XLSX":
        sheets = grids.workbook_grids(name, content)
        for sheet, grid in sheets.items():  # the first sheet with something in its first rows
            rows = grids.as_text(grid.iloc[:grids.HEADER_SEARCH_ROWS]).dropna(how="all").head(3)
            if rows.empty:
                continue
            if len(rows) >= 2 and detect(list(rows.iloc[0]), [list(r) for _, r in rows.iloc[1:].iterrows()]) \
                    == ("surveymonkey", 2):
                return _from_two_rows(f"{name}, sheet {sheet!r}", grids.as_text(grid.iloc[rows.index[0]:]), kind,
                                      filename=name)
            break
        data = read_plain(name, content, sheets)
    else:
        data = read_plain(name, content)
    return interpret(data, kind)


def _csv_top(name: str, content: bytes) -> list[list[str]] | None:
    """The first three non-blank lines of a CSV as cells, or None when they cannot be split."""
    try:
        encoding = safety.text_encoding(name, content)
        lines = grids.first_lines(content, encoding, 40)
        delimiter = "\t" if name.lower().endswith(".tsv") else grids.guess_delimiter(lines)
        rows = [r for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
    except (csv.Error, UnicodeDecodeError, InputError):
        return None
    return [[c.strip() for c in r] for r in rows[:3]] if len(rows) >= 2 else None


def _csv_grid(name: str, content: bytes, top) -> pd.DataFrame:
    encoding = safety.text_encoding(name, content)
    lines = grids.first_lines(content, encoding, 40)
    delimiter = "\t" if name.lower().endswith(".tsv") else grids.guess_delimiter(lines)
    safety.csv_field_limit()
    try:
        raw = pd.read_csv(io.BytesIO(content), sep=delimiter, header=None, dtype=str,
                          encoding="utf-8" if encoding == "utf-8-sig" else encoding, keep_default_na=False,
                          na_filter=False, skip_blank_lines=True)
    except pd.errors.ParserError as err:
        raise InputError(f"{name}: {str(err).splitlines()[0]}. Export the file again from SurveyMonkey "
                         "(All responses, CSV).") from None
    if raw.shape[1] > safety.MAX_CSV_COLUMNS:
        raise InputError(f"{name}: {raw.shape[1]:,} columns, more than the {safety.MAX_CSV_COLUMNS:,} this app "
                         "reads. Delete unused columns and upload it again.")
    return grids.as_text(raw)


def _from_two_rows(where: str, grid: pd.DataFrame, kind: str, filename: str | None = None):
    """SurveyMonkey's two header rows: question text (once, over all its columns), then
    "Response" / "Open-Ended Response" or the option or grid row of each column."""
    filename = filename or where
    grid = grid.reset_index(drop=True)
    top, sub, body = grid.iloc[0], grid.iloc[1], grid.iloc[2:]
    body = body[body.notna().any(axis=1)].reset_index(drop=True)
    if body.empty:
        raise InputError(f"{where}: the two header rows have no answers below them. Export the responses again "
                         "(All responses, one row per respondent).")
    stems = top.ffill()
    if pd.isna(stems.iloc[0]):
        raise InputError(f"{where}: column A has no name in the first header row. Export the file again from "
                         "SurveyMonkey without editing its header rows.")
    single = sub.isna() | sub.map(lambda s: _key(s) in {"response", "openendedresponse"} if pd.notna(s) else True)
    single = single & top.notna()
    names, texts, groups = [], {}, {}
    for j in range(grid.shape[1]):
        stem = str(stems.iloc[j])
        if single.iloc[j]:
            names.append(stem)
            continue
        part = str(sub.iloc[j]) if pd.notna(sub.iloc[j]) else f"column {grids.column_letter(j)}"
        names.append(f"{stem} [{part}]")
        texts[names[-1]] = f"{stem} - {part}"
        groups.setdefault(stem, []).append((names[-1], part))
    dupes = pd.Series(names)[pd.Series(names).duplicated()]
    if len(dupes):
        raise InputError(f"{where}: the column {dupes.iloc[0]!r} appears more than once in the header rows. "
                         "Give each question a different text and export again.")
    body.columns = names
    frame = body
    frame.attrs["title_rows"] = []
    layout = Layout(platform="surveymonkey", name=_layout_name("surveymonkey", kind, 2), header_rows=2)
    layout.notes.append("Two header rows read as one: question text, then each column's answer option")
    for column in names:
        texts.setdefault(column, column)
    data = SurveyData(frame=frame, question_text=texts, filename=filename)
    for stem, members in groups.items():
        _option_or_grid(data, layout, stem, members)
    return _finish(data, layout)


def interpret(data, kind: str = "file"):
    """A plain reader's ``SurveyData`` seen through its platform's layout (or none)."""
    frame = data.frame
    first = [list(frame.iloc[i].astype(object).where(frame.iloc[i].notna(), None)) for i in range(min(2, len(frame)))]
    platform, header_rows = detect(frame.columns, first)
    layout = Layout(platform=platform, name=_layout_name(platform, kind, header_rows), header_rows=header_rows)
    if kind == "SPSS":
        layout.name = (f"{PLATFORM_NAMES[platform]} SPSS export (variable and value labels)" if platform
                       else "SPSS file (variable and value labels)")
    if platform == "qualtrics" and header_rows > 1:
        text_row = frame.iloc[0]
        data.question_text = {**{c: str(t) for c, t in text_row.items() if pd.notna(t) and str(t) != c},
                              **(data.question_text or {})}
        frame = frame.iloc[header_rows - 1:].reset_index(drop=True)
        data.frame = frame
        layout.notes.append(f"Header rows 2{' and 3' if header_rows == 3 else ''} (question text"
                            f"{', ImportId' if header_rows == 3 else ''}) read as question text, not respondents")
        if frame.empty:
            raise InputError(f"{data.filename}: the Qualtrics header rows have no responses below them. Export the "
                             "responses again.")
    texts = dict(data.question_text or {})
    for column, text in list(texts.items()):  # Qualtrics: "Q4 text - Selected Choice"
        texts[column] = re.sub(r"\s+-\s+Selected Choice(?=\s+-\s+|$)", "", str(text))
    data.question_text = texts
    separator = {"qualtrics": ",", "msforms": ";", "googleforms": ", "}.get(platform)
    if separator:
        _split_joined(data, layout, separator)
    _group_columns(data, layout)
    return _finish(data, layout)


def _finish(data, layout: Layout):
    """Metadata columns, routing from "[ASK IF …]", and the layout attached to the data."""
    frame = data.frame
    keys = _metadata_keys(layout.platform)
    meta = [c for c in frame.columns if _key(c) in keys]
    if layout.platform == "qualtrics":
        meta += [c for c in frame.columns if c not in meta and re.fullmatch(r"Q_.*|.*_TEXT", str(c))]
    layout.metadata = meta
    if meta:
        layout.notes.append(f"{len(meta)} column(s) of the platform's own (e.g. {', '.join(map(str, meta[:3]))}) "
                            "are not questions")
    _routes(data, layout)
    data.layout = layout
    return data


# ------------------------------------------------------------------ multi-selects in one cell
def _decompose(value: str, sep: str, known: set[str]) -> tuple[list[str], int]:
    """(options, tokens not part of a known option) for one joined answer: known options
    matched over the fewest unknown tokens, then the most options; runs of unknown
    tokens are kept together as one option (an option holding the separator)."""
    tokens = [t for t in value.split(sep) if t.strip()]  # as written: a run joined again keeps its spaces
    n = len(tokens)
    # best[i]: (unknown tokens, -options, pieces) for tokens[i:]; a piece is (text or None, token count)
    best: list[tuple[int, int, list] | None] = [None] * (n + 1)
    best[n] = (0, 0, [])
    for i in range(n - 1, -1, -1):
        u, s, rest = best[i + 1]
        choice = (u + 1, s, [(None, 1)] + rest)
        for j in range(i + 1, n + 1):
            piece = sep.join(tokens[i:j]).strip()
            if piece in known:
                u, s, rest = best[j]
                if (u, s - 1) < choice[:2]:
                    choice = (u, s - 1, [(piece, j - i)] + rest)
        best[i] = choice
    unknown, _, pieces = best[0]
    out, run, pos = [], [], 0
    for piece, count in pieces:
        if piece is None:
            run.append(tokens[pos])
        else:
            if run:
                out.append(sep.join(run).strip())
                run = []
            out.append(piece)
        pos += count
    if run:
        out.append(sep.join(run).strip())
    return out, unknown


def _joined_options(values: list[str], sep: str) -> tuple[dict[str, list[str]], list[str], list[str]] | None:
    """For a column's distinct answers: each answer's options, all options in order of first
    appearance, and the options only ever seen alongside others; None when not a multi-select
    (no answer is made of two or more options seen on their own)."""
    cleaned = {v: (v.strip().rstrip(";").strip() if sep == ";" else v.strip()) for v in values}
    whole = {c for c in cleaned.values() if c}
    known = {c for c in whole if sep not in c}
    parts_of = {c: [c] for c in known}
    guessed, full, joined = [], 0, 0
    for c in sorted(whole - known, key=lambda c: (c.count(sep), c)):  # what shorter ones teach helps longer
        options, unknown = _decompose(c, sep, known)
        if len(options) == 1:  # no known option in it: one option holding the separator
            known.add(c)
            parts_of[c] = [c]
            continue
        joined += 1
        full += unknown == 0
        new = [o for o in options if o not in known]
        guessed += new
        known |= set(new)
        parts_of[c] = options
    if not full or full < 0.5 * joined:  # free text with a separator here and there
        return None
    parts = {v: parts_of.get(cleaned[v], []) for v in values}
    order = list(dict.fromkeys(o for v in values for o in parts[v]))
    if len(order) > MAX_OPTIONS:
        return None
    return parts, order, list(dict.fromkeys(guessed))


def _split_joined(data, layout: Layout, sep: str) -> None:
    frame, texts = data.frame, data.question_text
    new_columns: dict[str, pd.DataFrame] = {}
    for column in frame.columns:
        if _key(column) in _metadata_keys(layout.platform):
            continue
        series = frame[column]
        present = series.dropna().astype(str)
        if present.empty:
            continue
        if sep == ";" and not present.str.endswith(";").all():
            continue  # Microsoft Forms ends every multi-select answer with ";"
        if sep != ";" and not present.str.contains(sep, regex=False).any():
            continue
        values = list(pd.unique(present))
        found = _joined_options(values, sep)
        if found is None:
            continue
        parts, options, guessed = found
        codes, uniques = pd.factorize(series.astype("string"))
        table = np.array([[o in parts.get(str(u), []) for o in options] for u in uniques] +
                         [[False] * len(options)], dtype=bool)
        chosen = table[codes]  # missing (-1) takes the last row: nothing chosen
        answered = codes >= 0
        stem = texts.get(column, column)
        block = {}
        for k, option in enumerate(options):
            name = f"{column} [{option}]"
            values_k = np.where(chosen[:, k], SELECTED, NOT_SELECTED).astype(object)
            values_k[~answered] = None
            block[name] = pd.Series(values_k, index=frame.index, dtype="string").astype(str).where(answered)
            texts[name] = f"{stem} - {option}"
            layout.question_sets[name] = stem
            layout.options[name] = option
        new_columns[column] = pd.DataFrame(block, index=frame.index)
        texts.pop(column, None)
        note = (f"{column!r} (a multi-select, options joined with {sep!r}) split into "
                f"{len(options)} Selected / Not selected columns")
        if guessed:
            note += f"; option(s) only seen alongside others, check them: {', '.join(guessed[:5])}"
        layout.notes.append(note)
    if new_columns:
        pieces = [new_columns[c] if c in new_columns else frame[[c]] for c in frame.columns]
        out = pd.concat(pieces, axis=1)
        out.attrs = dict(frame.attrs)
        data.frame = out


# ------------------------------------------------------------------ grids and option columns
_ITEM_NUMBER = re.compile(r"^([A-Za-z]+\d+[A-Za-z]?)_\d+(?=[.:)\s])")


def _stem_and_part(column: str, text: str) -> tuple[str, str] | None:
    """(stem, part) of a grid row or option column; a row's own number in the stem
    ("Q6_1. Where do you… - My organisation") is dropped so the rows share "Q6. Where do you…"."""
    for pattern in _GRID_TEXT:
        for what in (text, column):
            m = pattern.match(str(what or ""))
            if m and m.group("stem").strip() and m.group("part").strip():
                return _ITEM_NUMBER.sub(r"\1", m.group("stem").strip()), m.group("part").strip()
    m = _GRID_NAME.match(str(column))
    if m:
        return m.group("stem"), str(text or column)
    return None


def _group_columns(data, layout: Layout) -> None:
    """Consecutive columns sharing a stem ("Stem - Part", "Stem [Part]", Q6_1, Q6_2…) are one set."""
    frame, texts = data.frame, data.question_text
    runs: list[tuple[str, list[tuple[str, str]]]] = []
    for column in frame.columns:
        if column in layout.question_sets or _key(column) in _metadata_keys(layout.platform):
            runs.append(("", []))
            continue
        found = _stem_and_part(str(column), texts.get(column, ""))
        if found is None:
            runs.append(("", []))
            continue
        stem, part = found
        by_name = _GRID_NAME.match(str(column))
        key = by_name.group("stem") if by_name else stem
        if runs and runs[-1][0] == key:
            runs[-1][1].append((column, part))
        else:
            runs.append((key, [(column, part)]))
    for key, members in runs:
        if len(members) < 2:
            continue
        label = _common_stem([texts.get(c, "") or str(c) for c, _ in members]) or key
        parts = [(c, _part_of(texts.get(c, "") or str(c), label) or p) for c, p in members]
        _option_or_grid(data, layout, label, parts)


def _common_stem(texts: list[str]) -> str:
    """The text before " - " / " [" shared by every text, else ""."""
    heads = set()
    for t in texts:
        for pattern in _GRID_TEXT:
            m = pattern.match(t)
            if m:
                heads.add(m.group("stem").strip())
                break
        else:
            return ""
    return heads.pop() if len(heads) == 1 else ""


def _part_of(text: str, stem: str) -> str:
    if stem and text.startswith(stem):
        return text[len(stem):].strip(" -–[]")
    return ""


def _option_or_grid(data, layout: Layout, stem: str, members: list[tuple[str, str]]) -> None:
    """Columns of one stem: options of a multi-select when each holds only its option (or a
    selected/not selected mark), else the rows of a grid. Either way one question set."""
    frame = data.frame
    kinds = {}
    for column, part in members:
        allowed = {part.casefold()} | _SELECTED_WORDS | _UNSELECTED_WORDS

        def seen(values: pd.Series) -> set[str]:
            return {str(v).strip().casefold() for v in pd.unique(values.dropna())}

        # the first rows settle most grids (an answer that is not the option) without a pass over the column
        if seen(frame[column].iloc[:2000]) <= allowed and seen(frame[column]) <= allowed:
            kinds[column] = "option"
        elif re.search(r"^other\b|please specify|\(specify\)", part, re.IGNORECASE):
            kinds[column] = "other"
        else:
            kinds[column] = "row"
    options = [c for c, _ in members if kinds[c] == "option"]
    rows = [c for c, _ in members if kinds[c] == "row"]
    if not options and not rows:  # only an "Other (please specify)" box: free text beside its question
        return
    if options and not rows:
        columns = [c for c, _ in members]
        sub = frame[columns]
        explicit = sub[options].apply(lambda s: s.astype("string").str.strip().str.casefold()
                                      .isin(_UNSELECTED_WORDS)).to_numpy().any()
        answered = sub.notna().any(axis=1).to_numpy()
        for (column, part) in members:
            if kinds[column] != "option":
                continue
            s = frame[column].astype("string").str.strip().str.casefold()
            chosen = (s.notna() & ~s.isin(_UNSELECTED_WORDS)).to_numpy()
            base = frame[column].notna().to_numpy() if explicit else answered
            out = pd.Series(np.where(chosen, SELECTED, NOT_SELECTED), index=frame.index, dtype=str).where(base)
            frame[column] = out
            layout.options[column] = part
            layout.question_sets[column] = stem
            data.question_text[column] = f"{stem} - {part}"
        how = "one column per option"
        layout.notes.append(f"{stem!r}: a multi-select ({how}) read as {len(options)} Selected / Not selected "
                            "columns")
    else:
        for column, part in members:
            if kinds[column] == "other":
                continue
            layout.question_sets[column] = stem
            data.question_text.setdefault(column, f"{stem} - {part}")
        layout.notes.append(f"{stem!r}: a grid of {len(rows)} rows kept together as one question set")


# ------------------------------------------------------------------ routing
def _routes(data, layout: Layout) -> None:
    """"[ASK IF Q3 = Yes]" (or "(ASK IF YES AT Q3)") in a question's text: the question's base."""
    frame, texts = data.frame, data.question_text
    columns = [str(c) for c in frame.columns]
    for column in columns:
        text = str(texts.get(column, "") or "")
        where = text if _ASK.search(text) else (column if _ASK.search(column) else "")
        if not where:
            continue
        m = _ASK.search(where)
        cleaned = " ".join(_ASK.sub(" ", where).split())
        texts[column] = cleaned
        condition = " ".join(m.group("cond").split())
        if condition.casefold().startswith("all"):
            continue
        route = _resolve(condition, column, columns, data, layout)
        if route is None:
            layout.notes.append(f"{column!r}: routing '[ASK {condition}]' names no earlier question found in the "
                                "file; set its base question by hand")
            continue
        layout.routes[column] = route
    if layout.routes:
        layout.notes.append(f"Routing read from '[ASK IF …]' in {len(layout.routes)} question text(s)")


def _resolve(condition: str, column: str, columns: list[str], data, layout: Layout) -> Route | None:
    refs = _QREF.findall(condition)
    if not refs:
        return None
    ref = refs[0].casefold()
    earlier = columns[:columns.index(column)]
    texts = data.question_text

    def number(c: str) -> str:
        for what in (c, str(texts.get(c, "") or "")):
            m = re.match(r"\s*(q?)(\d+[a-z]?)(?:[._:\s)]|$)", what, re.IGNORECASE)
            if m and (m.group(1) or re.match(r"\s*\d+[a-z]?[.)]\s", what)):  # "Q3", "Q3.", "3. "
                return "q" + m.group(2).casefold()
        return ""

    candidates = [c for c in earlier if number(c) == ref or c.casefold() == ref]
    if not candidates:
        return None
    # the answers: after "=" / "is", or before "at Qn"
    answers_text = ""
    m = re.search(r"(?:=|\bis\b|\bwas\b)\s*(.+)$", condition, re.IGNORECASE)
    if m:
        answers_text = m.group(1)
    else:
        m = re.search(r"^(?:if|only|those)\s+(?:answering\s+|coded\s+)?(.+?)\s+at\s+q\d+", condition, re.IGNORECASE)
        if m:
            answers_text = m.group(1)
    pieces = re.split(r"\s*/\s*|\s+or\s+|\s*,\s*", answers_text)
    answers = [a.strip(" '\"“”‘’") for a in pieces if a.strip(" '\"“”‘’")]
    if len(candidates) > 1:  # a multi-select or grid: the option named in the condition
        named = [c for c in candidates if any(_key(layout.options.get(c, "")) == _key(a) for a in answers)]
        if named:
            return Route(base=named[0], answers=[SELECTED], condition=f"ASK {condition}")
        return None
    base = candidates[0]
    seen = {_key(v): str(v) for v in pd.unique(data.frame[base].dropna())}
    matched = [seen[_key(a)] for a in answers if _key(a) in seen]
    return Route(base=base, answers=matched or answers, condition=f"ASK {condition}")


# ------------------------------------------------------------------ into a codebook
def annotate_codebook(cb, data):
    """The suggested codebook with what the layout knows: metadata columns are not
    questions, multi-select options and grid rows carry their ``question_set``, and
    questions routed by "[ASK IF …]" get that question as ``base_question``.
    Idempotent; returns ``cb`` (changed in place)."""
    layout = getattr(data, "layout", None)
    if layout is None:
        return cb
    meta = set(layout.metadata)
    cb.questions = [q for q in cb.questions if q.column not in meta]
    for slot in ("role", "region", "weight"):
        if getattr(cb, slot, "") in meta:
            setattr(cb, slot, "")
    by_column = {q.column: q for q in cb.questions}
    for q in cb.questions:
        if q.column in layout.question_sets and not q.question_set:
            q.question_set = layout.question_sets[q.column]
        route = layout.routes.get(q.column)
        if route is not None and route.base in by_column:
            base = by_column[route.base]
            q.base_question = base.id
            said = " or ".join(route.answers or base.positive)
            what = base.text if len(base.text) <= 70 else base.text[:69].rstrip() + "…"
            q.base_label = f"Those answering {said} to “{what}”"
    return cb
