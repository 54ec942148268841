"""One spelling of each region everywhere: any spelling or ONS code read as the Panel's
name, once, when a survey is loaded; values that are not English regions listed with counts."""

from __future__ import annotations

import pandas as pd
import pytest

from feedback import safety
from feedback.regions import REGIONS, normalise_region, normalise_regions, with_regions_normalised
from feedback.survey import loading, views


@pytest.mark.parametrize("value, region", [
    ("Yorkshire and The Humber", "Yorkshire and the Humber"), ("Yorks & Humber", "Yorkshire and the Humber"),
    ("YORKSHIRE AND HUMBER", "Yorkshire and the Humber"), ("Yorkshire & the Humber", "Yorkshire and the Humber"),
    ("East", "East of England"), ("Eastern", "East of England"), ("east of england", "East of England"),
    ("North East England", "North East"), ("NE", "North East"), ("North-East", "North East"),
    ("NW", "North West"), ("West Mids", "West Midlands"), ("London Region", "London"),
    ("Greater London", "London"), ("the South West", "South West"), ("South East England", "South East"),
    ("E12000001", "North East"), ("E12000002", "North West"), ("E12000003", "Yorkshire and the Humber"),
    ("E12000004", "East Midlands"), ("E12000005", "West Midlands"), ("E12000006", "East of England"),
    ("E12000007", "London"), ("e12000008", "South East"), (" E12000009 ", "South West"),
    ("Wales", None), ("Scotland", None), ("Northern Ireland", None), ("Other", None), ("Midlands", None),
    ("W99999999", None), ("", None), ("NE - North East", "North East"), ("North East (E12000001)", "North East"),
    ("London (GLA)", "London"), ("North East / North West", None), ("Wales - Cymru", None),
])
def test_any_spelling_or_ons_code(value, region):
    assert normalise_region(value) == region


def test_every_panel_name_reads_as_itself():
    assert [normalise_region(r) for r in REGIONS] == list(REGIONS)
    assert [normalise_region(r.upper()) for r in REGIONS] == list(REGIONS)


def test_a_column_is_normalised_once_per_distinct_value_and_other_values_counted():
    values = pd.Series(["Yorkshire and The Humber"] * 5 + ["Wales"] * 3 + [None] + ["E12000007"] * 2 + ["Other"])
    found = normalise_regions(values)
    assert found.values.tolist()[:5] == ["Yorkshire and the Humber"] * 5
    assert found.values.isna().tolist() == [False] * 5 + [True] * 4 + [False] * 2 + [True]
    assert list(found.values.cat.categories) == list(REGIONS)  # the Panel's order
    assert found.not_regions == {"Wales": 3, "Other": 1}
    assert found.share == pytest.approx(7 / 11)
    assert found.warning("Region") == ("4 respondent(s) have a Region value that is not one of England's nine "
                                       "regions, left out of the region grouping (they stay in the totals): "
                                       "Wales (3), Other (1).")


def test_a_column_without_any_region_is_left_as_it_is_and_said_so():
    frame = pd.DataFrame({"area": ["A", "B"]})
    out, notes = with_regions_normalised(frame, "area")
    assert out["area"].tolist() == ["A", "B"] and "holds no English region" in notes[0]
    assert with_regions_normalised(frame, "") == (frame, [])


CSV = ("id,role,Region,q1_aware\n"
       + "".join(f"{i},{'Police' if i % 2 else 'Health'},{r},{'Yes' if i % 3 else 'No'}\n"
                 for i, r in enumerate(["Yorkshire and The Humber"] * 24 + ["north east"] * 20 + ["Wales"] * 5
                                       + ["E12000007"] * 15 + ["Other"] * 2))).encode()


def test_loaded_survey_carries_the_panel_names_bases_filters_and_order():
    """The reported bug: "Respondents in Yorkshire and the Humber: 0" beside cards with bases of 22-24,
    and the region sorted last."""
    with safety.in_process():
        survey = loading.load_survey("export.csv", CSV)
    assert survey.codebook.region == "Region"
    assert survey.notes == ["7 respondent(s) have a Region value that is not one of England's nine regions, left "
                            "out of the region grouping (they stay in the totals): Wales (5), Other (2)."]
    base = views.bases(survey, "Yorkshire and the Humber")
    assert int(base["n"].iloc[0]) == 24
    res = views.results(survey, grouping="Region")
    assert res[res["by"] == "region"]["group"].tolist() == ["North East", "Yorkshire and the Humber", "London"]
    assert res[res["by"] == "region"]["n"].tolist() == [20, 24, 15]
    head = views.headline(survey, region="Yorkshire and the Humber")
    assert int(head["n"].iloc[0]) == 24 and head["group"].iloc[0] == "Yorkshire and the Humber (all)"
    assert int(res[res["by"] == "total"]["n"].iloc[0]) == 66  # the seven outside England stay in the total
    everyone = views.bases(survey)
    assert everyone[everyone["by"] == "region"]["group"].tolist() == [
        "North East", "Yorkshire and the Humber", "London", "Not stated or outside England"]


def test_cli_rates_uses_the_panel_names_and_reads_a_spelled_filter(tmp_path, capsys):
    from feedback.__main__ import main
    from feedback.survey.codebook import dump_codebook, suggest_codebook
    from feedback.survey.read import read_survey

    data = tmp_path / "export.csv"
    data.write_bytes(CSV)
    with safety.in_process():
        cb = suggest_codebook(read_survey("export.csv", CSV))
    (tmp_path / "cb.toml").write_text(dump_codebook(cb), encoding="utf-8")
    assert main(["rates", str(data), "--codebook", str(tmp_path / "cb.toml"), "--filter", "region=Yorks & Humber",
                 "--format", "csv"]) == 0
    out = capsys.readouterr()
    table = pd.read_csv(__import__("io").StringIO(out.out))
    assert table["n"].iloc[0] == 24
    assert "Wales (5), Other (2)" in out.err


def test_overview_of_an_upload_names_the_region_and_lists_values_outside_england(tmp_path, monkeypatch):
    """The Overview of an upload spelling "Yorkshire and The Humber": its respondents counted under
    the Panel's name, and the values that are not English regions said once, with counts."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from feedback.survey.codebook import dump_codebook, suggest_codebook
    from feedback.survey.read import read_survey

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.chdir(root)
    with safety.in_process():
        codebook = dump_codebook(suggest_codebook(read_survey("export.csv", CSV)))
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.session_state["survey_upload"] = {"filename": "export.csv", "content": CSV, "codebook_text": codebook,
                                         "kind": "respondents", "name": "export.csv"}
    at.session_state["survey_choice"] = "Your upload: export.csv"
    at.session_state["region"] = "Yorkshire and the Humber"
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    respondents = [m for m in at.metric if m.label.startswith("Respondents")]
    assert [(m.label, m.value) for m in respondents] == [("Respondents in Yorkshire and the Humber", "24")]
    warnings = [w.value.replace("\\", "") for w in at.warning if "England's nine regions" in w.value]
    assert len(warnings) == 1 and "Wales (5), Other (2)" in warnings[0]


def test_cli_filters_read_any_spelling_of_a_region():
    from feedback.survey.cli import parse_filters

    assert parse_filters(["region=NE", "region=E12000003", "role=Health"]) == {
        "region": ["North East", "Yorkshire and the Humber"], "role": "Health"}
    assert parse_filters(["region=Atlantis"]) == {"region": "Atlantis"}  # said later: no respondents match
