"""The package's layout is its architecture: the core at the top, one subpackage per part of the book.

Rules (CONTRIBUTING.md, "Layout of the library"):

* the core (what a reader must read to know the algorithm) imports nothing outside the core;
* the other top-level modules (the derivation chapters' aids and the data sets) import only the top;
* the part subpackages never import ``teaching``; ``teaching`` may import anything;
* no import cycle between modules, and no module named like a standard-library module.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backproplib"
CORE = {"activations", "losses", "network", "init", "optim", "training", "gradcheck"}
TOP = CORE | {"symbolic", "surfaces", "datasets"}
PARTS = {"autodiff", "curvature", "architectures", "experiments"}
TEACHING = "teaching"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if module_name(p)}


def imports_of(name: str, path: Path) -> set[str]:
    """The backproplib modules ``name`` imports (anywhere in the file, also inside functions)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("backproplib")]
            found |= {t.removeprefix("backproplib").lstrip(".") for t in targets}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.startswith("backproplib"):
                mod = node.module.removeprefix("backproplib").lstrip(".")
            else:
                continue
            known = modules()
            for alias in node.names:  # `from . import datasets` names a module
                sub = f"{mod}.{alias.name}" if mod else alias.name
                found.add(sub if sub in known else mod)
    return {f for f in found if f}


def group(name: str) -> str:
    head = name.split(".")[0]
    if name in CORE:
        return "core"
    if name in TOP:
        return "top"
    if head in PARTS:
        return "part"
    if head == TEACHING:
        return "teaching"
    raise AssertionError(f"backproplib.{name} belongs to no layer: add it to CORE, TOP, a part "
                         "subpackage or teaching in tests/test_layering.py and CONTRIBUTING.md")


MODULES = {n: p for n, p in modules().items()}
GRAPH = {n: imports_of(n, p) for n, p in MODULES.items()}


ALLOWED = {"core": {"core"}, "top": {"core", "top"}, "part": {"core", "top", "part"},
           "teaching": {"core", "top", "part", "teaching"}}


def violations(name: str, imported: set[str]) -> list[str]:
    """The imports of module ``name`` that its layer may not use."""
    return sorted(i for i in imported if group(i) not in ALLOWED[group(name)])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_keeps_its_layer(name):
    bad = violations(name, {i for i in GRAPH[name] if i in MODULES})
    assert not bad, f"backproplib.{name} ({group(name)}) imports {bad}, outside what its layer may use"


def test_no_import_cycles():
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        path.append(n)
        for m in sorted(GRAPH.get(n, ())):
            if m not in MODULES or m == n or MODULES[m].name == "__init__.py":
                continue
            if state.get(m) == 1:
                raise AssertionError(f"import cycle: {' -> '.join(path[path.index(m):] + [m])}")
            if m not in state:
                visit(m)
        path.pop()
        state[n] = 2

    for n in sorted(MODULES):
        if n not in state and MODULES[n].name != "__init__.py":
            visit(n)


def test_no_module_is_named_like_a_standard_library_module():
    clashes = sorted(n for n in MODULES if n.split(".")[-1] in sys.stdlib_module_names)
    assert not clashes, f"modules named like the standard library: {clashes}"


def test_importing_the_package_loads_the_core_only():
    import subprocess

    code = ("import sys, backproplib; "
            "print(sorted(m for m in sys.modules if m.startswith('backproplib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m.removeprefix("backproplib").lstrip(".") for m in eval(out.stdout)} - {""}
    assert loaded <= TOP, f"import backproplib also loads {sorted(loaded - TOP)}"
    assert "matplotlib" not in out.stdout


def test_the_rules_catch_a_violation():
    """The checker itself: each forbidden direction is reported, the allowed ones are not."""
    assert violations("network", {"teaching.widgets", "losses"}) == ["teaching.widgets"]
    assert violations("network", {"surfaces"}) == ["surfaces"]        # core -> top
    assert violations("surfaces", {"autodiff.graph"}) == ["autodiff.graph"]  # top -> part
    assert violations("curvature.hessian", {"teaching.plots"}) == ["teaching.plots"]
    assert violations("teaching.widgets", {"network", "autodiff.graph", "surfaces"}) == []
    with pytest.raises(AssertionError, match="belongs to no layer"):
        group("newthing")


def test_the_api_reference_documents_every_module_once_on_its_parts_page():
    import re

    pages = sorted((PACKAGE.parent / "book" / "api").glob("*.md"))
    documented: dict[str, list[str]] = {}
    for page in pages:
        for mod in re.findall(r"\.\. automodule:: backproplib\.?([\w.]*)", page.read_text()):
            documented.setdefault(mod, []).append(page.name)
    data = {m for m in MODULES if m.startswith("teaching.exercises.chapters.")}  # exercises as data
    missing = sorted(set(MODULES) - set(documented) - data)
    twice = {m: p for m, p in documented.items() if len(p) > 1}
    assert not missing, f"modules without an API page: {missing}"
    assert not twice, f"modules documented on more than one page: {twice}"
    for mod, (page,) in documented.items():
        head = mod.split(".")[0]
        if head in PARTS | {TEACHING}:
            assert page == f"{head}.md", f"backproplib.{mod} belongs on api/{head}.md, not {page}"
