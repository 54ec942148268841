"""The annex's audit key figures: a regional annex's chart and table show England beside the region
(the region's suppressed shares stay [c]); the national annex's are as before."""

from __future__ import annotations

import json

import pytest

from feedback import charts, db, sample_data
from feedback.report import audit_findings
from feedback.report.document import Chart
from feedback.report.figures import Figures


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('annex') / 'a.sqlite3'}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    return engine


def _chart(blocks) -> Chart:
    return next(b for b in blocks if isinstance(b, Chart))


def test_a_regional_annex_draws_england_beside_the_region(engine, monkeypatch):
    drawn = []
    real = audit_findings.audit_charts.criteria_chart
    monkeypatch.setattr(audit_findings.audit_charts, "criteria_chart",
                        lambda *a, **k: drawn.append(real(*a, **k)) or drawn[-1])
    chart = _chart(audit_findings.audit_findings(engine, Figures(), region="London", year="2020-21", ppi=72))
    spec = json.dumps(charts.vega_spec(drawn[-1]))
    assert '"__series": "England"' in spec and '"__series": "London"' in spec
    assert "England: 13 of 18 (72%) [u]" in spec and "London: " in spec and " [c]" in spec
    table = chart.table.frame
    assert table["Fully or partly (interval)"].eq("[c]").all()  # London's shares stay suppressed
    assert table["England: fully or partly (interval)"].str.match(r"\d+ of 18: \d+% \[u\] \(\d+% to \d+%\)").all()
    assert "two bars, London's and England's as a whole" in chart.alt and "England: “" in chart.alt
    assert "every London share is suppressed [c]" in chart.alt
    assert "London beside England" in chart.caption
    assert "[c] fewer than 10" in chart.notes and "[u] fewer than 30" in chart.notes
    assert chart.png.startswith(b"\x89PNG")


def test_the_national_annex_chart_is_unchanged(engine):
    chart = _chart(audit_findings.audit_findings(engine, Figures(), year="2020-21", ppi=72))
    assert list(chart.table.frame.columns) == ["Criterion", "Fully", "Partly", "Not evidenced", "Reports",
                                               "Fully or partly (interval)", "Reference"]
    assert "England" not in chart.alt and chart.caption.endswith("each criterion, 2020-21")
    assert chart.table.frame["Fully or partly (interval)"].str.match(r"\d+% \[u\] \(\d+% to \d+%\)").all()
