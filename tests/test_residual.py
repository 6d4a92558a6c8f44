"""The residual network: its backward pass (the core's recursion plus the identity path) against
autograd and Richardson differences on random shapes, and its validation."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.residual import ResidualNetwork
from tests.conftest import REFERENCE_ACTIVATIONS


def reference_loss(theta, net, X, Y):
    """The residual network's mean half squared error, written independently in autograd.numpy."""
    h, i = X, 0
    for l, f in enumerate(net.activations, start=1):
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        W = anp.reshape(theta[i : i + n_in * n_out], (n_out, n_in))
        i += n_in * n_out
        b = theta[i : i + n_out]
        i += n_out
        a = REFERENCE_ACTIVATIONS[f.name](anp.dot(W, h) + anp.reshape(b, (n_out, 1)))
        h = h + net.branch_scale * a if l in net.residual else a
    return 0.5 * anp.sum((h - Y) ** 2) / X.shape[1]


def random_residual(seed):
    r = np.random.default_rng(seed)
    width, depth = int(r.integers(1, 6)), int(r.integers(1, 6))  # depth 1: no residual layer
    sizes = [int(r.integers(1, 5))] + [width] * depth + [int(r.integers(1, 4))]
    acts = [["tanh", "logistic", "relu", "identity"][int(k)] for k in r.integers(0, 4, depth + 1)]
    net = ResidualNetwork(sizes, activations=acts, branch_scale=float(r.uniform(0.2, 1.5)),
                          init="normal", seed=seed)
    m = int(r.integers(1, 5))  # batch 1 included
    return net, r.normal(size=(sizes[0], m)), r.normal(size=(sizes[-1], m))


@pytest.mark.parametrize("seed", range(12))
def test_backward_matches_autograd_and_richardson(seed):
    net, X, Y = random_residual(seed)
    loss, grads = net.loss_and_gradient(X, Y)
    theta = net.get_params()
    ref = autograd.grad(reference_loss)(theta, net, X, Y)
    np.testing.assert_allclose(grads.flat(), ref, rtol=1e-10, atol=1e-13)
    assert loss == pytest.approx(float(reference_loss(theta, net, X, Y)), rel=1e-12)
    if "relu" not in [f.name for f in net.activations]:  # no kinks for the differences to cross
        assert bp.gradcheck(net, X, Y).passed(1e-7)


def test_depth_one_and_no_residual_layer_is_the_plain_network():
    plain = bp.Network([3, 4, 2], activations="tanh", seed=3)
    res = ResidualNetwork([3, 4, 2], activations="tanh", seed=3)
    assert res.residual == frozenset()
    X, Y = np.random.default_rng(0).normal(size=(3, 5)), np.zeros((2, 5))
    np.testing.assert_array_equal(plain.backward(plain.forward(X), Y).flat(),
                                  res.backward(res.forward(X), Y).flat())
    one = ResidualNetwork([2, 1], seed=0)
    assert one.L == 1 and one.residual == frozenset()
    assert bp.gradcheck(one, X[:2], Y[:1]).passed(1e-7)


def test_the_identity_path_carries_the_error_unchanged():
    """With the branch switched off (scale 0), h^l = h^{l-1}: every layer's g equals the output's
    (W^L)^T delta^L, whatever the depth."""
    net = ResidualNetwork([4] * 21 + [1], branch_scale=0.0, activations="tanh", seed=0)
    X = np.random.default_rng(1).normal(size=(4, 3))
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, np.ones((1, 3))))
    assert all(np.all(d == 0) for d in deltas[1:-1])  # s f'(z) = 0 on the branches
    np.testing.assert_allclose(cache.a[-2], X)


def test_it_trains_with_the_core_loop():
    X, Y = bp.datasets.xor()
    net = ResidualNetwork([2, 4, 4, 4, 1], activations=["tanh"] * 3 + ["logistic"], seed=0)
    history = bp.train(net, X, Y, epochs=300, optimizer=bp.SGD(0.5))
    assert history.loss[-1] < history.loss[0]


@pytest.mark.parametrize("kwargs, kind, match", [
    (dict(sizes=[2, 3, 3, 1], residual=[1]), ValueError, "maps 2 units to 3"),
    (dict(sizes=[2, 3, 3, 1], residual=[3]), ValueError, "output layer is always plain"),
    (dict(sizes=[2, 3, 3, 1], residual=["2"]), TypeError, "are ints"),
    (dict(sizes=[2, 3, 3, 1], residual=5), TypeError, "iterable of layer numbers"),
    (dict(sizes=[2, 3, 3, 1], branch_scale=float("inf")), ValueError, "branch_scale"),
    (dict(sizes=[2, 3, 3, 2], activations=["tanh", "softmax", "softmax"], loss="cross_entropy"),
     ValueError, "elementwise activation"),
])
def test_bad_arguments_are_named(kwargs, kind, match):
    with pytest.raises(kind, match=match):
        ResidualNetwork(**kwargs)


def test_a_cache_without_derivatives_is_refused():
    net = ResidualNetwork([2, 3, 3, 1], seed=0)
    cache = net.forward(np.ones((2, 2)), keep_derivatives=False)
    with pytest.raises(ValueError, match="keep_derivatives=True"):
        net.backpropagate(cache, np.ones((1, 2)))
    with pytest.raises(ValueError, match="width n_0=2"):
        net.forward(np.ones((3, 2)))


def test_the_graph_builders_refuse_a_residual_network_instead_of_ignoring_its_identity_path():
    from backproplib.autodiff import scalar as S
    from backproplib.autodiff.networks import network_graph

    net = ResidualNetwork([2, 3, 3, 1], seed=0)
    with pytest.raises(ValueError, match="ResidualNetwork has a forward pass of its own"):
        network_graph(net, np.ones((2, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="plain layered Network"):
        S.ScalarNetwork(net, np.ones((2, 1)), np.ones((1, 1)))
