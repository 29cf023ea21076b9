"""No import circle anywhere in mopstui, read from the source with `ast`.

The layers contract (pyproject.toml, `lint-imports`) stops a package importing one above it; this
stops two modules of one package importing each other, directly or round a longer loop. Both
imports that run when a module loads and those only for type checking (`if TYPE_CHECKING:`) count:
a circle of types is still two modules that cannot be understood, or moved, one without the other.
An import inside a function runs later, on demand, and is left out, as Python itself leaves it."""

import ast
from pathlib import Path

import mopstui

PACKAGE = Path(mopstui.__file__).parent


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    names = {}
    for path in root.rglob("*.py"):
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def load_time_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports that run when the module loads, and those under `if TYPE_CHECKING:` (any
    `if`, `try` or `with` at module or class level); not those inside a function."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the package that module `name` imports at load time."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in load_time_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import name`: the submodule when there is one, else pkg itself.
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]
        for target in targets:
            while target and target not in known:  # `import a.b.c` where c is a name in a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other round a loop (strongly connected, Tarjan's
    algorithm, without recursion), each sorted; a module alone is no circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, following = work[-1]
            step = next(following, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[module] = min(low[module], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return sorted(found)


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]


def test_imports_are_read_as_python_runs_them(tmp_path):
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("from .one import thing\n")
    (root / "sub" / "one.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import two\ndef later():\n    from .. import three\n"
    )
    (root / "sub" / "two.py").write_text("import pkg.three\nfrom pkg.sub import one\n")
    (root / "three.py").write_text("from .sub.one import thing\n")
    graph = import_graph(root)
    assert graph["pkg.sub"] == {"pkg.sub.one"}
    assert graph["pkg.sub.one"] == {"pkg.sub.two"}  # the import inside a function runs later: left out
    assert graph["pkg.sub.two"] == {"pkg.three", "pkg.sub.one"}
    assert graph["pkg.three"] == {"pkg.sub.one"}
    assert circles(graph) == [["pkg.sub.one", "pkg.sub.two", "pkg.three"]]


def test_no_import_circle_in_mopstui():
    graph = import_graph()
    assert graph["mopstui.config.validate"], "the scan reads the imports"
    found = circles(graph)
    assert found == [], "modules that import each other round a loop: " + "; ".join(" <-> ".join(c) for c in found)
