"""The backward pass of a small network, one node per click (chapter 17).

:class:`BackwardStepper` holds the state: the graph of a network's loss on one example, built with
the scalar engine :mod:`backproplib.autodiff.scalar`, and how many steps of the engine's own
:func:`~backproplib.autodiff.scalar.backward_steps` have run. :func:`draw` draws that state (every
node with its value, and its adjoint once it is final); :func:`show_stepper` displays a static PNG of
the first state and then the widget, whose buttons move the stepper and redraw.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..autodiff.scalar import (
    Scalar,
    ScalarNetwork,
    backward,
    backward_steps,
    maximum,
    topological_order,
)

Array = np.ndarray

GATES = {
    "+": "add distributes: each operand receives the adjoint {g}",
    "-": "subtract: the first operand receives {g}, the second its negative",
    "*": "multiply swaps: each operand receives {g} times the other operand",
    "tanh": "tanh: the operand receives {g} times 1 - a^2 (a, the output)",
    "logistic": "logistic: the operand receives {g} times a(1 - a)",
    "relu": "relu routes: {g} passes if the input was positive, else 0",
    "max": "max routes: {g} goes to the larger operand only",
    "exp": "exp: the operand receives {g} times the output",
}
"""What each operation does with the adjoint it passes back (the gate intuition)."""

PRETTY = {"x": "x", "W": "w", "b": "b", "z": "z", "a": "a", "e": "e", "C": "C"}
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def pretty(name: str | None) -> str:
    """``"W1[0,1]"`` as ``w¹₁₂``, ``"z2[0]"`` as ``z²₁`` (units counted from 1, as the book does)."""
    if not name:
        return ""
    head, _, rest = name.partition("[")
    if head[:1] in "Wbza" and head[1:].isdigit():
        idx = "".join(str(int(i) + 1) for i in rest.rstrip("]").split(",")) if rest else ""
        return PRETTY[head[0]] + head[1:].translate(SUP) + idx.translate(SUB)
    if head[:1] in "xey" and head[1:].isdigit():
        return head[0] + head[1:].translate(SUB)
    if head == "e" and rest:
        return "e"
    return name


def describe(node: Scalar, depth: int = 2) -> str:
    """A node in words: its name, or its operation on its operands (``w²₁₂·a¹₂``)."""
    if node.name:
        return pretty(node.name)
    if not node.parents:
        return f"{node.data:.3g}"
    if depth == 0:
        return "(...)"
    args = [describe(p, depth - 1) for p in node.parents]
    if node.op in ("+", "-", "*"):
        sym = {"+": " + ", "-": " − ", "*": "·"}[node.op]
        wrap = [f"({a})" if node.op == "*" and (" + " in a or " − " in a) else a for a in args]
        return sym.join(wrap)
    return f"{node.op}({args[0]})"


class BackwardStepper:
    """The backward pass of a network's loss on one example, run one operation at a time.

    Parameters
    ----------
    net : backproplib.Network
        A small plain network with the half squared error (e.g. ``[2, 2, 1]``).
    x : array_like, shape (n_0,)
    y : array_like, shape (n_L,)

    Attributes
    ----------
    graph : ScalarNetwork
    ops : list of Scalar
        The operations in the order the backward pass visits them (the loss first).
    steps : int
        How many of them have passed their adjoint on.
    """

    def __init__(self, net: Any, x: Any, y: Any) -> None:
        x = np.asarray(x, dtype=float).reshape(-1, 1)
        y = np.asarray(y, dtype=float).reshape(-1, 1)
        self.graph = ScalarNetwork(net, x, y)
        self.order = topological_order(self.graph.loss)
        self.ops = [n for n in reversed(self.order) if n.parents]
        consumers: dict[int, int] = {}
        for n in self.order:
            for p in n.parents:
                consumers[id(p)] = consumers.get(id(p), 0) + 1
        self._consumers = consumers
        self.steps = 0
        self._run: Iterator[Scalar] = iter(())
        self.reset()

    @property
    def total(self) -> int:
        """The number of steps of the whole backward pass."""
        return len(self.ops)

    @property
    def current(self) -> Scalar | None:
        """The node of the last step (``None`` before the first)."""
        return self.ops[self.steps - 1] if self.steps else None

    def reset(self) -> None:
        """Back to the start: no step run, every adjoint 0 but the loss's, which is 1."""
        self._run = backward_steps(self.graph.loss)
        self.steps = 0
        for n in self.order:  # what backward_steps sets before its first step
            n.grad = 0.0
        self.graph.loss.grad = 1.0

    def step(self) -> Scalar | None:
        """Run one more operation of the backward pass; return its node (``None`` at the end)."""
        if self.steps >= self.total:
            return None
        node = next(self._run)
        self.steps += 1
        return node

    def goto(self, k: int) -> None:
        """Run exactly ``k`` steps from the start (``0 <= k <= total``)."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= self.total:
            raise ValueError(f"step must be an int in 0..{self.total}, got {k!r}")
        self.reset()
        for _ in range(int(k)):
            self.step()

    def final(self, node: Scalar) -> bool:
        """Whether ``node``'s adjoint is complete: every consumer has passed its term on."""
        if node is self.graph.loss:
            return True
        passed = sum(p is node for n in self.ops[: self.steps] for p in n.parents)
        return passed == self._consumers.get(id(node), 0)

    def status(self) -> str:
        """One sentence on the last step: which node, its adjoint, what it passed to whom."""
        node = self.current
        if node is None:
            return (f"Step 0 of {self.total}: the adjoint of the loss C is dC/dC = 1; "
                    "press 'next' to pass it back.")
        g = f"{node.grad:.4g}"
        gate = GATES.get(node.op, "{g}").format(g=g)
        name = describe(node)
        terms = ", ".join(f"{describe(p)} += {loc * node.grad:.3g}"
                          for p, loc in zip(node.parents, node.local))
        end = " The backward pass is complete." if self.steps == self.total else ""
        return f"Step {self.steps} of {self.total}: node {name}, adjoint {g}. " \
               f"{gate[0].upper() + gate[1:]}: {terms}.{end}"

    def gradient(self) -> Array:
        """The parameters' adjoints so far, in ``Network.get_params()`` order."""
        return self.graph.gradient()


