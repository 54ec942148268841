"""Seeded mutation testing of every reader of uploads.

Each reader's inner function (what runs inside the limited child, *without*
the catch-all that turns any failure into a message) is fed mutated copies
of a small valid file: bytes flipped, runs deleted or repeated, the zip
parts' XML mutated and repacked. Anything it raises other than
``InputError`` is a finding: a reader must say what is wrong in one line.
Mutations run in batches inside limited children, so a crash is contained
and reported as a finding too.

``python tools/fuzz.py --count 2000`` (``make fuzz``) runs a longer
campaign; the test suite runs a few hundred per format.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import zipfile

from feedback.errors import InputError


# ------------------------------------------------------------------ seed files (small and valid)
def seed_files() -> dict[str, tuple[str, bytes]]:
    """format -> (file name, bytes) of a small valid file for each reader."""
    import docx
    import openpyxl
    import pandas as pd
    import pyreadstat

    answers = ["Strongly agree", "Tend to agree", "Tend to disagree", "Don't know"]
    rows = [[i, ["Health", "Police", "Local authority"][i % 3], ["London", "North East"][i % 2], answers[i % 4],
             ["Yes", "No"][i % 2]] for i in range(1, 41)]
    header = ["id", "role", "region", "q1_agree", "q2_aware"]
    csv_bytes = ("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n").encode()

    def workbook(sheets: dict[str, list[list]]) -> bytes:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, data in sheets.items():
            ws = wb.create_sheet(title)
            for row in data:
                ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    survey_xlsx = workbook({"Data": [header, *rows]})
    tables = workbook({"Tables": [
        ["Safeguarding partners survey"], ["Fieldwork: June 2021"], [],
        [None, "Total", "Role", None], [None, "Total", "Health", "Police"],
        ["Are you aware of the review?"], ["Base: All partners"], ["Weighted Sample", 100, 60, 40],
        ["Unweighted Sample", 100, 60, 40], ["Yes", 0.8, 0.75, 0.875], ["No", 0.2, 0.25, 0.125], []]})
    tracker = workbook({"Items": [["Reference", "Text", "Source", "Source detail", "Date raised", "Regions",
                                   "Themes", "Sample data", "Version"],
                                  ["RT-1", "Rapid reviews are hard", "roundtable event", "", "2021-06-24",
                                   "London", "", "no", 1]]})
    document = docx.Document()
    document.add_heading("Roundtable, London", 1)
    for line in ("Region: London", "Date: 24 June 2021", "Attendees: 40", "Partnerships: 12", "Panel lead: A"):
        document.add_paragraph(line)
    for text in ("Rapid reviews in 15 days are hard", "Training on exploitation helps",
                 "rapid reviews in 15 days are hard"):
        document.add_paragraph(text, style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Section", "Point"), ("Data", "Sharing data is slow"), ("Data", "More money")]):
        table.rows[r].cells[0].text, table.rows[r].cells[1].text = a, b
    docx_bytes = io.BytesIO()
    document.save(docx_bytes)
    frame = pd.DataFrame({"id": [float(r[0]) for r in rows], "q1": [float(r[0] % 4 + 1) for r in rows]})
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/s.sav"
        pyreadstat.write_sav(frame, path, column_labels={"q1": "Agree?"},
                             variable_value_labels={"q1": {1.0: "Strongly agree", 2.0: "Tend to agree",
                                                           3.0: "Tend to disagree", 4.0: "Don't know"}})
        sav = open(path, "rb").read()
    sav = sav[:92] + b"01 Jan 2100:00:00" + sav[109:]  # the header's creation date and time: fixed, so cases replay
    markdown = (b"# Roundtable\n\nRegion: London\nDate: 24 June 2021\n\n## Data\n\n- Sharing data is slow\n"
                b"- sharing data is slow!\n- More money for partnerships\n")
    register = b"partnership,region,reporting_year,received_on\nBarnet,London,2020-21,2021-09-30\n"
    return {"csv": ("survey.csv", csv_bytes), "xlsx": ("survey.xlsx", survey_xlsx), "sav": ("survey.sav", sav),
            "docx": ("notes.docx", docx_bytes.getvalue()), "md": ("notes.md", markdown),
            "tables": ("tables.xlsx", tables), "tracker": ("tracker.xlsx", tracker),
            "register": ("register.csv", register)}


def readers() -> dict[str, object]:
    """format -> the inner reader (runs in the child; must raise only InputError)."""
    from feedback.audits import register
    from feedback.roundtables import read as notes
    from feedback.survey import data_tables as tables
    from feedback.survey import read as survey
    from feedback.tracker import spreadsheet

    return {"csv": survey._read_survey, "xlsx": survey._read_survey, "sav": survey._read_survey,
            "docx": notes._read_notes, "md": notes._read_notes, "tables": tables._read_data_tables,
            "tracker": spreadsheet._read_rows, "register": register._read_table}


# ------------------------------------------------------------------ mutations
def mutate(content: bytes, rng: random.Random) -> bytes:
    """One mutated copy: for zip packages, usually a mutation of one part's XML, repacked."""
    if content.startswith(b"PK") and rng.random() < 0.7:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as src:
                infos = src.infolist()
                target = rng.choice([i for i in infos if i.filename.endswith(".xml")] or infos)
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                    for info in infos:
                        data = src.read(info.filename)
                        dst.writestr(info.filename, _mutate_text(data, rng) if info is target else data)
                return out.getvalue()
        except Exception:  # noqa: BLE001 - a seed that does not repack: mutate the raw bytes
            pass
    return _mutate_bytes(content, rng)


