"""AppTest runs of the survey pages (Overview, Results by role, Compare, Upload)
on the embedded sample surveys, through app.py's navigation."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from feedback.survey import examples, loading, views
from feedback.survey.codebook import load_codebook
from feedback.survey.settings import Settings
from tests.pages.helpers import ROOT, goto

SURVEYS = ROOT / "data" / "surveys"
PARTNERS = "Safeguarding partners 2021 (sample)"
FRONTLINE = "Frontline professionals 2021 (sample)"
TABLES = "Frontline professionals 2021, data tables (sample)"


def set_region(at: AppTest, region: str) -> AppTest:
    """Choose a region as the sidebar selector does. (AppTest resets Streamlit's legacy pages/
    flag before every run, so after switch_page it runs the page file without app.py and the
    sidebar is not drawn: set the selector's state by its key, which current_region() reads.)"""
    boxes = [w for w in at.sidebar.selectbox if w.key == "region"]
    if boxes:
        boxes[0].set_value(region)
    else:
        at.session_state["region"] = region
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_rates(*args: str) -> pd.DataFrame:
    out = subprocess.run([sys.executable, "-m", "feedback", "rates", *args, "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return pd.DataFrame(json.loads(out.stdout))


def results_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[-1].value


def test_overview_shows_sample_bases_and_headline_cards(app):
    at = goto(app, "overview")
    assert at.selectbox(key="survey_choice").value == PARTNERS
    labels = [m.label for m in at.metric]
    values = {m.label: m.value for m in at.metric}
    assert values["Respondents"] == "139"
    # Annex D headline: 87% understand the Panel's remit (to the whole percentage).
    remit = [m for m in at.metric if "remit" in m.label.lower()]
    assert remit and remit[0].value == "87%", labels
    assert any("Who answered" in s.value for s in at.header)


def test_overview_region_changes_base(app):
    at = goto(app, "overview")
    set_region(at, "London")
    values = {m.label: m.value for m in at.metric}
    assert values["Respondents in London"] == "30"  # the partners sample has 30 in London
    assert any("Region: London" in c.value for c in at.caption)


def test_results_page_table_matches_cli_and_region_filter_changes_base(app):
    at = goto(app, "results")
    table = results_table(at)
    assert list(table["Question id"].unique()) == ["understand_remit", "well_informed", "knowledge_improved"]
    total = table[table["Grouping"] == "total"]
    assert total["Unweighted n"].tolist() == [139, 139, 139]

    cli = cli_rates(str(SURVEYS / "partners_2021.sav"), "--codebook", str(SURVEYS / "partners_2021.toml"),
                    "--by", "role")
    cli = cli[cli["question"].isin(table["Question id"])].reset_index(drop=True)
    assert table["Group"].tolist() == cli["group"].tolist()
    assert table["Unweighted n"].tolist() == cli["n"].tolist()
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Letters in 'Significantly higher than'" in captions and "'higher_than'" not in captions
    charts_ = at.get("vega_lite_chart")  # one a question: groups with letters and bases on the bars
    assert "Police (B)" in charts_[0].spec and "(n=30)" in charts_[0].spec and "base 30" in charts_[0].alt
    assert "No significant differences between groups" in charts_[0].spec  # understand_remit: none is higher
    assert "> B, C" in charts_[1].spec and "No significant differences" not in charts_[1].spec
    # On screen: percentages to one decimal place, and [c] where the CLI suppresses the figure.
    for shown, column in (("Positive (%)", "p"), ("Interval from (%)", "ci_low"), ("Interval to (%)", "ci_high")):
        expected = (100 * cli[column]).map("{:.1f}".format).where(cli[column].notna(), "[c]")
        assert table[shown].reset_index(drop=True).tolist() == expected.tolist()

    set_region(at, "London")
    london = results_table(at)
    total = london[london["Grouping"] == "total"]
    assert total["Unweighted n"].tolist() == [30, 30, 30]
    captions = " ".join(c.value for c in at.caption)
    assert "London" in captions


def test_results_page_groupings_methods_and_combined_chart(app):
    at = goto(app, "results")
    at.radio(key="survey_grouping").set_value("Role × region").run()
    table = results_table(at)
    assert "Local authority / London" in set(table["Group"])
    assert "[c]" in set(table["Flag"])  # small crossings are suppressed
    at.selectbox(key="survey_method").set_value("jeffreys").run()
    at.selectbox(key="survey_level").set_value(0.99).run()
    at.radio(key="survey_layout").set_value("Combined").run()
    assert not at.exception
    table = results_table(at)
    assert set(table["Interval method"]) == {"jeffreys"} and set(table["Confidence level"]) == {0.99}
    # The chart, table and annex downloads are offered.
    labels = {b.label for b in at.get("download_button")}
    assert {"Download chart (PNG)", "Download chart (SVG)", "Download table (CSV)",
            "Download tables (XLSX, for publication)", "Download annex pack (ZIP)"} <= labels
    # Publication options: suppressed groups hidden (and counted in the chart's notes), sort by value.
    at.checkbox(key="survey_hide_c").check().run()
    at.checkbox(key="survey_sort_value").check().run()
    assert not at.exception


def test_results_page_on_weighted_frontline_and_data_tables(app):
    at = goto(app, "results")
    at.selectbox(key="survey_choice").set_value(FRONTLINE).run()
    assert not at.exception
    table = results_table(at)
    heard = table[(table["Question id"] == "heard_of_panel") & (table["Grouping"] == "total")].iloc[0]
    assert round(float(heard["Positive (%)"])) == 49
    assert heard["Effective n"] < heard["Unweighted n"]  # weighted: intervals on the effective base
    at.selectbox(key="survey_choice").set_value(TABLES).run()
    assert not at.exception
    table = results_table(at)
    assert set(table["Figures from"]) == {"data tables"}


def test_compare_two_groups_and_two_audiences(app):
    at = goto(app, "compare")
    table = at.dataframe[-1].value
    assert {"Difference", "Interval", "p value"} <= set(table.columns)
    # Differences in percentage points with a true minus sign; tiny p values read "< 0.001".
    assert table["Difference"].str.fullmatch(r"[+\u2212]\d+\.\d pts|not available").all(), list(table["Difference"])
    assert not (table["p value"] == "0.000").any()
    assert table["p value"].str.fullmatch(r"< 0\.001|[01]\.\d{3}|").all(), list(table["p value"])
    at.radio(key="compare_mode").set_value("Two surveys on their shared questions").run()
    assert not at.exception
    at.selectbox(key="compare_survey_a").set_value(PARTNERS).run()
    at.selectbox(key="compare_survey_b").set_value(FRONTLINE).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert "know_thematic_reviews" in set(table["Question id"])
    row = table[table["Question id"] == "know_thematic_reviews"].iloc[0]
    assert round(row["First (%)"]) == 76 and round(row["Second (%)"]) == 28
    points = float(row["Difference"].removesuffix(" pts").replace("\u2212", "-"))
    assert row["Difference"].startswith("+") and abs(points - (row["First (%)"] - row["Second (%)"])) < 0.11
    # One source line naming both surveys, not "Source: … Source: …".
    sources = [t for t in (m.value for m in at.caption) if "Source" in t]
    assert all(t.count("Source:") <= 1 for t in sources)


def test_upload_xlsx_with_suggested_codebook_feeds_results(app):
    at = goto(app, "upload")
    content = (SURVEYS / "frontline_2021.xlsx").read_bytes()
    at.file_uploader(key="upload_file").set_value(
        ("frontline_2021.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("307 respondents" in m.value for m in at.markdown)
    assert at.selectbox(key=next(k for k in _keys(at) if k.startswith("cb_weight_"))).value == "weight"
    at.button(key="upload_use").click().run()
    assert not at.exception
    assert any("Loaded" in s.value for s in at.success)
    at = goto(at, "results")
    assert at.selectbox(key="survey_choice").value.startswith("Your upload")
    table = results_table(at)
    assert "heard_of_panel" in set(table["Question id"])  # a suggested id: the column without its number


@pytest.mark.parametrize("with_codebook", [False, True])
def test_an_upload_is_parsed_once_from_the_upload_page_to_the_results_chart(app, monkeypatch, with_codebook):
    """Upload -> "Use this survey" -> Results: the file is parsed once (in the limited child), a
    codebook file's TOML is read once, and no TOML is written (the codebook stays an object)."""
    from feedback.survey import codebook as cbmod
    from feedback.survey import read

    content = (SURVEYS / "frontline_2021.xlsx").read_bytes()
    given = (SURVEYS / "frontline_2021.toml").read_text() + "# the uploaded copy\n"  # not a sample's own text
    parsed, tomls, dumped = [], [], []
    real_read, real_load, real_dump = read.read_survey, cbmod.load_codebook, cbmod.dump_codebook
    monkeypatch.setattr(read, "read_survey", lambda name, data: parsed.append(name) or real_read(name, data))
    monkeypatch.setattr(cbmod, "load_codebook", lambda text, **kw: tomls.append(text) or real_load(text, **kw))
    monkeypatch.setattr(cbmod, "dump_codebook", lambda cb: dumped.append(cb) or real_dump(cb))
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(("frontline_2021.xlsx", content, "application/octet-stream"))
    if with_codebook:
        at.file_uploader(key="upload_codebook").set_value(("frontline_2021.toml", given.encode(), "application/toml"))
    at.run()
    at.run()  # a rerun with nothing new
    at.button(key="upload_use").click().run()
    assert not at.exception and any("Loaded" in s.value for s in at.success)
    at = goto(at, "results")
    at = goto(at, "overview")
    at = goto(at, "results")
    assert at.selectbox(key="survey_choice").value.startswith(loading.YOUR_UPLOAD)
    assert "heard_of_panel" in set(results_table(at)["Question id"])
    assert parsed == ["frontline_2021.xlsx"]
    assert [t for t in tomls if t == given] == ([given] if with_codebook else [])
    samples = {examples.example_files(s)[1] for s in examples.available_examples()}
    assert [t for t in tomls if t != given and t not in samples] == []  # no TOML of the upload's own
    assert dumped == []


def test_upload_with_codebook_reproduces_published_figure(app):
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(
        ("frontline_2021.xlsx", (SURVEYS / "frontline_2021.xlsx").read_bytes(), "application/octet-stream"))
    at.file_uploader(key="upload_codebook").set_value(
        ("frontline_2021.toml", (SURVEYS / "frontline_2021.toml").read_bytes(), "application/toml"))
    at.run()
    at.button(key="upload_use").click().run()
    at = goto(at, "overview")
    remit = [m for m in at.metric if "heard of" in m.label.lower()]
    assert remit and remit[0].value == "49%"


def test_upload_bad_file_shows_one_plain_error(app):
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(("broken.xlsx", b"not a workbook", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "broken.xlsx" in at.error[0].value.replace("\\", "")


def _keys(at: AppTest) -> list[str]:
    return [w.key for w in at.selectbox if w.key]


def test_short_labels_drop_shared_lead_in_and_stay_unique():
    from feedback.survey.labels import short_labels

    labels = short_labels(["a", "b", "c", "d"], [
        "To what extent do you agree or disagree: the Panel is independent",
        "To what extent do you agree or disagree: the Panel is trusted",
        "Through which of these, if any, do you hear about the Panel? Letters from the Panel about reviews",
        "Through which of these, if any, do you hear about the Panel? Letters from the Panel about reports"],
        limit=30)
    assert labels["a"] == "The Panel is independent" and labels["b"] == "The Panel is trusted"
    assert labels["c"].endswith("… (c)") and labels["d"].endswith("… (d)")  # same cut text: ids keep them apart
    assert labels["c"].startswith("Letters from the Panel")
    assert len(set(labels.values())) == 4


def test_upload_codebook_that_does_not_fit_lists_problems_and_blocks_use(app):
    at = goto(app, "upload")
    csv = b"role,region,q1\nPolice,London,Yes\nHealth,North East,No\n"
    codebook = (SURVEYS / "frontline_2021.toml").read_bytes()  # names columns this CSV does not have
    at.file_uploader(key="upload_file").set_value(("mine.csv", csv, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("frontline_2021.toml", codebook, "application/toml"))
    at.run()
    assert not at.exception
    problems = at.dataframe[-1].value["Problem"].tolist()
    assert problems and any("Q1_heard_of_panel" in p for p in problems), problems
    assert at.button(key="upload_use").disabled


def test_upload_page_reads_and_checks_a_file_once_and_a_new_file_again(app, monkeypatch):
    """A rerun with nothing new (another person's upload, a click elsewhere) hashes, reads and
    checks nothing again; a different file, or a change to the codebook, is worked out afresh."""
    from feedback.survey import codebook as cbmod
    from feedback.survey import read

    calls = {"hash": 0, "read": 0, "validate": 0}

    def counted(name, func):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return func(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(loading, "content_hash", counted("hash", loading.content_hash))
    monkeypatch.setattr(read, "read_survey", counted("read", read.read_survey))
    monkeypatch.setattr(cbmod, "validate", counted("validate", cbmod.validate))
    at = goto(app, "upload")
    first = b"role,region,q1\nPolice,London,Yes\nHealth,North East,No\n"
    at.file_uploader(key="upload_file").set_value(("first.csv", first, "text/csv"))
    at.run()
    assert not at.exception and any("2 respondents" in m.value for m in at.markdown)
    once = dict(calls)
    assert once["read"] == 1 and once["validate"] == 1 and once["hash"] >= 2
    at.run()
    at.run()
    assert calls == once
    title = next(w for w in at.text_input if w.key and w.key.startswith("cb_title_"))
    title.set_value("A new title").run()
    assert calls["validate"] == once["validate"] + 1 and calls["read"] == 1  # the codebook changed, not the file
    second = b"role,region,q1\nPolice,London,Yes\nHealth,North East,No\nHealth,London,Yes\n"
    at.file_uploader(key="upload_file").set_value(("second.csv", second, "text/csv"))
    at.run()
    assert not at.exception and any("3 respondents" in m.value for m in at.markdown)
    assert calls["read"] == 2 and calls["hash"] >= once["hash"] + 2


def test_upload_data_tables_workbook(app):
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(
        ("tables.xlsx", (SURVEYS / "frontline_2021_tables.xlsx").read_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("Data tables workbook" in s.value for s in at.header)
    at.button(key="upload_use").click().run()
    at = goto(at, "results")
    set_region(at, "London")
    table = results_table(at)
    assert set(table["Figures from"]) == {"data tables"}
    region_rows = table[table["Grouping"] != "england"]
    assert set(region_rows["Unweighted n"]) == {45}  # the published London column
    assert set(region_rows["Group"]) == {"London (all)"}
    assert set(table.loc[table["Grouping"] == "england", "Unweighted n"]) == {307}  # England beside it


def test_annex_pack_holds_every_chart_table_and_methods():
    import zipfile

    from feedback import download_pack as pack
    from feedback.survey import examples, loading

    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook, kind=sample.kind)
    res = views.results(survey, grouping="Role", region="London", questions=["heard_of_panel", "aware_ce_review"])
    data = pack.survey_annex(survey, res, region="London", grouping="Role", settings=Settings(method="wilson"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        from feedback.export import file_stem

        stem = "tables/" + file_stem("results", survey.name, "Role", "London")
        assert stem.endswith("_role_london")
        annex_stem = "annex/" + file_stem("annex", survey.name, "Role", "London")
        assert {"charts/01_heard_of_panel.png", "charts/01_heard_of_panel.svg",
                "charts/01_heard_of_panel_alt_text.txt", "charts/02_aware_ce_review.png",
                f"{stem}.xlsx", f"{stem}.ods", f"{stem}_tidy.csv", f"{stem}_wide.csv", f"{annex_stem}_annex.docx",
                f"{annex_stem}_figures.xlsx", f"{annex_stem}_figures.ods", "methods.txt"} <= names
        assert annex_stem.endswith("_role_london")  # two packs never overwrite each other's files
        from datetime import datetime

        from docx import Document

        doc = Document(io.BytesIO(zf.read(f"{annex_stem}_annex.docx")))
        bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
        assert len(bullets) == 2  # the Word file covers the questions chosen, no others
        assert zf.infolist()[0].date_time[:3] == datetime.now().timetuple()[:3]  # real dates
        purposes = dict(line[2:].split(": ", 1) for line in zf.read("methods.txt").decode().splitlines()
                        if line.startswith("- ") and ": " in line and "/" in line.split(": ", 1)[0])
        assert all(purposes.get(n) for n in names if n != "methods.txt"), purposes
        assert zf.read("charts/01_heard_of_panel.png")[:8] == b"\x89PNG\r\n\x1a\n"
        methods = zf.read("methods.txt").decode()
        assert "Region: London" in methods and "effective base" in methods
        csv = pd.read_csv(io.BytesIO(zf.read(f"{stem}_tidy.csv")), encoding="utf-8-sig")
        assert csv["Unweighted n"].tolist() == res["n"].tolist()
    assert pack.pack_name(survey, "Role", "London") != pack.pack_name(survey, "Region", "London")
    assert pack.pack_name(survey, "Role", "London") != pack.pack_name(survey, "Role", None)


def test_text_from_an_upload_is_shown_literally_not_as_markdown(app):
    at = goto(app, "upload")
    csv = ("role,region,Q1\n" + "\n".join(f"{r},London,{a}" for r, a in
                                          [("Police", "Yes"), ("Health", "No")] * 10)).encode()
    at.file_uploader(key="upload_file").set_value(("![x](https://evil.example/t.png).csv", csv, "text/csv"))
    at.run()
    at.text_input(key=next(w.key for w in at.text_input if w.key.startswith("cb_title_"))) \
        .set_value("<img src=x onerror=alert(1)> [click](https://evil.example)").run()
    at.button(key="upload_use").click().run()
    assert not at.exception
    shown = " ".join(e.value for e in [*at.success, *at.markdown, *at.caption, *at.error])
    assert "](https://evil.example" not in shown  # links/images escaped: \[click\]\(https...
    assert "\\<img" in shown or "<img" not in shown
    at = goto(at, "overview")
    shown = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert "](https://evil.example" not in shown


def _rating_survey() -> tuple[bytes, bytes]:
    """A survey with a rating scale no vocabulary knows ("Brilliant / Okay-ish / Rubbish"), and a
    codebook that leaves its positive answers to be ticked (check = "why")."""
    rows = [("Police", "London", 1.2, "Brilliant", "Yes"), ("Health", "London", 0.8, "Okay-ish", "No"),
            ("Police", "North East", 1.0, "Rubbish", "Yes"), ("Health", "North East", 1.0, "Brilliant", "Yes"),
            ("Police", "London", 0.6, "Okay-ish", "No")] * 8
    csv = "role,region,weight,Q5 How would you rate it,Q6 Heard of it\n" + "\n".join(
        ",".join(map(str, r)) for r in rows)
    codebook = """[survey]
title = "Rating survey 2023"
audience = "frontline"

[columns]
role = "role"
region = "region"
weight = "weight"

[[questions]]
id = "rate_panel"
column = "Q5 How would you rate it"
text = "How would you rate the Panel?"
kind = "agreement"
positive = []
check = "why"

[[questions]]
id = "heard_panel"
column = "Q6 Heard of it"
text = "Have you heard of the Panel?"
kind = "yes_no"
positive = ["Yes"]
"""
    return csv.encode(), codebook.encode()


def _upload_rating(at: AppTest) -> AppTest:
    at = goto(at, "upload")
    csv, codebook = _rating_survey()
    at.file_uploader(key="upload_codebook").set_value(("rating.toml", codebook, "application/toml"))
    at.file_uploader(key="upload_file").set_value(("rating.csv", csv, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _preview(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Positive (%)" in d.value.columns).set_index("Question id")


def test_upload_unknown_scale_is_amber_until_its_positive_answers_are_ticked(app):
    at = _upload_rating(app)
    warnings = " ".join(w.value for w in at.warning)
    assert "could not tell which of these answers are favourable" in warnings
    assert "1 question still needs its positive answers ticked" in warnings
    assert not [s for s in at.success if "fits the data" in s.value]
    assert at.button(key="upload_use").disabled
    # its whole distribution, each answer with its count and weighted share (weights 1.2, 0.8, 1.0, 1.0, 0.6)
    boxes = {c.label.replace("\\", ""): c for c in at.checkbox if "_pos_" in str(c.key)}
    assert {"Brilliant (16 answers, 47.8%)", "Okay-ish (16 answers, 30.4%)", "Rubbish (8 answers, 21.7%)"} <= set(boxes)
    preview = _preview(at)
    assert preview.loc["rate_panel", "Still to do"] == "tick its positive answers"
    assert preview.loc["heard_panel", "Positive (%)"] == pytest.approx(100 * 3.2 / 4.6)

    boxes["Brilliant (16 answers, 47.8%)"].check().run()
    assert not at.exception
    assert any(s.value == "The codebook fits the data." for s in at.success)
    assert not [w for w in at.warning if "favourable" in w.value]
    assert not at.button(key="upload_use").disabled
    shown = _preview(at).loc["rate_panel"]
    assert shown["Positive (%)"] == pytest.approx(100 * 2.2 / 4.6) and shown["Unweighted base"] == 40
    assert any("47.8% positive (base 40, weighted 36.8)" in c.value.replace("\\", "") for c in at.caption)

    # a second tick moves the preview before the survey is used
    next(c for c in at.checkbox if c.label.replace("\\", "").startswith("Okay-ish")).check().run()
    assert _preview(at).loc["rate_panel", "Positive (%)"] == pytest.approx(100 * 3.6 / 4.6)
    at.button(key="upload_use").click().run()
    assert any("Loaded Rating survey 2023" in s.value for s in at.success)
    at = goto(at, "overview")
    assert any(m.value == "78%" for m in at.metric), [(m.label, m.value) for m in at.metric]


def test_upload_page_shows_audience_wave_and_changeable_columns(app):
    at = _upload_rating(app)
    key = next(w.key for w in at.selectbox if str(w.key).startswith("cb_audience_"))
    assert at.selectbox(key=key).value == "frontline"
    assert next(w for w in at.text_input if str(w.key).startswith("cb_wave_")).value == "2023"  # from the title
    region = next(w for w in at.selectbox if str(w.key).startswith("cb_region_"))
    assert region.value == "region" and "London" in " ".join(c.value for c in at.caption)
    region.set_value("(none)").run()
    assert not at.exception
    at.selectbox(key=key).set_value("partners").run()
    next(w for w in at.text_input if str(w.key).startswith("cb_wave_")).set_value("2024").run()
    next(c for c in at.checkbox if c.label.replace("\\", "").startswith("Brilliant")).check().run()
    at.button(key="upload_use").click().run()
    from feedback.survey import codebook as cbmod

    used = cbmod.load_codebook(cbmod.dump_codebook(at.session_state["survey_upload"]["codebook"]))
    assert (used.audience, used.wave, used.region) == ("partners", "2024", "")
    assert used.questions[0].positive == ["Brilliant"] and used.questions[0].check == ""


def test_annex_builder_offers_the_upload(app):
    at = _upload_rating(app)
    next(c for c in at.checkbox if c.label.replace("\\", "").startswith("Brilliant")).check().run()
    at.button(key="upload_use").click().run()
    at = goto(at, "annex")
    surveys = at.multiselect(key="annex_surveys")
    assert "Your upload: Rating survey 2023" in surveys.options
    assert surveys.value == ["Your upload: Rating survey 2023"]  # chosen instead of the samples
    assert PARTNERS in surveys.options and TABLES not in surveys.options
    assert any("Your upload is offered" in i.value for i in at.info)
    at.checkbox(key="annex_part_roundtables").uncheck()
    at.checkbox(key="annex_part_audits").uncheck()
    at.button(key="annex_build").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Annex drafted" in s.value for s in at.success)


def test_upload_questions_of_one_multi_select_are_shown_together(app):
    at = goto(app, "upload")
    rows = [("Police", "London", "Selected", "Not selected", "Yes"),
            ("Health", "London", "Not selected", "Selected", "No")]
    csv = "role,region,Q7_1,Q7_2,Q8\n" + "\n".join(",".join(r) for r in rows * 10)
    codebook = '[survey]\ntitle = "Sets"\n[columns]\nrole = "role"\nregion = "region"\n' + "".join(
        f'[[questions]]\nid = "{qid}"\ncolumn = "{col}"\ntext = "{text}"\nkind = "{kind}"\npositive = ["{pos}"]\n'
        + ('question_set = "Where do you hear about the Panel?"\n' if kind == "multi_select" else "")
        for qid, col, text, kind, pos in [("hear_letters", "Q7_1", "Letters", "multi_select", "Selected"),
                                          ("heard", "Q8", "Heard of it", "yes_no", "Yes"),
                                          ("hear_web", "Q7_2", "Website", "multi_select", "Selected")])
    at.file_uploader(key="upload_codebook").set_value(("sets.toml", codebook.encode(), "application/toml"))
    at.file_uploader(key="upload_file").set_value(("sets.csv", csv.encode(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.subheader] == ["Where do you hear about the Panel?"]
    ids = [w.value for w in at.text_input if str(w.key).startswith("cb_q") and str(w.key).endswith("_id")]
    assert ids == ["hear_letters", "hear_web", "heard"]  # the set's two questions side by side
    assert any(s.value == "The codebook fits the data." for s in at.success)


def test_upload_a_question_added_by_hand_shows_its_kind_and_asks_for_its_answers(app):
    at = goto(app, "upload")
    csv, _ = _rating_survey()
    codebook = ('[survey]\ntitle = "Added 2023"\n[columns]\nrole = "role"\nregion = "region"\nweight = "weight"\n'
                '[[questions]]\nid = "heard_panel"\ncolumn = "Q6 Heard of it"\ntext = "Heard?"\nkind = "yes_no"\n'
                'positive = ["Yes"]\n')
    at.file_uploader(key="upload_codebook").set_value(("added.toml", codebook.encode(), "application/toml"))
    at.file_uploader(key="upload_file").set_value(("added.csv", csv, "text/csv"))
    at.run()
    assert any(s.value == "The codebook fits the data." for s in at.success)
    add = next(w for w in at.selectbox if str(w.key).startswith("cb_add_") and not str(w.key).startswith("cb_add_b"))
    assert add.options == ["Q5 How would you rate it"]  # role, region, weight and used columns are not offered
    add.set_value("Q5 How would you rate it").run()
    next(b for b in at.button if str(b.key).startswith("cb_add_button_")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    kind = [w for w in at.selectbox if str(w.key).startswith("cb_q1_") and str(w.key).endswith("_kind")][0]
    assert kind.value == "agreement"  # shown, and saved as shown
    assert any("1 question still needs its positive answers ticked" in w.value for w in at.warning)
    next(c for c in at.checkbox if c.label.startswith("Rubbish")).check().run()
    kind.set_value("usefulness").run()
    at.button(key="upload_use").click().run()
    from feedback.survey import codebook as cbmod

    added = cbmod.load_codebook(cbmod.dump_codebook(at.session_state["survey_upload"]["codebook"])).questions[1]
    assert (added.id, added.kind, added.positive, added.check) == (cbmod.short_id("Q5 How would you rate it"),
                                                                    "usefulness", ["Rubbish"], "")


def test_upload_forms_show_answers_and_question_text_literally(app):
    at = goto(app, "upload")
    answers = ["**Yes**", "[No](https://evil.example/x)", ":red[Maybe]"]
    csv = "role,region,Q1\n" + "\n".join(f"Police,London,{answers[i % 3]}" for i in range(30))
    codebook = ('[survey]\ntitle = "T"\n[columns]\nrole = "role"\nregion = "region"\n[[questions]]\nid = "q1"\n'
                'column = "Q1"\ntext = "<b>Bold</b> [click](https://evil.example)"\nkind = "yes_no"\n'
                'positive = []\ncheck = "why"\n')
    at.file_uploader(key="upload_codebook").set_value(("t.toml", codebook.encode(), "application/toml"))
    at.file_uploader(key="upload_file").set_value(("t.csv", csv.encode(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [c.label for c in at.checkbox if "_pos_" in str(c.key)]
    assert len(labels) == 3
    shown = " ".join([*labels, *(e.label for e in at.expander), *(c.value for c in at.caption)])
    assert "](https://evil.example" not in shown and "**Yes**" not in shown and ":red[" not in shown
    assert "\\*\\*Yes\\*\\* (10 answers, 33.3%)" in labels


def test_upload_a_tentative_suggestion_is_confirmed_or_changed(app):
    at = goto(app, "upload")
    csv, codebook = _rating_survey()
    codebook = codebook.replace(b'positive = []\ncheck = "why"', b'positive = ["Brilliant"]\ncheck = "why"')
    at.file_uploader(key="upload_codebook").set_value(("rating.toml", codebook, "application/toml"))
    at.file_uploader(key="upload_file").set_value(("rating.csv", csv, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.success if "fits the data" in s.value]  # ticked by the suggestion, not a person
    confirm = next(c for c in at.checkbox if str(c.key).endswith("_confirm"))
    confirm.check().run()
    assert any(s.value == "The codebook fits the data." for s in at.success)
    assert not [c for c in at.checkbox if str(c.key).endswith("_confirm")]  # settled: nothing left to confirm


def test_upload_a_platform_export_shows_its_multi_select_and_grid_as_sets(app):
    at = goto(app, "upload")
    path = ROOT / "tests" / "fixtures" / "suppliers" / "qualtrics_partners.csv"
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sets = [s.value.replace("\\", "") for s in at.subheader]
    assert any(s.startswith("Q5. Which of the following Panel publications") for s in sets), sets
    assert any(s.startswith("Q6. How would you rate the Panel's communication") for s in sets), sets
    titles = [e.label.replace("\\", "") for e in at.expander]
    assert any(t.endswith(": Annual report") for t in titles), titles  # an option by its own words


def test_upload_page_names_the_layout_read_and_why_each_column_was_chosen(app):
    """A Qualtrics export: the page says which layout it read, and under the role, region and weight
    boxes why the suggestion chose each column (the region found by its values)."""
    path = ROOT / "tests" / "fixtures" / "suppliers" / "qualtrics_partners.csv"
    expected = load_codebook(path.with_name("qualtrics_partners.expected.toml"))
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    texts = " ".join(t.value for t in at.text)
    assert "Read as a Qualtrics CSV export" in texts
    region_box = next(w for w in at.selectbox if w.key.startswith("cb_region_"))
    assert region_box.value == expected.region
    reasons = [e.value.replace("\\", "") for e in [*at.caption, *at.warning]]  # plain text escapes ":"
    said = [r for r in reasons if r.startswith(("Suggested: ", "Check: "))]
    assert len(said) == 3, said  # role, region and weight, each with its reason
    assert any("region" in r.lower() for r in said)