# ------------------------------------------------------------------------------ the drawing
def layout(stepper: BackwardStepper) -> dict[int, tuple[float, float]]:
    """Positions of the nodes: every layer's units in bands, the products of a unit stacked, its
    sums in a row after them, the loss on the right."""
    g = stepper.graph
    pos: dict[int, tuple[float, float]] = {}
    n0 = len(g.a[0])
    for k, row in enumerate(g.a[0]):
        pos[id(row[0])] = (0.0, 2.0 * ((n0 - 1) / 2 - k))
    x0 = 0.0
    for l in range(1, len(g.a)):
        units = len(g.z[l - 1])
        band = 4.2 if l < len(g.a) - 1 else 0.0
        fan = len(g.W[l - 1][0])
        for j in range(units):
            yc = band * ((units - 1) / 2 - j) if units > 1 else 0.0
            z = g.z[l - 1][j][0]
            chain = _sum_chain(z)  # the additions, first to last
            for k, prod in enumerate(_products(chain)):
                yk = yc + 1.5 * ((fan - 1) / 2 - k)
                pos[id(prod)] = (x0 + 1.0, yk)
                pos[id(prod.parents[0])] = (x0 + 0.4, yk + 0.6)  # the weight leaf
            for i, node in enumerate(chain):
                pos[id(node)] = (x0 + 2.0 + i, yc)
            pos[id(z.parents[1])] = (x0 + 1.45 + len(chain), yc + 1.1)  # the bias leaf
            a = g.a[l][j][0]
            if a is not z:
                pos[id(a)] = (x0 + 2.0 + len(chain), yc)
        x0 += 2.0 + len(chain) + (0 if g.a[l][0][0] is g.z[l - 1][0][0] else 1) - 1.0
    loss_nodes = [n for n in stepper.order if id(n) not in pos and n.parents]
    for i, n in enumerate(loss_nodes):
        pos[id(n)] = (x0 + 1.0 + i, 0.0)
        for p in n.parents:
            if not p.parents and id(p) not in pos:
                pos[id(p)] = (x0 + 0.5 + i, -1.3)
    return pos