_XML_TOKENS = [b'r="XFD1048576"', b'r="A99999999"', b'ref="A1:XFD1048576"', b'w:val="x"', b'w:val="1000000"',
               b"<row>", b"</c>", b"<c r=\"A1\" t=\"s\"><v>99999</v></c>", b"&amp;", b"\x00", b"<", b"]]>",
               b'"', b"1e308", b"-1", b'gridSpan w:val="abc"', b'<dimension ref="A1:A1"/>']


def _mutate_text(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.4:
            data[at:at] = rng.choice(_XML_TOKENS)
        elif choice < 0.6:
            del data[at:at + rng.randint(1, 64)]
        elif choice < 0.8:
            data[at] = rng.randrange(256)
        else:  # swap a number for a huge one
            data[at:at] = str(rng.choice([0, -1, 10 ** 9, 2 ** 31, 16385, 1048577])).encode()
    return bytes(data)


def _mutate_bytes(content: bytes, rng: random.Random) -> bytes:
    data = bytearray(content)
    for _ in range(rng.randint(1, 6)):
        if not data:
            break
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.4:
            data[at] = rng.randrange(256)
        elif choice < 0.6:
            del data[at:at + rng.randint(1, 256)]
        elif choice < 0.8:
            piece = bytes(data[at:at + rng.randint(1, 64)])
            data[at:at] = piece * rng.randint(2, 50)
        else:
            data[at:at] = rng.choice([b",", b'"', b"\n", b"\r", b";", b"\t", b"\x00", b"\xff", b"=", b"| a | b |\n"])
    if rng.random() < 0.1:
        data = data[: rng.randrange(max(1, len(data)))]
    return bytes(data)


# ------------------------------------------------------------------ running
def run_batch(fmt: str, name: str, content: bytes, seed: int, count: int) -> list[str]:
    """Runs in a limited child: ``count`` mutations; returns a line per finding."""
    rng = random.Random(seed)
    reader = readers()[fmt]
    findings = []
    for i in range(count):
        mutated = mutate(content, rng)
        try:
            reader(name, mutated)
        except InputError:
            pass
        except MemoryError:
            findings.append(f"{fmt} seed {seed} case {i}: MemoryError")
        except BaseException as err:  # noqa: BLE001 - that is the finding
            findings.append(f"{fmt} seed {seed} case {i}: {type(err).__name__}: {str(err)[:120]}")
    return findings


def replay_batch(fmt: str, seed: int, count: int) -> list[str]:
    """A batch whose child died (a C or Rust parser crashed): each case again, one child
    each, through the public path; each must end as one ``InputError`` (a limit message)."""
    from feedback.isolation import parse_untrusted

    name, content = seed_files()[fmt]
    rng = random.Random(seed)
    reader = readers()[fmt]
    findings = []
    for i in range(count):
        mutated = mutate(content, rng)
        try:
            parse_untrusted(reader, name, mutated, timeout=30)
        except InputError as err:
            if "\n" in str(err).strip():
                findings.append(f"{fmt} seed {seed} case {i}: a message of several lines: {str(err)[:120]}")
        except BaseException as err:  # noqa: BLE001 - that is the finding
            findings.append(f"{fmt} seed {seed} case {i}: {type(err).__name__} escaped isolation: {err}")
    return findings


def campaign(count: int, seed: int = 1, formats=None, batch: int = 50, timeout: float = 120.0,
             workers: int = 2) -> list[str]:
    """Every format, ``count`` mutations each, in limited children of ``batch`` mutations
    (``workers`` children at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    from feedback.isolation import LimitExceeded, run_limited

    files = seed_files()

    def one(job):
        fmt, start, n = job
        name, content = files[fmt]
        batch_seed = seed * 100_003 + start
        try:
            return run_limited(run_batch, fmt, name, content, batch_seed, n, name=f"{fmt} batch {start}",
                               timeout=timeout, memory=2**30)
        except LimitExceeded:
            return replay_batch(fmt, batch_seed, n)

    jobs = [(fmt, start, min(batch, count - start)) for fmt in (formats or files) for start in range(0, count, batch)]
    with ThreadPoolExecutor(workers) as pool:
        return [line for found in pool.map(one, jobs) for line in found]


def replay(fmt: str, seed: int, case: int) -> bytes:
    """The bytes of one finding, to keep it as a fixture."""
    name, content = seed_files()[fmt]
    rng = random.Random(seed)
    for _ in range(case):
        mutate(content, rng)
    return mutate(content, rng)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="mutations per format")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", action="append", help="only these formats")
    args = parser.parse_args(argv)
    findings = campaign(args.count, args.seed, args.format)
    for line in findings:
        print(line)
    print(f"{len(findings)} finding(s) in {args.count} mutations per format")
    return 1 if findings else 0


if __name__ == "__main__":
    # `python tools/fuzz.py`: tools/ is not an installed package, so the project folder goes on the path,
    # and main runs from the importable module, so the parsing children can unpickle run_batch.
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tools.fuzz import main as _main

    sys.exit(_main())
