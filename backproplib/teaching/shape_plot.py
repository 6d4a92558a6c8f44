"""Pictures of matrix shapes: each factor of a matrix equation drawn as a box whose width and height
are its numbers of columns and rows, labelled with its symbol and its shape.

:func:`backward_shapes` draws the two equations of the backward pass of a dense layer,
``delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l`` and ``dC/dW^l = delta^l (a^{l-1})^T``, for chosen
layer widths; :func:`draw_product` draws any one such equation on a given axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

OPERATORS = {"=": "$=$", "*": r"$\odot$", "@": "", "+": "$+$"}
"""The operators :func:`draw_product` can draw between boxes (``"@"``, the matrix product, is
written as juxtaposition)."""


@dataclass(frozen=True)
class Box:
    """One factor of a matrix equation.

    Attributes
    ----------
    symbol : str
        Mathtext without the dollars, e.g. ``r"(W^l)^T"``.
    shape : tuple of int
        ``(rows, columns)``: the drawn height and width, in cells.
    shape_label : str
        Mathtext without dollars for the shape, e.g. ``r"(n_{l-1}, n_l)"``.
    color : str
        Face colour of the box.
    """

    symbol: str
    shape: tuple[int, int]
    shape_label: str
    color: str = "#cfe2f3"


def _check_box(box: object, i: int) -> Box:
    if not isinstance(box, Box):
        raise TypeError(f"term {i} must be a Box or one of the operators "
                        f"{sorted(OPERATORS)}, got {type(box).__name__} {box!r}")
    shape = box.shape
    if (not isinstance(shape, tuple) or len(shape) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape)):
        raise ValueError(f"box {box.symbol!r} (term {i}): shape must be two positive integers "
                         f"(rows, columns), got {shape!r}")
    return box


def draw_product(ax: Axes, terms: Sequence[Box | str], y: float = 0.0, cell: float = 0.3,
                 gap: float = 0.5) -> float:
    """Draw one matrix equation on ``ax``, left to right, centred vertically on ``y``.

    Parameters
    ----------
    ax : matplotlib Axes
    terms : sequence of Box or str
        Boxes and, between them, operators from :data:`OPERATORS`.
    y : float
        The vertical centre line, in data units.
    cell : float
        The side of one matrix entry, in data units (every box has the aspect of its shape).
    gap : float
        The horizontal space around an operator.

    Returns
    -------
    float
        The x coordinate where the drawing ends.

    Raises
    ------
    ValueError
        For an empty equation, an unknown operator or a shape that is not two positive integers.
    """
    if not terms:
        raise ValueError("draw_product needs at least one box")
    x = 0.0
    for i, term in enumerate(terms):
        if isinstance(term, str):
            if term not in OPERATORS:
                raise ValueError(f"term {i}: unknown operator {term!r}; use one of "
                                 f"{sorted(OPERATORS)}")
            if OPERATORS[term]:
                ax.text(x + gap, y, OPERATORS[term], ha="center", va="center", fontsize=14)
                x += 2 * gap
            else:
                x += 0.6 * gap
            continue
        box = _check_box(term, i)
        rows, cols = box.shape
        w, h = cols * cell, rows * cell
        ax.add_patch(Rectangle((x, y - h / 2), w, h, facecolor=box.color, edgecolor="#1f3b57",
                               linewidth=1.2))
        ax.text(x + w / 2, y + h / 2 + 0.08, f"${box.symbol}$", ha="center", va="bottom",
                fontsize=11)
        ax.text(x + w / 2, y - h / 2 - 0.08, f"${box.shape_label}$", ha="center", va="top",
                fontsize=9, color="#333333")
        x += w
    return x


def _widths(n_l: int, n_prev: int) -> None:
    for name, n in (("n_l", n_l), ("n_prev", n_prev)):
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 12:
            raise ValueError(f"{name} must be an integer from 1 to 12 (the number of units "
                             f"drawn), got {n!r}")


def backward_shapes(n_l: int = 3, n_prev: int = 5, figsize: tuple[float, float] = (6.8, 4.6)
                    ) -> Figure:
    """The shapes in the backward pass of one dense layer, for one example.

    Top: ``delta^{l-1} = f'(z^{l-1}) * ((W^l)^T delta^l)``; bottom:
    ``dC/dW^l = delta^l (a^{l-1})^T``. Each factor is a box of ``rows x columns`` cells.

    Parameters
    ----------
    n_l, n_prev : int
        The widths of layer ``l`` and layer ``l-1`` as drawn (1 to 12).
    figsize : tuple of float
        Inches; the default is 612 px wide at the book's 90 dpi.

    Returns
    -------
    matplotlib Figure

    Raises
    ------
    ValueError
        If a width is not an integer from 1 to 12.
    """
    _widths(n_l, n_prev)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=figsize)
    col, row = (n_prev, 1), (n_l, 1)
    ends = [
        draw_product(top, [Box(r"\delta^{l-1}", col, r"(n_{l-1}, 1)", "#f4cccc"), "=",
                           Box(r"f'(z^{l-1})", col, r"(n_{l-1}, 1)", "#fff2cc"), "*",
                           Box(r"(W^l)^T", (n_prev, n_l), r"(n_{l-1}, n_l)"), "@",
                           Box(r"\delta^l", row, r"(n_l, 1)", "#f4cccc")]),
        draw_product(bottom, [Box(r"\partial C / \partial W^l", (n_l, n_prev),
                                  r"(n_l, n_{l-1})", "#d9ead3"), "=",
                              Box(r"\delta^l", row, r"(n_l, 1)", "#f4cccc"), "@",
                              Box(r"(a^{l-1})^T", (1, n_prev), r"(1, n_{l-1})", "#fff2cc")]),
    ]
    height = 0.3 * max(n_l, n_prev)
    for ax, title in zip((top, bottom),
                         (r"The error travels back through $(W^l)^T$",
                          r"The weight gradient is an outer product")):
        ax.set_xlim(-0.2, max(ends) + 0.2)
        ax.set_ylim(-height / 2 - 0.3, height / 2 + 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=11)
    fig.suptitle(rf"Shapes in the backward pass, $n_l = {n_l}$, $n_{{l-1}} = {n_prev}$",
                 fontsize=12)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.02, hspace=0.35)
    return fig
