"""Real-browser tests: `streamlit run app.py` on a free port, driven by Playwright
with Debian's Chromium (/usr/bin/chromium). One server per test session."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
#: How long a wait on the app's own work (a script run, a save, an import) may take: generous, so
#: the suite passes on a machine busy with other work (load average 10 and more on two cores).
#: Waits are on conditions, so a quick run takes no longer for it.
LOADED_MS = 120_000
CHROMIUM = os.environ.get("FEEDBACK_CHROMIUM", "/usr/bin/chromium")
SCREENS = Path(os.environ.get("FEEDBACK_SCREENSHOTS", "/tmp/screens"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
]


expect.set_options(timeout=LOADED_MS)  # expect() retries its assertion until then (default: 5 s)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, log_path: Path, what: str, timeout: float = 120) -> None:
    """Poll URL until it answers 200; fail with the end of the log if PROC dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.3)


@contextlib.contextmanager
def running_app(folder: Path, *, port: int | None = None, args: tuple[str, ...] = (),
                database_url: str | None = None):
    """Run the app as `make run` does (serve.py: `streamlit run app.py`) on a free port (or PORT)
    with its own empty database in FOLDER (or DATABASE_URL); ARGS are extra options, e.g.
    ("--secrets.files", path)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does this)")
    port = port or _free_port()
    env = {**os.environ, "FEEDBACK_DATABASE_URL": database_url or f"sqlite:///{folder / 'feedback.sqlite3'}",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [sys.executable, str(ROOT / "serve.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               *args]
    with serving(command, f"http://127.0.0.1:{port}", "/_stcore/health", folder / "streamlit.log", "streamlit",
                 env=env) as url:
        yield url


@contextlib.contextmanager
def serving(command: list[str], url: str, health: str, log_path: Path, what: str, env: dict | None = None):
    """Run COMMAND (a local server, its output in LOG_PATH) until URL + HEALTH answers; yield URL;
    stop it afterwards (killed if it does not stop within 10 s)."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(url + health, proc, log_path, what)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """One app server for the whole test session; yields its URL."""
    with running_app(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser tab at 1280x800 (the size the app must work at)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(LOADED_MS)
    yield page
    context.close()


# JS: Streamlit has finished running the script. Its status widget no longer says "Running" (it
# shows a Stop button while a script runs); the app's root element carries the run state.
SCRIPT_DONE = ("(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
               " return !!app && ['notRunning', 'compilationError'].includes(app.dataset.testScriptState); })()")
# JS: the script run is over and the page has been redrawn from it. Streamlit marks what the
# previous run drew as stale (faded, data-stale="true") until the new run replaces or removes it.
DRAWN = f"() => {SCRIPT_DONE} && !document.querySelector('[data-testid=\"stMain\"] [data-stale=\"true\"]')"


# JS: count the script runs the page sees (each time the app's run state becomes "running"), note
# when the state last changed, and whether the page has asked the server for a run that has not
# started yet (a changed widget or a button sends a rerun request over the websocket: a BackMsg whose
# first byte is 0x5A, field 11 "rerun_script"; the run state changes only when the server starts it).
# Installed in the page by ``watch_runs``.
RUN_WATCH = """() => {
  if (window.__runWatch) return;
  window.__runWatch = true;
  window.__runs = 0;
  window.__pending = false;
  window.__changedAt = performance.now();
  let last = null, askedWhile = null;
  const look = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.dataset.testScriptState : null;
    if (state !== last) {
      if (state === 'running') window.__runs += 1;
      if (window.__pending && (state === 'running' || askedWhile === 'running')) window.__pending = false;
      last = state;
      window.__changedAt = performance.now();
    }
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const view = data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      if (view && view.length && view[0] === 0x5a) {
        window.__pending = true;
        askedWhile = last;
        window.__changedAt = performance.now();
      }
      if (!this.__runWatch) {  // the server's answers: a run starts with a ForwardMsg "new_session" (field 4)
        this.__runWatch = true;
        this.addEventListener('message', event => {
          if (!(event.data instanceof ArrayBuffer)) return;
          const b = new Uint8Array(event.data);
          let i = 0;
          const varint = () => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; }
                                 while ((x & 0x80) && i < b.length); return v; };
          while (i < b.length) {
            const tag = varint(), wire = tag % 8;
            if (Math.floor(tag / 8) === 4) {  // a run began (its "running" state may be drawn too briefly to see)
              window.__runs += 1;
              window.__pending = false;
              window.__changedAt = performance.now();
            }
            if (wire === 0) varint(); else if (wire === 2) { const n = varint(); i += n; } else if (wire === 1) i += 8;
            else if (wire === 5) i += 4; else break;
          }
        });
      }
    } catch (e) {}
    return send.apply(this, arguments);
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true,
                                                attributeFilter: ['data-test-script-state']});
  look();
}"""
#: JS: drawn, no run asked for and not yet started, and the run state has not changed for this long
#: (ms): a click's rerun has had its chance to be asked for.
QUIET_MS = 300
SETTLED = (f"() => {{ ({RUN_WATCH})(); return ({DRAWN})() && !window.__pending"
           f" && performance.now() - window.__changedAt > {QUIET_MS}; }}")


def watch_runs(page) -> int:
    """Install the run counter in the page's document (once per document); the runs seen so far."""
    page.evaluate(RUN_WATCH)
    return page.evaluate("() => window.__runs")


