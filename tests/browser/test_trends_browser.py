"""The Trends page in a real browser: open it for a region on the two sample waves and
see a change with its interval; the PNG export downloads. Screenshots go to /tmp/screens/."""

from __future__ import annotations

import pytest

from feedback.survey import trends, waves
from tests.browser.conftest import LOADED_MS, problems, tall_screenshot, until_shown, wait_for_app

pytestmark = pytest.mark.timeout(600)


def test_trends_for_a_region_shows_change_with_interval(app_url, page, tmp_path):
    page.goto(app_url)  # the first run of a fresh server seeds the database
    wait_for_app(page)
    page.goto(f"{app_url}/trends?region=London")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1:has-text("Trends")', timeout=LOADED_MS)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    # the first run reads four survey files and computes every change: slow on a busy machine
    main.get_by_text("What changed", exact=True).wait_for(timeout=180_000)
    main.get_by_text("pts", exact=False).first.wait_for(timeout=120_000)
    wait_for_app(page)
    text = main.inner_text()
    assert "Region: London" in text and "Change, 2021 to 2022 (synthetic)" in text
    london = waves.change(*trends.sample_waves("partners"), by=(("role",),), filter={"region": "London"})
    heard = london[(london["question"] == "understand_remit") & (london["by"] == "total")].iloc[0]
    # the first question's change (London: a domain of each wave) in the metric, and its interval in words beside it
    assert f"{100 * heard['change']:+.1f} pts" in text
    assert f"{100 * heard['ci_low']:+.1f} to {100 * heard['ci_high']:+.1f} points" in text
    assert "significant" in text
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
    with page.expect_download() as info:
        main.get_by_role("button", name="Download chart (PNG)").first.click()
    assert info.value.suggested_filename.endswith(".png")
    with page.expect_download(timeout=240_000) as pack:  # built on click; named by series, grouping, region
        main.get_by_role("button", name="Download annex pack (ZIP)").click()
    expected = "annex-pack_trends_safeguarding-partners-respondent-level-data_role_london.zip"
    assert pack.value.suggested_filename == expected, pack.value.suggested_filename
    tall_screenshot(page, "trends_london_frontline", tmp_path, height=4200)


def test_next_years_upload_joins_the_waves(app_url, page, tmp_path):
    """Upload a survey whose codebook names a new wave: Trends adds it and shows the change to it."""
    from feedback.survey import examples

    surveys = examples.data_dir() / "surveys"
    codebook = (surveys / "partners_2022.toml").read_text(encoding="utf-8").replace(
        'wave = "2022 (synthetic)"', 'wave = "2023"')
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    uploads = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    # the codebook first, so that the form is drawn from it when the data arrive
    uploads.nth(1).set_input_files(files=[{"name": "partners_2023.toml", "mimeType": "application/toml",
                                           "buffer": codebook.encode()}])
    wait_for_app(page)
    uploads.nth(0).set_input_files(files=[{"name": "partners_2023.sav", "mimeType": "application/octet-stream",
                                           "buffer": (surveys / "partners_2022.sav").read_bytes()}])
    page.wait_for_selector("text=150 respondents", timeout=LOADED_MS)
    page.wait_for_function("() => [...document.querySelectorAll('input')].some("
                           "i => i.value === 'Safeguarding partners survey 2022 (synthetic)')", timeout=LOADED_MS)
    wait_for_app(page)
    use = page.get_by_role("button", name="Use this survey in every page")
    until_shown(page, use.click, page.get_by_text("Every survey page now offers it."), timeout=LOADED_MS)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Trends", exact=True).first.click()
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Add your upload as the 2023 wave").wait_for(timeout=120_000)
    main.get_by_text("Change, 2022 (synthetic) to 2023", exact=False).first.wait_for(timeout=120_000)
    # the same records under a new label: nothing moved
    assert "no significant change" in main.inner_text().lower()
    tall_screenshot(page, "trends_with_uploaded_wave", tmp_path, height=3000)


def test_an_upload_sharing_no_id_is_matched_confirmed_and_joins(app_url, page, tmp_path):
    """A frontline survey from another supplier (its own question ids): the Upload page's form,
    then Trends offers its questions matched to the series' by wording; confirmed, it joins."""
    from feedback.survey import codebook as cbmod
    from feedback.survey import examples

    surveys = examples.data_dir() / "surveys"
    cb = cbmod.load_codebook((surveys / "frontline_2022.toml").read_text(encoding="utf-8"))
    ids = {q.id: f"q{i + 1}" for i, q in enumerate(cb.questions)}
    cb.wave, cb.audience = "2023", "frontline"
    for q in cb.questions:
        q.id, q.base_question = ids[q.id], ids.get(q.base_question, q.base_question)
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    uploads = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploads.nth(1).set_input_files(files=[{"name": "frontline_2023.toml", "mimeType": "application/toml",
                                           "buffer": cbmod.dump_codebook(cb).encode()}])
    wait_for_app(page)
    uploads.nth(0).set_input_files(files=[{"name": "frontline_2023.xlsx", "mimeType": "application/octet-stream",
                                           "buffer": (surveys / "frontline_2022.xlsx").read_bytes()}])
    page.wait_for_selector("text=380 respondents", timeout=90_000)
    wait_for_app(page)
    use = page.get_by_role("button", name="Use this survey in every page")
    until_shown(page, use.click, page.get_by_text("Every survey page now offers it."), timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Trends", exact=True).first.click()
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("shares no question id with these waves", exact=False).wait_for(timeout=120_000)
    wait_for_app(page)
    text = main.inner_text()
    chosen = main.locator('[data-testid="stSelectbox"]').first.evaluate(
        "e => e.innerText + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')")
    assert "Frontline professionals, respondent-level data" in chosen, chosen  # opened on the upload's series
    assert "8 of its 8 questions match" in text
    found = problems(page, "Trends, questions to match")
    assert not found, "\n".join(found)
    tall_screenshot(page, "trends_match_questions", tmp_path, height=3200)
    main.get_by_role("button", name="Link these questions and add the upload").click()
    main.get_by_text("now carry the ids of the series' questions", exact=False).wait_for(timeout=120_000)
    main.get_by_text("Change, 2022 (synthetic) to 2023", exact=False).first.wait_for(timeout=120_000)
    wait_for_app(page)
    assert "no significant change" in main.inner_text().lower()  # the same records under a new label
    tall_screenshot(page, "trends_matched_upload_joined", tmp_path, height=3200)
