"""Show the library's own source in a chapter, so the book never holds a second copy of an algorithm."""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

CODE_COLUMN = 77
"""Characters of code that fit the book's page column at 1280 px without scrolling."""


class Source:
    """Source code that renders as highlighted Python in Jupyter and as plain text elsewhere."""

    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return self.code

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}```"


def show_source(obj: Any, start: str | None = None, docstring: bool = False,
                width: int = CODE_COLUMN) -> Source:
    """Return the source of a backproplib function, method or class for display in a chapter.

    Parameters
    ----------
    obj : function, method or class
    start : str, optional
        Drop the lines before the first one containing this text (after the signature), marking the
        cut with ``...``.
    docstring : bool
        Keep the docstrings (the API reference shows them; a chapter usually shows the code).
    width : int
        The widest line allowed: a listing must fit the page's code column.

    Raises
    ------
    ValueError
        If ``start`` does not occur, or a line is wider than ``width`` (wrap it in the library).
    """
    code = textwrap.dedent(inspect.getsource(obj))
    lines = code.splitlines(keepends=True)
    if not docstring:
        lines = _without_docstrings(code, lines)
    if start is not None:
        hits = [i for i, x in enumerate(lines) if start in x]
        if not hits:
            raise ValueError(f"{start!r} does not occur in the source of {obj.__qualname__}")
        if hits[0] > 1:
            head = _signature_end(lines)
            lines = lines[: head + 1] + ["    ...\n"] + lines[hits[0]:]
    wide = [(i, len(x.rstrip("\n"))) for i, x in enumerate(lines) if len(x.rstrip("\n")) > width]
    if wide:
        i, n = wide[0]
        raise ValueError(f"line {i + 1} of the listing of {obj.__qualname__} has {n} characters; the "
                         f"book's code column holds {width}: wrap it in the library "
                         f"({lines[i].strip()[:40]!r}...)")
    return Source("".join(lines), getattr(obj, "__qualname__", str(obj)))


def _without_docstrings(code: str, lines: list[str]) -> list[str]:
    """The lines with every function's and class's docstring removed."""
    drop: set[int] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                drop.update(range(first.lineno - 1, first.end_lineno))
    return [x for i, x in enumerate(lines) if i not in drop]


def _signature_end(lines: list[str]) -> int:
    """The index of the line that ends the first ``def``/``class`` statement (its colon)."""
    for i, line in enumerate(lines):
        if line.rstrip().endswith(":") and not line.lstrip().startswith("@"):
            return i
    return 0
