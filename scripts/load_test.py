"""Bounded load test: many sessions upload a large CSV at once; does another session stay usable?

    python scripts/load_test.py [--sessions 10] [--mb 40]      (make load)

Starts `streamlit run app.py` on a free port on 127.0.0.1 (its own empty
database in a temporary folder), opens ``--sessions`` Chromium tabs that each
upload a ``--mb`` MB survey CSV on the Upload page at the same moment, and
meanwhile times another session opening the Overview page. The server's
memory (its process and every child: the parsing forkserver and the
children it forks) is sampled every 0.2 s. Everything stops by itself: one
upload per session, every wait bounded. Only 127.0.0.1 is contacted.

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
SECTION = "\n## Load test"
CHROMIUM = os.environ.get("FEEDBACK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]


def survey_csv(path: Path, megabytes: int) -> None:
    """A respondent-level CSV of about ``megabytes`` MB (synthetic, as the benchmark's)."""
    from feedback.bench import as_text, synthetic

    frame, _cb = synthetic(1000, 40, seed=3)
    per_row = len(as_text(frame).to_csv(index=False).encode()) / 1000
    rows = int(megabytes * 2**20 / per_row)
    frame, _cb = synthetic(rows, 40, seed=3)
    as_text(frame).to_csv(path, index=False)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
        rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_ms)


def run(sessions: int, megabytes: int) -> dict:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="feedback-load-"))
    csv_path = folder / "survey.csv"
    survey_csv(csv_path, megabytes)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FEEDBACK_DATABASE_URL": f"sqlite:///{folder / 'feedback.sqlite3'}",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = open(folder / "streamlit.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
                               "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    peak, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(server.pid))
            time.sleep(0.2)

    figures = {"sessions": sessions, "csv_bytes": csv_path.stat().st_size}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"streamlit did not start: {(folder / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            first = browser.new_context().new_page()
            first.goto(url)
            wait_idle(first)  # the database is seeded and the samples cached before the clock starts
            figures["idle_rss"] = tree_rss(server.pid)
            t = time.perf_counter()
            first.goto(f"{url}/overview")
            wait_idle(first)
            first.wait_for_selector("text=Who answered", timeout=60_000)
            figures["overview_idle"] = time.perf_counter() - t
            pages = []
            for _ in range(sessions):
                page = browser.new_context().new_page()
                page.goto(f"{url}/upload")
                wait_idle(page)
                pages.append(page)
            peak[0] = 0
            start = time.perf_counter()
            for page in pages:
                page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(csv_path))
            time.sleep(2.0)  # the uploads are under way
            t = time.perf_counter()
            first.goto(f"{url}/overview")
            wait_idle(first)
            first.wait_for_selector("text=Who answered", timeout=120_000)
            figures["overview_loaded"] = time.perf_counter() - t
            done, waited = 0, 0
            for page in pages:
                page.wait_for_selector("text=respondents and", timeout=600_000)
                done += 1
            figures["uploads_done"] = done
            figures["all_uploads"] = time.perf_counter() - start
            figures["queued_message_seen"] = waited
            browser.close()
        figures["peak_rss"] = peak[0]
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return figures


def report(f: dict) -> str:
    mb = lambda n: f"{n / 2**20:,.0f} MB"
    return "\n".join([
        SECTION.strip(), "",
        f"Measured by `scripts/load_test.py` (`make load`): {f['sessions']} Chromium sessions on 127.0.0.1 each "
        f"upload a {mb(f['csv_bytes'])} survey CSV to `streamlit run app.py` at the same moment (at most "
        "`FEEDBACK_PARSE_SLOTS` = 2 parsed at once, the rest queue), while another session opens the Overview. "
        f"Load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())} (the machine is shared).", "",
        "| What | Figure | Target |", "|---|---:|---|",
        f"| Overview, server idle | {f['overview_idle']:.1f} s | |",
        f"| Overview while {f['sessions']} uploads are read | {f['overview_loaded']:.1f} s | under 5 s: "
        f"{'met' if f['overview_loaded'] < 5 else 'not met'} |",
        f"| all {f['sessions']} uploads read ({f['uploads_done']} succeeded) | {f['all_uploads']:.0f} s | |",
        f"| server memory idle (process + children) | {mb(f['idle_rss'])} | |",
        f"| server memory peak during the uploads | {mb(f['peak_rss'])} | under 2.5 GB: "
        f"{'met' if f['peak_rss'] < 2.5 * 2**30 else 'not met'} |", "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--mb", type=int, default=40)
    parser.add_argument("--write", metavar="PATH")
    args = parser.parse_args(argv)
    text = report(run(min(args.sessions, 20), min(args.mb, 50)))
    print(text)
    if args.write:
        path = Path(args.write)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if SECTION in old:
            start = old.index(SECTION)
            rest = old[start + len(SECTION):]
            end = rest.find("\n## ")
            old = old[:start] + (rest[end:] if end >= 0 else "")
        path.write_text(old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
