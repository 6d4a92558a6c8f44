"""Rules every chapter keeps: it states its notation and loss where it starts, and no exercise's
solution depends on a variable defined more than one section above it."""

from __future__ import annotations

import ast
import builtins
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def cells(nb_path: Path) -> list[dict]:
    return json.loads(nb_path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_the_first_cell_states_the_notation_and_the_loss(nb_path):
    """The title cell links to the notation table and, in the same paragraph, says which loss the
    chapter uses (the book's convention, or the chapter's own with its translation)."""
    first = next(source(c) for c in cells(nb_path) if c["cell_type"] == "markdown")
    paragraphs = re.split(r"\n\s*\n", first)
    linked = [p for p in paragraphs if "<ch-notation>" in p]
    assert linked, (f"{nb_path.name}: the first cell does not link to the notation "
                    "({ref}`... <ch-notation>`)")
    assert any("loss" in p.lower() for p in linked), (
        f"{nb_path.name}: the paragraph that links to the notation does not state the chapter's loss")


def bound_and_loaded(code: str) -> tuple[set[str], set[str]]:
    """Names a piece of code binds anywhere, and names it reads."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(code)
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, loaded


def sections(nb_path: Path) -> list[tuple[int, dict]]:
    """Every cell with the index of its section (a new one starts at each ``##`` heading)."""
    out, k = [], 0
    for cell in cells(nb_path):
        if cell["cell_type"] == "markdown" and re.search(r"^## ", source(cell), re.M):
            k += 1
        out.append((k, cell))
    return out


def solutions(nb_path: Path) -> list[tuple[str, int, str, int]]:
    """(label, section, code of its solution cells, index of its first cell) for every exercise."""
    out, label, code, start_at, section = [], None, [], 0, 0
    for i, (k, cell) in enumerate(sections(nb_path)):
        text = source(cell)
        if cell["cell_type"] == "markdown":
            start = re.search(r"```\{solution-start\}\s+(\S+)", text)
            if label is not None and "{solution-end}" in text:
                out.append((label, section, "\n".join(code), start_at))
                label = None
            if start:
                label, code, start_at, section = start.group(1), [], i, k
        elif label is not None:
            code.append(text)
    return out


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_uses_a_name_from_more_than_one_section_above(nb_path):
    """A solution runs after the setup cell with only its own section and the one above it: it
    uses no variable defined further up (issue 14's rule; best, a solution needs only the setup)."""
    indexed = sections(nb_path)
    setup = next(source(c) for _, c in indexed if c["cell_type"] == "code")
    base = bound_and_loaded(setup)[0] | set(dir(builtins)) | {"display", "get_ipython"}
    problems = []
    for label, section, code, start in solutions(nb_path):
        near = set()
        for k, cell in indexed[:start]:
            if cell["cell_type"] == "code" and k >= section - 1:
                near |= bound_and_loaded(source(cell))[0]
        bound, loaded = bound_and_loaded(code)
        missing = sorted(loaded - bound - base - near)
        if missing:
            problems.append(f"{label} uses {', '.join(missing)}")
    assert not problems, (f"{nb_path.name}: solutions use names defined more than one section "
                          f"above (define them in the solution, its section or the setup cell): "
                          f"{'; '.join(problems)}")


def test_the_checks_find_what_they_should():
    bound, loaded = bound_and_loaded("import numpy as np\nx = np.ones(3)\ny = x + w\n%config a=1")
    assert {"np", "x", "y"} <= bound and "w" in loaded and "w" not in bound
