"""Tests of backproplib.signal: the per-layer sizes of delta^l and dC/dW^l, compared with autograd and
with central differences."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

import backproplib as bp
from backproplib.experiments.error_sizes import delta_norms, weight_gradient_norms

_F = {"logistic": lambda z: 1 / (1 + anp.exp(-z)), "tanh": anp.tanh, "relu": lambda z: anp.maximum(z, 0.0)}


def _autograd_deltas(net: bp.Network, X: np.ndarray, Y: np.ndarray, act: str) -> list[np.ndarray]:
    """delta^l_x = dC_x/dz^l for every example, from autograd: add an offset u^l to z^l and
    differentiate the summed per-example half squared errors with respect to the offsets at 0."""

    def total(offsets: list) -> float:
        a = X
        for W, b, u in zip(net.W, net.b, offsets):
            a = _F[act](W @ a + b[:, None] + u)
        return 0.5 * anp.sum((a - Y) ** 2)

    zeros = [np.zeros((W.shape[0], X.shape[1])) for W in net.W]
    return grad(total)(zeros)


@pytest.mark.parametrize("act", ["logistic", "tanh", "relu"])
def test_delta_norms_match_autograd(act: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 7))
    Y = rng.uniform(size=(2, 7))
    net = bp.Network([3, 5, 4, 4, 2], activations=act, init="he" if act == "relu" else "xavier", seed=2)
    got = delta_norms(net, X, Y)
    expected = [np.linalg.norm(d, axis=0).mean() for d in _autograd_deltas(net, X, Y, act)]
    assert got.shape == (4,)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_weight_gradient_norms_match_central_differences() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 6))
    Y = rng.integers(0, 3, size=6)
    net = bp.Network([3, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    expected = []
    for l in range(net.L):
        def f(W: np.ndarray, l: int = l) -> float:
            return net.loss(X, Y)
        expected.append(np.linalg.norm(bp.numerical_gradient(f, net.W[l])))
    np.testing.assert_allclose(weight_gradient_norms(net, X, Y), expected, rtol=1e-7)


def test_logistic_deltas_shrink_with_depth() -> None:
    # f' <= 1/4 for the logistic: with small weights the error must shrink towards the input.
    X = np.random.default_rng(0).normal(size=(8, 20))
    Y = np.zeros((8, 20))
    net = bp.Network([8] * 9, activations="logistic", init="uniform", seed=0)
    norms = delta_norms(net, X, Y)
    assert np.all(np.diff(norms) > 0)  # layer 1 smallest, layer L largest
    assert norms[0] < 1e-4 * norms[-1]


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="net must be a backproplib Network, got list"):
        delta_norms([], np.zeros((2, 1)), np.zeros((1, 1)))  # type: ignore[arg-type]
    net = bp.Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"targets Y have shape \(2, 1\), expected \(1, 1\)"):
        weight_gradient_norms(net, np.zeros((2, 1)), np.zeros((2, 1)))
