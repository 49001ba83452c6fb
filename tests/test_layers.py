"""The layers of the house, read from the source with ast (no import runs):

- the shell: ``cli.py``, ``shell.py`` (what commands share) and ``fetch/command.py`` parse and call;
- ``render/``: the only writers (tables, CSV/JSON, Markdown, xlsx, charts, the atomic -o);
- the core: the domain modules at the top (``dataset``, ``queries``, ``metrics``, ...), the
  engines in ``read/``, and the network in ``fetch/``.

The core never imports typer, rich or click, never prints and never exits; it never imports the
shell, and the renderers never import the core's question (``dataset``, ``queries``) or the
engines. No two modules import each other at load time (no circles).
"""

from __future__ import annotations

import ast
from pathlib import Path

import tradecli

PACKAGE = Path(tradecli.__file__).parent
SHELL = {"tradecli.cli", "tradecli.shell", "tradecli.__main__", "tradecli.fetch.command"}
#: The one place the core reaches into render: a Result's records() is the JSON form the CLI prints.
ALLOWED = {("tradecli.dataset", "tradecli.render")}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, top_level_only: bool = False) -> set[str]:
    """The tradecli modules (and outside packages) ``name`` imports, absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}  # `from . import flows` imports tradecli.flows
    return found


def layer(name: str) -> str:
    if name in SHELL:
        return "shell"
    if name == "tradecli.render" or name.startswith("tradecli.render."):
        return "render"
    if name.startswith("tradecli.read"):
        return "read"
    return "core"


def test_the_layers_hold():
    found = modules()
    assert {"tradecli.dataset", "tradecli.read.flows", "tradecli.read.bigfiles", "tradecli.render.chart"} <= set(found)
    for name, path in found.items():
        used = imports(name, path)
        own = {u for u in used if u in found}
        outside = {u.split(".")[0] for u in used}
        kind = layer(name)
        if kind in ("core", "read"):
            assert not outside & {"typer", "rich", "click"}, name
            assert not {u for u in own if layer(u) == "shell"}, name
            assert not {u for u in own if layer(u) == "render"} - {u for a, u in ALLOWED if a == name}, name
        if kind == "read":
            assert not own & {"tradecli.dataset", "tradecli.queries"}, f"{name}: an engine never asks the question"
        if kind == "render":
            assert not own & {"tradecli.dataset", "tradecli.queries", "tradecli.cli"}, name
            assert not {u for u in own if layer(u) == "read"}, f"{name}: renderers never read files"


def test_the_core_never_prints_or_exits():
    for name, path in modules().items():
        if layer(name) not in ("core", "read"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit", "quit"), f"{name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys":
                assert node.attr not in ("exit", "stdout", "stderr"), f"{name}:{node.lineno}"


def test_no_two_modules_import_each_other_at_load_time():
    found = modules()
    graph = {n: {u for u in imports(n, p, top_level_only=True) if u in found and u != n} for n, p in found.items()}
    # A package's own __init__ is loaded with each of its modules: that edge is not a circle of ours.
    graph = {n: {u for u in deps if not n.startswith(u + ".")} for n, deps in graph.items()}
    seen, stack = set(), []

    def visit(n: str) -> None:
        if n in stack:
            raise AssertionError("import circle: " + " -> ".join([*stack[stack.index(n) :], n]))
        if n in seen:
            return
        stack.append(n)
        for m in sorted(graph[n]):
            visit(m)
        stack.pop()
        seen.add(n)

    for n in sorted(graph):
        visit(n)


def test_no_module_imports_another_modules_private_names():
    """What a module shares is public; a leading underscore means "this module only"."""
    private = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                private += [f"{name}: {node.module} {n}" for n in names if n.startswith("_") and not n.startswith("__")]
    assert private == []
