"""Draw a layered network with matplotlib: one circle per unit, labelled with its weighted input,
its activation and (optionally) its error, and the weight matrix :math:`W^l` named between layers.

The drawing speaks the book's notation (``notation="matrix"``: :math:`z^l_j`, :math:`a^l_j`,
:math:`\\delta^l_j`, :math:`W^l`, inputs :math:`x_j = a^0_j`) or the per-neuron notation of chapter 3
(``notation="neuron"``: units numbered through the network, :math:`\\mathrm{net}_j`, :math:`o_j`,
:math:`\\delta_j`, and :math:`w_{ij}` for the weight from unit :math:`i` to unit :math:`j`, source
first as in the seed article), with every label in mathtext. Layout and labels depend on the
arguments only, so the same call draws the same picture every time.

>>> ax = draw_network((2, 2, 1))
>>> len(units(ax))
5
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle

NOTATIONS = ("matrix", "neuron")
RADIUS = 0.3
UNIT_GID = "unit"
LAYER_GAP = 2.4
UNIT_GAP = 1.75


def _check_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise ValueError(f"sizes must be a sequence of layer widths such as (2, 2, 1), got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least two layers (inputs and outputs), got {tuple(sizes)!r}")
    for k, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"sizes[{k}] must be a positive integer (units in layer {k}), got {n!r}")
        if n > 8:
            raise ValueError(f"sizes[{k}] = {n}: at most 8 units per layer can be drawn legibly")
    out = tuple(int(n) for n in sizes)
    if len(out) > 6:
        raise ValueError(f"sizes has {len(out)} layers: at most 6 can be drawn legibly")
    return out


def _labels(layer: int, j: int, k: int, notation: str, deltas: bool) -> tuple[str, str, str]:
    """(inside, below, above) texts of unit ``j`` (1-based within its layer, ``k`` counted through
    the whole network) of ``layer``."""
    if notation == "matrix":
        if layer == 0:
            return f"$x_{j}$", f"$a^0_{j}$", ""
        return (f"$a^{layer}_{j}$", f"$z^{layer}_{j}$",
                rf"$\delta^{layer}_{j}$" if deltas else "")
    if layer == 0:
        return f"$x_{k}$", f"$o_{k}$", ""
    return (f"$o_{{{k}}}$", rf"$\mathrm{{net}}_{{{k}}}$",
            rf"$\delta_{{{k}}}$" if deltas else "")


def _weight_label(layer: int, sizes: tuple[int, ...], notation: str) -> str:
    if notation == "matrix":
        return f"$W^{layer}$"
    first = sum(sizes[:layer - 1]) + 1  # the numbers of the units the weights join
    dest = sum(sizes[:layer]) + 1
    last_i, last_j = dest - 1, dest + sizes[layer] - 1
    sep = "," if sum(sizes) > 9 else ""  # w_{1,12}, not w_{112}

    def w(i: int, j: int) -> str:
        return f"w_{{{i}{sep}{j}}}"
    if sizes[layer - 1] * sizes[layer] == 1:
        return f"${w(first, dest)}$"
    return rf"${w(first, dest)}, \ldots, {w(last_i, last_j)}$"


def draw_network(sizes: Sequence[int] = (2, 2, 1), labels: bool = True, deltas: bool = True,
                 notation: str = "matrix", ax: Axes | None = None, title: str | None = None,
                 figsize: tuple[float, float] | None = None) -> Axes:
    """Draw a fully connected layered network.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, inputs first (``(2, 2, 1)``: two inputs, two hidden units, one output);
        2 to 6 layers of 1 to 8 units.
    labels : bool
        Write the notation on the drawing: the activation inside each unit, its weighted input
        under it, its error above it, and the weight matrix between layers.
    deltas : bool
        Include the error labels (:math:`\\delta^l_j`) and an arrow that says they flow backwards.
    notation : {"matrix", "neuron"}
        The book's layer notation, or chapter 3's per-neuron names (:math:`\\mathrm{net}`,
        :math:`o`, :math:`w_{ij}` from unit :math:`i` to unit :math:`j`, units numbered through
        the network).
    ax : matplotlib Axes, optional
        Where to draw; a new figure of size ``figsize`` when omitted.
    figsize : (float, float), optional
        Inches; by default the drawing's own proportions, at most 6.9 inches wide (the book's
        column at 100 dpi).
    title : str, optional
        The axes' title (a default one names the layer sizes).

    Returns
    -------
    matplotlib.axes.Axes
        Its units are the :class:`~matplotlib.patches.Circle` patches returned by :func:`units`;
        ``ax.figure`` is the figure.

    Raises
    ------
    ValueError
        Naming ``sizes`` or ``notation`` when they cannot be drawn.
    """
    sizes = _check_sizes(sizes)
    if notation not in NOTATIONS:
        raise ValueError(f"notation must be one of {', '.join(map(repr, NOTATIONS))}, got {notation!r}")
    last = len(sizes) - 1
    tallest = max(sizes)
    top = (tallest - 1) / 2 * UNIT_GAP
    xlim = (-0.9, last * LAYER_GAP + 0.9)
    ylim = (-top - RADIUS - 1.35, top + RADIUS + (1.7 if labels and deltas else 1.1))
    if ax is None:
        if figsize is None:
            scale = min(0.75, 6.9 / (xlim[1] - xlim[0]))  # inches per unit of the drawing
            figsize = (scale * (xlim[1] - xlim[0]), scale * (ylim[1] - ylim[0]) + 0.45)
        fig, ax = plt.subplots(figsize=figsize)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.42 / figsize[1])
    pos = {}
    for layer, n in enumerate(sizes):
        for j in range(n):
            pos[layer, j] = (layer * LAYER_GAP, ((n - 1) / 2 - j) * UNIT_GAP)
    for layer in range(1, last + 1):  # every connection, under the units
        for i in range(sizes[layer - 1]):
            for j in range(sizes[layer]):
                (x0, y0), (x1, y1) = pos[layer - 1, i], pos[layer, j]
                ax.annotate("", xy=(x1 - RADIUS, y1), xytext=(x0 + RADIUS, y0),
                            arrowprops=dict(arrowstyle="-|>", color="0.55", lw=0.9,
                                            shrinkA=0, shrinkB=0))
    for (layer, j), (x, y) in pos.items():
        face = "#dbe9f6" if layer == 0 else ("#fde2c8" if layer == last else "#e3f1dc")
        ax.add_patch(Circle((x, y), RADIUS, facecolor=face, edgecolor="0.2", lw=1.2, gid=UNIT_GID,
                            zorder=3))
        if not labels:
            continue
        k = sum(sizes[:layer]) + j + 1
        inside, below, above = _labels(layer, j + 1, k, notation, deltas)
        ax.text(x, y, inside, ha="center", va="center", fontsize=12, zorder=4)
        if below:
            ax.text(x, y - RADIUS - 0.08, below, ha="center", va="top", fontsize=10.5, color="0.25")
        if above:
            ax.text(x, y + RADIUS + 0.08, above, ha="center", va="bottom", fontsize=10.5,
                    color="tab:red")
    if labels:
        for layer in range(1, last + 1):
            x = (layer - 0.5) * LAYER_GAP
            ax.text(x, top + RADIUS + 0.55, _weight_label(layer, sizes, notation), ha="center",
                    va="bottom", fontsize=11)
        for layer in range(last + 1):
            name = "input" if layer == 0 else ("output" if layer == last else "hidden")
            ax.text(layer * LAYER_GAP, -top - RADIUS - 0.55, f"{name}\nlayer {layer}",
                    ha="center", va="top", fontsize=9, color="0.3")
        if deltas and last >= 1:
            y = top + RADIUS + 1.15
            ax.annotate("", xy=(0.3 * LAYER_GAP, y), xytext=(last * LAYER_GAP - 0.3 * LAYER_GAP, y),
                        arrowprops=dict(arrowstyle="-|>", color="tab:red", lw=1.2))
            ax.text(last * LAYER_GAP / 2, y + 0.08, r"errors $\delta$ flow backwards",
                    ha="center", va="bottom", fontsize=9, color="tab:red")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    default = "A " + "-".join(map(str, sizes)) + " network"
    ax.set_title(default if title is None else title)
    return ax


def units(ax: Axes) -> list[Circle]:
    """The unit circles :func:`draw_network` drew on ``ax``, layer by layer."""
    return [p for p in ax.patches if isinstance(p, Circle) and p.get_gid() == UNIT_GID]
