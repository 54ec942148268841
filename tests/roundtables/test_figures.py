"""The command line gives the page's numbers; charts show every label and carry their notes."""

from __future__ import annotations

import io
import json

import pandas as pd

from feedback.__main__ import main
from feedback.roundtables import figures, views
from feedback.roundtables.read import read_notes
from feedback.roundtables.themes import load_themes


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_totals_and_themes_from_files(capsys, sample_files):
    files = [str(f) for f in sample_files]
    code, out, _ = _run(capsys, "roundtables", "totals", *files, "--format", "csv")
    assert code == 0
    totals = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    assert totals.iloc[-1][["Events", "Attendees", "Partnerships"]].tolist() == [10, 448, 148]
    code, out, _ = _run(capsys, "roundtables", "themes-by-region", *files, "--format", "csv", "--region", "london")
    got = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    cb = load_themes()
    frames = views.frames_from_notes([read_notes(f.name, f.read_bytes()) for f in sample_files], cb)
    expected = views.themes_by_region(frames, cb, region="London").reset_index(drop=True)
    assert got["London"].tolist() == expected["London"].tolist()
    assert list(got.columns) == ["Theme", "Sub-theme", "London", "Total"]


def test_import_then_count_from_the_database(capsys, tmp_path, sample_files):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    notes = tmp_path / "extra.md"
    notes.write_text("Region: South West\n\n- CAMHS waiting lists are long.\n", encoding="utf-8")
    code, _, err = _run(capsys, "roundtables", "import", str(notes), "--who", "Ann", "--database-url", url)
    assert code == 2 and "date" in err and "extra.md" in err  # missing details are named
    code, out, _ = _run(capsys, "roundtables", "import", str(notes), "--who", "Ann", "--database-url", url,
                        "--date", "3 March 2022", "--attendees", "12", "--partnerships", "4",
                        "--panel-lead", "Sally Shearer")
    assert code == 0 and "imported 1 event" in out
    code, out, _ = _run(capsys, "roundtables", "totals", "--format", "csv", "--database-url", url)
    assert pd.read_csv(io.StringIO(out.lstrip("\ufeff"))).iloc[-1]["Attendees"] == 12
    code, out, _ = _run(capsys, "roundtables", "kappa", "Ann", "rules", "--format", "csv", "--database-url", url)
    assert code == 0 and "double_coded" in out


def test_exported_cells_are_neutralised(capsys, tmp_path):
    notes = tmp_path / "formula.csv"
    notes.write_text("Point,Region\n\"=cmd|' /C calc'!A0 information sharing\",London\n", encoding="utf-8")
    code, out, _ = _run(capsys, "roundtables", "read", str(notes))
    assert code == 0 and "=cmd" in out  # shown as text on screen
    # the point text only reaches a spreadsheet through feedback.export, which neutralises it
    from feedback.export import to_csv_bytes

    frame = read_notes(notes.name, notes.read_bytes()).points_frame()
    assert not to_csv_bytes(frame).decode("utf-8-sig").splitlines()[1].split(",", 3)[3].startswith("=")


def test_heat_chart_shows_every_label_and_no_legend(sample_files):
    cb = load_themes()
    frames = views.frames_from_notes([read_notes(f.name, f.read_bytes()) for f in sample_files], cb)
    table = views.themes_by_event(frames, cb)
    spec = json.dumps(figures.heat_chart(table, title="t", subtitle="s", sample=True).to_dict())
    assert '"labelOverlap": false' in spec and '"legend": null' in spec
    assert "Sample data built from the published summary" in spec
    alt = figures.heat_alt_text(table, title="t", subtitle="s")
    assert "Information sharing: 7 points" in alt