def _sum_chain(z: Scalar) -> list[Scalar]:
    chain = [z]
    while chain[-1].op == "+" and chain[-1].parents[0].op == "+":
        chain.append(chain[-1].parents[0])
    return chain[::-1]


def _products(chain: list[Scalar]) -> list[Scalar]:
    first = chain[0].parents[0]
    prods = [first] if first.op == "*" else []
    for node in chain[:-1] if len(chain) > 1 else []:
        prods.append(node.parents[1])
    if len(chain) == 1 and first.op != "*":
        prods = []
    return prods


def draw(stepper: BackwardStepper, fig: Figure | None = None) -> Figure:
    """Draw the graph: values ``v`` everywhere, adjoints ``ḡ`` where final, the last step in red.

    Parameters
    ----------
    stepper : BackwardStepper
    fig : Figure, optional
        Drawn into (cleared first); a new 7.6 x 4.4 in figure at 90 dpi otherwise.
    """
    if fig is None:
        fig = Figure(figsize=(7.6, 4.8), dpi=90, facecolor="white")
        FigureCanvasAgg(fig)
    fig.clear()
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))
    pos = layout(stepper)
    current = stepper.current
    fed = {id(p) for p in current.parents} if current is not None else set()
    for n in stepper.order:
        for p in n.parents:
            if id(p) in pos and id(n) in pos:
                hot = current is not None and n is current
                ax.annotate("", xy=pos[id(n)], xytext=pos[id(p)],
                            arrowprops=dict(arrowstyle="-|>", lw=1.6 if hot else 0.6,
                                            color="tab:red" if hot else "0.6",
                                            shrinkA=7, shrinkB=9))
    for n in stepper.order:
        if id(n) not in pos:
            continue
        x, y = pos[id(n)]
        final = stepper.final(n)
        label = pretty(n.name) if n.name else ""
        if n.parents:
            face = "#ffd9d9" if n is current else "#fff4e0" if final else "white"
            ax.text(x, y, {"*": "×", "-": "−"}.get(n.op, n.op) if len(n.op) == 1 else n.op[:4],
                    ha="center", va="center", fontsize=8, zorder=3,
                    bbox=dict(boxstyle="circle,pad=0.25" if len(n.op) == 1 else "round,pad=0.2",
                              fc=face, ec="tab:red" if n is current else "0.3", lw=0.8))
        else:
            edge = "tab:red" if id(n) in fed else "#e8f0fe" if final else "0.8"
            ax.text(x, y, label or f"{n.data:.3g}", ha="center", va="center", fontsize=7,
                    zorder=3, bbox=dict(boxstyle="round,pad=0.15", fc="#e8f0fe", ec=edge,
                                        lw=1.0 if id(n) in fed else 0.5))
        text = f"{label}  " if n.parents and label else ""
        text += f"v {n.data:.2f}"
        if final:
            text += f"\nḡ {n.grad:.3f}"
        ax.text(x, y - 0.36, text, ha="center", va="top", fontsize=6.8, zorder=4,
                color="tab:red" if n is current else "black", linespacing=1.0)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 1.1, max(ys) + 0.8)
    ax.set_axis_off()
    fig.suptitle(f"Backward pass, step {stepper.steps} of {stepper.total}: "
                 "ḡ = dC/dnode, shown once final", fontsize=10)
    return fig


GATE_PANELS = (("+", "add distributes"), ("*", "multiply swaps"), ("max", "max routes"))
"""The three gates of the figure: operation and title."""


def gate_adjoints(op: str, a: float, b: float, upstream: float) -> tuple[float, float, float]:
    """``(output, adjoint of a, adjoint of b)`` of one gate, by the scalar engine's backward pass
    seeded with the adjoint ``upstream`` of the output."""
    x, y = Scalar(a, "a"), Scalar(b, "b")
    out = {"+": lambda: x + y, "*": lambda: x * y, "max": lambda: maximum(x, y)}[op]()
    backward(out * upstream)
    return out.data, x.grad, y.grad


