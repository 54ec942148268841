"""Synthetic data for the benchmarks, the load test and the tests: surveys, roundtable points,
notes files, tracker workbooks and wide CSVs made from a seed, so the same figures can be
measured again. Not part of the app: nothing here is installed with the package.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from feedback.regions import REGIONS

ROLES = ["Education", "Health", "Police", "Social worker"]
AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree",
         "Strongly disagree", "Don't know"]
YES_NO = ["Yes", "No", "Not sure"]


def synthetic(n: int, questions: int = 40, seed: int = 0) -> tuple[pd.DataFrame, object]:
    """(frame, codebook): answers as categoricals, as a reader with value labels gives them.

    Every fifth question is a yes/no awareness question and the next one is
    routed on it ("of those aware"); the rest are agree scales.
    """
    from feedback.survey.codebook import Codebook, Question

    rng = np.random.default_rng(seed)
    role = rng.integers(0, len(ROLES), n)
    columns: dict[str, object] = {
        "respondent_id": np.arange(1, n + 1),
        "role": pd.Categorical.from_codes(role, ROLES),
        "region": pd.Categorical.from_codes(rng.integers(0, len(REGIONS), n), list(REGIONS)),
        "weight": rng.lognormal(0.0, 0.4, n),
    }
    qs = []
    aware_yes = None
    for j in range(questions):
        name = f"q{j + 1:02d}"
        missing = rng.random(n) < 0.03
        if j % 5 == 0:
            probs = np.array([0.3, 0.5, 0.6, 0.4])[role]
            codes = np.where(rng.random(n) < probs, 0, rng.integers(1, 3, n))
            codes = np.where(missing, -1, codes)
            columns[name] = pd.Categorical.from_codes(codes, YES_NO)
            aware_yes = codes == 0
            qs.append(Question(id=name, column=name, text=f"Aware of item {j + 1}?", kind="awareness",
                               positive=["Yes"], exclude=[], base_question="", base_label="All respondents"))
        else:
            codes = rng.choice(len(AGREE), n, p=[0.25, 0.35, 0.15, 0.1, 0.08, 0.07])
            routed = j % 5 == 1
            codes = np.where(missing | (routed & ~aware_yes), -1, codes)
            columns[name] = pd.Categorical.from_codes(codes, AGREE)
            base = f"q{j:02d}" if routed else ""
            qs.append(Question(id=name, column=name, text=f"Agree with statement {j + 1}?", kind="agreement",
                               positive=AGREE[:2], exclude=[], base_question=base,
                               base_label="Those aware" if routed else "All respondents"))
    frame = pd.DataFrame(columns)
    codebook = Codebook(title="Synthetic benchmark survey", audience="bench", fieldwork="", source="synthetic",
                        role="role", region="region", weight="weight", questions=qs)
    return frame, codebook


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same survey with plain text columns (as read from CSV or XLSX)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def text_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """The survey with every categorical as a text column, as ``read_survey`` gives CSV and XLSX answers."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("str").where(out[col].notna())
    return out


def tracker_workbook(n: int) -> bytes:
    """A tracker workbook of ``n`` new items (every column filled), as people import them."""
    from feedback.export import to_xlsx_bytes

    regions = [REGIONS[i % len(REGIONS)] for i in range(n)]
    items = pd.DataFrame({
        "Reference": [f"BENCH-{i:06d}" for i in range(n)],
        "Text": [f"Point {i} raised at a roundtable about multi-agency working and information sharing."
                 for i in range(n)],
        "Source": "roundtable event", "Source detail": "Bench roundtable", "Date raised": pd.Timestamp("2021-06-24"),
        "Regions": regions, "Themes": "Information sharing; Multi-agency working", "Sample data": "yes",
    })
    return to_xlsx_bytes({"Items": items}, percent_columns=())


def synthetic_points(n: int, seed: int = 0, duplicates: float = 0.05) -> list:
    """Distinct feedback points built from a vocabulary, with a share of near-copies (a word changed)."""
    from feedback.roundtables.read import Point

    rng = np.random.default_rng(seed)
    words = np.array(("partners data sharing schools police health social care reviews rapid local child "
                      "practice learning training funding delays agencies exploitation neglect housing courts "
                      "guidance thresholds referrals workforce capacity leaders families safeguarding boards "
                      "audit quality recording supervision early help assessment").split())
    texts = []
    for i in range(n):
        if texts and rng.random() < duplicates:
            base = texts[int(rng.integers(len(texts)))].split()
            base[int(rng.integers(len(base)))] = str(rng.choice(words))
            texts.append(" ".join(base))
        else:
            texts.append(" ".join(rng.choice(words, size=int(rng.integers(8, 25)))) + f" ({i})")
    return [Point(seq=i + 1, text=t) for i, t in enumerate(texts)]


