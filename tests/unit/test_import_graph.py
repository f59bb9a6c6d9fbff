"""The package's imports run one way: no module reaches, directly or through others, back to itself.

Every import counts, wherever it stands: at the top, inside a function, or under `TYPE_CHECKING`
(an upward import there is the same design debt, only hidden from the interpreter). A package's
`__init__` counts as a module that its submodules' importers from outside run first.
"""

import ast
from pathlib import Path

import rwa_testbed

PACKAGE_ROOT = Path(rwa_testbed.__file__).parent


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([package, *parts])] = path
    return found


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """module -> the package's modules it imports (submodules named in `from x import y` included;
    an outside importer of `a.b` also runs `a`)."""
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                parts = target.split(".")
                for i in range(len(parts), 0, -1):
                    prefix = ".".join(parts[:i])
                    if prefix not in modules or prefix == name:
                        continue
                    if name.startswith(prefix + "."):
                        continue  # the importer's own package is already being imported
                    graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _edges_within(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    members = set(component)
    return [f"{a} -> {b}" for a in component for b in sorted(graph[a]) if b in members]


def test_package_imports__no_cycle():
    graph = import_graph(PACKAGE_ROOT, "rwa_testbed")
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n\n".join("\n".join(_edges_within(graph, c)) for c in found)


def test_import_graph__sees_the_package():
    """The walk reads the real package (a check that read nothing would pass trivially)."""
    graph = import_graph(PACKAGE_ROOT, "rwa_testbed")
    assert "rwa_testbed.engine" in graph and "rwa_testbed.units" in graph
    assert "rwa_testbed.context" in graph["rwa_testbed.engine"]
    assert graph["rwa_testbed.units"] == set()  # the leaf


def test_cycle_check__finds_type_checking_and_function_level_back_edges(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .top import X\n")
    (pkg / "top.py").write_text("from . import low\n")
    (pkg / "sub" / "__init__.py").write_text("from .a import A\n")
    (pkg / "sub" / "a.py").write_text("def f():\n    from ..leaf import g\n")
    (pkg / "sub" / "b.py").write_text("from .a import A\n")  # within the package: no edge to sub
    (pkg / "leaf.py").write_text("def g():\n    from pkg.sub import b\n")
    graph = import_graph(pkg, "pkg")
    assert sorted(cycles(graph)) == [["pkg.leaf", "pkg.sub", "pkg.sub.a", "pkg.sub.b"], ["pkg.low", "pkg.top"]]
