"""Explorer re-render timing (issue 3): server time of the survey pages when the
region or the questions change, on the embedded sample surveys.

    .venv/bin/python scripts/measure_explorer.py

Runs app.py under Streamlit's AppTest and times each page script (wall clock
and CPU time of the script thread) by wrapping ``StreamlitPage.run``. Caches
are warm (each region seen once), as for a user moving between regions; the
last line clears the caches first (a region nobody has viewed yet).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"
REGIONS = ["London", "North West", "All England", "South East", "Yorkshire and the Humber"]
PARTNER_QUESTIONS = ["understand_remit", "well_informed", "knowledge_improved", "trusted_source",
                     "identifies_improvements"]
TIMES: list[tuple[float, float]] = []
_run = StreamlitPage.run


def _timed_run(self):
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        return _run(self)
    finally:
        TIMES.append((time.perf_counter() - wall, time.thread_time() - cpu))


StreamlitPage.run = _timed_run


def measure(at: AppTest, name: str, change, n: int = 15, warm: bool = True) -> None:
    if warm:
        for i in range(len(REGIONS)):
            change(i)
            at.run()
    TIMES.clear()
    for i in range(n):
        change(i)
        at.run()
        assert not at.exception, at.exception
    wall = sorted(w for w, _ in TIMES)
    cpu = [c for _, c in TIMES]
    print(f"| {name} | {1000 * statistics.median(wall):.0f} | {1000 * wall[int(0.9 * (len(wall) - 1))]:.0f} | "
          f"{1000 * statistics.median(cpu):.0f} | {n} |")


def main() -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()

    def region(i):
        at.session_state["region"] = REGIONS[i % len(REGIONS)]

    def questions(i):
        q = PARTNER_QUESTIONS
        at.multiselect(key="survey_questions").set_value([q[i % 5], q[(i + 1) % 5], q[(i + 2) % 5]])

    def cold_region(i):
        st.cache_data.clear()
        region(i)

    print("| Change (sample data) | median ms | 90th centile ms | CPU median ms | runs |")
    print("|---|---:|---:|---:|---:|")
    at.switch_page("pages/results.py").run()
    measure(at, "Results: region, partners by role, 3 charts", region)
    measure(at, "Results: questions, partners by role, 3 charts", questions)
    at.radio(key="survey_grouping").set_value("Role × region").run()
    measure(at, "Results: region, partners by role × region", region)
    at.radio(key="survey_grouping").set_value("Role").run()
    at.selectbox(key="survey_choice").set_value("Frontline professionals 2021 (sample)").run()
    at.multiselect(key="survey_questions").set_value(["heard_of_panel", "aware_panel_reviews",
                                                      "know_thematic_reviews"]).run()
    measure(at, "Results: region, frontline (weighted) by role", region)
    for page in ("overview", "compare"):
        at.switch_page(f"pages/{page}.py").run()
        measure(at, f"{page.capitalize()}: region", region)
    at.switch_page("pages/results.py").run()
    measure(at, "Results: region, caches cleared (cold: reads the file again)", cold_region, n=6, warm=False)


if __name__ == "__main__":
    main()
