"""The network drawing of chapters 1-3: one circle per unit, the book's labels, clear errors."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from backproplib.teaching.network_plot import draw_network, units  # noqa: E402


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty texts


@pytest.mark.parametrize("sizes", [(2, 1), (2, 2, 1), (3, 4, 2), (1, 1, 1, 1)])
def test_one_circle_per_unit(sizes):
    ax = draw_network(sizes)
    assert len(units(ax)) == sum(sizes)
    centres = [c.center for c in units(ax)]
    assert len(set(centres)) == sum(sizes)  # no two units on top of each other
    plt.close(ax.figure)


def test_the_2_2_1_network_carries_z_a_delta_and_W():
    ax = draw_network((2, 2, 1))
    t = texts(ax)
    for label in ["$x_1$", "$x_2$", "$a^0_1$", "$a^1_1$", "$a^1_2$", "$z^1_2$", "$a^2_1$",
                  "$z^2_1$", r"$\delta^1_1$", r"$\delta^2_1$", "$W^1$", "$W^2$"]:
        assert label in t, f"{label} is missing from {t}"
    assert not any(r"$\delta^0" in s for s in t)  # inputs have no error
    assert ax.get_title() == "A 2-2-1 network"
    plt.close(ax.figure)


def test_labels_can_be_left_out_and_the_neuron_notation_counts_units_through_the_net():
    ax = draw_network((2, 2, 1), deltas=False)
    assert not any("delta" in s for s in texts(ax))
    plt.close(ax.figure)
    ax = draw_network((2, 1), labels=False)
    assert texts(ax) == [] and len(units(ax)) == 3
    plt.close(ax.figure)
    ax = draw_network((2, 2, 1), notation="neuron", title="per neuron")
    t = texts(ax)
    for label in ["$o_{5}$", r"$\mathrm{net}_{3}$", r"$\delta_{4}$", "$o_1$",
                  r"$w_{13}, \ldots, w_{24}$", r"$w_{35}, \ldots, w_{45}$"]:
        assert label in t, f"{label} is missing from {t}"
    assert ax.get_title() == "per neuron"
    plt.close(ax.figure)


def test_the_drawing_is_deterministic_and_fits_the_column():
    def png() -> bytes:
        ax = draw_network((2, 2, 1))
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", dpi=100)
        plt.close(ax.figure)
        return buf.getvalue()

    first = png()
    assert first == png()
    width = int.from_bytes(first[16:20], "big")  # the PNG header's width
    assert width <= 690


def test_it_draws_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert draw_network((2, 1), ax=right) is right and units(left) == []
    plt.close(fig)


@pytest.mark.parametrize("bad, words", [
    ((2,), "sizes needs at least two layers"),
    ((2, 0, 1), r"sizes\[1\] must be a positive integer"),
    ((2, 2.5, 1), r"sizes\[1\] must be a positive integer"),
    ("221", "sizes must be a sequence"),
    (3, "sizes must be a sequence"),
    ((2, 9, 1), r"sizes\[1\] = 9"),
    ((1,) * 7, "sizes has 7 layers"),
])
def test_bad_sizes_name_the_argument(bad, words):
    with pytest.raises(ValueError, match=words):
        draw_network(bad)


def test_an_unknown_notation_names_the_valid_ones():
    with pytest.raises(ValueError, match="notation must be one of 'matrix', 'neuron'"):
        draw_network((2, 1), notation="seed")
