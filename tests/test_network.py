"""The backward pass against two independent references, on many random architectures.

References: autograd (a separate autodiff package, reference network written in autograd.numpy in
conftest.py) and central finite differences in float64.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import backproplib as bp
from backproplib.experiments.per_example import gradient_per_example

from .conftest import random_case, reference_loss


def dense_targets(net, Y):
    return net.loss_fn.targets(Y, net.sizes[-1], Y.shape[-1])


@pytest.mark.parametrize("seed", range(60))
def test_backward_matches_autograd(seed):
    net, X, Y = random_case(seed)
    value, grads = net.loss_and_gradient(X, Y)
    theta = net.get_params()
    names = [f.name for f in net.activations]
    Yd = dense_targets(net, Y)
    ref_value = reference_loss(theta, net.sizes, names, net.loss_fn.name, X, Yd)
    ref_grad = autograd.grad(reference_loss)(theta, net.sizes, names, net.loss_fn.name, X, Yd)
    assert value == pytest.approx(ref_value, rel=1e-10, abs=1e-13)
    scale = max(np.abs(ref_grad).max(), 1e-300)
    np.testing.assert_allclose(grads.flat(), ref_grad, rtol=1e-9, atol=1e-11 * scale)


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_backward_matches_central_differences(seed):
    net, X, Y = random_case(seed + 1000)
    result = bp.gradcheck(net, X, Y, eps=1e-6)
    a, n = result.analytic, result.numeric
    rel = np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), 1e-300)
    assert rel < 1e-7, f"{net}: {result}"


@pytest.mark.parametrize("seed", range(10))
def test_matrix_form_equals_per_example_loop(seed):
    net, X, Y = random_case(seed + 2000)
    if any(f.name == "softmax" for f in net.activations[:-1]):
        pytest.skip("the per-example loop assumes elementwise hidden activations")
    dW, db = gradient_per_example(net, X, Y)
    grads = net.backward(net.forward(X), Y)
    for l in range(net.L):
        np.testing.assert_allclose(grads.dW[l], dW[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(grads.db[l], db[l], rtol=1e-12, atol=1e-15)


def test_gradient_shapes_equal_parameter_shapes():
    net = bp.Network([5, 7, 3, 2], activations=["tanh", "relu", "softmax"], loss="cross_entropy")
    grads = net.backward(net.forward(np.ones((5, 4))), np.array([0, 1, 1, 0]))
    assert [g.shape for g in grads.dW] == [W.shape for W in net.W] == [(7, 5), (3, 7), (2, 3)]
    assert [g.shape for g in grads.db] == [b.shape for b in net.b] == [(7,), (3,), (2,)]
    assert [d.shape for d in grads.delta] == [(7, 4), (3, 4), (2, 4)]


def test_delta_recursion_holds_in_the_cache():
    """delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l, read off the returned deltas."""
    net = bp.Network([3, 4, 4, 2], activations="logistic", seed=3)
    X = np.random.default_rng(0).normal(size=(3, 5))
    cache = net.forward(X)
    grads = net.backward(cache, np.zeros((2, 5)))
    for l in range(1, net.L):
        fp = cache.a[l] * (1 - cache.a[l])  # logistic: phi (1 - phi), from the activations
        np.testing.assert_allclose(grads.delta[l - 1], fp * (net.W[l].T @ grads.delta[l]), rtol=1e-13)
        np.testing.assert_allclose(grads.dW[l], grads.delta[l] @ cache.a[l].T / 5, rtol=1e-13)


def test_params_round_trip():
    net = bp.Network([3, 4, 2], seed=1)
    theta = net.get_params()
    assert theta.shape == (net.n_params,) == (3 * 4 + 4 + 4 * 2 + 2,)
    net.set_params(theta * 2)
    np.testing.assert_array_equal(net.get_params(), theta * 2)


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = (bp.Network([4, 3, 1], seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.get_params(), b.get_params())
    assert not np.array_equal(a.get_params(), c.get_params())


def test_predict_does_not_cache_derivatives():
    net = bp.Network([2, 2, 1])
    cache = net.forward(np.ones((2, 3)), keep_derivatives=False)
    assert cache.fprime == [None, None]
    np.testing.assert_array_equal(net.predict(np.ones((2, 3))), cache.a[-1])


def test_a_custom_loss_that_returns_its_input_does_not_corrupt_the_cache():
    """Loss is a public base class: grad_a may hand back a caller-visible array (here a itself)."""

    class ReturnsA(bp.Loss):
        name = "returns_a"

        def per_example(self, z, a, y):
            return 0.5 * np.sum(a * a, axis=0)

        def grad_a(self, a, y):
            return a  # dC/da of 1/2 ||a||^2, the very array the cache holds

    net = bp.Network([2, 3, 2], activations="tanh", loss=ReturnsA(), seed=0)
    X = np.random.default_rng(0).normal(size=(2, 5))
    cache = net.forward(X)
    a_L = cache.a[-1].copy()
    z_L = cache.z[-1].copy()
    grads = net.backward(cache, np.zeros((2, 5)))
    np.testing.assert_array_equal(cache.a[-1], a_L)
    np.testing.assert_array_equal(cache.z[-1], z_L)
    assert bp.gradcheck(net, X, np.zeros((2, 5))).passed()
    np.testing.assert_allclose(grads.delta[-1], (1 - a_L**2) * a_L, rtol=1e-12)


def test_one_recursion_serves_a_stack_of_networks():
    """Network.stack runs S networks at once through the same forward and backward code."""
    X, Y = bp.datasets.xor()
    nets = [bp.Network([2, 3, 1], activations="tanh", seed=s) for s in range(4)]
    stack = nets[0].stack(np.stack([n.get_params() for n in nets]))
    grads = stack.backward(stack.forward(X), Y)
    for s, net in enumerate(nets):
        g = net.loss_and_gradient(X, Y)[1]
        for a, b in zip(g.dW + g.db, grads.dW + grads.db):
            np.testing.assert_allclose(b[s], a, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match=r"stack needs parameter vectors of shape \(S, 13\)"):
        nets[0].stack(np.zeros((2, 12)))


@pytest.mark.parametrize("acts, loss", [(["tanh", "softmax"], "cross_entropy"),
                                        (["relu", "logistic"], "binary_cross_entropy")])
def test_a_stack_normalises_over_the_units_not_the_networks(acts, loss):
    rng = np.random.default_rng(3)
    n_out = 3 if loss == "cross_entropy" else 1
    nets = [bp.Network([2, 4, n_out], activations=acts, loss=loss, seed=s) for s in range(3)]
    X = rng.normal(size=(2, 5))
    Y = rng.integers(0, 3, size=5) if loss == "cross_entropy" else rng.uniform(size=(1, 5))
    stack = nets[0].stack(np.stack([n.get_params() for n in nets]))
    cache = stack.forward(X)
    Yf = stack.targets(Y, cache)
    per_net = stack.loss_fn.per_example(cache.z[-1], cache.a[-1], Yf).mean(axis=-1)
    grads = stack.backward(cache, Y)
    for s, net in enumerate(nets):
        np.testing.assert_allclose(cache.a[-1][s], net.predict(X), rtol=1e-12)
        assert per_net[s] == pytest.approx(net.loss(X, Y), rel=1e-12)
        np.testing.assert_allclose(grads.dW[0][s], net.loss_and_gradient(X, Y)[1].dW[0], rtol=1e-10)
