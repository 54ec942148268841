"""The Upload page's per-question forms in a real browser: upload a CSV, use it, fix one
question's positive answers in its form, use it again, and see the Overview's figure change
to the share the test computes itself."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.browser.conftest import open_expanders, problems, screenshot, tall_screenshot, wait_for_app

pytestmark = pytest.mark.timeout(300)
RATING = "Overall, how would you rate the Panel's communication with your organisation?"
SCALE = ["Very good", "Fairly good", "Fairly poor", "Very poor"]


def _survey() -> pd.DataFrame:
    rng = np.random.default_rng(2023)
    n = 240
    return pd.DataFrame({
        "Job role": rng.choice(["Police", "Health", "Local authority"], n),
        "Region": rng.choice(["London", "North West", "South East"], n),
        "weight": np.round(rng.uniform(0.5, 1.5, n), 3),
        f"Q5. {RATING}": rng.choice(SCALE, n, p=[0.15, 0.28, 0.32, 0.25]),
        "Q6. Before today, had you heard of the Panel?": rng.choice(["Yes", "No"], n),
    })


def _share(frame: pd.DataFrame, answers: list[str]) -> float:
    w = frame["weight"]
    return float(w[frame[f"Q5. {RATING}"].isin(answers)].sum() / w.sum())


def _overview_figure(page, app_url: str) -> str:
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Overview", exact=True).first.click()
    wait_for_app(page)
    card = page.locator('[data-testid="stVerticalBlock"]', has_text=RATING).filter(
        has=page.locator('[data-testid="stMetricValue"]')).last
    card.wait_for(timeout=60_000)
    return card.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def _use(page) -> None:
    button = page.get_by_role("button", name="Use this survey in every page")
    button.scroll_into_view_if_needed()
    button.click()
    page.get_by_text("Every survey page now offers it").wait_for(timeout=60_000)
    wait_for_app(page)


def test_fix_a_question_in_its_form_and_the_overview_changes(app_url, page, tmp_path):
    frame = _survey()
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        files=[{"name": "communication_2023.csv", "mimeType": "text/csv",
                "buffer": frame.to_csv(index=False).encode()}])
    page.wait_for_selector("text=240 respondents", timeout=90_000)
    wait_for_app(page)
    tall_screenshot(page, "upload_forms_suggested", tmp_path, height=4200)

    _use(page)
    before = _overview_figure(page, app_url)

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Upload a survey", exact=True).first.click()
    wait_for_app(page)
    page.get_by_text("Still working on communication_2023.csv").wait_for(timeout=60_000)
    form = page.locator('[data-testid="stExpander"]').filter(has=page.locator("summary", has_text=RATING)).first
    if not form.get_by_role("checkbox").first.is_visible():
        form.locator("summary").first.click()
        wait_for_app(page)
    # Only "Very good" counts as positive: tick and untick with the keyboard-usable checkboxes.
    for answer in SCALE:
        box = form.get_by_role("checkbox", name=re.compile(rf"^{answer} \(\d+ answers, [\d.]+%\)$"))
        box.wait_for(timeout=30_000)
        if box.is_checked() != (answer == "Very good"):
            box.focus()
            page.keyboard.press("Space")
            wait_for_app(page)
    expected = _share(frame, ["Very good"])
    # every form open: axe-core finds nothing serious (labels on every input, headings in order)
    open_expanders(page, page.locator('[data-testid="stMain"]'))
    wait_for_app(page)
    found = problems(page, "Upload a survey, every question's form open")
    assert not found, "\n".join(found)
    preview = form.get_by_text(re.compile(r"^Preview: ")).inner_text()
    assert f"{100 * expected:.1f}% positive (base 240" in preview, preview
    screenshot(page, "upload_forms_fixed", tmp_path)
    tall_screenshot(page, "upload_forms_fixed_whole", tmp_path, height=4200)

    _use(page)
    after = _overview_figure(page, app_url)
    assert after == f"{100 * expected:.0f}%", (before, after)
    assert after != before
    screenshot(page, "upload_forms_overview", tmp_path)
