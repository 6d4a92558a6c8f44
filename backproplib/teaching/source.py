"""Show the library's own source in a chapter, so the book never holds a second copy of an algorithm."""

from __future__ import annotations

import inspect
from typing import Any


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


def show_source(obj: Any, start: str | None = None) -> Source:
    """Return the source of a backproplib function, method or class for display.

    Parameters
    ----------
    obj : function, method or class
    start : str, optional
        Drop the lines before the first one containing this text (to skip a long docstring, say).
    """
    code = inspect.getsource(obj)
    lines = code.splitlines(keepends=True)
    indent = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
    lines = [x[indent:] if x.strip() else x for x in lines]
    if start is not None:
        hits = [i for i, x in enumerate(lines) if start in x]
        if not hits:
            raise ValueError(f"{start!r} does not occur in the source of {obj.__qualname__}")
        lines = lines[:1] + ["    ...\n"] + lines[hits[0]:] if hits[0] > 1 else lines
    return Source("".join(lines), getattr(obj, "__qualname__", str(obj)))
