"""The loss-surface explorer: matplotlib drawings of an
:class:`~backproplib.teaching.explorer.Explorer` and the ipywidgets controls that drive it.

All the state and the computation live in :class:`backproplib.teaching.explorer.Explorer` (plain
Python, tested without a browser); this module only draws its
:meth:`~backproplib.teaching.explorer.Explorer.figure_data` and wires sliders to its attributes.

A chapter shows an explorer with :func:`show_explorer`, which displays a static PNG of the initial
state (what a reader of the HTML sees first, with or without JavaScript) followed by the live widget
(whose sliders need a running kernel to redraw the figure).
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .explorer import MAX_STEPS, Explorer

Array = np.ndarray

COLUMN_PX = 688
"""The page column's width in CSS pixels: a figure drawn wider would be shown scaled down."""
DPI = 90
FIGSIZE_2D = (7.6, 6.2)
"""Inches of the two-parameter figure (684 x 558 px at :data:`DPI`)."""
FIGSIZE_1D = (7.6, 3.4)
"""Inches of the one-parameter figure (684 x 306 px)."""

OPTIMISER_NAMES = {"sgd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
"""The optimisers' names in the figure's title (the explorer's own titles use its keys)."""

SURFACE_CMAP = "viridis"
TRAJECTORY_COLOR = "tab:red"
ARROW_COLOR = "black"


def _inside(points: Array, extent: tuple[float, ...]) -> Array:
    """Mask of the rows of ``points`` that lie inside the plotting window."""
    lo, hi = np.array(extent[0::2]), np.array(extent[1::2])
    return np.all((points >= lo) & (points <= hi), axis=1)


_CODE_NAME = re.compile(r"([Wb])\^(\d+)\[(\d+)(?:, (\d+))?\]")


def _maths_indices(m: re.Match[str]) -> tuple[str, str, str]:
    """(letter, layer, subscript) of a code name ``W^2[0, 1]``: the subscript counts from 1, as the
    book's equations do (``W^2[0, 1]`` is :math:`W^2_{12}`)."""
    idx = [str(int(g) + 1) for g in m.groups()[2:] if g is not None]
    sep = "," if any(len(i) > 1 for i in idx) else ""
    return m.group(1), m.group(2), sep.join(idx)


def _label(name: str) -> str:
    """TeX for an axis: ``"w_1"`` becomes ``$w_1$``, ``"W^2[0, 1]"`` becomes ``$W^{2}_{12}$`` (the
    equations' indices, counted from 1)."""
    m = _CODE_NAME.fullmatch(name)
    if m is None:
        return f"${name}$"
    letter, layer, sub = _maths_indices(m)
    return f"${letter}^{{{layer}}}_{{{sub}}}$"


def _maths_title(title: str) -> str:
    """A title with every code name (``W^2[0, 0]``) in the equations' notation (:math:`W^2_{11}`)."""
    return _CODE_NAME.sub(lambda m: _label(m.group(0)), title)


class ExplorerFigure:
    """A figure of an :class:`Explorer`: a contour map, the 3D surface and the loss curve (two
    parameters), or the curve ``E(y)`` and the loss curve (one parameter).

    The surfaces are drawn once; :meth:`update` moves only the trajectory, the arrow, the loss curve
    and the titles. With ``blit=True`` those are drawn over a cached image of the rest (the fast path
    the live widget uses); with ``blit=False`` the figure is an ordinary matplotlib figure.

    Parameters
    ----------
    explorer : Explorer
    blit : bool
        Cache the static background and redraw only what moves.
    """

    def __init__(self, explorer: Explorer, blit: bool = False) -> None:
        self.explorer = explorer
        self.blit = blit
        self._background: Any = None
        self._grid_key: Any = None
        n = explorer.surface.n_params
        # drawn at the size the page shows it (FIGSIZE_* at DPI fit the column, COLUMN_PX), so that
        # text keeps its point size on screen; two parameters: the map and the surface above the loss
        width, height = FIGSIZE_2D if n == 2 else FIGSIZE_1D
        self.fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        FigureCanvasAgg(self.fig)
        if n == 2:
            self.fig.subplots_adjust(left=0.1, right=0.9, bottom=0.09, top=0.9, wspace=0.3)
        else:
            self.fig.subplots_adjust(left=0.1, right=0.88, bottom=0.17, top=0.84, wspace=0.3)
        self.update()

    def _draw_static(self, data: dict[str, Any]) -> None:
        """(Re)draw the parts that depend only on the surface, and create the moving artists."""
        fig = self.fig
        fig.clear()
        names = [_label(n) for n in data["param_names"]]
        ext = data["extent"]
        moving: list[Any] = []
        if len(names) == 2:
            grid = fig.add_gridspec(2, 2, height_ratios=[1.7, 1], hspace=0.45)
            ax = fig.add_subplot(grid[0, 0])
            ax3 = fig.add_subplot(grid[0, 1], projection="3d")
            axl = fig.add_subplot(grid[1, :])
            P1, P2, E = data["grid"]
            cs = ax.contourf(P1, P2, E, levels=20, cmap=SURFACE_CMAP)
            ax.contour(P1, P2, E, levels=cs.levels, colors="white", linewidths=0.3, alpha=0.6)
            ax.set(xlim=ext[:2], ylim=ext[2:], xlabel=names[0], ylabel=names[1], title="contour map")
            stride = max(1, E.shape[0] // 25)
            ax3.plot_surface(P1[::stride, ::stride], P2[::stride, ::stride], E[::stride, ::stride],
                             cmap=SURFACE_CMAP, linewidth=0, antialiased=False, alpha=0.85)
            ax3.set(xlabel=names[0], ylabel=names[1], zlabel="E", title="surface")
            ax3.view_init(elev=35, azim=-60)
            (self.path3d,) = ax3.plot([], [], [], "o-", color=TRAJECTORY_COLOR, ms=2, lw=1)
            moving.append(self.path3d)
        else:
            ax = fig.add_subplot(1, 2, 1)
            axl = fig.add_subplot(1, 2, 2)
            y, E = data["grid"]
            ax.plot(y, E, color="tab:blue", label="E(y)")
            ax.set(xlim=ext, ylim=(-0.05 * E.max(), 1.05 * E.max()), xlabel="output $y$",
                   ylabel="E", title="error against output")
            self.path3d = None
        (self.path,) = ax.plot([], [], "o-", color=TRAJECTORY_COLOR, ms=3, lw=1.2, label="trajectory")
        (self.start,) = ax.plot([], [], "s", color="white", mec="black", ms=6, label="start")
        self.arrow = ax.quiver([0.0], [0.0], [0.0], [0.0], angles="xy", scale_units="xy", scale=1,
                               color=ARROW_COLOR, width=0.012, zorder=5,
                               label=r"$-\eta\,\nabla E$ (next plain step)")
        ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
        (self.loss_line,) = axl.semilogy([1, 2], [1, 2], "o-", color=TRAJECTORY_COLOR, ms=3, lw=1,
                                         label="E")
        axl.set(xlabel="step", ylabel="loss E", title="loss curve (log scale)")
        axl.yaxis.tick_right()
        axl.yaxis.set_label_position("right")
        # plain-text tick labels: mathtext ("10^{-5}") is the slowest part of a redraw
        axl.yaxis.set_major_locator(LogLocator(numticks=6))
        axl.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0e}"))
        axl.yaxis.set_minor_locator(NullLocator())
        self.diverged = axl.text(0.5, 0.5, "", transform=axl.transAxes, ha="center",
                                 color="tab:red", fontsize=14, alpha=0.8)
        self.title = fig.suptitle("", fontsize=11)
        self.ax, self.loss_ax = ax, axl
        moving += [self.path, self.start, self.arrow, self.loss_line, self.diverged, self.title]
        self.moving = moving
        for a in [*moving, axl]:
            a.set_animated(self.blit)
        self._loss_key: Any = None
        if self.blit:  # the background: everything but the moving artists and the loss axes
            self.fig.canvas.draw()
            self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def update(self) -> None:
        """Bring the figure up to date with the explorer's state."""
        data = self.explorer.figure_data()
        key = self.explorer.surface_key
        if key != self._grid_key:
            self._draw_static(data)
            self._grid_key = key
        traj, losses, point, arrow = data["trajectory"], data["losses"], data["point"], data["arrow"]
        if traj.shape[1] == 2:
            self.path.set_data(traj[:, 0], traj[:, 1])
            self.start.set_data(traj[:1, 0], traj[:1, 1])
            keep = _inside(traj, data["extent"])
            self.path3d.set_data_3d(traj[keep, 0], traj[keep, 1], losses[keep])
            tip = (point[0], point[1])
        else:
            self.path.set_data(traj[:, 0], losses)
            self.start.set_data(traj[:1, 0], losses[:1])
            arrow = np.array([arrow[0], 0.0])
            tip = (point[0], losses[-1])
        self.arrow.set_offsets([tip])
        ok = bool(np.all(np.isfinite(arrow)))
        self.arrow.set_UVC(*(arrow if ok else np.zeros(2)))
        self.arrow.set_visible(ok)
        steps = np.arange(len(losses))
        shown = np.maximum(losses, 1e-20)
        self.loss_line.set_data(steps, shown)
        # limits snapped to steps of 2 decades, so that most slider moves keep the same axes frame
        lo = 10.0 ** (2 * np.floor(np.log10(shown.min()) / 2))
        hi = 10.0 ** (2 * np.ceil(np.log10(shown.max() * 1.5) / 2))
        self.loss_ax.set_xlim(-0.5, max(self.explorer.steps, len(losses) - 1, 1) + 0.5)
        self.loss_ax.set_ylim(lo, hi)
        self.diverged.set_text("diverged" if data["status"].startswith("Diverg") else "")
        ex = self.explorer
        optimiser = OPTIMISER_NAMES.get(ex.optimizer, ex.optimizer)
        self.title.set_text(f"{_maths_title(ex.surface.name)}: {optimiser}, η = {ex.eta:.4g}")

    def png(self) -> bytes:
        """The current state as PNG bytes, with a 256-colour palette (about a fifth of the size of
        full colour, and faster to encode)."""
        from PIL import Image

        canvas = self.fig.canvas
        if not self.blit:
            canvas.draw()
        else:
            key = (self.loss_ax.get_xlim(), self.loss_ax.get_ylim())
            if key != self._loss_key:  # draw the loss axes' frame and ticks once for these limits
                canvas.restore_region(self._background)
                self.fig.draw_artist(self.loss_ax)
                self._frame = canvas.copy_from_bbox(self.fig.bbox)
                self._loss_key = key
            canvas.restore_region(self._frame)
            for a in self.moving:
                self.fig.draw_artist(a)
        rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
        buf = io.BytesIO()
        rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="png")
        return buf.getvalue()


