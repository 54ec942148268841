"""Bounded load test: many sessions upload a large CSV at once; does another session stay usable?

    python scripts/load_test.py [--sessions 10] [--mb 40]      (make load)

Starts the app (`python serve.py`) on a free port on 127.0.0.1 (its own empty
database in a temporary folder), opens ``--sessions`` Chromium tabs that each
upload a ``--mb`` MB survey CSV on the Upload page at the same moment, and
meanwhile times another session opening the Overview page. The server's
memory (its process and every child: the parsing forkserver and the
children it forks) is sampled every 0.2 s. Everything stops by itself: one
upload per session, every wait bounded by one overall budget (20 min). Only 127.0.0.1 is contacted.

Prints the figures, and with ``--write docs/performance.md`` replaces that
file's "Load test" section.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.browser.conftest import SCRIPT_DONE  # noqa: E402 - the same "script finished" check as the browser tests

SECTION = "\n## Load test"
SESSION_TTL_S = 10  # how long the server keeps a closed session (set for the test; Streamlit's default is 120 s)
RELEASE_WINDOW_S = 60  # then memory is watched this long (serve.py collects and trims every 30 s)
CHROMIUM = os.environ.get("FEEDBACK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]


def survey_csv(megabytes: float) -> bytes:
    """A respondent-level CSV of about ``megabytes`` MB (synthetic, as the benchmark's)."""
    from tools.synthetic import as_text, synthetic

    frame, _cb = synthetic(1000, 40, seed=3)
    per_row = len(as_text(frame).to_csv(index=False).encode()) / 1000
    rows = max(20, int(megabytes * 2**20 / per_row))
    frame, _cb = synthetic(rows, 40, seed=3)
    return as_text(frame).to_csv(index=False).encode()


def session_files(folder: Path, content: bytes, sessions: int) -> list[Path]:
    """One file per session, each with its own first respondent id: the app caches a read by the
    file's content, so identical files would be read once and the test would measure one upload."""
    header, first, rest = content.split(b"\n", 2)
    paths = []
    for i in range(sessions):
        path = folder / f"survey_{i + 1:02d}.csv"
        path.write_bytes(b"\n".join([header, first.replace(b"1,", f"{900000 + i},".encode(), 1), rest]))
        paths.append(path)
    return paths


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_memory(pid: int) -> tuple[int, int]:
    """(resident, proportional) memory of a process and all its descendants, in bytes.

    Resident memory counts the pages a parse child shares with the forkserver once in each
    process (the conservative figure); proportional memory (PSS) shares them out."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            rss += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process tree, with the children it has already collected."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        except (OSError, ValueError, IndexError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deadline:
    """Every wait of the run takes what is left of one overall budget (so the test always ends)."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def ms(self, most: float) -> int:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the load test ran out of time")
        return int(min(most, left) * 1000)


def wait_idle(page, deadline: Deadline, most: float = 120) -> None:
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=deadline.ms(most))
    page.wait_for_function(f"() => {SCRIPT_DONE}", timeout=deadline.ms(most))


def open_overview(page, url: str, deadline: Deadline) -> tuple[float, float]:
    """Seconds until the Overview is shown (its headline figures and "Who answered" drawn), and
    until its script has finished."""
    t = time.perf_counter()
    page.goto(f"{url}/overview", timeout=deadline.ms(120))
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stMetricValue"]', timeout=deadline.ms(120))
    page.wait_for_selector("text=Who answered", timeout=deadline.ms(120))
    shown = time.perf_counter() - t
    wait_idle(page, deadline)
    return shown, time.perf_counter() - t