def draw_gates(axes: Any, a: float = 3.0, b: float = -2.0, upstream: float = 2.0) -> None:
    """The gate intuition in three panels: forward values (black, above the wires) and adjoints
    (red, below), for ``a + b``, ``a * b`` and ``max(a, b)`` with the output's adjoint
    ``upstream``."""
    for ax, (op, title) in zip(axes, GATE_PANELS):
        out, ga, gb = gate_adjoints(op, a, b, upstream)
        for y0, v, g, name in ((0.7, a, ga, "a"), (-0.7, b, gb, "b")):
            ax.annotate("", xy=(1.0, 0.0), xytext=(0.0, y0),
                        arrowprops=dict(arrowstyle="-|>", color="0.4", shrinkA=12, shrinkB=14))
            ax.text(-0.05, y0, name, ha="right", va="center", fontsize=11)
            ax.text(0.45, y0 * 0.5 + 0.17, f"{v:g}", ha="center", fontsize=10)
            ax.text(0.5, y0 * 0.5 - 0.24, f"{g:g}", ha="center", fontsize=10, color="tab:red")
        ax.annotate("", xy=(2.0, 0.0), xytext=(1.0, 0.0),
                    arrowprops=dict(arrowstyle="-|>", color="0.4", shrinkA=14, shrinkB=2))
        ax.text(1.0, 0.0, {"*": "×"}.get(op, op), ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="circle,pad=0.3", fc="#fff4e0", ec="0.3"))
        ax.text(1.55, 0.12, f"{out:g}", ha="center", fontsize=10)
        ax.text(1.55, -0.28, f"{upstream:g}", ha="center", fontsize=10, color="tab:red")
        ax.set(xlim=(-0.35, 2.15), ylim=(-1.05, 1.05), title=title)
        ax.set_axis_off()


def png(stepper: BackwardStepper, fig: Figure | None = None) -> bytes:
    """The drawing as PNG bytes."""
    fig = draw(stepper, fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, facecolor="white")
    return buf.getvalue()


def make_widget(stepper: BackwardStepper, draw_now: bool = True) -> Any:
    """The stepper's widget: buttons (back, next, all, reset), the status line and the figure."""
    import ipywidgets as w

    class StepperWidget(w.VBox):
        def __repr__(self) -> str:  # deterministic text/plain for stored outputs
            return "Backward-pass stepper; live with a running kernel"

    fig = Figure(figsize=(7.6, 4.8), dpi=90, facecolor="white")
    FigureCanvasAgg(fig)
    buttons = {name: w.Button(description=label, tooltip=tip) for name, label, tip in (
        ("back", "◂ back", "one step back"), ("next", "next ▸", "one more node"),
        ("all", "all ▸▸", "run to the end"), ("reset", "reset", "back to step 0"))}
    status = w.HTML()
    image = w.Image(format="png", layout=w.Layout(width="100%", max_width="684px"))

    def refresh(draw_figure: bool = True) -> None:
        if draw_figure:
            image.value = png(stepper, fig)
            image.layout.display = ""
        status.value = f"<b>{stepper.status()}</b>"

    actions = {"back": lambda: stepper.goto(max(stepper.steps - 1, 0)), "next": stepper.step,
               "all": lambda: stepper.goto(stepper.total), "reset": stepper.reset}
    for name, button in buttons.items():
        button.on_click(lambda _b, f=actions[name]: (f(), refresh()))
    if not draw_now:  # a valid 1x1 placeholder: an empty image is a broken one in the page
        image.value = _blank_png()
        image.layout.display = "none"
    refresh(draw_figure=draw_now)
    box = StepperWidget([w.HBox(list(buttons.values())), status, image])
    box.stepper, box.buttons, box.image, box.status_label = stepper, buttons, image, status
    box.refresh = refresh
    return box


def show_stepper(stepper: BackwardStepper) -> Any:
    """Display a static PNG of the stepper's current state, then the widget; return the widget."""
    from IPython.display import Image, display

    display(Image(data=png(stepper), format="png"))
    ui = make_widget(stepper, draw_now=False)
    display(ui)
    return ui


def _blank_png() -> bytes:
    """A 1x1 white PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format="png")
    return buf.getvalue()
