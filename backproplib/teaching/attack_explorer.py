"""The adversarial-digit explorer of chapter 23: pick a test image and a perturbation size, and see
the image, the perturbation, the perturbed image and what the network answers for each.

:class:`AttackExplorer` holds the state and computes everything with
:mod:`backproplib.experiments.input_gradients` (plain Python, tested without a browser);
:func:`attack_figure` draws it with matplotlib's object API (no pyplot state, so it also runs in the
in-browser kernel); :func:`show_attack_explorer` displays a static PNG of the first state and then the
live widget, whose figure appears at the first change of a control.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..experiments import input_gradients as ig
from ..network import Network

Array = np.ndarray
KINDS = {"fgsm": "gradient signs (FGSM)", "random": "random signs"}


class AttackExplorer:
    """One image of a data set, perturbed by FGSM or by random signs of the same size.

    Parameters
    ----------
    net : Network
        A trained classifier with a softmax output.
    X : ndarray, shape (n_0, m)
        The images, one per column, pixel values in ``[0, 1]``.
    y : ndarray of int, shape (m,)
        Their labels.
    shape : (int, int)
        The shape of one image (``n_0`` pixels in all).
    index, epsilon, kind
        The first state (see :meth:`set`).
    """

    def __init__(self, net: Network, X: Array, y: Array, shape: tuple[int, int] = (8, 8),
                 index: int = 0, epsilon: float = 0.1, kind: str = "fgsm") -> None:
        if not isinstance(net, Network):
            raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
        self.net = net
        self.X = net.check_input(X)
        self.y = np.asarray(y)
        if self.y.shape != (self.X.shape[1],):
            raise ValueError(f"y must hold one label per column of X, shape ({self.X.shape[1]},), "
                             f"got {self.y.shape}")
        if int(np.prod(shape)) != self.X.shape[0]:
            raise ValueError(f"an image of shape {shape} has {int(np.prod(shape))} pixels, but X "
                             f"has {self.X.shape[0]} rows")
        self.shape = tuple(shape)
        self.index, self.epsilon, self.kind = 0, 0.0, "fgsm"
        self.set(index=index, epsilon=epsilon, kind=kind)

    def set(self, index: int | None = None, epsilon: float | None = None,
            kind: str | None = None) -> None:
        """Change the image (``index`` into the columns), the size ``epsilon`` of the step in
        every pixel, or the ``kind`` of perturbation (``"fgsm"`` or ``"random"``)."""
        if index is not None:
            m = self.X.shape[1]
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) \
                    or not 0 <= index < m:
                raise ValueError(f"index must be an int in 0..{m - 1}, got {index!r}")
            self.index = int(index)
        if epsilon is not None:
            self.epsilon = ig._check_epsilon(epsilon)
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
            self.kind = kind

    def state(self) -> dict[str, Any]:
        """The image, the perturbed image and the network's probabilities for both."""
        i = self.index
        x, label = self.X[:, i : i + 1], self.y[i : i + 1]
        if self.kind == "fgsm":
            adv = ig.fgsm(self.net, x, label, self.epsilon)
        else:
            adv = ig.random_sign(x, self.epsilon, seed=i)
        p, q = self.net.predict(x)[:, 0], self.net.predict(adv)[:, 0]
        return {"image": x[:, 0].reshape(self.shape), "perturbed": adv[:, 0].reshape(self.shape),
                "change": (adv - x)[:, 0].reshape(self.shape), "label": int(label[0]),
                "p_clean": p, "p_perturbed": q, "pred_clean": int(p.argmax()),
                "pred_perturbed": int(q.argmax())}

    def status(self) -> str:
        """One line for the reader: what the network answers before and after."""
        s = self.state()
        before, after = s["pred_clean"], s["pred_perturbed"]
        verdict = "still right" if after == s["label"] else "now wrong"
        return (f"test image {self.index} (a {s['label']}): read as {before} "
                f"(p = {s['p_clean'][before]:.2f}); with {KINDS[self.kind]} of size "
                f"{self.epsilon:.3f}: read as {after} (p = {s['p_perturbed'][after]:.2f}), "
                f"{verdict}")


