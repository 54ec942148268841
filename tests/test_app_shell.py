"""The app shell under AppTest: the page links, the first page's purpose sentence, the
accessibility statement, the hand-over of a bookmark to app.py, and what the warm-up loads."""

from __future__ import annotations

import ast
from pathlib import Path

from ui import common, navigation, warmup

ROOT = Path(__file__).resolve().parents[1]


def test_first_page_says_what_the_app_is_for_and_where_to_start(app):
    assert app.title[0].value == "Survey overview"
    assert app.markdown[0].value == common.APP_PURPOSE
    assert "Start with the headline figures" in common.APP_PURPOSE


def test_every_page_listed_exists_and_the_statement_is_one_of_them():
    paths = [path for pages in navigation.sections(admin=True).values() for path, _, _ in pages]
    assert all((ROOT / p).exists() for p in paths)
    assert "pages/accessibility.py" in paths
    assert "pages/access_log.py" not in [path for pages in navigation.sections().values() for path, _, _ in pages]
    assert sorted(paths) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def test_accessibility_statement_lists_each_known_issue_with_reason_and_workaround(app):
    app.switch_page("pages/accessibility.py").run()
    assert not app.exception
    assert app.title[0].value == "Accessibility statement"
    text = "\n".join(m.value for m in app.markdown)
    issues = known_issues()
    assert len(issues) >= 5
    for problem, reason, workaround in issues:
        assert f"**{problem}**" in text
        assert f"Why: {reason}" in text
        assert f"What to do instead: {workaround}" in text
    assert [h.value for h in app.header][:2] == ["How accessible this app is", "What the app does for accessibility"]


def known_issues() -> list[tuple[str, str, str]]:
    """KNOWN_ISSUES as written in the page script (pages/ holds scripts, not importable modules)."""
    tree = ast.parse((ROOT / "pages" / "accessibility.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "KNOWN_ISSUES")
    return ast.literal_eval(node.value)


def test_warm_up_imports_the_modules_the_pages_use():
    modules = warmup.page_modules()
    assert {"feedback.audits.summaries", "feedback.roundtables.views", "feedback.survey.loading"} <= set(modules)
    assert all(m.split(".")[0] == "feedback" for m in modules)
    assert len(modules) == len(set(modules))


def test_only_the_apps_server_hands_a_page_over_to_app_py(monkeypatch):
    """A page script's first call hands a fresh server's bookmark to app.py; a test process (where
    AppTest runs a page on its own) is not the app's server, so nothing is handed over there."""
    import sys

    assert not navigation.serving_app()
    monkeypatch.setattr(sys, "argv", [str(ROOT / "app.py"), "--some-script-argument"])
    assert navigation.serving_app()
    monkeypatch.setattr(sys, "argv", [str(ROOT / "pages" / "results.py")])
    assert not navigation.serving_app()


def test_importing_the_app_helpers_starts_nothing():
    """Importing the warm-up and the navigation starts no thread and no process; app.py and serve.py
    start the warm-up explicitly."""
    import subprocess
    import sys

    script = f"""
import sys, threading, multiprocessing
sys.path.insert(0, {str(ROOT)!r})
before = {{t.name for t in threading.enumerate()}}
from ui import navigation, warmup, style
import serve
assert {{t.name for t in threading.enumerate()}} == before, threading.enumerate()
assert not multiprocessing.active_children()
print("QUIET")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "QUIET"


def test_serve_loads_what_the_first_page_imports_and_nothing_of_streamlit(tmp_path):
    """The warm-up loads the first page's heavy modules before the server listens: after it, the
    first run of app.py (the Overview) imports no more of them; and it loads no Streamlit."""
    import subprocess
    import sys

    script = f"""
import sys, os
sys.path.insert(0, {str(ROOT)!r})
from ui import warmup
warmup.warm_up()  # what serve.main runs before the server listens (with the server's options, for the database)
assert not any(m == "streamlit" or m.startswith("streamlit.") for m in sys.modules), "serve loaded Streamlit"
before = set(sys.modules)
os.environ["FEEDBACK_DATABASE_URL"] = "sqlite:///" + {str(tmp_path / "first.sqlite3")!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.run()
assert not at.exception, at.exception
heavy = ("numpy", "pandas", "pyarrow", "scipy", "pyreadstat", "narwhals", "feedback")
late = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in heavy)
print("LATE", late)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    late = [line for line in out.stdout.splitlines() if line.startswith("LATE")]
    assert late == ["LATE []"], late


def test_serve_prepares_the_database_before_listening(tmp_path, monkeypatch, capsys):
    """serve.py migrates and seeds the database the secrets (or the environment) name, with no
    Streamlit loaded; a second start finds it ready; a database it cannot reach gives one line."""
    import subprocess
    import sys

    from sqlalchemy import func, select

    from feedback import db
    from feedback.audits.models import Partnership

    secrets = tmp_path / "secrets.toml"
    target = tmp_path / "from-secrets.sqlite3"
    secrets.write_text(f'database_url = "sqlite:///{target}"\n', encoding="utf-8")
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from ui import warmup
warmup.prepare_database(["--server.port", "1", "--secrets.files", {str(secrets)!r}])
warmup.prepare_database(["--secrets.files={secrets}"])
assert "streamlit" not in sys.modules
"""
    env = {k: v for k, v in __import__("os").environ.items() if k != db.ENV_VAR}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env=env)
    assert out.returncode == 0 and "not prepared" not in out.stderr, out.stderr[-3000:]
    engine = db.get_engine(f"sqlite:///{target}")
    assert db.current_revision(engine) is not None
    with db.session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Partnership)) == 137  # seeded once, not twice
    engine.dispose()

    monkeypatch.setenv(db.ENV_VAR, "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none")
    warmup.prepare_database([])
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "the app will prepare it on its first database page" in lines[0], lines


def test_serve_frees_what_only_cycles_keep_and_trims_the_heap():
    """A page run leaves its functions and globals in a cycle (the Upload page's hold a whole
    file): serve.py's background collection frees it without any click waiting for it."""
    import subprocess
    import sys

    script = f"""
import gc, sys, time, weakref
sys.path.insert(0, {str(ROOT)!r})
import serve
gc.disable()  # only the background collection may free the cycle
assert serve.release_freed_memory(every_s=0.05) is True  # glibc: malloc_trim is there
class Held: pass
page_globals = {{"content": Held()}}
def kept(): return page_globals
page_globals["kept"] = kept  # the cycle: globals -> function -> globals
alive = weakref.ref(page_globals["content"])
del page_globals, kept
time.sleep(0.1)
for _ in range(50):
    if alive() is None:
        break
    time.sleep(0.05)
print("FREED" if alive() is None else "KEPT")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "FREED"
