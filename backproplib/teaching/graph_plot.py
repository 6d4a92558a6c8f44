"""Draw a computational graph with matplotlib: one box per node, its value and (after
:func:`backproplib.autodiff.graph.backward`) its adjoint, arrows from operands to results.

Nodes are placed in columns by depth (the longest path from a leaf), so data flows left to right and
adjoints flow right to left. No graphviz is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..autodiff.graph import Node, topological_order

OP_LABELS = {"+": "+", "-": "−", "*": "×", "@": "@", "sum": "Σ"}


def format_value(v: np.ndarray, digits: int = 3) -> str:
    """A short text for a value: the number, a small array's entries (one line per row of a matrix),
    or the shape of a large array."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return f"{float(v.reshape(())):.{digits}g}"
    if v.size <= 4:
        rows = v.reshape(v.shape[0], -1) if v.ndim == 2 and v.shape[1] > 1 else v.reshape(1, -1)
        return "\n".join("[" + "  ".join(f"{x:.{digits}g}" for x in row) + "]" for row in rows)
    return "shape " + "×".join(str(n) for n in v.shape)


def _drawn(output: Node, cut: set[int]) -> list[Node]:
    """The nodes to draw, in topological order: all that ``output`` depends on, except what lies
    behind a node of ``cut`` (such a node is drawn as an input)."""
    reach, stack = {id(output)}, [output]
    while stack:
        node = stack.pop()
        if id(node) in cut:
            continue
        for p in node.parents:
            if id(p) not in reach:
                reach.add(id(p))
                stack.append(p)
    return [n for n in topological_order(output) if id(n) in reach]


def _parents(node: Node, cut: set[int]) -> tuple[Node, ...]:
    return () if id(node) in cut else node.parents


def _visible_parents(node: Node, hidden: set[int], cut: set[int] = frozenset()) -> list[Node]:
    """Parents of ``node``, looking through hidden nodes (such as reshapes) to what they reshape."""
    out: list[Node] = []
    stack = list(reversed(_parents(node, cut)))
    while stack:
        p = stack.pop()
        if id(p) in hidden:
            stack.extend(reversed(_parents(p, cut)))
        else:
            out.append(p)
    return out


def layout(output: Node, hide_ops: Sequence[str] = ("reshape",),
           cut: set[int] = frozenset()) -> dict[int, tuple[float, float]]:
    """Positions ``{id(node): (x, y)}`` of the visible nodes.

    Operations sit in columns by depth (the longest chain of operations before them), spread
    vertically when several share a column. Each leaf sits half a column before its first consumer,
    above or below it, so parameters and data feed the chain of operations from the sides.
    """
    order = _drawn(output, cut)
    hidden = {id(n) for n in order if n.op in hide_ops and n is not output and id(n) not in cut}
    ops = [n for n in order if _parents(n, cut) and id(n) not in hidden]
    depth: dict[int, int] = {}
    for n in ops:
        depth[id(n)] = 1 + max((depth[id(p)] for p in _visible_parents(n, hidden, cut)
                                if _parents(p, cut)),
                               default=-1)
    columns: dict[int, list[Node]] = {}
    for n in ops:
        columns.setdefault(depth[id(n)], []).append(n)
    pos: dict[int, tuple[float, float]] = {}
    for d, col in columns.items():
        for i, n in enumerate(col):
            pos[id(n)] = (float(d), 2.4 * ((len(col) - 1) / 2 - i))
    for n in ops:  # place leaves beside their first consumer
        x, y = pos[id(n)]
        k = 0
        for p in _visible_parents(n, hidden, cut):
            if not _parents(p, cut) and id(p) not in pos:
                pos[id(p)] = (x - 0.5, y + (1.2 if k % 2 == 0 else -1.2))
                k += 1
    if not ops:
        pos[id(output)] = (0.0, 0.0)
    return pos


MAX_WIDTH_IN = 7.5
"""Widest figure :func:`draw_graph` makes, in inches (675 px at the book's 90 dpi)."""


