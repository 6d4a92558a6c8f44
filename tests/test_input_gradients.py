"""Gradients of the input (Network.input_gradient and experiments.input_gradients) against autograd
on separately written forward passes and against central differences; FGSM and saliency against
their definitions; bad input."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.skip_network import SkipNetwork
from backproplib.experiments import input_gradients as ig

from .conftest import REFERENCE_ACTIVATIONS, network_reference_loss, random_case
from .test_skip_network import random_case as random_skip_case
from .test_skip_network import reference_loss as skip_reference_loss


@pytest.mark.parametrize("seed", range(30))
def test_input_gradient_matches_autograd(seed):
    net, X, Y = random_case(seed)
    m = X.shape[1]
    ref = autograd.grad(lambda x: network_reference_loss(net.get_params(), net, x, Y))(X) * m
    got = ig.input_gradient(net, X, Y)
    assert got.shape == X.shape
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(ref).max()))


@pytest.mark.parametrize("seed", range(12))
def test_input_gradient_of_a_skip_network_sums_every_layer_that_reads_the_input(seed):
    net, X, Y, acts = random_skip_case(seed)
    m = X.shape[1]
    grad = autograd.grad(skip_reference_loss, 4)
    ref = grad(net.get_params(), net.sizes, net.skips, acts, X, Y) * m
    cache = net.forward(X)
    got = net.input_gradient(cache, net.backpropagate(cache, net.output_delta(cache, Y)))
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(ref).max()))


def test_input_gradient_of_a_direct_connection_from_the_input():
    net = SkipNetwork([3, 2, 2], skips=[(0, 2)], activations="tanh", seed=3, init="normal")
    X, Y = np.random.default_rng(0).normal(size=(3, 4)), np.zeros((2, 4))
    x = X.copy()

    def per_example_sum(v):  # sum of C_x over the batch: its gradient is dC_x/dx per column
        return net.loss(v, Y) * v.shape[1]

    ref = bp.numerical_gradient(per_example_sum, x, eps=1e-5, method="richardson")
    np.testing.assert_allclose(ig.input_gradient(net, X, Y), ref, rtol=1e-8, atol=1e-10)


def test_input_gradient_matches_central_differences_on_the_digits_network():
    r = np.random.default_rng(1)
    net = bp.Network([64, 16, 10], activations=["tanh", "softmax"], loss="cross_entropy", seed=2)
    X, y = r.uniform(size=(64, 3)), np.array([0, 4, 9])
    ref = bp.numerical_gradient(lambda v: net.loss(v, y) * 3, X.copy(), eps=1e-5,
                                method="richardson")
    np.testing.assert_allclose(ig.input_gradient(net, X, y), ref, rtol=1e-7, atol=1e-10)


def test_class_score_gradient_matches_autograd():
    r = np.random.default_rng(2)
    net = bp.Network([5, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, classes = r.normal(size=(5, 6)), r.integers(0, 3, size=6)
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]

    def score(x, i):
        z2 = anp.dot(W2, REFERENCE_ACTIVATIONS["tanh"](anp.dot(W1, x) + b1[:, None])) + b2[:, None]
        return z2[classes[i], i]

    ref = sum(autograd.grad(score)(X, i) for i in range(6))  # column i only depends on x_i
    np.testing.assert_allclose(ig.class_score_gradient(net, X, classes), ref, rtol=1e-12,
                               atol=1e-14)
    pred = net.predict(X).argmax(axis=0)
    np.testing.assert_array_equal(ig.saliency(net, X), np.abs(ig.class_score_gradient(net, X, pred)))


def test_loss_gradient_is_the_output_error_weighted_sum_of_score_gradients():
    """With softmax and cross-entropy, dC_x/dz^L = a^L - y, so by linearity of the recursion
    dC_x/dx = sum_k (a_k - y_k) dz_k/dx."""
    r = np.random.default_rng(3)
    net = bp.Network([6, 5, 4], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)
    X, y = r.normal(size=(6, 3)), np.array([1, 0, 3])
    A = net.predict(X)
    Yh = np.eye(4)[:, y]
    combo = sum((A[k] - Yh[k]) * ig.class_score_gradient(net, X, np.full(3, k)) for k in range(4))
    np.testing.assert_allclose(ig.input_gradient(net, X, y), combo, rtol=1e-12, atol=1e-14)


def test_fgsm_is_its_definition_and_raises_the_loss_to_first_order():
    r = np.random.default_rng(4)
    net = bp.Network([8, 6, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, y = r.uniform(0.2, 0.8, size=(8, 5)), r.integers(0, 3, size=5)
    g = ig.input_gradient(net, X, y)
    eps = 1e-4
    adv = ig.fgsm(net, X, y, eps)
    np.testing.assert_array_equal(adv, np.clip(X + eps * np.sign(g), 0, 1))
    per = net.loss_fn.per_example
    c0 = per(net.forward(X).z[-1], net.predict(X), np.eye(3)[:, y])
    c1 = per(net.forward(adv).z[-1], net.predict(adv), np.eye(3)[:, y])
    np.testing.assert_allclose(c1 - c0, eps * np.abs(g).sum(axis=0), rtol=1e-3)
    np.testing.assert_array_equal(ig.fgsm(net, X, y, 0.0), X)
    big = ig.fgsm(net, X, y, 5.0)
    assert big.min() >= 0 and big.max() <= 1 and set(np.unique(big)) <= {0.0, 1.0}
    unclipped = ig.fgsm(net, X, y, 5.0, clip=None)
    np.testing.assert_array_equal(unclipped, X + 5.0 * np.sign(g))


def test_attack_curve_agrees_with_fgsm_and_random_sign():
    r = np.random.default_rng(5)
    net = bp.Network([8, 6, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, y = r.uniform(size=(8, 40)), r.integers(0, 3, size=40)
    c = ig.attack_curve(net, X, y, [0.0, 0.1, 0.3], seed=7)
    clean = ig.accuracy(net, X, y)
    assert c.fgsm[0] == clean and c.random[0] == clean
    assert c.fgsm[2] == ig.accuracy(net, ig.fgsm(net, X, y, 0.3), y)
    assert c.random[1] == ig.accuracy(net, ig.random_sign(X, 0.1, seed=7), y)


def test_input_gradient_of_a_stack_of_networks():
    net, X, Y = random_case(3)  # half squared error (a stacked softmax is not supported)
    assert net.loss_fn.name == "half_squared_error"
    stack = net.stack(np.stack([net.get_params(), 2 * net.get_params()]))
    cache = stack.forward(X)
    got = stack.input_gradient(cache, stack.backpropagate(cache, stack.output_delta(cache, Y)))
    assert got.shape == (2, *X.shape)
    np.testing.assert_allclose(got[0], ig.input_gradient(net, X, Y), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------- bad input
@pytest.fixture
def small():
    net = bp.Network([4, 3, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    return net, np.full((4, 2), 0.5), np.array([0, 1])


@pytest.mark.parametrize("eps, err, msg", [(-0.1, ValueError, ">= 0"),
                                           (np.nan, ValueError, "finite"),
                                           (True, TypeError, "a number"),
                                           ("0.1", TypeError, "a number")])
def test_bad_epsilon(small, eps, err, msg):
    net, X, y = small
    with pytest.raises(err, match=msg):
        ig.fgsm(net, X, y, eps)
    with pytest.raises(err, match=msg):
        ig.attack_curve(net, X, y, [0.0, eps])


@pytest.mark.parametrize("clip, err", [((1.0, 0.0), ValueError), ((0.0,), TypeError),
                                        ("01", TypeError)])
def test_bad_clip(small, clip, err):
    net, X, y = small
    with pytest.raises(err, match="clip"):
        ig.fgsm(net, X, y, 0.1, clip=clip)


def test_bad_classes_net_and_deltas(small):
    net, X, y = small
    with pytest.raises(ValueError, match="out of range: classes must be in 0..1"):
        ig.class_score_gradient(net, X, np.array([0, 2]))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        ig.saliency(net, X, np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="backproplib Network"):
        ig.input_gradient("net", X, y)
    with pytest.raises(ValueError, match="empty"):
        ig.attack_curve(net, X, y, [])
    with pytest.raises(ValueError, match="expects inputs of width n_0=4"):
        ig.fgsm(net, X[:3], y, 0.1)
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, y))
    with pytest.raises(ValueError, match="deltas holds 1 layers, this network has 2"):
        net.input_gradient(cache, deltas[1:])
    with pytest.raises(ValueError, match=r"delta\^1 must have the shape of z\^1, \(3, 2\)"):
        net.input_gradient(cache, [deltas[0].T, deltas[1]])
    with pytest.raises(ValueError, match="2-D"):
        ig.random_sign(np.zeros(3), 0.1)