def figure(explorer: Explorer) -> Figure:
    """A new static matplotlib figure of the explorer's current state (not registered with pyplot)."""
    return ExplorerFigure(explorer, blit=False).fig


def _html_name(name: str) -> str:
    """HTML for a name: ``w_1`` and ``w1`` become w<sub>1</sub>, ``W^2[0, 1]`` W<sup>2</sup><sub>12</sub>
    (indices counted from 1, as in the equations)."""
    m = _CODE_NAME.fullmatch(name)
    if m is not None:
        letter, layer, sub = _maths_indices(m)
        return f"<i>{letter}</i><sup>{layer}</sup><sub>{sub}</sub>"
    m = re.fullmatch(r"([a-z])_?(\d+)", name)
    if m is not None:
        return f"<i>{m.group(1)}</i><sub>{m.group(2)}</sub>"
    return f"<i>{name}</i>"


def _blank_png() -> bytes:
    """A 1x1 white PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format="png")
    return buf.getvalue()


def _case_ranges(problem: str) -> list[tuple[int, str]]:
    """Which case entries get a slider: (case index, entry name)."""
    if problem == "parabola":
        return [(0, "t")]
    if problem == "cylinder":
        return [(0, "x1"), (0, "x2"), (0, "t")]
    if problem == "bowl":
        return [(i, n) for i in (0, 1) for n in ("x1", "x2", "t")]
    return []


def _eta_max(explorer: Explorer) -> float:
    bound = explorer.surface.stability_bound()
    return round(2.5 * bound, 2) if bound is not None else 20.0


CONTROL_LABELS = {"eta": "learning rate η", "steps": "steps", "optimizer": "optimiser",
                  "alpha": "momentum α"}
"""The default labels of the explorer's controls (HTML), by control key; the starting point's are
``start0``, ``start1`` and the cases' ``case0_x1`` ... (see :func:`make_widget`)."""


