"""Threshold units: with their true derivative no error passes below them; with the
straight-through estimator the backward pass treats them as the identity, exactly."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.straight_through import (
    STRAIGHT_THROUGH,
    THRESHOLD,
    threshold,
)


def nets(seed=0):
    r = np.random.default_rng(seed)
    X, y = r.normal(size=(5, 7)), r.integers(0, 3, size=7)
    kw = dict(loss="cross_entropy", init="normal", seed=seed)
    return (bp.Network([5, 6, 4, 3], activations=[STRAIGHT_THROUGH, STRAIGHT_THROUGH, "softmax"],
                       **kw),
            bp.Network([5, 6, 4, 3], activations=[THRESHOLD, THRESHOLD, "softmax"], **kw), X, y)


def test_forward_is_the_threshold():
    z = np.array([[-2.0, -1e-300, 0.0, 1e-300, 3.0]])
    np.testing.assert_array_equal(threshold(z), [[0.0, 0.0, 0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(STRAIGHT_THROUGH.f(z), THRESHOLD.f(z))
    ste, _, X, _ = nets()
    cache = ste.forward(X)
    assert set(np.unique(cache.a[1])) <= {0.0, 1.0} and set(np.unique(cache.a[2])) <= {0.0, 1.0}


@pytest.mark.parametrize("seed", range(6))
def test_the_straight_through_backward_pass_is_the_identity(seed):
    ste, _, X, y = nets(seed)
    cache = ste.forward(X)
    g = ste.backward(cache, y)
    d3 = ste.output_delta(cache, y)
    d2 = ste.W[2].T @ d3  # no f': dC/dz := dC/da
    d1 = ste.W[1].T @ d2
    for got, want in zip(g.delta, [d1, d2, d3]):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(g.dW[0], d1 @ X.T / X.shape[1], rtol=1e-13, atol=1e-15)
    grad_a = np.random.default_rng(seed).normal(size=(4, 3))
    np.testing.assert_array_equal(STRAIGHT_THROUGH.backward(grad_a, None, grad_a), grad_a)


@pytest.mark.parametrize("seed", range(6))
def test_with_the_true_derivative_nothing_below_a_threshold_layer_learns(seed):
    _, thr, X, y = nets(seed)
    g = thr.loss_and_gradient(X, y)[1]
    for l in (0, 1):
        assert not np.any(g.delta[l]) and not np.any(g.dW[l]) and not np.any(g.db[l])
    assert np.any(g.dW[2])  # the output layer still learns


def test_the_surrogate_is_not_the_derivative():
    """A finite difference of the loss in W^1 is zero (no threshold is crossed by a tiny step);
    the straight-through estimate is not: it is a surrogate, not the gradient."""
    ste, _, X, y = nets(1)
    theta = ste.get_params()
    n1 = ste.W[0].size

    def loss_of_W1(w):
        t = theta.copy()
        t[:n1] = w
        ste.set_params(t)
        return ste.loss(X, y)

    numeric = bp.numerical_gradient(loss_of_W1, theta[:n1].copy(), eps=1e-9)
    ste.set_params(theta)
    assert not np.any(numeric)
    assert np.abs(ste.loss_and_gradient(X, y)[1].dW[0]).max() > 1e-3


def test_a_straight_through_network_learns_what_a_threshold_network_cannot():
    r = np.random.default_rng(0)
    X = r.normal(size=(2, 64))
    y = (X[0] * X[1] > 0).astype(int)  # XOR of the signs: not linearly separable
    scores = {}
    for act in (STRAIGHT_THROUGH, THRESHOLD):
        net = bp.Network([2, 16, 2], activations=[act, "softmax"], loss="cross_entropy", seed=3)
        before = net.get_params()[:32].copy()
        bp.train(net, X, y, epochs=200, optimizer=bp.SGD(0.2), batch_size=16)
        scores[act.name] = np.mean(net.predict(X).argmax(axis=0) == y)
        moved = not np.array_equal(net.get_params()[:32], before)
        assert moved == (act is STRAIGHT_THROUGH)  # W^1 frozen under the true derivative
    assert scores["straight_through"] > scores["threshold"]
