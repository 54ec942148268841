"""A loaded survey (respondent-level data + codebook, or a data tables workbook) and
how it is read: ``load_survey`` reads a file once into a ``Survey`` the survey pages,
the command line and the report annex all use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from feedback.errors import InputError


def content_hash(*parts: bytes | str | None) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = b"" if part is None else (part.encode("utf-8") if isinstance(part, str) else part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


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
    from feedback.survey import tables

    detector = getattr(tables, "is_data_tables", None)
    if detector is not None:
        return bool(detector(filename, content))
    try:
        tables.read_data_tables(filename, content)
    except InputError:
        return False
    return True


def load_survey(filename: str, content: bytes, codebook_text: str | None = None, *, name: str | None = None,
                kind: str = "auto", targets: str | None = None, cap: float | None = None) -> Survey:
    """Read a respondent-level file with its codebook (suggested when not given),
    or a data tables workbook. Raises ``InputError`` with a plain message.
    ``targets``: CSV text of population margins (variable,category,target) to rake to, with an
    optional ``cap``; every result then uses the raked design."""
    if kind == "auto":
        kind = "data tables" if codebook_text is None and is_data_tables(filename, content) else "respondents"
    if kind == "data tables":
        from feedback.survey import codebook as cbmod
        from feedback.survey import tables

        cb = cbmod.load_codebook(codebook_text) if codebook_text else None
        frame = tables.read_data_tables(filename, content, cb)
        if "by" in frame and (frame["by"] == "region").any():  # published region columns in the Panel's spelling
            from feedback.regions import region_groups_normalised

            regional = frame["by"] == "region"
            frame.loc[regional, "group"] = region_groups_normalised(frame.loc[regional, "group"])
        fieldwork = str(frame.attrs.get("fieldwork", ""))
        return Survey(name=name or filename, filename=filename, kind=kind, tables=frame, content=content, codebook=cb,
                      audience=_meta(cb, "audience") if cb else "",
                      title=_tables_title(frame) or name or filename, source=_tables_source(frame, filename),
                      fieldwork=fieldwork)
    from feedback.survey import codebook as cbmod
    from feedback.survey import read

    data = read.read_survey(filename, content)
    notes: list[str] = []
    if codebook_text:
        cb = cbmod.load_codebook(codebook_text)
    else:  # a suggestion nobody reviewed: questions whose positive answers are unknown are left out, and said so
        cb, notes = cbmod.without_unchecked(cbmod.suggest_codebook(data))
    problems = cbmod.validate(cb, data.frame)
    if problems:
        raise InputError(f"{filename}: the codebook does not fit the data:\n- " + "\n- ".join(problems))
    from feedback.regions import with_regions_normalised
    from feedback.survey.rates import code_answers

    # Regions in the Panel's spelling and order, once, at load: labels, filters, addresses and exports agree.
    frame, region_notes = with_regions_normalised(data.frame, getattr(cb, "region", "") or "")
    raking = None
    if targets:
        from feedback.survey.weighting import rake, read_targets

        raking = rake(frame, cb, read_targets(targets), cap=cap)
    frame = code_answers(frame, cb)  # answers coded once, kept with the survey
    return Survey(name=name or _meta(cb, "title") or filename, filename=filename, kind=kind, frame=frame,
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
