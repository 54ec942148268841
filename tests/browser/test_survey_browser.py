"""The survey explorer in a real browser (Playwright + Debian's Chromium) against
`streamlit run app.py`: region in the sidebar, upload, chart and table downloads.
Screenshots of every page go to the test's tmp folder and /tmp/screens/."""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.browser.conftest import LOADED_MS, choose_region, laid_out, screenshot, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
SURVEYS = ROOT / "data" / "surveys"

pytestmark = pytest.mark.timeout(300)


def open_page(page, url: str) -> None:
    page.goto(url)
    try:
        wait_for_app(page)
    except Exception:
        page.screenshot(path="/tmp/screens/survey_open_page_failed.png")
        raise
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')
    wait_for_app(page)


def shot(page, name: str, tmp_path: Path) -> Path:
    """Screenshot of the whole page: Streamlit scrolls inside its main area, so the
    viewport is stretched to the content's height for the picture, then restored."""
    wait_for_app(page)
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": 1280, "height": max(800, min(int(height) + 40, 12000))})
    laid_out(page)
    try:
        return screenshot(page, name, tmp_path)
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def png_ppi(png: bytes) -> float | None:
    pos = 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        if png[pos + 4:pos + 8] == b"pHYs":
            ppm, _, unit = struct.unpack(">IIB", png[pos + 8:pos + 17])
            return ppm * 0.0254 if unit == 1 else None
        pos += 12 + length
    return None


def cli_rates(*args: str) -> pd.DataFrame:
    out = subprocess.run([sys.executable, "-m", "feedback", "rates", *args, "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return pd.DataFrame(json.loads(out.stdout))


def test_region_changes_base_and_downloads_match_cli(app_url, page, tmp_path):
    open_page(page, app_url)
    page.wait_for_selector("text=Headline figures", timeout=LOADED_MS)
    assert "Survey overview" in main_text(page)
    assert not page.locator('[data-testid="stException"]').count()
    shot(page, "survey_overview", tmp_path)
    # No horizontal scrolling at 1280x800.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280

    open_page(page, f"{app_url}/results")
    page.wait_for_selector("text=Base: all safeguarding partners (139)")
    shot(page, "survey_results_england", tmp_path)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    choose_region(page, "London")
    page.wait_for_selector("text=Base: all safeguarding partners (30). Region: London.")
    assert "region=London" in page.url
    assert "(139)" not in main_text(page).split("Table")[0]
    shot(page, "survey_results_london", tmp_path)

    # A regional lead's bookmark: the same address in a new tab opens on London.
    bookmark = page.context.new_page()
    open_page(bookmark, page.url)
    bookmark.wait_for_selector("text=Base: all safeguarding partners (30). Region: London.")
    bookmark.close()

    # Chart PNG: a real PNG at 200 ppi, big enough for print.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download chart (PNG)").first.click()
    png = Path(info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert round(png_ppi(png)) == 200 and width >= 1200 and len(png) > 20_000
    (tmp_path / "chart.png").write_bytes(png)
    Path("/tmp/screens/survey_downloaded_chart.png").write_bytes(png)

    # Results tables XLSX (publication layout): the same numbers as the command line for the same choices.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download tables (XLSX, for publication)").first.click()
    assert info.value.suggested_filename.endswith("_role_london.xlsx")
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    notes = " ".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r)
    assert "London" in notes and "[c]" in notes
    ws = wb[wb.sheetnames[4]]  # the tidy layout, header under the title row
    rows = list(ws.values)
    got = pd.DataFrame(rows[2:], columns=rows[1])
    # England's total sits beside London's ("London (all)"); the command line gives London alone.
    assert set(got.loc[got["Grouping"] == "England", "Group"]) == {"England"}
    sheet_rows = [r + 3 for r in got.index[got["Grouping"] != "England"]]  # worksheet rows of London's figures
    got = got[got["Grouping"] != "England"].reset_index(drop=True)
    got["Group"] = got["Group"].replace({"London (all)": "Total"})
    cli = cli_rates(str(SURVEYS / "partners_2021.sav"), "--codebook", str(SURVEYS / "partners_2021.toml"),
                    "--by", "role", "--filter", "region=London")
    cli = cli[cli["question_text"].isin(got["Question"])].reset_index(drop=True)
    assert got["Question"].tolist() == cli["question_text"].tolist()
    assert got["Group"].tolist() == cli["group"].tolist()
    assert got["Unweighted n"].tolist() == cli["n"].tolist()
    flags = cli["flag"].fillna("")
    assert (got["Positive (%)"] == "[c]").tolist() == (flags == "[c]").tolist()
    value_col = list(rows[1]).index("Positive (%)") + 1  # [u]: a number whose format shows the marker
    marked = ["[u]" in ws.cell(r, value_col).number_format for r in sheet_rows]
    assert marked == (flags == "[u]").tolist()
    shown = got["Positive (%)"] != "[c]"
    # "(%)" columns hold percentages (87.05), the command line proportions (0.8705)
    pd.testing.assert_series_equal(got.loc[shown, "Positive (%)"].astype(float) / 100,
                                   cli.loc[shown, "p"].astype(float),
                                   check_names=False, check_index=False, rtol=1e-12)


def test_upload_sample_xlsx_and_see_its_results(app_url, page, tmp_path):
    # Open the app's root first: on a fresh server whose very first request is a deep link,
    # Streamlit runs the page in its legacy pages/ mode (without app.py) until app.py has run once.
    open_page(page, f"{app_url}/upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(SURVEYS / "frontline_2021.xlsx"))
    page.wait_for_selector("text=307 respondents", timeout=LOADED_MS)
    wait_for_app(page)
    shot(page, "survey_upload", tmp_path)
    page.get_by_role("button", name="Use this survey in every page").click()
    page.wait_for_selector("text=Every survey page now offers it")
    page.get_by_role("link", name="See its results").click()
    wait_for_app(page)
    page.wait_for_selector("text=Base:")
    page.wait_for_selector("text=Questions")
    wait_for_app(page)
    text = main_text(page)
    if "Q1_heard_of_panel" not in text:
        shot(page, "survey_results_upload_failed", tmp_path)
    chosen = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.evaluate(
        "e => e.innerText + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')")
    # Named by the title read from the file's title rows.
    assert "Your upload: Frontline professionals survey 2021" in chosen, chosen
    assert "Q1_heard_of_panel" in text  # the file's header, the question's text in the suggestion
    assert re.search(r"Base: all respondents \(307, weighted 307\)", text) or "(307" in text, text[:2000]
    shot(page, "survey_results_upload", tmp_path)

    open_page(page, f"{app_url}/compare")
    page.wait_for_selector("text=A positive difference means", timeout=LOADED_MS)
    assert "compared with" in main_text(page)
    shot(page, "survey_compare", tmp_path)
