"""The Trends page model (feedback.survey.trends) and its annex pack (feedback.download_pack.trends_annex)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from feedback import download_pack
from feedback.survey import trends, waves


def test_roundtable_themes_by_year_counts_each_point_once_per_theme_and_shows_every_theme():
    coded = pd.DataFrame({
        "point_id": [1, 1, 2, 3, 4],
        "theme": ["Training", "Training", "Training", "Data", "Data"],  # point 1 coded twice under one theme
        "region": ["London", "London", "London", "London", "North East"],
        "event_date": ["2023-05-01", "2023-05-01", "2024-02-01", None, "2024-03-01"],
    })
    out = trends.roundtable_themes_by_year(coded, ["Training", "Data", "Leadership"], region="London")
    points = {(r.Theme, r.year): r.points for r in out.itertuples(index=False)}
    assert points[("Training", "2023")] == 1 and points[("Training", "2024")] == 1
    assert points[("Data", "2024")] == 0  # the North East point is not London's
    assert points[("Leadership", "2023")] == 0 and set(out["Theme"]) == {"Training", "Data", "Leadership"}


def test_trends_annex_holds_a_chart_per_question_and_the_two_tables():
    series = trends.sample_waves("partners")
    trend = waves.trend(series, by=(("role",),))
    change = waves.change(*series, by=(("role",),))
    first = list(pd.unique(trend["question"]))[:2]
    trend, change = trend[trend["question"].isin(first)], change[change["question"].isin(first)]
    content = download_pack.trends_annex(trend, change, title="Partners: trends", region=None, grouping="Role", ppi=50)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    for i, qid in enumerate(first, start=1):
        assert f"charts/{i:02d}_{qid.lower()}_trend.png" in names, (qid, names)
    assert {"tables/change.xlsx", "tables/trend.csv", "methods.txt"} <= set(names)
    assert len([n for n in names if n.endswith(".png")]) == len(first)


def test_trends_pack_names_differ_by_series_grouping_and_region():
    """Two trends packs (another grouping, region or series) never overwrite each other; nor a Results pack."""
    name = download_pack.pack_name("Safeguarding partners", "Role", "London", what="trends")
    assert name == "annex-pack_trends_safeguarding-partners_role_london.zip"
    others = {download_pack.pack_name("Safeguarding partners", "Region", "London", what="trends"),
              download_pack.pack_name("Safeguarding partners", "Role × region", "London", what="trends"),
              download_pack.pack_name("Safeguarding partners", "Role", None, what="trends"),
              download_pack.pack_name("Safeguarding partners", "Role", "North West", what="trends"),
              download_pack.pack_name("Frontline professionals", "Role", "London", what="trends"),
              download_pack.pack_name("Safeguarding partners", "Role", "London")}
    assert name not in others and len(others) == 6
