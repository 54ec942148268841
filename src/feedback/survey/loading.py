"""Loading a survey: a respondent-level file read with its codebook, or a data tables
workbook read as published results, into one ``Survey`` every survey page and the
annex work from.

An upload is parsed once: ``survey_from`` builds the ``Survey`` from data already read
(in the limited child, ``feedback.survey.read``) and a codebook object, so the Upload
page's "Use this survey" reuses what it read and edited. ``load_survey`` is the same
thing from bytes and a codebook file's TOML (the samples, the command line, the tests).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from feedback.errors import InputError
from feedback.regions import region_groups_normalised, with_regions_normalised
from feedback.survey import codebook as cbmod
from feedback.survey import data_tables, read
from feedback.survey.rates import code_answers
from feedback.survey.weighting import rake, read_targets

# What a survey file can hold (the Upload page's choice; "auto" works it out from the file).
FILE_KINDS: dict[str, str] = {"auto": "Work it out from the file",
                              "respondents": "One row per respondent (CSV, XLSX or SAV)",
                              "data tables": "Data tables workbook (crosstabs, XLSX)"}
YOUR_UPLOAD = "Your upload"  # how a person's own uploaded survey is named beside the samples


def upload_label(name: str) -> str:
    """The session's upload as every survey selector names it, e.g. "Your upload: staff 2024"."""
    return f"{YOUR_UPLOAD}: {name}"


def content_hash(*parts: bytes | str | None) -> str:
    """SHA-256 over the parts (each length-prefixed): the key of what was read from them."""
    h = hashlib.sha256()
    for part in parts:
        data = b"" if part is None else (part.encode("utf-8") if isinstance(part, str) else part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def codebook_key(codebook) -> str:
    """A key for a codebook object (a dataclass, so its repr is its content): what a Survey built
    from it is kept under, with no TOML written."""
    return "" if codebook is None else content_hash(repr(codebook))


@dataclass
class Survey:
    """A loaded survey, ready for ``results``."""

    name: str
    filename: str
    kind: str  # "respondents" | "data tables"
    frame: pd.DataFrame | None = None
    codebook: object | None = None
    tables: pd.DataFrame | None = None  # results model read from a data tables workbook
    content: bytes | None = None  # the workbook's bytes (data tables are re-read per choice of grouping)
    title: str = ""
    audience: str = ""
    fieldwork: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)
    key: str = ""  # content hash of data + codebook: the cache key for results
    raking: object | None = None  # weighting.Raking when raked to population margins (weighting_ui, --targets)

    @property
    def n(self) -> int:
        if self.frame is not None:
            return len(self.frame)
        total = self.tables[self.tables["by"] == "total"]
        return int(total["n"].max()) if len(total) else 0  # the published unweighted total base

    @property
    def weighted(self) -> bool:
        if self.kind == "data tables":
            return bool(self.tables is not None and
                        (self.tables["base_weighted"] - self.tables["n"]).abs().gt(0.5).any())
        return bool(getattr(self.codebook, "weight", ""))

    def questions(self) -> pd.DataFrame:
        """id, text and base label of each question, in the survey's order."""
        if self.kind == "respondents":
            return pd.DataFrame([{"question": q.id, "question_text": q.text or q.id,
                                  "base_label": q.base_label or "", "kind": q.kind or ""}
                                 for q in self.codebook.questions])
        out = (self.tables[["question", "question_text", "base_label"]]
               .drop_duplicates("question").reset_index(drop=True))
        kinds = {q.id: q.kind for q in getattr(self.codebook, "questions", [])} if self.codebook else {}
        return out.assign(kind=[kinds.get(q, "") for q in out["question"]])


def _meta(codebook, attr: str) -> str:
    for holder in (codebook, getattr(codebook, "survey", None)):
        if holder is None:
            continue
        value = holder.get(attr) if isinstance(holder, dict) else getattr(holder, attr, None)
        if value:
            return str(value)
    return ""


def is_data_tables(filename: str, content: bytes) -> bool:
    """Does this XLSX look like a YouGov-style data tables workbook (not respondent rows)?"""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return False
    detector = getattr(data_tables, "is_data_tables", None)
    if detector is not None:
        return bool(detector(filename, content))
    try:
        data_tables.read_data_tables(filename, content)
    except InputError:
        return False
    return True


