"""Keep the lines of the docstrings' indented formula blocks on the API pages.

Many module docstrings show their equations as an indented block after a paragraph, for readers of
``help()`` and the source::

    z_t = W h_{t-1} + U x_t + b,        h_t = f(z_t),

In reStructuredText that is a block quote, whose lines are joined into one run-on line. Before autodoc
renders a docstring, this extension makes each such block a literal block (the paragraph before it
gets the ``::`` marker, which Sphinx shows as ``:`` or not at all), so it keeps its lines and its
alignment. The core's docstrings (network, optim, gradcheck) typeset their equations with ``:math:``
instead; this is for the rest.
"""

from __future__ import annotations

import re

_NOT_PROSE = re.compile(r"^(:|\.\.|>>>|[-*+] |\d+[.)] |[-=~^]{3,})")


def _is_prose(line: str) -> bool:
    return bool(line.strip()) and not line[0].isspace() and not _NOT_PROSE.match(line)


def literal_blocks(lines: list[str]) -> None:
    """Edit ``lines`` in place: a paragraph followed by a blank line and a block indented by 4 or
    more spaces ends with ``::``."""
    for i in range(2, len(lines)):
        if lines[i - 1].strip() or not lines[i].startswith("    ") or not lines[i].strip():
            continue
        j = i - 2
        while j >= 0 and not lines[j].strip():
            j -= 1
        prev = lines[j] if j >= 0 else ""
        if not _is_prose(prev) or prev.rstrip().endswith("::"):
            continue
        if j > 0 and lines[j - 1].strip() and not _is_prose(lines[j - 1]):
            continue  # the end of a list item or a field, not a paragraph of its own
        text = prev.rstrip()
        lines[j] = text + ":" if text.endswith(":") else text + " ::"


def _process(app, what, name, obj, options, lines):
    literal_blocks(lines)


def setup(app):
    app.connect("autodoc-process-docstring", _process, priority=600)  # after napoleon (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
