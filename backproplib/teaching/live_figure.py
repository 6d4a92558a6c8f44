"""A figure with controls: a static PNG of the first state, then sliders that redraw it (chapters
21 and 22).

The computation is the caller's ``draw(**values)``, which returns a matplotlib
:class:`~matplotlib.figure.Figure` (not registered with pyplot, so nothing is shown twice). A reader
of the static page sees the PNG; with a running kernel the widget below it shows the redrawn figure
from the first change of a control on (its image stays hidden until then, so the page never shows
the same figure twice). Labels are plain HTML widgets beside the controls, as in
:mod:`~backproplib.teaching.widgets`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_WIDTH_PX = 688
"""The page column: a figure wider than this many pixels would be scaled down."""


def new_figure(width: float = 6.4, height: float = 4.0, dpi: int = 90) -> Figure:
    """A white matplotlib figure with an Agg canvas, outside pyplot (for ``draw`` functions).

    Raises
    ------
    ValueError
        If ``width * dpi`` exceeds the page column (:data:`MAX_WIDTH_PX`).
    """
    if width * dpi > MAX_WIDTH_PX:
        raise ValueError(f"a figure {width} in wide at {dpi} dpi is {width * dpi:.0f} px; the page "
                         f"column holds {MAX_WIDTH_PX} px")
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (at its own dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, facecolor="white")
    return buf.getvalue()


def show_live_figure(draw: Callable[..., Figure], controls: Mapping[str, Any],
                     labels: Mapping[str, str] | None = None, title: str = "figure") -> Any:
    """Display the static PNG of ``draw(**values)`` for the controls' first values, then the widget.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> Figure``, called with one keyword per control.
    controls : mapping of str to ipywidgets value widget
        The sliders and menus, by the keyword they set.
    labels : mapping of str to str, optional
        Plain-text labels (default: the keywords).
    title : str
        Named in the widget's text form.

    Returns
    -------
    ipywidgets.VBox
        The widget; ``.refresh()`` redraws it, ``.image`` is its Image.
    """
    import ipywidgets as w
    from IPython.display import Image, display

    labels = dict(labels or {})

    class LiveFigure(w.VBox):
        def __repr__(self) -> str:  # deterministic text/plain for stored outputs
            return f"Live {title}: the controls redraw it with a running kernel"

    def values() -> dict[str, Any]:
        return {name: c.value for name, c in controls.items()}

    display(Image(data=figure_png(draw(**values())), format="png"))
    image = w.Image(format="png", value=_blank_png(),
                    layout=w.Layout(display="none", max_width=f"{MAX_WIDTH_PX}px"))

    def refresh(_change: Any = None) -> None:
        image.value = figure_png(draw(**values()))
        image.layout.display = ""  # "" (not None) also undoes "none" in the in-browser manager

    rows = []
    for name, control in controls.items():
        control.description = ""
        control.observe(refresh, names="value")
        label = w.HTML(labels.get(name, name), layout=w.Layout(width="170px"))
        row = w.HBox([label, control])
        row.add_class("bp-row")  # label and control on one line, stacked on a phone (widgets.css)
        rows.append(row)
    box = LiveFigure([*rows, image])
    box.image, box.refresh, box.controls = image, refresh, dict(controls)
    display(box)
    return box


def _blank_png() -> bytes:
    """A 1x1 white PNG (an empty image would count as a broken one)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format="png")
    return buf.getvalue()
