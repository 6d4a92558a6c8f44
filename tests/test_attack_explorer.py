"""The adversarial-digit explorer: its state is the library's FGSM, its figure fits the column,
its widget shows a static figure first and redraws on every control."""

from __future__ import annotations

import io

import ipywidgets
import numpy as np
import pytest
from PIL import Image

import backproplib as bp
from backproplib.experiments import input_gradients as ig
from backproplib.teaching import attack_explorer as A


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.fixture
def setup():
    r = np.random.default_rng(0)
    net = bp.Network([16, 6, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    return net, r.uniform(size=(16, 5)), r.integers(0, 3, size=5)


def test_state_is_the_library_fgsm_and_random_sign(setup):
    net, X, y = setup
    e = A.AttackExplorer(net, X, y, shape=(4, 4), index=2, epsilon=0.2)
    s = e.state()
    want = ig.fgsm(net, X[:, 2:3], y[2:3], 0.2)
    np.testing.assert_array_equal(s["perturbed"], want[:, 0].reshape(4, 4))
    np.testing.assert_array_equal(s["change"], (want - X[:, 2:3])[:, 0].reshape(4, 4))
    np.testing.assert_allclose(s["p_perturbed"], net.predict(want)[:, 0])
    e.set(kind="random", epsilon=0.1, index=3)
    s = e.state()
    np.testing.assert_array_equal(s["perturbed"].ravel(), ig.random_sign(X[:, 3:4], 0.1, seed=3)[:, 0])
    assert "test image 3" in e.status() and "random signs of size 0.100" in e.status()


def test_figure_fits_the_column(setup):
    net, X, y = setup
    png = A.figure_png(A.AttackExplorer(net, X, y, shape=(4, 4)))
    assert pixels(png).shape[1] <= 688
    fig = A.attack_figure(A.AttackExplorer(net, X, y, shape=(4, 4)))
    assert fig.axes[3].get_xlabel() == "digit $k$" and fig.axes[3].get_legend() is not None


def test_show_displays_the_figure_then_the_widget_and_redraws(monkeypatch, setup):
    net, X, y = setup
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    ui = A.show_attack_explorer(net, X, y, shape=(4, 4), epsilon=0.1)
    assert shown[0].format == "png" and shown[1] is ui
    assert repr(ui) == "Adversarial-digit explorer; live with a running kernel"
    assert ui.image.layout.display == "none" and pixels(ui.image.value).shape == (1, 1, 3)
    ui.controls["epsilon"].value = 0.2
    assert ui.image.layout.display == "" and ui.explorer.epsilon == 0.2
    assert pixels(ui.image.value).shape == pixels(shown[0].data).shape
    assert "size 0.200" in ui.status_label.value
    ui.controls["kind"].value = "random"
    assert ui.explorer.kind == "random" and "random signs" in ui.status_label.value
    for widget in ui.children:  # labels are HTML widgets, no MathJax-typeset descriptions
        for child in getattr(widget, "children", ()):
            if isinstance(child, ipywidgets.widgets.widget_description.DescriptionWidget):
                assert child.description == ""


def test_bad_input(setup):
    net, X, y = setup
    with pytest.raises(ValueError, match="16 rows"):
        A.AttackExplorer(net, X, y, shape=(3, 3))
    with pytest.raises(ValueError, match=r"index must be an int in 0..4"):
        A.AttackExplorer(net, X, y, shape=(4, 4), index=5)
    with pytest.raises(ValueError, match="kind must be one of"):
        A.AttackExplorer(net, X, y, shape=(4, 4), kind="pgd")
    with pytest.raises(ValueError, match="one label per column"):
        A.AttackExplorer(net, X, y[:3], shape=(4, 4))
    with pytest.raises(ValueError, match=">= 0"):
        A.AttackExplorer(net, X, y, shape=(4, 4), epsilon=-1.0)
