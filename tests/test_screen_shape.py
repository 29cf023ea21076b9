"""The screen's shape, read from its source: no import circle among the modules of mopstui/tui
(the screen was one app cut into parts that each imported the whole app's type, a ten-module
circle), and each pane queries only the widgets it makes itself (a pane reaching into another's
children by id is the coupling the panes were made to end)."""

import ast
import re
from pathlib import Path

import mopstui.tui

TUI = Path(mopstui.tui.__file__).parent
PANES = ["vendor_pane", "services_pane", "room_bar", "incident_pane"]


def imports_within(path: Path, modules: set[str]) -> set[str]:
    """The sibling modules `path` imports, those under `if TYPE_CHECKING:` included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
            found.update(name for name in names if name in modules)
    return found - {path.stem}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_screen():
    paths = {path.stem: path for path in TUI.glob("*.py")}
    graph = {name: imports_within(path, set(paths)) for name, path in paths.items()}
    assert graph["app"], "the scan reads the imports"
    assert circles(graph) == []


def test_each_pane_queries_only_its_own_widgets():
    for name in PANES:
        path = TUI / f"{name}.py"
        if not path.exists():
            continue
        source = path.read_text()
        made = set(re.findall(r'id="([\w-]+)"', source))
        queried = set(re.findall(r'query_one\("#([\w-]+)"', source))
        assert queried <= made, f"{name} reaches into widgets it does not make: {sorted(queried - made)}"


def test_the_app_asks_the_panes_never_their_widgets_by_id():
    """The app's parts gave orders to the panes' widgets by id (30 `q("#…")` from 7 files): now
    they call the pane (`incident_pane.refuse(…)`, `VendorPane.highlighted()`)."""
    own_widgets = set(PANES) | {"screens", "widgets", "help", "vendor_detail", "timeline_view", "war_room"}
    for path in sorted(TUI.glob("*.py")):
        if path.stem in own_widgets:
            continue
        found = re.findall(r'(?:\bq|query_one)\("#([\w-]+)"', path.read_text())
        assert not found, f"{path.stem} reaches into a pane's widgets by id: {found}"


def test_no_screen_module_or_class_is_too_long():
    """The guide's bound: no module over ~400 lines, no class over ~250 (the timeline was one class
    of 385 lines in a module of 431: its scrolling and its drawing of one entry are their own)."""
    long = []
    for path in sorted(TUI.glob("*.py")):
        source = path.read_text()
        if len(source.splitlines()) > 400:
            long.append(f"{path.name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None and node.end_lineno - node.lineno > 250:
                long.append(f"{path.name}: class {node.name} of {node.end_lineno - node.lineno} lines")
    assert long == []


def test_a_key_asks_the_pane_which_row_it_means():
    """O and o read the vendor and service panes' highlight from the app (`_vendor_under_cursor`,
    `ServicesPane.highlighted()` in `action_runbook`): now the pane says which, by id, in a message
    (`OverrideRequested`, `RunbookRequested`). Outside the panes only the line under the vendor
    table, drawn at once after the vendors are, still asks."""
    callers = []
    for path in sorted(TUI.glob("*.py")):
        if path.stem in PANES:
            continue
        for function in ast.walk(ast.parse(path.read_text())):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "highlighted":
                        callers.append(f"{path.stem}.{function.name}")
    assert sorted(set(callers)) == ["details._vendor_history"]
