"""Checking audits: one from the form or many from a spreadsheet, all rows before any is kept."""

import io

import pandas as pd
import pytest

from feedback.audits.entry import by_field, columns, read_audits, record_to_row, template_frame, validate_audit
from feedback.audits.framework import load_framework
from feedback.errors import InputError

FW = load_framework("wt2018")
REGISTER = {"Alpha sample partnership": "London", "Beta sample partnership": "North East"}


def good_row(**over):
    row = {"partnership": "Alpha sample partnership", "reporting_year": "2020-21", "auditor": "WWCSC",
           "audited_on": "2022-07-01", "priorities": "Neglect; domestic abuse",
           "practice_themes": "learning_from_reviews", "notes": ""}
    for c in FW.criteria:
        row |= {c.id: "Partly evidenced", f"{c.id}_page": "12", f"{c.id}_quote": "A quote"}
    return row | over


def test_a_good_audit_becomes_a_record():
    record, errors = validate_audit(good_row(partnership="alpha  SAMPLE partnership"), FW, REGISTER)
    assert errors == []
    assert record.partnership == "Alpha sample partnership"        # matched to the register's spelling
    assert record.codes == {"priorities": ("neglect", "domestic_abuse"), "practice_themes": ("learning_from_reviews",)}
    assert record.scores["impact"].score == "partly" and record.scores["impact"].page == "12"
    assert record_to_row(record, FW)["priorities"] == "Neglect; Domestic abuse"


def test_not_evidenced_needs_no_page():
    record, errors = validate_audit(good_row(impact="Not evidenced", impact_page=""), FW, REGISTER)
    assert errors == [] and record.scores["impact"].score == "not"


@pytest.mark.parametrize(("over", "message"), [
    ({"partnership": "Gamma"}, "The audit (Gamma): this partnership is not on the register"),
    ({"reporting_year": "2017-18"}, "2017-18 reports are not audited against WT 2018"),
    ({"auditor": " "}, "say who carried out the audit"),
    ({"audited_on": "soon"}, "audit date 'soon' is not a date"),
    ({"impact": "Mostly"}, "'Impact on children and families' is scored 'Mostly'; use Fully evidenced"),
    ({"impact": ""}, "'Impact on children and families' has no score"),
    ({"impact_page": ""}, "is partly evidenced but has no page reference"),
    ({"impact_page": "the end"}, "page reference 'the end' for 'Impact on children and families' should be"),
    ({"priorities": "Neglect; Poverty"}, "'Poverty' is not in the list of safeguarding priorities"),
    ({"extra": "x"}, "unexpected column extra"),
])
def test_each_problem_is_named_in_plain_english(over, message):
    record, errors = validate_audit(good_row(**over), FW, REGISTER)
    assert record is None
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize(("over", "field"), [
    ({"partnership": "Gamma"}, "partnership"),
    ({"reporting_year": "2017-18"}, "reporting_year"),
    ({"auditor": " "}, "auditor"),
    ({"audited_on": "soon"}, "audited_on"),
    ({"impact": "Mostly"}, "impact"),
    ({"impact_page": "the end"}, "impact_page"),
    ({"impact_quote": "x" * 1001}, "impact_quote"),
    ({"priorities": "Neglect; Poverty"}, "priorities"),
    ({"notes": "x" * 4001}, "notes"),
    ({"extra": "x"}, None),
])
def test_each_problem_knows_its_field_for_the_form(over, field):
    _, errors = validate_audit(good_row(**over), FW, REGISTER)
    placed = by_field(errors)
    assert list(placed) == [field], placed
    assert len(placed[field]) == 1
    # beside the field the sentence drops the audit's name, which the full message starts with
    assert not placed[field][0].startswith("The audit") and errors[0].endswith(placed[field][0])


def test_a_problem_found_twice_is_listed_once_beside_its_field():
    _, errors = validate_audit(good_row(priorities="Poverty; Poverty"), FW, REGISTER)
    assert len(errors) == 2 and by_field(errors) == {"priorities": [errors[0].detail]}


def _csv(rows) -> bytes:
    return pd.DataFrame(rows, columns=columns(FW)).to_csv(index=False).encode()


def test_spreadsheet_with_one_bad_row_is_refused_whole_with_row_numbers():
    rows = [good_row(), good_row(partnership="Beta sample partnership", impact="Sometimes"),
            good_row(partnership="Alpha sample partnership")]
    with pytest.raises(InputError) as err:
        read_audits("audits.csv", _csv(rows), FW, REGISTER)
    msg = str(err.value)
    assert msg.startswith("audits.csv: nothing was imported")
    assert "Row 3 (Beta sample partnership): 'Impact on children and families' is scored 'Sometimes'" in msg
    assert "Row 4 (Alpha sample partnership): the 2020-21 report is also audited in row 2" in msg


def test_xlsx_spreadsheet_reads_like_csv():
    buf = io.BytesIO()
    pd.DataFrame([good_row(), good_row(partnership="Beta sample partnership")],
                 columns=columns(FW)).to_excel(buf, index=False)
    records = read_audits("audits.xlsx", buf.getvalue(), FW, REGISTER)
    assert [r.partnership for r in records] == ["Alpha sample partnership", "Beta sample partnership"]


def test_headers_may_be_written_with_capitals_and_spaces_and_blank_rows_are_skipped():
    frame = pd.DataFrame([good_row(), {k: "" for k in good_row()}], columns=columns(FW))
    frame.columns = [c.replace("_", " ").title() for c in frame.columns]
    records = read_audits("audits.csv", frame.to_csv(index=False).encode(), FW, REGISTER)
    assert len(records) == 1


def test_missing_columns_and_empty_files_are_refused():
    with pytest.raises(InputError, match="missing the columns .*impact"):
        read_audits("a.csv", b"partnership,reporting_year\nA,2020-21\n", FW, REGISTER)
    with pytest.raises(InputError, match="has no audits in it"):
        read_audits("a.csv", template_frame(FW).to_csv(index=False).encode(), FW, REGISTER)
