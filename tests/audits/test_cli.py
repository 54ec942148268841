"""The CLI gives the same figures as the page, from the sample files or a database."""

import io

import pandas as pd

from feedback.__main__ import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["audits", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_submission_rate_and_published_figures_from_the_sample(capsys):
    code, out, _ = run(capsys, "submission-rate", "--year", "2020-21", "--by", "2022-06-01", "--sample",
                       "--format", "csv")
    table = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    england = table.set_index("region").loc["England"]
    assert code == 0 and (england["partnerships"], england["received"]) == (137, 67)
    code, out, _ = run(capsys, "published", "--sample", "--format", "csv")
    assert code == 0 and "False" not in out and out.count("True") == 11


def test_bad_arguments_exit_2_with_a_plain_message(capsys):
    code, _, err = run(capsys, "submission-rate", "--year", "2020-21", "--by", "June", "--sample")
    assert code == 2 and "is not a date" in err
    code, _, err = run(capsys, "summary", "--year", "2020", "--sample")
    assert code == 2 and "write it like 2020-21" in err


def test_import_into_a_database_then_summarise(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    code, out, _ = run(capsys, "summary", "--year", "2020-21", "--format", "csv", "--database-url", url)
    assert code == 0
    before = pd.read_csv(io.StringIO(out.lstrip("\ufeff"))).set_index("criterion")
    assert before.loc["impact", "n"] == 18                      # the sample was seeded into the empty database
    template = tmp_path / "audits.csv"
    assert run(capsys, "template", str(template))[0] == 0
    frame = pd.read_csv(template, dtype=str, encoding="utf-8-sig")
    row = {c: "" for c in frame.columns} | {"partnership": "London sample partnership 01",
                                            "reporting_year": "2020-21", "auditor": "CLI test"}
    for c in frame.columns:
        if c not in row or row[c] == "":
            if not c.endswith(("_page", "_quote")) and c not in ("audited_on", "priorities", "practice_themes",
                                                                  "notes", "partnership", "reporting_year", "auditor"):
                row[c] = "Not evidenced"
    pd.DataFrame([row]).to_csv(template, index=False)
    code, out, err = run(capsys, "import", str(template), "--who", "Tester", "--database-url", url)
    assert (code, err) == (0, "") and "imported 1 audits" in out
    code, out, _ = run(capsys, "summary", "--year", "2020-21", "--format", "csv", "--database-url", url)
    after = pd.read_csv(io.StringIO(out.lstrip("\ufeff"))).set_index("criterion")
    assert after.loc["impact", "n"] == 19 and after.loc["impact", "not_evidenced"] == 12
    # importing the same file again is refused and changes nothing
    code, _, err = run(capsys, "import", str(template), "--who", "Tester", "--database-url", url)
    assert code == 2 and "already audited" in err
