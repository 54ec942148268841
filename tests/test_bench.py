"""The benchmark (python tools/bench.py, `make bench`): it runs on small sizes and writes its
sections into a performance report, keeping the rest. Running it takes a while, so the two tests
that run it are marked slow: `make test` runs them, `make test-fast` does not."""

import pytest

from tools import bench


@pytest.mark.slow
def test_benchmark_script_runs_small_and_reports(tmp_path):
    target = tmp_path / "performance.md"
    assert bench.main(["--sizes", "1500", "--questions", "5", "--repeats", "1", "--read-sizes", "",
                       "--design-size", "3000", "--design-repeats", "1", "--design-naive-questions", "1",
                       "--r-questions", "1", "--write", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "## Machine" in text and "| 1,500 | 250 |" in text


def test_benchmark_limits_write_their_section_and_fail_when_a_target_is_missed(tmp_path, monkeypatch):
    """``--limits`` writes its section, keeping the rest, and exits 1 when a timed upload is over the
    limit (the timings are the benchmark's, on the machine it runs on: faked here)."""
    target = tmp_path / "performance.md"
    target.write_text("# Performance\n\n## Before\n\nkept\n", encoding="utf-8")
    row = {"what": "CSV of 2,000 columns", "bytes": 40_000, "wall": 2.0, "cpu": 1.0, "target": True}
    monkeypatch.setattr(bench, "limits", lambda repeats, log: [dict(row)])
    assert bench.main(["--limits", "--write", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "kept" in text and "| CSV of 2,000 columns | 39 KB | 2.00 s | 1.00 s | under 5 s: met on CPU time" in text
    monkeypatch.setattr(bench, "limits", lambda repeats, log: [dict(row, wall=9.0, cpu=6.0)])
    assert bench.main(["--limits", "--write", str(target)]) == 1
    assert "under 5 s: NOT MET on CPU time" in target.read_text(encoding="utf-8")
    assert len(bench.wide_csv(2000).splitlines()[0].split(b",")) == 2000


@pytest.mark.slow
def test_benchmark_design_only_rewrites_its_section_where_it_stands(tmp_path):
    target = tmp_path / "performance.md"
    target.write_text("# Performance\n\n## Before\n\nkept a\n\n## Design-based tests, side by side\n\n"
                      "old figures\n\n## After\n\nkept b\n", encoding="utf-8")
    assert bench.main(["--design-only", "--design-size", "3000", "--questions", "5", "--design-repeats", "1",
                       "--design-naive-questions", "1", "--r-questions", "1", "--write", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "old figures" not in text and "kept a" in text and "kept b" in text
    assert text.index("## Before") < text.index("## Design-based tests") < text.index("## After")
    assert "3,000 respondents x 5 questions" in text and "(aim: at least 50x): " in text
