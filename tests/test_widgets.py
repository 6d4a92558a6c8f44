"""The explorer widget, driven from Python (no browser): controls reach the Explorer, buttons step and
reset, the figure and the status line follow. Warnings are errors here."""

import io

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from backproplib import surfaces as S
from backproplib.teaching import widgets as W
from backproplib.teaching.explorer import MAX_STEPS, Explorer

pytestmark = pytest.mark.filterwarnings("error")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.fixture(params=list(S.PROBLEMS))
def ui(request):
    return W.make_widget(Explorer(request.param, eta=0.2, steps=10, grid_size=21))


def test_widget_is_a_box_with_controls_status_and_image(ui):
    assert isinstance(ui, ipywidgets.VBox)
    assert repr(ui) == f"Loss-surface explorer ({ui.explorer.problem}); live with a running kernel"
    assert {"eta", "steps", "optimizer", "alpha", "start0"} <= set(ui.controls)
    assert ui.status_label.value == f"<b>Status:</b> {ui.explorer.status}"
    assert pixels(ui.image.value).shape[2] == 3


def test_learning_rate_slider_reruns_and_redraws(ui):
    before_png, before_losses = ui.image.value, ui.explorer.losses.copy()
    ui.controls["eta"].value = 0.05
    assert ui.explorer.eta == 0.05
    assert not np.allclose(ui.explorer.losses, before_losses)
    assert ui.image.value != before_png
    assert ui.explorer.status in ui.status_label.value


def test_steps_and_start_sliders(ui):
    ui.controls["steps"].value = MAX_STEPS
    assert ui.explorer.trajectory.shape[0] == MAX_STEPS + 1 or ui.explorer.diverged_at
    ui.controls["start0"].value = ui.controls["start0"].min  # a negative entry, the slider's end
    assert ui.explorer.trajectory[0, 0] == ui.controls["start0"].min


def test_step_button_advances_one_update_and_reset_goes_back(ui):
    ui.controls["steps"].value = 0
    assert ui.explorer.trajectory.shape[0] == 1
    first = ui.image.value
    ui.buttons["step"].click()
    ui.buttons["step"].click()
    assert ui.explorer.trajectory.shape[0] == 3
    assert ui.readout_label.value.startswith("<code>step 2:")
    assert ui.image.value != first
    ui.buttons["reset"].click()
    assert ui.explorer.trajectory.shape[0] == 1
    assert ui.readout_label.value.startswith("<code>step 0:")


def test_optimizer_dropdown_uses_the_library_optimisers():
    ui = W.make_widget(Explorer("bowl", eta=0.1, steps=5))
    for name in ["momentum", "adam", "sgd"]:
        ui.controls["optimizer"].value = name
        assert type(ui.explorer._opt).__name__ == {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}[name]
        assert name in ui.explorer.figure_data()["title"]


def test_case_sliders_change_the_surface():
    ui = W.make_widget(Explorer("cylinder", eta=0.1, steps=5))
    ui.controls["case0_t"].value = 1.5
    assert ui.explorer.surface.T[0] == 1.5
    ui.controls["case0_x1"].value = -2.0
    assert ui.explorer.surface.X[0, 0] == -2.0
    bound = ui.explorer.surface.stability_bound()
    assert bound == pytest.approx(2 / (4 + 1))


def test_divergence_through_the_slider_is_a_status_not_an_error():
    ui = W.make_widget(Explorer("cylinder", eta=0.1, steps=MAX_STEPS))
    ui.controls["eta"].value = ui.controls["eta"].max  # 2.5 times the bound
    assert "Diverg" in ui.status_label.value
    assert np.all(np.isfinite(ui.explorer.trajectory))


def test_fast_redraw_matches_a_full_redraw():
    """The blitted image (what the slider shows) equals an ordinary full drawing of the same state."""
    e = Explorer("bowl", eta=0.3, steps=12)
    ui = W.make_widget(e)
    ui.controls["eta"].value = 0.35  # a redraw over the cached background
    fast = pixels(ui.image.value)
    static = W.ExplorerFigure(e, blit=False)  # the same state drawn from scratch
    buf = io.BytesIO()
    static.fig.canvas.print_png(buf)
    slow = pixels(buf.getvalue())
    assert fast.shape == slow.shape
    assert np.mean(np.abs(fast - slow) > 40) < 0.01  # under 1 % of pixels differ visibly
    assert ui.figure.fig is not static.fig


