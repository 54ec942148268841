"""Structure figures for the code: page length, import cycles, imports inside functions.

Run `python tools/structure.py` from the project folder; it prints the figures the
architecture notes quote, so they can be measured again rather than trusted.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "feedback"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> tuple[set[str], set[str], int]:
    """(module-level feedback imports, all feedback imports, imports inside functions)."""
    tree = ast.parse(path.read_text())
    top: set[str] = set()
    every: set[str] = set()
    inside = 0
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]

    def targets(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from feedback.survey import rates` names a module; keep the longest that exists.
            return [f"{base}.{a.name}" for a in node.names] + [base]
        return []

    def walk(node: ast.AST, in_function: bool) -> None:
        nonlocal inside
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                names = [n for n in targets(child) if n.startswith("feedback")]
                if in_function and names:
                    inside += 1
                every.update(names)
                if not in_function and not _type_checking(node):
                    top.update(names)
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    walk(tree, False)
    return top, every, inside


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    names = {module_name(p) for p in files}
    top_graph: dict[str, set[str]] = {}
    all_graph: dict[str, set[str]] = {}
    inside_total = 0
    for path in files:
        top, every, inside = imports(path)
        me = module_name(path)
        top_graph[me] = {n for n in top if n in names and n != me}
        all_graph[me] = {n for n in every if n in names and n != me}
        inside_total += inside
    print("Page scripts (lines):")
    for page in sorted((ROOT / "pages").glob("*.py")):
        print(f"  {page.name}: {len(page.read_text().splitlines())}")
    print(f"Imports of the package inside functions: {inside_total}")
    for label, graph in (("module-level", top_graph), ("any", all_graph)):
        groups = cycles(graph)
        print(f"Import cycles ({label} imports): {len(groups)}")
        for g in groups:
            print("  " + " <-> ".join(g))


if __name__ == "__main__":
    main()