def draw_graph(output: Node, ax: Axes | None = None, labels: Mapping[Node, str] | None = None,
               show_grad: bool = True, title: str | None = None, digits: int = 3,
               hide_ops: Sequence[str] = ("reshape",), fontsize: float = 8.0,
               inputs: Sequence[Node] = ()) -> Axes:
    """Draw the graph of ``output``: every node with its value ``v`` and adjoint ``ḡ``.

    Parameters
    ----------
    output : Node
    ax : matplotlib Axes, optional
        A new figure sized to the graph is made when omitted.
    labels : mapping from Node to str, optional
        Names to show instead of ``node.name`` or the operation.
    show_grad : bool
        Show the adjoints (run :func:`~backproplib.autodiff.graph.backward` first).
    title : str, optional
    digits : int
        Significant digits of the numbers shown.
    hide_ops : sequence of str
        Operations drawn as plain wires (reshapes by default).
    fontsize : float
        Size of the text in the boxes, in points; the layout scales with it.
    inputs : sequence of Node
        Nodes drawn as inputs, without the graph behind them (to draw a large graph in parts).

    Returns
    -------
    Axes
    """
    if not isinstance(output, Node):
        raise TypeError(f"draw_graph needs a Node, got {type(output).__name__}")
    names = {id(k): v for k, v in (labels or {}).items()}
    cut = {id(n) for n in inputs if n is not output}
    order = _drawn(output, cut)
    pos = layout(output, hide_ops, cut)
    hidden = {id(n) for n in order if id(n) not in pos}
    shown = [n for n in order if id(n) not in hidden]
    texts = {}
    for n in shown:
        name = names.get(id(n)) or n.name or OP_LABELS.get(n.op, n.op)
        lines = [name] + _labelled("v = ", format_value(n.value, digits))
        if show_grad and n.grad is not None:
            lines += _labelled("ḡ = ", format_value(n.grad, digits))
        texts[id(n)] = "\n".join(lines)
    # column widths in inches from the longest line of the operations placed in each column
    char, unit_y = 0.068 * fontsize / 8, 0.62 * fontsize / 8
    width: dict[float, float] = {}
    for n in shown:
        x = pos[id(n)][0] if _parents(n, cut) else round(pos[id(n)][0] + 0.5)
        longest = max(len(t) for t in texts[id(n)].split("\n"))
        width[x] = max(width.get(x, 1.0), char * longest + 0.45)
    left: dict[float, float] = {}
    edge = 0.0
    for x in sorted(width):
        left[x] = edge + width[x] / 2
        edge += width[x]
    line_h = 0.15 * fontsize / 8  # inches per line of text
    inch = {id(n): (left[pos[id(n)][0]], pos[id(n)][1] * unit_y * 1.6)
            for n in shown if _parents(n, cut)}
    if not inch:
        inch[id(output)] = (0.0, 0.0)
    for n in shown:  # leaves beside their first consumer, alternately above and below it
        if not _parents(n, cut):
            continue
        x, y = inch[id(n)]
        x_use = pos[id(n)][0]
        k = 0
        for p in _visible_parents(n, hidden, cut):
            if _parents(p, cut) or id(p) in inch:
                continue
            gap = line_h * (texts[id(p)].count("\n") + texts[id(n)].count("\n") + 2) / 2 + 0.3
            inch[id(p)] = (x - 0.42 * width[x_use], y + (gap if k % 2 == 0 else -gap))
            k += 1
    xs = [p[0] for p in inch.values()]
    ys = [p[1] for p in inch.values()]
    x_lo, x_hi = min(xs) - 0.75, max(xs) + 0.75
    y_lo, y_hi = min(ys) - 0.55, max(ys) + 0.55
    if ax is None:
        # at most 7.5 in: at the book's 90 dpi the figure fits the page column (688 px), so it is
        # shown at the size it is drawn and its text keeps its point size
        scale = min(1.0, MAX_WIDTH_IN / (x_hi - x_lo))
        _, ax = plt.subplots(figsize=(scale * (x_hi - x_lo), max(scale * (y_hi - y_lo) + 0.5, 1.8)))
    boxes = {}
    for n in shown:
        x, y = inch[id(n)]
        face = "#fff4e0" if n.parents else "#e8f0fe" if n.requires_grad else "#f2f2f2"
        boxes[id(n)] = ax.text(x, y, texts[id(n)], ha="center", va="center", fontsize=fontsize,
                               family="DejaVu Sans", zorder=3,
                               bbox=dict(boxstyle="round,pad=0.35", fc=face, ec="0.35", lw=0.8))
    for n in shown:  # arrows clipped at the boxes' edges, so every arrowhead shows
        parents = _visible_parents(n, hidden, cut)
        for k, p in enumerate(parents):
            twice = sum(q is p for q in parents) > 1
            rad = (0.3 if k % 2 else -0.3) if twice else 0.0
            ax.annotate("", xy=inch[id(n)], xytext=inch[id(p)],
                        arrowprops=dict(arrowstyle="-|>", color="0.4", lw=1.0, shrinkA=1, shrinkB=1,
                                        patchA=boxes[id(p)].get_bbox_patch(),
                                        patchB=boxes[id(n)].get_bbox_patch(),
                                        connectionstyle=f"arc3,rad={rad}"))
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def _labelled(prefix: str, text: str) -> list[str]:
    """``prefix`` before the first line of ``text``, the other lines indented to match."""
    lines = text.split("\n")
    return [prefix + lines[0]] + ["     " + line for line in lines[1:]]
