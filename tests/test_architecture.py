"""The import graph of cpmis: no cycle between apps, none between modules of one app.

An import-linter equivalent written with `ast`, so it needs no dependency. Every module under
`cpmis/` is parsed and every import counted: module-level ones and those inside functions (a
function-level import hides a cycle from Python, not from this test), with relative imports
(`from . import x`) resolved. The one exception: imports under `if TYPE_CHECKING:` are ignored,
since they never run and exist only for the type checker.

The layering the ADRs draw is checked as forbidden directions (`FORBIDDEN`, each citing its
ADR): where two apps need each other, the lower one publishes a signal or a hook that the
upper one fills, and never imports it.

Each package directly under `cpmis/` is an app. The project's top-level modules (`settings`,
`urls`, `cli`, `wsgi`, `actors` and `access`, the one scope authority of ADR 0002 that reads
every app's models) are wiring, not apps: they are left out of the app graph, but not out of
the check that no module imports itself back through others.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

PACKAGE = "cpmis"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


# (app, apps it must not import, where the ADRs say so)
FORBIDDEN: tuple[tuple[str, frozenset[str], str], ...] = (
    ("core", frozenset({"*"}), "ADR 0011: the core app imports no domain app"),
    ("exchange", frozenset({"linkage"}), "ADR 0009: exchange announces a submission by signal"),
    ("people", frozenset({"linkage"}), "ADR 0012: linkage lends people its parts by hooks"),
    ("indicators", frozenset({"reporting"}), "ADR 0010: the report imports the indicators"),
    ("oversight", frozenset({"reporting"}), "ADR 0010: the report imports the oversight"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import in the tree, at any depth, except in the body of `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the `else:` branch runs
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """(imported cpmis module, line) for every import in the module `name`."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                parent = ".".join([*base, *([node.module] if node.module else [])])
            else:
                parent = node.module or ""
            # `from pkg import x` imports the module pkg.x when there is one, else a name of pkg.
            targets = [
                f"{parent}.{alias.name}" if f"{parent}.{alias.name}" in modules else parent
                for alias in node.names
            ]
        for target in targets:
            # `import cpmis.a.b` names a module; keep the longest prefix that is one.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: first line importing it}, within cpmis."""
    found = all_modules()
    names = set(found)
    graph: dict[str, dict[str, int]] = {}
    for name, path in found.items():
        edges: dict[str, int] = {}
        for target, line in imports_of(name, path, names):
            edges.setdefault(target, line)
        graph[name] = edges
    return graph


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or not (ROOT / parts[1]).is_dir():
        return None
    return parts[1]


def strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components of more than one node, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:
        nonlocal counter
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def app_edges(graph: dict[str, dict[str, int]]) -> dict[tuple[str, str], list[str]]:
    """(app, imported app) -> the module imports that make the edge, as readable lines."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in graph.items():
        source = app_of(module)
        for target, line in targets.items():
            imported = app_of(target)
            if source and imported and source != imported:
                edges[source, imported].append(f"{module}:{line} imports {target}")
    return edges


def app_cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    edges = app_edges(graph)
    adjacency: dict[str, set[str]] = defaultdict(set)
    for source, imported in edges:
        adjacency[source].add(imported)
    problems = []
    for component in strongly_connected(adjacency, adjacency):
        members = set(component)
        lines = [
            line
            for (source, imported), found in sorted(edges.items())
            if source in members and imported in members
            for line in found
        ]
        problems.append(" <-> ".join(component) + ":\n    " + "\n    ".join(lines))
    return problems


def module_cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    adjacency = {module: set(targets) for module, targets in graph.items()}
    problems = []
    for component in strongly_connected(adjacency, adjacency):
        members = set(component)
        lines = [
            f"{module}:{line} imports {target}"
            for module in component
            for target, line in sorted(graph[module].items())
            if target in members
        ]
        problems.append(" <-> ".join(component) + ":\n    " + "\n    ".join(lines))
    return problems


def layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    edges = app_edges(graph)
    problems = []
    for app, banned, reason in FORBIDDEN:
        for (source, imported), found in sorted(edges.items()):
            if source == app and ("*" in banned or imported in banned):
                problems.append(f"{source} -> {imported} ({reason}):\n    " + "\n    ".join(found))
    return problems


def test_the_parser_sees_hidden_and_relative_imports(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import selectors\n"
        "from .. import access\n"
        "if TYPE_CHECKING:\n"
        "    from cpmis.people.models import Child\n"
        "def run():\n"
        "    from cpmis.linkage import services\n"
        "    import cpmis.audit.models\n"
    )
    path = tmp_path / "services.py"
    path.write_text(source, encoding="utf-8")
    modules = {
        "cpmis.access",
        "cpmis.cases.selectors",
        "cpmis.people.models",
        "cpmis.linkage.services",
        "cpmis.audit.models",
    }
    found = {target for target, _ in imports_of("cpmis.cases.services", path, modules)}
    assert found == {
        "cpmis.cases.selectors",
        "cpmis.access",
        "cpmis.linkage.services",
        "cpmis.audit.models",
    }


def test_the_checks_find_a_cycle() -> None:
    graph = {
        "cpmis.cases.services": {"cpmis.people.services": 3},
        "cpmis.people.services": {"cpmis.cases.models": 9},
        "cpmis.cases.models": {},
    }
    (problem,) = app_cycles(graph)
    assert problem.startswith("cases <-> people:")
    assert "cpmis.people.services:9 imports cpmis.cases.models" in problem
    assert module_cycles(graph) == []
    assert layer_violations(graph) == []
    graph["cpmis.people.services"]["cpmis.linkage.services"] = 12
    (violation,) = layer_violations(graph)
    assert violation.startswith("people -> linkage (ADR 0012")


def test_no_app_imports_itself_back_through_another() -> None:
    problems = app_cycles(import_graph())
    assert not problems, "import cycles between apps:\n" + "\n".join(problems)


def test_no_module_imports_itself_back_through_others() -> None:
    # Within one app (indicators.facts <-> indicators.justice was one) and across the project.
    problems = module_cycles(import_graph())
    assert not problems, "import cycles between modules:\n" + "\n".join(problems)


def test_apps_import_only_in_the_directions_the_adrs_draw() -> None:
    problems = layer_violations(import_graph())
    assert not problems, "imports against the layering:\n" + "\n".join(problems)


def test_every_rule_names_an_app() -> None:
    apps = {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()}
    for app, banned, _ in FORBIDDEN:
        assert app in apps
        assert banned <= apps | {"*"}
