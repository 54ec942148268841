"""The import rules hold: lint-imports keeps every contract in pyproject.toml ([tool.importlinter]:
the package's layers, no cycles, no Streamlit or ui in the package), and tools/structure.py finds no
import cycle, counting the imports inside functions as well."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]



def _env() -> dict[str, str]:
    """This checkout's package first, not an installed copy of it."""
    paths = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _lint_imports() -> str:
    """The lint-imports of the Python running the tests (the project's venv), else one on PATH."""
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: pip install -r requirements-test.txt (import-linter)"
    return found


def test_lint_imports_keeps_every_contract():
    run = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, env=_env(), capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    kept = re.findall(r"^(.*) KEPT\b", run.stdout, flags=re.M)
    assert len(kept) >= 3, run.stdout  # the layers, the acyclic and the forbidden contracts all ran


def test_no_import_cycles_even_through_imports_inside_functions():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "structure.py")], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    section = run.stdout.split("Import cycles (any imports):", 1)[1]
    count, *rest = section.splitlines()
    listed = [line.strip() for line in rest if line.startswith("  ")]
    assert listed == [] and int(count) == 0, run.stdout
    assert "Import cycles (module-level imports): 0" in run.stdout, run.stdout


def test_every_module_and_area_of_the_package_sits_in_a_layer():
    """A new top-level module or area left out of the layers contract would go unchecked."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    named = set(re.findall(r"feedback\.\w+", " ".join(layers["layers"])))
    package = ROOT / "src" / "feedback"
    parts = {f"feedback.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    parts |= {f"feedback.{p.name}" for p in package.iterdir() if (p / "__init__.py").exists()}
    assert parts - named == set(), f"add these to the layers contract in pyproject.toml: {sorted(parts - named)}"
    assert named - parts == set(), f"the layers contract names what is not in the package: {sorted(named - parts)}"


def test_pages_only_gather_input_call_the_package_and_draw():
    """A page script stays short and holds no database or statistics code: that lives in the package."""
    import ast

    for page in sorted((ROOT / "pages").glob("*.py")):
        text = page.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 300, f"{page.name} is {len(text.splitlines())} lines: move logic to its model"
        imported = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        banned = {n for n in imported if n.split(".")[0] in {"sqlalchemy", "scipy", "statsmodels"}
                  or n in {"feedback.db", "feedback.survey.rates", "feedback.intervals"}
                  or n.endswith(".models")}
        assert not banned, f"{page.name} imports {sorted(banned)}: call the area's page model instead"
