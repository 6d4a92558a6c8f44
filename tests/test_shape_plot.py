"""The shape pictures: boxes of the right aspect, mathtext labels, clear errors on bad input."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from backproplib.teaching import shape_plot as S  # noqa: E402


def boxes(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_each_box_has_the_aspect_of_its_shape():
    fig, ax = plt.subplots()
    end = S.draw_product(ax, [S.Box("A", (2, 3), "(2, 3)"), "@", S.Box("B", (3, 1), "(3, 1)")],
                         cell=0.5)
    (a, b) = boxes(ax)
    assert (a.get_width(), a.get_height()) == (1.5, 1.0)
    assert (b.get_width(), b.get_height()) == (0.5, 1.5)
    assert end == pytest.approx(1.5 + 0.6 * 0.5 + 0.5)
    plt.close(fig)


def test_backward_shapes_draws_both_equations_with_their_shapes():
    fig = S.backward_shapes(n_l=3, n_prev=5)
    top, bottom = fig.axes
    sizes = [(round(p.get_height() / 0.3), round(p.get_width() / 0.3)) for p in boxes(top)]
    assert sizes == [(5, 1), (5, 1), (5, 3), (3, 1)]
    sizes = [(round(p.get_height() / 0.3), round(p.get_width() / 0.3)) for p in boxes(bottom)]
    assert sizes == [(3, 5), (3, 1), (1, 5)]
    texts = {t.get_text() for t in top.texts}
    assert {r"$(W^l)^T$", r"$(n_{l-1}, n_l)$", r"$\odot$", r"$\delta^{l-1}$"} <= texts
    assert r"$(1, n_{l-1})$" in {t.get_text() for t in bottom.texts}
    assert fig.get_size_inches()[0] * fig.dpi <= 690
    plt.close(fig)


def test_the_picture_is_deterministic():
    def png():
        fig = S.backward_shapes(2, 4)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()

    assert png() == png()


@pytest.mark.parametrize("n_l, n_prev", [(0, 3), (3, 13), (2.5, 3), (True, 3), ("3", 3)])
def test_bad_widths_raise_a_clear_error(n_l, n_prev):
    with pytest.raises(ValueError, match="must be an integer from 1 to 12"):
        S.backward_shapes(n_l, n_prev)


def test_bad_terms_raise_a_clear_error():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="at least one box"):
        S.draw_product(ax, [])
    with pytest.raises(ValueError, match="unknown operator '/'"):
        S.draw_product(ax, [S.Box("A", (1, 1), "(1, 1)"), "/"])
    with pytest.raises(ValueError, match="shape must be two positive integers"):
        S.draw_product(ax, [S.Box("A", (0, 2), "(0, 2)")])
    with pytest.raises(TypeError, match="must be a Box"):
        S.draw_product(ax, [(2, 3)])
    plt.close(fig)
