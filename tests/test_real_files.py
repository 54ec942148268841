"""Real files written by other programs (Excel, LibreOffice, Google Sheets, R, SPSS, Word,
pandoc) go through the upload readers: each gives data or one plain ``InputError``.

The corpus and where each file comes from: ``tests/fixtures/real/SOURCES.md``.
Each file is read twice: the way the app reads an upload (in a limited child,
``feedback.isolation``), and in-process without the isolation's guard, where a
reader bug would otherwise be hidden behind the "file is damaged" message.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyreadstat
import pytest

from feedback import grids as grids_read
from feedback import safety
from feedback.errors import InputError
from feedback.roundtables import read as notes_read
from feedback.survey import data_tables as tables
from feedback.survey import read as survey_read

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
FILES = sorted(p for p in REAL.glob("*/*") if p.is_file())
SURVEY_KINDS = ("csv", "xlsx", "sav")
NOTES_KINDS = ("docx", "md")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _routes(path: Path):
    """(label, app reader, unguarded reader, has data?) for every reader the app may send this file to."""
    kind = path.parent.name
    if kind in SURVEY_KINDS:
        yield "survey", survey_read.read_survey, survey_read._read_survey, lambda d: len(d.frame) > 0
    if kind == "xlsx":  # the upload page asks is_data_tables first, or the person chooses data tables
        yield "is tables", tables.is_data_tables, tables._is_data_tables, None
        yield "tables", tables.read_data_tables, tables._read_data_tables, lambda d: len(d) > 0
    if kind in NOTES_KINDS:
        yield "notes", notes_read.read_notes, notes_read._read_notes, lambda d: len(d.points) > 0


def _check_error(err: InputError, path: Path) -> None:
    message = str(err)
    assert "\n" not in message, message
    assert path.name in message, message


def test_corpus_is_attributed():
    listed = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    files = [p for p in FILES if p.name != "SOURCES.md"]
    assert len(files) >= 30
    for p in files:
        assert f"| {_id(p)} |" in listed, f"{_id(p)} is not in SOURCES.md"
        assert p.stat().st_size < 500_000


CORPUS = [p for p in FILES if p.name != "SOURCES.md"]


@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_as_uploaded(path):
    """Read in a limited child, as the app reads an upload."""
    content = path.read_bytes()
    routes = list(_routes(path))
    assert routes, f"no reader for {_id(path)}"
    for label, reader, _unguarded, has_data in routes:
        try:
            out = reader(path.name, content)
        except InputError as err:
            _check_error(err, path)
            assert "could not be read (" not in str(err), f"{label}: a reader failure was hidden: {err}"
            assert not isinstance(err, safety.LimitExceeded), f"{label}: {err}"
            continue
        if has_data is None:
            assert isinstance(out, bool)
        else:
            assert has_data(out), f"{label}: returned no data and no error"


@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_in_process_unguarded(path):
    """Without the isolation's catch-all: only ``InputError`` may come out of the readers."""
    content = path.read_bytes()
    with safety.in_process():
        for _label, _reader, unguarded, _has_data in _routes(path):
            try:
                unguarded(path.name, content)
            except InputError as err:
                _check_error(err, path)


# ------------------------------------------------------------------ values known from the sources
def _survey(kind: str, name: str):
    return survey_read.read_survey(name, (REAL / kind / name).read_bytes())


def test_readxl_datasets_every_row():
    """readxl's datasets.xlsx: mtcars 32 rows, chickwts 71, quakes 1,000 (each with a header row)."""
    grids = grids_read.workbook_grids("datasets.xlsx", (REAL / "xlsx" / "datasets.xlsx").read_bytes())
    assert {k: g.shape for k, g in grids.items()} == {"mtcars": (33, 11), "chickwts": (72, 2), "quakes": (1001, 5)}
    data = _survey("xlsx", "datasets.xlsx")  # the first sheet with a header: mtcars
    assert data.frame.shape == (32, 11)
    assert list(data.frame.columns) == ["mpg", "cyl", "disp", "hp", "drat", "wt", "qsec", "vs", "am", "gear", "carb"]
    assert data.frame["cyl"].value_counts().to_dict() == {"8": 14, "4": 11, "6": 7}


@pytest.mark.parametrize("name", ["iris-excel-xlsx.xlsx", "iris-google-doc.xlsx", "embedded-chartsheet.xlsx"])
def test_iris_workbooks_every_row(name):
    """iris from Excel, from Google Sheets (no <dimension> at all) and next to a chart sheet."""
    frame = _survey("xlsx", name).frame
    assert frame.shape == (150, 5)
    assert frame["Species"].value_counts().to_dict() == {"setosa": 50, "versicolor": 50, "virginica": 50}


def test_workbook_without_dimension_matches_openpyxl_full_read():
    """A sheet with no <dimension> (written by a Russian data service): every row, as openpyxl's
    full (not streaming) read counts them."""
    import openpyxl

    content = (REAL / "xlsx" / "Ekaterinburg_IP_9.xlsx").read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    expected = {ws.title: (ws.max_row, ws.max_column) for ws in wb}
    grids = grids_read.workbook_grids("Ekaterinburg_IP_9.xlsx", content)
    assert {k: g.shape for k, g in grids.items()} == expected


def test_haven_iris_sav():
    data = _survey("sav", "iris.sav")
    assert data.frame.shape == (150, 5)
    assert data.frame["Species"].value_counts().to_dict() == {"setosa": 50, "versicolor": 50, "virginica": 50}


@pytest.mark.parametrize("name", ["sample.sav", "sample.zsav", "sample_large.sav", "simple_alltypes.sav",
                                  "hebrews.sav"])
def test_sav_every_respondent(name):
    """As many rows and columns as the file's own header says (pyreadstat's metadata-only read)."""
    _frame, meta = pyreadstat.read_sav(str(REAL / "sav" / name), metadataonly=True)
    data = _survey("sav", name)
    assert data.frame.shape == (meta.number_rows, meta.number_columns)
    assert list(data.frame.columns) == meta.column_names


def test_sav_date_out_of_range_is_explained():
    """haven's datetime.sav holds a date far beyond year 9999: say so, not "save it again"."""
    with pytest.raises(InputError, match=r"^datetime.sav holds a date or time outside the years 1 to 9999"):
        _survey("sav", "datetime.sav")


@pytest.mark.parametrize("name, shape", [("mtcars.csv", (32, 11)), ("challenge.csv", (2000, 2)),
                                         ("eol-cr.csv", (3, 2)), ("eol-crlf.csv", (3, 2))])
def test_readr_csv_every_row(name, shape):
    assert _survey("csv", name).frame.shape == shape


def test_pandoc_lists_docx_points_are_the_list_items():
    """pandoc's lists.docx: the bullets become points, in order, with their own words."""
    import docx

    content = (REAL / "docx" / "lists.docx").read_bytes()
    notes = notes_read.read_notes("lists.docx", content)
    paragraphs = [p.text.strip() for p in docx.Document(io.BytesIO(content)).paragraphs]
    texts = [p.text for p in notes.points]
    assert texts[:2] == ["one", "two"]
    assert all(t in paragraphs for t in texts)
