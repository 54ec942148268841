"""The register: validation of its rows and the submission rate by a cut-off date."""

import datetime as dt
from datetime import date

import pandas as pd
import pytest

from feedback.audits.register import read_register, submission_rate
from feedback.errors import InputError
from feedback.regions import REGIONS

CSV = b"""partnership,region,reporting_year,received_on
A,London,2020-21,2022-06-01
B,London,2020-21,2022-06-02
C,London,2020-21,
D,North East,2020-21,31/05/2022
E,North East,2019-20,2021-01-10
"""


def test_rate_counts_reports_received_on_or_before_the_cut_off():
    reg = read_register("register.csv", CSV)
    rate = submission_rate(reg, "2020-21", date(2022, 6, 1)).set_index("region")
    assert list(rate.index) == [*REGIONS, "England"]
    assert rate.loc["London", ["partnerships", "received"]].tolist() == [3, 1]   # B arrived a day late
    # E has no 2020-21 row at all: it still counts in the denominator, as not received
    assert rate.loc["North East", ["partnerships", "received"]].tolist() == [2, 1]
    assert rate.loc["England", ["partnerships", "received"]].tolist() == [5, 2]
    assert rate.loc["England", "rate"] == pytest.approx(0.4)
    assert pd.isna(rate.loc["South West", "rate"])                                 # no partnerships: no rate
    assert submission_rate(reg, "2020/21", date(2022, 6, 2)).iloc[-1]["received"] == 3


def test_rate_for_one_region():
    reg = read_register("register.csv", CSV)
    rate = submission_rate(reg, "2020-21", date(2022, 6, 1), region="London")
    assert rate["region"].tolist() == ["London"]
    assert rate["rate"].iloc[0] == pytest.approx(1 / 3)


def test_register_rows_are_checked_and_all_reported():
    bad = b"""partnership,region,reporting_year,received_on
A,Londn,2020-21,2022-06-01
B,London,2020-2,2022-06-01
C,London,2020-21,next week
D,London,2020-21,2019-05-01
,London,2020-21,
E,London,2020-21,
E,London,2020-21,
"""
    with pytest.raises(InputError) as err:
        read_register("register.csv", bad)
    msg = str(err.value)
    assert msg.startswith("register.csv: nothing was imported")
    for part in ["Row 2 (A): 'Londn' is not an English region", "Row 3 (B): '2020-2' is not a reporting year",
                 "Row 4 (C): received date 'next week' is not a date",
                 "Row 5 (D): the 2020-21 report cannot arrive on 01 May 2019",
                 "Row 6: the partnership name is empty", "Row 8 (E): 2020-21 appears twice"]:
        assert part in msg


def test_register_needs_its_columns_and_a_real_file():
    with pytest.raises(InputError, match="missing: region"):
        read_register("r.csv", b"partnership,reporting_year\nA,2020-21\n")
    with pytest.raises(InputError, match="not an Excel workbook"):
        read_register("r.xlsx", b"partnership,region\n")
    with pytest.raises(InputError, match="use a .csv or .xlsx file"):
        read_register("r.txt", b"")


def test_xlsx_register_with_real_date_cells():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Partnership", "Region", "Reporting year", "Received on"])
    ws.append(["A", "london", "2020-21", dt.datetime(2022, 5, 31)])
    ws.append(["B", "Yorkshire & Humber", "2020/21", None])
    buf = io.BytesIO()
    wb.save(buf)
    reg = read_register("register.xlsx", buf.getvalue())
    assert reg.to_dict("records") == [
        {"partnership": "A", "region": "London", "reporting_year": "2020-21", "received_on": date(2022, 5, 31)},
        {"partnership": "B", "region": "Yorkshire and the Humber", "reporting_year": "2020-21", "received_on": None}]
