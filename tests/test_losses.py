"""Losses: values against direct formulas, stability (log-sum-exp), targets validation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import backproplib as bp
from backproplib.losses import logsumexp


def test_logsumexp_is_stable_and_exact(rng):
    z = rng.normal(size=(5, 4))
    np.testing.assert_allclose(logsumexp(z), np.log(np.exp(z).sum(axis=0)), rtol=1e-14)
    big = np.array([[1000.0], [999.0]])
    assert logsumexp(big)[0] == pytest.approx(1000.0 + np.log1p(np.exp(-1.0)), rel=1e-15)


def test_cross_entropy_matches_direct_formula_for_moderate_z(rng):
    z = rng.normal(size=(4, 6))
    labels = np.array([0, 3, 2, 1, 1, 0])
    Y = np.eye(4)[:, labels]
    ce = bp.get_loss("cross_entropy")
    a = bp.get_activation("softmax").f(z)
    direct = -np.sum(Y * np.log(a), axis=0)
    np.testing.assert_allclose(ce.per_example(z, a, Y), direct, rtol=1e-12)
    np.testing.assert_array_equal(ce.targets(labels, 4, 6), Y)


def test_binary_cross_entropy_matches_direct_formula(rng):
    z = rng.normal(size=(2, 5))
    y = rng.uniform(size=(2, 5))
    a = 1 / (1 + np.exp(-z))
    direct = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=0)
    bce = bp.get_loss("binary_cross_entropy")
    np.testing.assert_allclose(bce.per_example(z, a, y), direct, rtol=1e-12)


@pytest.mark.parametrize("loss,act", [("cross_entropy", "softmax"), ("binary_cross_entropy", "logistic"),
                                      ("half_squared_error", "logistic")])
def test_losses_finite_at_extreme_z(loss, act):
    net = bp.Network([2, 3], activations=act, loss=loss, seed=0)
    net.W[0][...] = 1e3 * np.array([[1.0, -1.0], [-1.0, 1.0], [0.5, 0.5]])
    X = np.array([[1.0, -1.0], [-1.0, 1.0]])
    Y = np.array([1, 0]) if loss == "cross_entropy" else np.array([[0.0, 1.0]] * 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grads = net.loss_and_gradient(X, Y)
    assert np.isfinite(value)
    if loss != "half_squared_error":  # confidently wrong: a large but finite loss
        assert value > 100
    assert all(np.all(np.isfinite(g)) for g in grads.dW)


def test_half_squared_error_gradient_is_a_minus_y(rng):
    a, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    np.testing.assert_array_equal(bp.get_loss("half_squared_error").grad_a(a, y), a - y)


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown loss 'mse'; valid names are: binary_cross_entropy, "
                                         r"cross_entropy, half_squared_error"):
        bp.get_loss("mse")


def test_cross_entropy_needs_softmax_output():
    with pytest.raises(ValueError, match="'cross_entropy' needs a 'softmax' output layer.*'tanh'"):
        bp.Network([2, 3], activations="tanh", loss="cross_entropy")


def test_binary_cross_entropy_needs_logistic_output():
    with pytest.raises(ValueError, match="'binary_cross_entropy' needs a 'logistic' output layer"):
        bp.Network([2, 1], activations="relu", loss="binary_cross_entropy")