def run(sessions: int, megabytes: float, budget: float = 1200) -> dict:
    from playwright.sync_api import sync_playwright

    deadline = Deadline(budget)
    folder = Path(tempfile.mkdtemp(prefix="feedback-load-"))
    paths = session_files(folder, survey_csv(megabytes), sessions)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FEEDBACK_DATABASE_URL": f"sqlite:///{folder / 'feedback.sqlite3'}",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = open(folder / "streamlit.log", "w")
    from feedback.isolation import PARSE_SLOTS  # what the server computes too (same machine, same environment)

    figures = {"sessions": sessions, "csv_bytes": paths[0].stat().st_size, "load_before": os.getloadavg(),
               "parse_slots": PARSE_SLOTS}
    server = subprocess.Popen([sys.executable, str(ROOT / "serve.py"), "--server.headless",
                               "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--server.fileWatcherType", "none",
                               # closed sessions are dropped after TTL s (Streamlit's default: 120 s)
                               "--server.disconnectedSessionTTL", str(SESSION_TTL_S)], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    peak, stop = [0, 0], threading.Event()

    def sample():
        while not stop.is_set():
            rss, pss = tree_memory(server.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.2)

    try:
        started_by = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > started_by:
                raise SystemExit(f"streamlit did not start: {(folder / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with sync_playwright() as pw:
            # The uploaders share one browser; the person opening the Overview has their own (as on
            # another computer), so the uploads' file reading and sending in the browser is not timed.
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            observer = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                first = observer.new_context().new_page()
                first.goto(url, timeout=deadline.ms(120))
                wait_idle(first, deadline)  # the database is seeded and the samples cached before the clock starts
                # The first visit computes the sample's results (cached for everyone after); the second
                # is what a visit costs, the figure to compare with the visit during the uploads.
                figures["overview_cold"] = open_overview(first, url, deadline)
                figures["overview_idle"] = open_overview(first, url, deadline)
                pages = []
                for _ in range(sessions):
                    page = browser.new_context().new_page()
                    page.goto(f"{url}/upload", timeout=deadline.ms(120))
                    wait_idle(page, deadline)
                    pages.append(page)
                figures["idle_rss"], figures["idle_pss"] = tree_memory(server.pid)
                peak[0] = peak[1] = 0
                cpu_start = tree_cpu(server.pid)
                start = time.perf_counter()
                for page, path in zip(pages, paths):
                    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
                        str(path), timeout=deadline.ms(120))
                figures["sent"] = time.perf_counter() - start
                time.sleep(2.0)  # the uploads are under way
                figures["overview_loaded"] = open_overview(first, url, deadline)
                done: dict[int, float] = {}
                queued = set()
                while len(done) < len(pages):
                    for i, page in enumerate(pages):
                        if i in done:
                            continue
                        if page.locator("text=respondents and").count():
                            done[i] = time.perf_counter() - start
                        elif page.locator("text=Waiting for another upload").count():
                            queued.add(i)
                    deadline.ms(1)  # raises when the budget is spent
                    time.sleep(0.5)
                figures["uploads_done"] = len(done)
                figures["all_uploads"] = max(done.values())
                figures["first_upload"] = min(done.values())
                figures["queued_seen"] = len(queued)
                figures["cpu"] = tree_cpu(server.pid) - cpu_start
                figures["wall"] = time.perf_counter() - start
                figures["after_rss"], figures["after_pss"] = tree_memory(server.pid)
                # The uploaders leave: once Streamlit drops their sessions, what they held goes.
                browser.close()
                time.sleep(SESSION_TTL_S + 2)
                # Streamlit drops expired sessions when it next looks them up: someone else arrives.
                open_overview(first, url, deadline)
                until = time.monotonic() + RELEASE_WINDOW_S
                released = [figures["after_rss"], figures["after_pss"]]
                while time.monotonic() < until:
                    deadline.ms(1)
                    rss, pss = tree_memory(server.pid)
                    released = [min(released[0], rss), min(released[1], pss)]
                    time.sleep(1.0)
                figures["released_rss"], figures["released_pss"] = released
            finally:
                browser.close()
                observer.close()
        figures["peak_rss"], figures["peak_pss"] = peak
        figures["load_after"] = os.getloadavg()
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()
    return figures


def report(f: dict) -> str:
    mb = lambda n: f"{n / 1e6:,.0f} MB"  # decimal: 1 MB = 10^6 bytes, 1 GB = 10^9 bytes
    load = lambda v: " ".join(f"{x:.2f}" for x in v)
    met = lambda ok: "met" if ok else "not met"
    return "\n".join([
        SECTION.strip(), "",
        f"Measured by `scripts/load_test.py` (`make load`): {f['sessions']} Chromium sessions on 127.0.0.1 each "
        f"upload a different {mb(f['csv_bytes'])} survey CSV to the app (`python serve.py`) at the same moment (at "
        f"most `FEEDBACK_PARSE_SLOTS` = {f['parse_slots']} parsed at once, the rest queue), while another session "
        "opens the Overview in a browser of its own. Server memory is the server process and all its children "
        "(the parsing forkserver and the children it forks), sampled every 0.2 s: resident memory counts the "
        "pages a child shares with the forkserver in each process, proportional memory (PSS) shares them out.", "",
        f"Load average (1, 5, 15 min) before the run {load(f['load_before'])}, after {load(f['load_after'])} "
        "(2 cores, shared with other work: above 2, the wall clock includes waiting for a core).", "",
        "| What | Figure | Target |", "|---|---:|---|",
        f"| Overview, server idle, shown / script finished: first visit (computes and caches the sample's "
        f"results) | {f['overview_cold'][0]:.1f} s / {f['overview_cold'][1]:.1f} s | |",
        f"| Overview, server idle, shown / script finished: next visit | "
        f"{f['overview_idle'][0]:.1f} s / {f['overview_idle'][1]:.1f} s | |",
        f"| Overview (a full page load: a new session) while {f['sessions']} uploads are read: shown (headline "
        f"figures and 'Who answered' drawn) | {f['overview_loaded'][0]:.1f} s | under 5 s: "
        f"{met(f['overview_loaded'][0] < 5)} |",
        f"| the same Overview: its script finished | {f['overview_loaded'][1]:.1f} s | |",
        f"| first upload read / all {f['sessions']} read ({f['uploads_done']} succeeded, {f['queued_seen']} "
        f"showed the queue message) | {f['first_upload']:.0f} s / {f['all_uploads']:.0f} s | |",
        f"| CPU time of the server tree during the uploads | {f['cpu']:.0f} s in {f['wall']:.0f} s | |",
        f"| server memory idle, resident (proportional) | {mb(f['idle_rss'])} ({mb(f['idle_pss'])}) | |",
        f"| server memory peak during the uploads, resident (proportional) | {mb(f['peak_rss'])} "
        f"({mb(f['peak_pss'])}) | under 2.5 GB: {met(f['peak_rss'] < 2.5e9)} |",
        f"| server memory after the uploads (each session holds its upload) | {mb(f['after_rss'])} "
        f"({mb(f['after_pss'])}) | |",
        f"| server memory once the uploaders have closed their tabs and their sessions are dropped "
        f"({SESSION_TTL_S} s later, when the next visitor arrives; lowest in the next {RELEASE_WINDOW_S} s) "
        f"| {mb(f['released_rss'])} ({mb(f['released_pss'])}) | |",
        "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--mb", type=float, default=40)
    parser.add_argument("--write", metavar="PATH")
    args = parser.parse_args(argv)
    text = report(run(min(args.sessions, 20), min(args.mb, 50)))
    print(text)
    if args.write:
        from tools.bench import _replace_section

        _replace_section(Path(args.write), SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
