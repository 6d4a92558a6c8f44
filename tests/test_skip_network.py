"""SkipNetwork's backward pass against three references: autograd on a separately written forward pass,
central differences in float64, and (with no direct connections) ``bp.Network``."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.skip_network import SkipNetwork

ACTS = {
    "logistic": lambda z: 0.5 * (1.0 + anp.tanh(0.5 * z)),
    "tanh": anp.tanh,
    "identity": lambda z: z,
    "swish": lambda z: z * 0.5 * (1.0 + anp.tanh(0.5 * z)),
}


def reference_loss(theta, sizes, skips, acts, X, Y):
    """Mean of 1/2 ||a^L - y||^2 with every block W^{l,s} applied separately (autograd.numpy)."""
    a, i = [X], 0
    for l in range(1, len(sizes)):
        src = sorted({l - 1} | {s for s, d in skips if d == l})
        fan_in = sum(sizes[s] for s in src)
        W = anp.reshape(theta[i : i + sizes[l] * fan_in], (sizes[l], fan_in))
        i += sizes[l] * fan_in
        b = anp.reshape(theta[i : i + sizes[l]], (sizes[l], 1))
        i += sizes[l]
        z, col = b, 0
        for s in src:  # the sum over source layers, block by block
            z = z + anp.dot(W[:, col : col + sizes[s]], a[s])
            col += sizes[s]
        a.append(ACTS[acts[l - 1]](z))
    return anp.mean(0.5 * anp.sum((a[-1] - Y) ** 2, axis=0))


def random_case(seed):
    r = np.random.default_rng(seed)
    depth = int(r.integers(2, 5))
    sizes = [int(n) for n in r.integers(1, 7, size=depth + 1)]
    skips = {(s, l) for l in range(2, depth + 1) for s in range(l - 1) if r.uniform() < 0.5}
    acts = [list(ACTS)[int(k)] for k in r.integers(0, len(ACTS), size=depth)]
    m = int(r.integers(1, 6))
    X, Y = r.normal(size=(sizes[0], m)), r.normal(size=(sizes[-1], m))
    net = SkipNetwork(sizes, skips=skips, activations=acts, init="normal", seed=seed)
    return net, X, Y, acts


@pytest.mark.parametrize("seed", range(40))
def test_gradient_matches_autograd(seed):
    net, X, Y, acts = random_case(seed)
    loss, grads = net.loss_and_gradient(X, Y)
    theta = net.get_params()
    ref = autograd.grad(reference_loss)(theta, net.sizes, net.skips, acts, X, Y)
    assert loss == pytest.approx(reference_loss(theta, net.sizes, net.skips, acts, X, Y), rel=1e-12)
    np.testing.assert_allclose(grads.flat(), ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("seed", range(15))
def test_gradient_matches_central_differences(seed):
    net, X, Y, _ = random_case(100 + seed)
    result = bp.gradcheck(net, X, Y)
    scale = np.abs(result.numeric).max()
    np.testing.assert_allclose(result.analytic, result.numeric, rtol=1e-6, atol=1e-8 * scale)


def test_xor_network_gradient_matches_central_differences():
    X, Y = bp.datasets.xor()
    net = SkipNetwork([2, 1, 1], skips=[(0, 2)], init="uniform", seed=3)
    result = bp.gradcheck(net, X, Y)
    np.testing.assert_allclose(result.analytic, result.numeric, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("init", ["uniform", "xavier", "normal", "he"])
def test_without_skips_equals_network(init):
    sizes = [3, 5, 4, 2]
    X = np.random.default_rng(0).normal(size=(3, 6))
    Y = np.random.default_rng(1).normal(size=(2, 6))
    a = SkipNetwork(sizes, activations="tanh", init=init, seed=7)
    b = bp.Network(sizes, activations="tanh", init=init, seed=7)
    assert np.array_equal(a.get_params(), b.get_params())
    la, ga = a.loss_and_gradient(X, Y)
    lb, gb = b.loss_and_gradient(X, Y)
    assert la == lb
    assert np.array_equal(ga.flat(), gb.flat())
    for da, db in zip(ga.delta, gb.delta):
        assert np.array_equal(da, db)


def test_block_is_a_view_with_the_right_columns():
    net = SkipNetwork([2, 3, 4, 1], skips=[(0, 3), (1, 3)], seed=0)
    assert net.sources == [[0], [1], [0, 1, 2]]
    assert net.W[2].shape == (1, 9)
    net.block(3, 1)[...] = 7.0
    np.testing.assert_array_equal(net.W[2][:, 2:5], 7.0)
    assert net.block(3, 0).shape == (1, 2) and net.block(3, 2).shape == (1, 4)


def test_skip_changes_the_output():
    X, _ = bp.datasets.xor()
    net = SkipNetwork([2, 1, 1], skips=[(0, 2)], init="uniform", seed=0)
    before = net.predict(X).copy()
    net.block(2, 0)[...] = 0.0
    after = net.predict(X)
    assert not np.allclose(before, after)
    net.block(2, 1)[...] = 0.0
    net.b[1][...] = 0.0
    np.testing.assert_allclose(net.predict(X), 0.5)  # all inputs to the output unit removed


def test_trains_with_bp_train():
    X, Y = bp.datasets.xor()
    net = SkipNetwork([2, 1, 1], skips=[(0, 2)], init="uniform", seed=1)
    h = bp.train(net, X, Y, epochs=200, optimizer=bp.Momentum(2.0, 0.9))
    assert h.loss[-1] < h.loss[0]


@pytest.mark.parametrize("skips, exc, words", [
    ([(1, 2)], ValueError, "source < layer - 1"),
    ([(0, 3)], ValueError, "layer <= L=2"),
    ([(0, 1)], ValueError, "skip (0, 1) is invalid"),
    ([(0.0, 2)], TypeError, "pair of ints"),
    ([(0, 2, 1)], TypeError, "pair of ints"),
    (5, TypeError, "iterable of (source, layer) pairs"),
])
def test_bad_skips(skips, exc, words):
    with pytest.raises(exc) as info:
        SkipNetwork([2, 2, 1], skips=skips)
    assert words in str(info.value)


def test_bad_block_and_input():
    net = SkipNetwork([2, 2, 1], skips=[(0, 2)])
    with pytest.raises(ValueError, match=r"layer 1 does not feed layer 1; its sources are \[0\]"):
        net.block(1, 1)
    with pytest.raises(ValueError, match="layer l must be an int in 1..2"):
        net.block(3, 0)
    with pytest.raises(ValueError, match=r"expects inputs of width n_0=2"):
        net.forward(np.zeros((3, 4)))