def attack_figure(explorer: AttackExplorer) -> Figure:
    """The explorer's state: the image, the change, the perturbed image and the two answers.

    A 6.4 x 2.3 inch figure at 90 dpi (576 pixels wide, the book's column)."""
    s = explorer.state()
    fig = Figure(figsize=(6.4, 2.4), dpi=90, facecolor="white")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.5]})
    eps = max(explorer.epsilon, 1e-12)
    panels = [(s["image"], "gray_r", (0, 1), f"image (a {s['label']})"),
              (s["change"], "RdBu_r", (-eps, eps), f"change (ε = {explorer.epsilon:.3f})"),
              (s["perturbed"], "gray_r", (0, 1), "perturbed")]
    for ax, (img, cmap, (lo, hi), title) in zip(axes, panels):
        ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=8)
        ax.set(xticks=[], yticks=[])
    bar = axes[3]
    k = np.arange(s["p_clean"].size)
    bar.bar(k - 0.2, s["p_clean"], width=0.4, color="tab:blue", label="image")
    bar.bar(k + 0.2, s["p_perturbed"], width=0.4, color="tab:red", label="perturbed")
    bar.set(xticks=k, ylim=(0, 1.15), yticks=[0, 0.5, 1])
    bar.set_xlabel("digit $k$", fontsize=8)
    bar.set_ylabel("probability $a^L_k$", fontsize=8)
    bar.yaxis.tick_right()
    bar.yaxis.set_label_position("right")
    bar.tick_params(labelsize=7)
    bar.set_title(f"answer: {s['pred_clean']} → {s['pred_perturbed']}", fontsize=8)
    bar.legend(fontsize=6, loc="upper left", ncol=2, frameon=False)
    fig.suptitle(f"{KINDS[explorer.kind]} on test image {explorer.index}", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.93, bottom=0.2, top=0.78, wspace=0.25)
    return fig


def figure_png(explorer: AttackExplorer) -> bytes:
    """:func:`attack_figure` as PNG bytes."""
    buf = io.BytesIO()
    attack_figure(explorer).savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def _blank_png() -> bytes:
    """A 1x1 white PNG (an empty Image widget would count as a broken image)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format="png")
    return buf.getvalue()


def show_attack_explorer(net: Network, X: Array, y: Array, shape: tuple[int, int] = (8, 8),
                         index: int = 0, epsilon: float = 0.1, kind: str = "fgsm") -> Any:
    """Display a static PNG of the first state, then the live widget; return the widget.

    The controls: the image (its index), the step ``epsilon`` and the kind of perturbation. Their
    labels are plain HTML widgets (no MathJax needed). The widget's own figure stays hidden until a
    control changes, so a page without a kernel shows the figure once.
    """
    import ipywidgets as w
    from IPython.display import Image, display

    explorer = AttackExplorer(net, X, y, shape, index, epsilon, kind)

    class AttackWidget(w.VBox):
        def __repr__(self) -> str:  # deterministic text/plain for stored outputs
            return "Adversarial-digit explorer; live with a running kernel"

    controls = {
        "index": w.IntSlider(value=explorer.index, min=0, max=explorer.X.shape[1] - 1,
                             continuous_update=False),
        "epsilon": w.FloatSlider(value=explorer.epsilon, min=0.0, max=0.3, step=0.025,
                                 readout_format=".3f", continuous_update=False),
        "kind": w.Dropdown(options=[(v, k) for k, v in KINDS.items()], value=explorer.kind),
    }
    names = {"index": "test image", "epsilon": "step ε per pixel", "kind": "perturbation"}
    rows = [w.HBox([w.HTML(names[k], layout=w.Layout(width="130px")), c])
            for k, c in controls.items()]
    for row in rows:  # label and control on one line, stacked on a phone (the book's widgets.css)
        row.add_class("bp-row")
    status = w.HTML(explorer.status())
    image = w.Image(value=_blank_png(), format="png",  # a valid placeholder, hidden
                    layout=w.Layout(width="100%", max_width="576px", display="none"))

    def on_change(_change: Any = None) -> None:
        explorer.set(**{k: c.value for k, c in controls.items()})
        image.value = figure_png(explorer)
        image.layout.display = ""
        status.value = explorer.status()

    for c in controls.values():
        c.observe(on_change, names="value")
    display(Image(data=figure_png(explorer), format="png"))
    ui = AttackWidget([*rows, status, image])
    ui.explorer, ui.controls, ui.image, ui.status_label = explorer, controls, image, status
    display(ui)
    return ui