def make_widget(explorer: Explorer, draw_now: bool = True,
                labels: dict[str, str] | None = None) -> Any:
    """Build the live explorer widget (an ``ipywidgets.VBox``) for an :class:`Explorer`.

    Parameters
    ----------
    explorer : Explorer
    labels : dict of str to str, optional
        Labels (HTML) to show instead of the defaults, by control key: ``"eta"``, ``"steps"``,
        ``"optimizer"``, ``"alpha"``, ``"start0"``, ``"start1"``, ``"case0_t"``, ... Screen readers
        announce each control by its label.
    draw_now : bool
        Draw the figure at once. With ``False`` the figure area stays hidden until the first control
        change (used by :func:`show_explorer`, which shows the initial state as a static figure just
        above, so that a page without a kernel does not show the same figure twice).
    """
    import ipywidgets as w

    class ExplorerWidget(w.VBox):
        """The explorer's controls, status line, readout and figure (an Image widget)."""

        def __repr__(self) -> str:  # deterministic text/plain for stored outputs
            return f"Loss-surface explorer ({explorer.problem}); live with a running kernel"

    ext = explorer.surface.extent
    names = explorer.surface.param_names
    layout = w.Layout(width="230px")
    start = explorer.trajectory[0]
    controls: dict[str, Any] = {}
    for i, name in enumerate(names):
        lo, hi = ext[2 * i], ext[2 * i + 1]
        controls[f"start{i}"] = w.FloatSlider(value=float(start[i]), min=lo, max=hi, step=0.05,
                                              description=f"start {_html_name(name)}", layout=layout,
                                              continuous_update=False)
    eta_max = _eta_max(explorer)
    controls["eta"] = w.FloatSlider(value=explorer.eta, min=0.0, max=max(eta_max, explorer.eta),
                                    step=0.001, readout_format=".3f", description="learning rate η",
                                    layout=layout, continuous_update=False)
    controls["steps"] = w.IntSlider(value=explorer.steps, min=0, max=MAX_STEPS, description="steps",
                                    layout=layout, continuous_update=False)
    controls["optimizer"] = w.Dropdown(options=[("gradient descent", "sgd"), ("momentum", "momentum"),
                                                ("Adam", "adam")], value=explorer.optimizer,
                                       description="optimiser", layout=layout)
    controls["alpha"] = w.FloatSlider(value=explorer.alpha, min=0.0, max=0.99, step=0.01,
                                      description="momentum α", layout=layout,
                                      continuous_update=False)
    cases = [list(c) for c in (explorer.cases or _default_cases(explorer))]
    for i, entry in _case_ranges(explorer.problem):
        k = ("x1", "x2", "t").index(entry)
        controls[f"case{i}_{entry}"] = w.FloatSlider(
            value=cases[i][k], min=-3.0, max=3.0, step=0.1,
            description=f"case {i + 1}: {_html_name(entry)}", layout=layout, continuous_update=False)
    # No icons (their web font is not served with the book) and no widget descriptions: the HTML
    # widget manager typesets descriptions with the MathJax 2 API, which the book's MathJax 3 lacks, so
    # every label is a plain HTML widget next to its control.
    step_button = w.Button(description="step ▸", tooltip="one more update")
    reset_button = w.Button(description="reset", tooltip="back to the start, 0 steps")
    unknown = sorted(set(labels or {}) - set(controls))
    if unknown:
        raise ValueError(f"labels for unknown controls {unknown}; the controls are {sorted(controls)}")
    rows = {}
    for key, control in controls.items():
        text = (labels or {}).get(key, CONTROL_LABELS.get(key, control.description))
        label = w.HTML(text, layout=w.Layout(width="125px"))
        control.description = ""
        rows[key] = w.HBox([label, control])
        rows[key].add_class("bp-row")
    status = w.HTML()
    readout = w.HTML()
    image = w.Image(format="png", layout=w.Layout(width="100%", max_width=f"{COLUMN_PX}px"))
    live = ExplorerFigure(explorer, blit=True)

    def refresh(draw: bool = True) -> None:
        if draw:
            live.update()
            image.value = live.png()
            # "" (not None) clears the "none" set below: in-browser widget managers keep a None'd
            # layout trait's old CSS value, so the live figure would stay hidden there
            image.layout.display = ""
        status.value = f"<b>Status:</b> {explorer.status}"
        readout.value = f"<code>{explorer.readout()}</code>"

    def on_change(_change: Any = None) -> None:
        new_cases = [list(c) for c in cases]
        for i, entry in _case_ranges(explorer.problem):
            new_cases[i][("x1", "x2", "t").index(entry)] = controls[f"case{i}_{entry}"].value
        explorer.set(start=[controls[f"start{i}"].value for i in range(len(names))],
                     eta=controls["eta"].value, steps=controls["steps"].value,
                     optimizer=controls["optimizer"].value, alpha=controls["alpha"].value,
                     **({"cases": new_cases} if _case_ranges(explorer.problem) else {}))
        refresh()

    def on_step(_button: Any = None) -> None:
        explorer.step()
        refresh()

    def on_reset(_button: Any = None) -> None:
        explorer.reset()
        refresh()

    for c in controls.values():
        c.observe(on_change, names="value")
    step_button.on_click(on_step)
    reset_button.on_click(on_reset)
    if not draw_now:  # a valid 1x1 placeholder: an empty image would count as a broken one
        image.value = _blank_png()
        image.layout.display = "none"
    refresh(draw=draw_now)
    sliders = list(rows.values())
    half = (len(sliders) + 1) // 2
    # the controls' box wraps (widgets.css in the book): two columns on a laptop, one on a phone
    panel = w.HBox([w.VBox(sliders[:half]), w.VBox(sliders[half:]),
                    w.HBox([step_button, reset_button])],
                   layout=w.Layout(flex_flow="row wrap", max_width="100%"))
    panel.add_class("bp-controls")
    box = ExplorerWidget([panel, status, readout, image], layout=w.Layout(max_width="100%"))
    box.add_class("bp-widget")
    box.explorer = explorer
    box.controls = controls
    box.buttons = {"step": step_button, "reset": reset_button}
    box.status_label, box.readout_label, box.image = status, readout, image
    box.refresh = refresh
    box.figure = live
    return box