def test_static_figure_is_a_plain_matplotlib_figure():
    fig = W.figure(Explorer("cylinder"))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    assert fig.axes[0].get_xlabel() == "$w_1$" and fig.axes[0].get_ylabel() == "$w_2$"
    assert fig.axes[2].get_title() == "loss curve (log scale)"
    assert len(W.figure(Explorer("parabola")).axes) == 2
    assert W.figure(Explorer("xor")).axes[0].get_xlabel() == "$W^{2}_{11}$"


class _Handle:
    """What ``display(..., display_id=True)`` returns: records what the output is replaced by."""

    def __init__(self) -> None:
        self.updates: list[object] = []

    def update(self, obj: object, **kwargs: object) -> None:
        self.updates.append(obj)


def test_show_explorer_displays_the_figure_then_the_widget(monkeypatch):
    shown, handle = [], _Handle()

    def display(obj, display_id=None):
        shown.append(obj)
        return handle if display_id else None

    monkeypatch.setattr("IPython.display.display", display)
    e = Explorer("cylinder")
    ui = W.show_explorer(e)
    assert shown[0].format == "png" and shown[1] is ui
    # the live figure stays hidden (and empty in the saved state) until a control changes
    assert ui.image.layout.display == "none" and pixels(ui.image.value).shape == (1, 1, 3)
    assert ui.explorer.status in ui.status_label.value and handle.updates == []
    ui.buttons["reset"].click()
    # then it shows ("" clears "none" in every widget manager; None does not in the browser's) ...
    assert ui.image.layout.display == ""
    # ... in place of the static figure, whose output is emptied once
    assert handle.updates == [{"text/plain": ""}]
    ui.buttons["step"].click()
    assert len(handle.updates) == 1
    static = pixels(shown[0].data)
    assert static.shape == pixels(ui.image.value).shape
    assert np.mean(np.abs(static - pixels(ui.image.value)) > 40) < 0.01


def test_no_descriptions_or_icons_for_the_static_page():
    """The HTML widget manager typesets descriptions with MathJax 2's API (a JavaScript error under the
    book's MathJax 3), and button icons need a web font the book does not serve: labels are HTML
    widgets instead."""
    ui = W.make_widget(Explorer("bowl", grid_size=21))

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    for widget in walk(ui):
        if isinstance(widget, ipywidgets.widgets.widget_description.DescriptionWidget) and \
                not isinstance(widget, ipywidgets.Button):
            assert widget.description == "", f"{type(widget).__name__} has a description"
        assert getattr(widget, "icon", "") == ""
    labels = [w.value for w in walk(ui) if isinstance(w, ipywidgets.HTML)]
    assert "start <i>w</i><sub>1</sub>" in labels and "case 2: <i>t</i>" in labels


@pytest.mark.parametrize("problem", ["xor", "cylinder", "bowl", "parabola"])
def test_figure_is_drawn_at_most_the_page_column_wide(problem):
    """Shown at the size it is drawn (issue 16): no wider than the 688 px column."""
    png = W.ExplorerFigure(Explorer(problem), blit=False).png()
    width = Image.open(io.BytesIO(png)).size[0]
    assert 600 <= width <= W.COLUMN_PX


def test_names_are_in_the_equations_notation():
    """Code names (W^2[0, 0]) become the equations' W^2_11, in the title and in the controls' labels."""
    fig = W.ExplorerFigure(Explorer("xor"), blit=False)
    title = fig.title.get_text()
    assert "[" not in title and "$W^{2}_{11}$" in title and "gradient descent" in title
    assert W._html_name("W^2[0, 1]") == "<i>W</i><sup>2</sup><sub>12</sub>"
    assert W._label("b^3[11]") == "$b^{3}_{12}$"
    assert W._label("W^1[9, 10]") == "$W^{1}_{10,11}$"


def test_labels_replace_the_controls_labels_and_rows_reflow():
    ui = W.make_widget(Explorer("cylinder"), draw_now=False, labels={"eta": "step size η"})
    panel = ui.children[0]
    assert "bp-controls" in panel._dom_classes
    rows = [r for col in panel.children for r in col.children if "bp-row" in r._dom_classes]
    texts = [r.children[0].value for r in rows]
    assert "step size η" in texts and "learning rate η" not in texts
    with pytest.raises(ValueError, match="unknown controls"):
        W.make_widget(Explorer("cylinder"), draw_now=False, labels={"log10_mu": "x"})