def wait_for_app(page, timeout: float = LOADED_MS) -> None:
    """Wait until Streamlit has finished running the script and drawn what it sent, and no new
    run has started for a moment (``SETTLED``)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # The sidebar's region selector is drawn by app.py after st.navigation: until it is
    # there, the first (slow, database-seeding) run has not reached the page yet.
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=timeout)
    watch_runs(page)
    page.wait_for_function(SETTLED, timeout=timeout)


def after_rerun(page, action, timeout: float = LOADED_MS) -> None:
    """Do ``action()``, which makes the app run its script again (a changed widget, a button),
    and wait until that run has started, finished and been drawn."""
    before = watch_runs(page)
    action()
    page.wait_for_function(f"() => window.__runs > {before} && ({DRAWN})()", timeout=timeout)


def drawn(page, timeout: float = LOADED_MS) -> None:
    """Wait until no element on the page is left over from the previous run (a rerun after a tab,
    a region or a button has faded the old one and not yet replaced it)."""
    page.wait_for_function(DRAWN, timeout=timeout)


def laid_out(page) -> None:
    """Wait until the browser has laid out and painted the page again (two animation frames),
    e.g. after the window was resized; then until nothing is left over from a run."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")
    drawn(page)


def until_shown(page, open_it, shown, attempts: int = 3, timeout: float = 15_000) -> None:
    """Call ``open_it()`` until the locator ``shown`` appears, up to ``attempts`` times, pressing
    Escape between tries. A rerun that lands just after a click closes what it opened, and a
    loaded machine can take a while to draw it."""
    for attempt in range(attempts):
        open_it()
        try:
            shown.wait_for(timeout=timeout)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)


def choose_option(page, box, option: str, attempts: int = 3) -> None:
    """Open the select box ``box`` and pick ``option``, until the box holds it. A rerun that lands
    just after the list opened closes it (the option is gone before the click): open it again."""
    wanted = page.get_by_role("option", name=option, exact=True)
    chosen = box.get_by_role("combobox")
    for attempt in range(attempts):
        wait_for_app(page)
        box.scroll_into_view_if_needed()
        box.click()
        try:
            wanted.click(timeout=15_000)
            expect(chosen).to_have_value(option, timeout=15_000)
            break
        except (AssertionError, PlaywrightTimeout):
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
    wait_for_app(page)  # the run the choice started


def choose_region(page, region: str) -> None:
    """Pick a region in the sidebar's region selector (its first select box)."""
    choose_option(page, page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first, region)


#: axe-core's findings that fail an accessibility check: serious or critical ones, and the heading rules.
FAILING_IMPACTS = ("serious", "critical")
ALWAYS_FAILING_RULES = ("heading-order", "page-has-heading-one")  # the brief asks for ordered headings
AXE = Axe()


def problems(page, where: str) -> list[str]:
    """axe-core's violations that fail the test, one line each."""
    results = AXE.run(page)
    out = []
    for v in results.response["violations"]:
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALWAYS_FAILING_RULES:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            out.append(f"{where}: {v['impact']} {v['id']} ({v['help']}) at {targets}")
    return out


def ready(page) -> None:
    """wait_for_app, with room for a machine shared by many test runs (pages with every tab
    drawn take Chromium a while to lay out when the CPU is busy)."""
    page.set_default_timeout(180_000)
    wait_for_app(page, timeout=180_000)


def open_expanders(page, scope) -> int:
    """Open every closed expander inside scope; returns how many were opened."""
    opened = 0
    for summary in scope.locator("details:not([open]) > summary").element_handles():  # (these elements)
        if summary.is_visible():
            summary.click()
            page.wait_for_function("summary => summary.parentElement.open", arg=summary)  # it has opened
            opened += 1
    return opened


def screenshot(page, name: str, tmp_path: Path | None = None) -> Path:
    """Save a full-page screenshot to /tmp/screens/NAME.png (and tmp_path when given)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    target = SCREENS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if tmp_path is not None:
        shutil.copy(target, tmp_path / target.name)
    return target


def tall_screenshot(page, name: str, tmp_path: Path | None = None, height: int = 3600) -> Path:
    """A whole-page screenshot: Streamlit scrolls inside its own container, so make the
    window tall enough for the page, take it, then go back to 1280x800."""
    page.set_viewport_size({"width": 1280, "height": height})
    laid_out(page)
    target = screenshot(page, name, tmp_path)
    page.set_viewport_size({"width": 1280, "height": 800})
    return target


def app_file_names() -> list[str]:
    """How Streamlit's legacy page list would name the app's files ("tracker data")."""
    return sorted({"app", *(p.stem.replace("_", " ") for p in (ROOT / "pages").glob("*.py"))})


# Run before the page's own scripts (page.add_init_script): on every DOM change, note
# whether the sidebar shows a link named like one of the app's Python files (Streamlit's
# legacy page list) and when the first headline figure appeared (ms from navigation).
FILE_LIST_WATCH = """
(fileNames) => {
  window.__fileList = false;
  window.__firstFigure = null;
  const check = () => {
    const side = document.querySelector('[data-testid="stSidebar"]');
    if (side && !window.__fileList) {
      for (const a of side.querySelectorAll('a')) {
        if (fileNames.includes(a.innerText.trim())) { window.__fileList = a.innerText.trim(); break; }
      }
    }
    if (window.__firstFigure === null
        && document.querySelector('[data-testid="stMain"] [data-testid="stMetricValue"]')) {
      window.__firstFigure = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
}
"""


def watch_for_file_list(page) -> None:
    """Record, from the first byte of every document the tab loads, whether a file list is drawn."""
    page.add_init_script(f"({FILE_LIST_WATCH})({app_file_names()!r})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves a screenshot of its page, /tmp/screens/failed_TEST.png, so a
    failure on a busy machine can be seen afterwards."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        with contextlib.suppress(Exception):  # the page may be gone with the failure
            tall_screenshot(page, "failed_" + "".join(c if c.isalnum() else "_" for c in item.name)[:100])