def _default_cases(explorer: Explorer) -> list[tuple[float, float, float]]:
    if explorer.problem == "bowl":
        return [tuple(c) for c in np.column_stack([explorer.surface.X.T, explorer.surface.T])]
    if explorer.problem == "cylinder":
        s = explorer.surface
        return [(float(s.X[0, 0]), float(s.X[1, 0]), float(s.T[0]))]
    if explorer.problem == "parabola":
        return [(1.0, 1.0, explorer.surface.t)]
    return []


def show_explorer(explorer: Explorer, labels: dict[str, str] | None = None) -> Any:
    """Display a static PNG of the explorer's current state, then the live widget; return the widget.

    The static figure is what a reader without a kernel sees (the published HTML, a PDF). The widget
    below it holds the controls, the status line and the numbers; with a running kernel its own figure
    appears at the first control change, **in place of** the static one (whose output is emptied
    through its display id), and follows every change after it. ``labels`` replaces the controls'
    labels (see :func:`make_widget`).
    """
    from IPython.display import Image, display

    static = display(Image(data=ExplorerFigure(explorer, blit=False).png(), format="png"), display_id=True)
    ui = make_widget(explorer, draw_now=False, labels=labels)

    def replace_static(_change: Any) -> None:
        ui.image.unobserve(replace_static, names="value")
        if static is not None:
            static.update({"text/plain": ""}, raw=True)

    ui.image.observe(replace_static, names="value")
    display(ui)
    return ui
