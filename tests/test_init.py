"""Tests of backproplib.init: shapes, exact reproducibility from a seed, the distributions each scheme
promises (bounds, variances) and the property He initialisation exists for (the signal keeps its size
through many ReLU layers)."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.init import INIT_SCHEMES, init_params

SIZES = [3, 5, 4, 2]


@pytest.mark.parametrize("scheme", INIT_SCHEMES)
def test_shapes(scheme: str) -> None:
    W, b = init_params(SIZES, scheme, np.random.default_rng(0))
    assert [w.shape for w in W] == [(5, 3), (4, 5), (2, 4)]
    assert [v.shape for v in b] == [(5,), (4,), (2,)]
    assert all(w.dtype == np.float64 for w in W + b)


@pytest.mark.parametrize("scheme", INIT_SCHEMES)
def test_same_seed_same_numbers_other_seed_other_numbers(scheme: str) -> None:
    W1, b1 = init_params(SIZES, scheme, np.random.default_rng(5))
    W2, b2 = init_params(SIZES, scheme, np.random.default_rng(5))
    W3, _ = init_params(SIZES, scheme, np.random.default_rng(6))
    for x, y in zip(W1 + b1, W2 + b2):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(W1[0], W3[0])


def test_default_generator_is_seed_zero() -> None:
    W1, b1 = init_params(SIZES, "he")
    W2, b2 = init_params(SIZES, "he", np.random.default_rng(0))
    for x, y in zip(W1 + b1, W2 + b2):
        np.testing.assert_array_equal(x, y)


def test_network_uses_init_params_with_its_seed() -> None:
    net = bp.Network(SIZES, activations="tanh", init="uniform", seed=11, scale=0.5)
    W, b = init_params(SIZES, "uniform", np.random.default_rng(11), scale=0.5)
    for x, y in zip(net.W + net.b, W + b):
        np.testing.assert_array_equal(x, y)


def test_uniform_draw_order_and_bounds() -> None:
    # Independently: the same generator drawing W^1, b^1, W^2, b^2, ... in that order.
    rng = np.random.default_rng(3)
    expected = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        expected += [rng.uniform(-0.3, 0.3, size=(n_out, n_in)), rng.uniform(-0.3, 0.3, size=n_out)]
    W, b = init_params(SIZES, "uniform", np.random.default_rng(3))
    got = [p for pair in zip(W, b) for p in pair]
    for x, y in zip(got, expected):
        np.testing.assert_array_equal(x, y)
    assert all(np.abs(p).max() <= 0.3 for p in got)
    assert all(np.any(v != 0) for v in b)  # the 1986 scheme also randomises biases


def test_xavier_bound_and_variance() -> None:
    n_in, n_out = 300, 500
    W, b = init_params([n_in, n_out], "xavier", np.random.default_rng(0))
    r = np.sqrt(6.0 / (n_in + n_out))
    assert np.abs(W[0]).max() <= r
    assert np.abs(W[0]).max() > 0.99 * r  # the whole interval is used
    # Var U[-r, r] = r^2 / 3 = 2 / (n_in + n_out); 150,000 draws: relative standard error ~0.4 %
    np.testing.assert_allclose(W[0].var(), 2.0 / (n_in + n_out), rtol=0.02)
    np.testing.assert_array_equal(b[0], 0.0)


def test_he_matches_normal_draws_and_variance() -> None:
    n_in, n_out = 400, 300
    W, b = init_params([n_in, n_out], "he", np.random.default_rng(2))
    expected = np.random.default_rng(2).normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    np.testing.assert_array_equal(W[0], expected)
    np.testing.assert_allclose(W[0].std(), np.sqrt(2.0 / n_in), rtol=0.02)
    assert abs(W[0].mean()) < 3 * np.sqrt(2.0 / n_in) / np.sqrt(W[0].size)
    np.testing.assert_array_equal(b[0], 0.0)


def test_normal_is_standard_normal() -> None:
    W, b = init_params([200, 300], "normal", np.random.default_rng(4))
    np.testing.assert_allclose(W[0].std(), 1.0, rtol=0.02)
    assert abs(W[0].mean()) < 0.02
    assert np.any(b[0] != 0)


def _mean_square_z(scheme: str, activation: str, depth: int = 12, width: int = 400) -> np.ndarray:
    net = bp.Network([width] * (depth + 1), activations=activation, init=scheme, seed=0)
    X = np.random.default_rng(1).normal(size=(width, 200))
    cache = net.forward(X, keep_derivatives=False)
    return np.array([np.mean(z**2) for z in cache.z])


def test_he_keeps_relu_signal_size_xavier_shrinks_it() -> None:
    # He et al.: with Var w = 2 / n_in, E[z^2] is preserved by every ReLU layer. Glorot's uniform
    # (Var w = 1 / n for square layers) halves it at every layer.
    he = _mean_square_z("he", "relu")
    xavier = _mean_square_z("xavier", "relu")
    assert 0.5 < he[-1] / he[0] < 2.0
    shrink = xavier[-1] / xavier[0]  # about 0.5 ** 11 over 11 layer-to-layer steps
    assert 0.5 * 0.5**11 < shrink < 2.0 * 0.5**11


def test_unknown_scheme_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown init scheme 'glorot'; valid schemes are: uniform, "
                                         r"xavier, he, normal"):
        init_params(SIZES, "glorot")
    with pytest.raises(ValueError, match="unknown init scheme"):
        bp.Network(SIZES, init="kaiming")


# Hyperparameter and state validation (gaps found while writing these tests, fixed in the core).

def test_rng_must_be_a_generator() -> None:
    with pytest.raises(TypeError, match="rng"):
        init_params(SIZES, "he", rng=0)  # type: ignore[arg-type]


def test_negative_scale_names_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        init_params(SIZES, "uniform", scale=-0.3)


def test_scheme_names_are_case_insensitive_and_sizes_validated() -> None:
    W, _ = init_params([2, 3], "He", rng=np.random.default_rng(0))
    assert W[0].shape == (3, 2)
    with pytest.raises(ValueError, match="at least one layer"):
        init_params([2])
