"""Respondent-level readers: CSV (encodings, delimiters), XLSX (title blocks), SAV
(labels, user-missing), and one clear InputError per kind of bad input."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from feedback import safety
from feedback.errors import InputError
from feedback.survey.read import SurveyData, read_survey
from tests.helpers import BILLION_LAUGHS, replace_part

SURVEYS = Path(__file__).resolve().parents[2] / "data" / "surveys"
ROWS = [["id", "role", "region", "weight", "q1"],
        ["1", "Police", "London", "1.25", "Don’t know"],
        ["2", "Health", "North East", "0.75", "Yes"],
        ["3", "Social worker", "London", "1", ""]]


def csv_bytes(rows=ROWS, sep=",", encoding="utf-8", title=()) -> bytes:
    lines = list(title) + [sep.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, title=(), sheet="Data") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_frame(data: SurveyData):
    frame = data.frame
    assert list(frame.columns) == ROWS[0]
    assert frame["q1"].tolist()[:2] == ["Don’t know", "Yes"]
    assert pd.isna(frame.loc[2, "q1"])
    assert frame["weight"].tolist() == ["1.25", "0.75", "1"]
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns)


# ------------------------------------------------------------------ CSV
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(encoding, sep):
    data = read_survey("survey.csv", csv_bytes(sep=sep, encoding=encoding))
    check_frame(data)
    assert data.filename == "survey.csv" and data.question_text == {}


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_delimiter_found_below_a_title_block(sep):
    content = csv_bytes(sep=sep, encoding="cp1252", title=["Frontline survey 2021", "Fieldwork: June, July", ""])
    check_frame(read_survey("survey.csv", content))


def test_csv_semicolon_with_commas_inside_answers():
    rows = [["id", "q1", "q2"], ["1", "Yes, some of it", "No"], ["2", "Yes, all of it", "Yes"],
            ["3", "No, none of it", "Yes"]]
    frame = read_survey("s.csv", csv_bytes(rows, sep=";")).frame
    assert frame["q1"].tolist() == ["Yes, some of it", "Yes, all of it", "No, none of it"]


def test_csv_title_block_whitespace_and_tsv():
    content = csv_bytes([[f"  {c}  " for c in r] for r in ROWS], sep="\t",
                        title=["Frontline survey 2021", "Fieldwork: June", ""])
    check_frame(read_survey("survey.tsv", content))


def test_csv_ragged_line_names_the_line():
    content = csv_bytes(title=["Survey title"]) + b"4,Police,London,1,Yes,extra\r\n"
    with pytest.raises(InputError, match=r"s.csv, line 6: expected 5 values \(as in the header\), saw 6"):
        read_survey("s.csv", content)


# ------------------------------------------------------------------ XLSX
def test_xlsx_header_below_title_block_numbers_as_text():
    rows = [ROWS[0]] + [[1, "Police", "London", 1.25, "Don’t know"], [2, "Health", "North East", 0.75, "Yes"],
                        [3, "Social worker", "London", 1, None]]
    data = read_survey("survey.xlsx", xlsx_bytes(rows, title=["Survey of frontline professionals",
                                                              "SYNTHETIC", "Fieldwork: June to September"]))
    check_frame(data)
    assert data.frame["id"].tolist() == ["1", "2", "3"]


def test_sample_xlsx_and_sav_read():
    frontline = read_survey("frontline_2021.xlsx", (SURVEYS / "frontline_2021.xlsx").read_bytes()).frame
    assert frontline.shape == (307, 11) and frontline.columns[0] == "respondent_id"
    partners = read_survey("partners_2021.sav", (SURVEYS / "partners_2021.sav").read_bytes())
    assert partners.frame.shape == (139, 29)
    assert partners.question_text["role"] == "Which of these best describes your role?"


# ------------------------------------------------------------------ SAV
@pytest.fixture(scope="module")
def sav_bytes(tmp_path_factory) -> bytes:
    import pyreadstat

    path = tmp_path_factory.mktemp("sav") / "s.sav"
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0, 4.0], "q1": [1.0, 2.0, 99.0, np.nan], "q2": [1.0, 1.0, 2.0, 7.0],
                       "note": ["a", "", "c", "d"]})
    pyreadstat.write_sav(df, str(path), column_labels={"q1": "Are you aware of the review?", "q2": "Agree?"},
                         variable_value_labels={"q1": {1.0: "Yes", 2.0: "No", 99.0: "Not asked"},
                                                "q2": {1.0: "Strongly agree", 2.0: "Tend to agree",
                                                       3.0: "Strongly disagree"}},
                         missing_ranges={"q1": [99.0]})
    return path.read_bytes()


def test_sav_labels_user_missing_and_question_text(sav_bytes, monkeypatch):
    from feedback import isolation

    calls = []
    real = isolation.run_limited
    monkeypatch.setattr(isolation, "run_limited", lambda *a, **k: calls.append(k) or real(*a, **k))
    data = read_survey("s.sav", sav_bytes)
    assert calls and calls[0]["name"] == "s.sav"  # parsed in the limited child process
    frame = data.frame
    assert frame["q1"].tolist()[:2] == ["Yes", "No"]
    assert frame["q1"].isna().tolist() == [False, False, True, True]  # 99 = user-missing -> NA
    assert list(frame["q1"].cat.categories) == ["Yes", "No"]  # "Not asked" is not an answer
    assert frame["q2"].tolist() == ["Strongly agree", "Strongly agree", "Tend to agree", "7"]  # unlabelled code kept
    assert list(frame["q2"].cat.categories)[:3] == ["Strongly agree", "Tend to agree", "Strongly disagree"]
    assert frame["id"].tolist() == ["1", "2", "3", "4"]
    assert pd.isna(frame.loc[1, "note"])
    assert data.question_text == {"q1": "Are you aware of the review?", "q2": "Agree?"}


@pytest.mark.parametrize("cut", [40, 300])
def test_truncated_sav(sav_bytes, cut):
    with pytest.raises(InputError, match=r"s.sav could not be read as an SPSS file .*save it again"):
        read_survey("s.sav", sav_bytes[:cut])


def test_garbage_sav():
    with pytest.raises(InputError, match=r"junk.sav could not be read|junk.sav made the reader fail"):
        read_survey("junk.sav", b"$FL2" + os.urandom(4000))
    with pytest.raises(InputError, match=r"x.sav is not an SPSS data file"):
        read_survey("x.sav", b"id,q1\n1,Yes\n")


# ------------------------------------------------------------------ bad input, one clear line each
def truncated_xlsx() -> bytes:
    content = xlsx_bytes([ROWS[0], ROWS[1]])
    return content[: len(content) - 400]


def bomb_xlsx() -> bytes:
    content = xlsx_bytes([ROWS[0], ROWS[1]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 20_000_000)
            dst.writestr(info.filename, data)
    return out.getvalue()


def laughs_xlsx() -> bytes:
    return replace_part(xlsx_bytes([ROWS[0], ROWS[1]]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)


BAD = [
    ("empty.csv", b"", r"empty.csv is empty \(0 bytes\)"),
    ("blank.csv", b"\r\n \r\n", r"blank.csv holds no data"),
    ("junk.csv", bytes(range(256)) * 8, r"junk.csv is not a text file"),
    ("book.csv", xlsx_bytes([ROWS[0]]), r"book.csv is an Excel workbook, not a CSV file"),
    ("report.pdf", b"%PDF-1.4", r"report.pdf: files of type '.pdf' cannot be read"),
    ("old.xls", b"\xd0\xcf\x11\xe0", r"old.xls is in the old Excel format"),
    ("text.xlsx", b"id,q1\n1,Yes\n", r"text.xlsx is damaged or is not an Office file"),
    ("cut.xlsx", truncated_xlsx(), r"cut.xlsx is damaged or is not an Office file"),
    ("bomb.xlsx", bomb_xlsx(), r"bomb.xlsx expands to more than .* possible zip bomb"),
    ("laughs.xlsx", laughs_xlsx(), r"laughs.xlsx: part xl/worksheets/sheet1.xml declares XML entities"),
    ("numbers.csv", b"1,2,3\n4,5,6\n7,8,9\n", r"numbers.csv: no header row found in the first 30 rows"),
    ("dupes.csv", b"id,q1,q1\n1,Yes,No\n", r"dupes.csv: the column name 'q1' appears more than once "
                                            r"\(header row 1, columns B, C\)"),
    ("nameless.xlsx", xlsx_bytes([["id", "q1", None], [1, "Yes", "x"], [2, "No", "y"]]),
     r"nameless.xlsx, sheet 'Data': column C has answers but no name in the header row \(row 1\)"),
    ("header_only.csv", b"id,q1,q2\n", r"header_only.csv: there are no respondents: row 1 has the column names"),
    ("empty.xlsx", xlsx_bytes([]), r"empty.xlsx: every sheet is empty"),
]


@pytest.mark.parametrize("name, content, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_one_clear_line(name, content, message):
    with pytest.raises(InputError, match=message) as err:
        read_survey(name, content)
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)


def test_upload_size_limit(monkeypatch):
    monkeypatch.setattr(safety, "MAX_UPLOAD_BYTES", 50)
    with pytest.raises(InputError, match=r"big.csv is 0.0 MB, over the 0 MB upload limit"):
        read_survey("big.csv", csv_bytes())


# ------------------------------------------------------------------ property: any CSV export reads back
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORD = st.text(alphabet="abcdefgh ’'\",;-:", min_size=1, max_size=12).map(str.strip).filter(bool)
_NAME = st.text(alphabet="abcdefghijklmnop_", min_size=1, max_size=8).filter(lambda s: s != "id")


@settings(max_examples=40, deadline=None)
@given(names=st.lists(_NAME, min_size=2, max_size=5, unique=True), data=st.data(),
       sep=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_any_csv_export_reads_back(names, data, sep, encoding):
    rows = data.draw(st.lists(st.lists(st.one_of(_WORD, st.just("")), min_size=len(names), max_size=len(names)),
                              min_size=1, max_size=6))
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "id", [str(i + 1) for i in range(len(frame))])
    content = frame.to_csv(sep=sep, index=False).encode(encoding)
    got = read_survey("export.csv", content).frame
    expected = frame.replace("", pd.NA)
    assert list(got.columns) == list(expected.columns)
    assert got.fillna("<NA>").values.tolist() == expected.fillna("<NA>").values.tolist()


def test_a_large_csv_read_in_the_child_costs_at_most_5x_its_size_and_round_trips():
    """Memory per upload: the child's peak beyond its start (counting the upload's bytes it receives
    and the frame it sends back; less the library code it reads again, shared by every process)
    stays within 5x a ~10 MB CSV, and the frame that comes back is the one read in-process."""
    from feedback import isolation
    from tools.synthetic import as_text, synthetic

    frame, _cb = synthetic(19_000, 40, seed=5)
    content = as_text(frame).to_csv(index=False).encode()
    assert len(content) > 9 * 2**20
    data = read_survey("big.csv", content)
    measures = isolation.last_measures()
    assert 0 < measures["work"] <= 5 * len(content), measures
    assert measures["peak_rss"] - measures["start_rss"] >= len(content)  # the upload itself is counted
    with safety.in_process():
        here = read_survey("big.csv", content)
    pd.testing.assert_frame_equal(data.frame, here.frame, check_exact=True)
    assert (data.frame.dtypes == here.frame.dtypes).all() and data.frame.shape == (19_000, 44)


def test_a_wide_csv_is_read_whole():
    """2,000 columns (the most the app reads): every column and answer read, in order (a grid converted
    in one pass: tests/test_grids.py)."""
    width = safety.MAX_CSV_COLUMNS
    header = ",".join(f"q{i}" for i in range(width))
    rows = [",".join(("Yes" if (i + r) % 3 else " 1.0 ") if (i * r) % 7 else "" for i in range(width))
            for r in range(1, 4)]
    with safety.in_process():
        frame = read_survey("wide.csv", "\n".join([header, *rows]).encode()).frame
    assert list(frame.columns) == [f"q{i}" for i in range(width)] and len(frame) == 3
    assert frame.iloc[0, 1] == "Yes" and frame.iloc[1, 1] == "1.0" and pd.isna(frame.iloc[0, 0])
    assert frame.iloc[:, 7].isna().all() and frame.iloc[2, 8] == "Yes"


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"],
                         ids=["VT", "FF", "FS", "GS", "RS", "NEL", "LS", "PS"])
def test_a_title_line_holding_a_character_python_breaks_lines_at_keeps_header_and_respondents(char):
    """Python's str.splitlines breaks at these characters and pandas does not: the title rows are
    counted as pandas reads them, so the header is the header and every respondent is read."""
    content = csv_bytes(title=[f"Partners survey{char}2021", f"Fieldwork: June 2021{char}"])
    frame = read_survey("titled.csv", content).frame
    assert list(frame.columns) == ["id", "role", "region", "weight", "q1"]
    assert frame["id"].tolist() == ["1", "2", "3"] and frame["q1"].tolist()[:2] == ["Don’t know", "Yes"]
    assert frame.attrs["title_rows"] == [f"Partners survey{char}2021", "Fieldwork: June 2021"]