def docx_with_table(rows: int) -> bytes:
    """A Word document whose table has ``rows`` rows (the rows repeated in the XML: fast to build)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Region: London")
    document.add_paragraph("Date: 24 June 2021")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Section", "Point"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Data", "ROWTEXT"
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    rng = np.random.default_rng(1)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode()
                start = text.rindex("<w:tr", 0, text.index("ROWTEXT"))
                end = text.index("</w:tr>", start) + len("</w:tr>")
                row = text[start:end]
                body = "".join(row.replace("ROWTEXT", f"Point {i}: " + " ".join(
                    f"w{int(x)}" for x in rng.integers(0, 500, 12))) for i in range(rows))
                data = (text[:start] + body + text[end:]).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def suggest_points(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct points in the sample's words: halves of two coded sample points joined (same
    points every run)."""
    from feedback.roundtables.suggest import load_examples

    texts = [e.text for e in load_examples()]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        a, b = rng.choice(len(texts), 2, replace=False)
        wa, wb = texts[a].split(), texts[b].split()
        out.append(" ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2:]) + f" (note {i})")
    return out


def hostile_notes() -> dict[str, tuple[str, bytes]]:
    """What a notes file can be made of to be slow: label -> (file name, bytes)."""
    import docx

    spaces = " " * 1500
    heading = (f"# Roundtable\n\nRegion: London\n\n# x{spaces}#{spaces}y\n\n- a point\n").encode()
    base = "Rapid reviews are hard to complete within fifteen working days because agencies return chronologies late"
    rng = np.random.default_rng(3)

    def near_copies(n: int) -> bytes:
        lines = ["Region: London", ""]
        for i in range(n):
            words = base.split()
            words[int(rng.integers(len(words)))] += str(i)
            lines.append("- " + " ".join(words))
        return "\n".join(lines).encode()

    numbered = "\n".join(["Region: London", ""] + [f"- Point {i} about rapid reviews and chronologies number{i}"
                                                    for i in range(5000)]).encode()
    actions = "\n".join(["Region: London", "", "## Points"] + [f"- {p.text}" for p in synthetic_points(2000, seed=6)]
                        + ["", "## Actions"] + [f"- Action {i}: {p.text}" for i, p in
                                                enumerate(synthetic_points(2000, seed=7))]).encode()
    distinct = "\n".join(["Region: London", ""] + [f"- {p.text}" for p in synthetic_points(5000, seed=4)]).encode()
    document = docx.Document()
    document.add_paragraph("Region: London")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Feedback", "Panel response"
    for i, point in enumerate(synthetic_points(2000, seed=5)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = point.text, f"The Panel's response {i}: noted, with thanks."
    buffer = io.BytesIO()
    document.save(buffer)
    return {
        "3 KB Markdown, one heading line of 3,000 spaces (took 49 s with the old regex)": ("heading.md", heading),
        "4,000 near-copies of one point (Markdown)": ("near4000.md", near_copies(4000)),
        "5,000 near-copies of one point (Markdown, the most points a file may hold)": ("near5000.md",
                                                                                       near_copies(5000)),
        "5,000 distinct points, 5% near-copies (Markdown)": ("distinct5000.md", distinct),
        "5,000 points differing only in a number (alike by characters, not by words)": ("numbered.md", numbered),
        "2,000 points and 2,000 actions (the first 200 matched to a point by their words; Markdown)":
            ("actions.md", actions),
        "Word: a two-column Feedback, Panel response table of 2,000 rows": ("responses.docx", buffer.getvalue()),
        "Word: a 5,000-row table of points": ("table.docx", docx_with_table(5000)),
    }


def wide_csv(columns: int = 2000, rows: int = 4, seed: int = 0) -> bytes:
    """A CSV of ``columns`` yes/no questions (some "Not sure", some blank) and a few rows: the widest
    file the app reads, in a few tens of kilobytes."""
    rng = np.random.default_rng(seed)
    answers = np.array(["Yes", "No", "Not sure", ""])
    grid = answers[rng.choice(len(answers), size=(rows, columns), p=[0.5, 0.3, 0.1, 0.1])]
    lines = [",".join(f"q{i}" for i in range(columns)), *(",".join(r) for r in grid)]
    return ("\n".join(lines) + "\n").encode()