def _codebook(codebook):
    """A codebook object from a codebook file's TOML; an object (or None) as it is."""
    if isinstance(codebook, str):
        return cbmod.load_codebook(codebook) if codebook else None
    return codebook


def load_survey(filename: str, content: bytes, codebook=None, *, name: str | None = None,
                kind: str = "auto", targets: str | None = None, cap: float | None = None, data=None) -> Survey:
    """Read a respondent-level file with its codebook (suggested when not given),
    or a data tables workbook. Raises ``InputError`` with a plain message.
    ``codebook``: a codebook file's TOML text, a ``Codebook`` object, or None.
    ``targets``: CSV text of population margins (variable,category,target) to rake to, with an
    optional ``cap``; every result then uses the raked design.
    ``data``: the respondent file as already read from ``content`` (``read.SurveyData``): it is
    not parsed again."""
    if kind == "auto":
        kind = "data tables" if codebook is None and is_data_tables(filename, content) else "respondents"
    cb = _codebook(codebook)
    if kind == "data tables":
        return tables_survey(filename, content, cb, name=name)
    if data is None:
        data = read.read_survey(filename, content)
    return survey_from(data, cb, filename=filename, name=name, targets=targets,
                       cap=cap)


def tables_survey(filename: str, content: bytes, codebook=None, *, name: str | None = None) -> Survey:
    """A data tables workbook read as its published results (``codebook``, optional, gives
    question ids and positive answers)."""
    frame = data_tables.read_data_tables(filename, content, codebook)
    if "by" in frame and (frame["by"] == "region").any():  # published region columns in the Panel's spelling
        regional = frame["by"] == "region"
        frame.loc[regional, "group"] = region_groups_normalised(frame.loc[regional, "group"])
    fieldwork = str(frame.attrs.get("fieldwork", ""))
    return Survey(name=name or filename, filename=filename, kind="data tables", tables=frame, content=content,
                  codebook=codebook, audience=_meta(codebook, "audience") if codebook else "",
                  title=_tables_title(frame) or name or filename, source=_tables_source(frame, filename),
                  fieldwork=fieldwork)


def survey_from(data, codebook=None, *, filename: str, name: str | None = None, targets: str | None = None,
                cap: float | None = None) -> Survey:
    """The survey from respondent data already read (``read.SurveyData``) and a codebook object
    (suggested when None): checked against each other, regions in the Panel's spelling, raked
    when ``targets`` are given, answers coded. Nothing is parsed again."""
    notes: list[str] = []
    cb = codebook
    # a suggestion nobody reviewed: questions whose positive answers are unknown are left out, and said so
    if cb is None:
        cb, notes = cbmod.without_unchecked(cbmod.suggest_codebook(data))
    problems = cbmod.validate(cb, data.frame)
    if problems:
        raise InputError(f"{filename}: the codebook does not fit the data:\n- " + "\n- ".join(problems))
    # Regions in the Panel's spelling and order, once, at load: labels, filters, addresses and exports agree.
    frame, region_notes = with_regions_normalised(data.frame, getattr(cb, "region", "") or "")
    raking = None
    if targets:
        raking = rake(frame, cb, read_targets(targets), cap=cap)
    frame = code_answers(frame, cb)  # answers coded once, kept with the survey
    return Survey(name=name or _meta(cb, "title") or filename, filename=filename, kind="respondents", frame=frame,
                  codebook=cb, title=_meta(cb, "title") or filename, audience=_meta(cb, "audience"),
                  fieldwork=_meta(cb, "fieldwork"), source=_meta(cb, "source") or f"Source: {filename}",
                  notes=notes + region_notes, raking=raking)


def _tables_title(frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("title", "")) if hasattr(frame, "attrs") else ""


def _tables_source(frame: pd.DataFrame, filename: str) -> str:
    for attr in ("source", "title"):
        value = frame.attrs.get(attr) if hasattr(frame, "attrs") else None
        if value:
            return str(value) if attr == "source" else f"Source: {value}"
    return f"Source: {filename} (published data tables)"
