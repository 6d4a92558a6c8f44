"""SkipNetwork's backward pass against three references: autograd on a separately written forward pass,
central differences in float64, and (with no direct connections) ``bp.Network``."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.skip_network import SkipNetwork

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


# ---------------------------------------------------------------- everything that uses the recursion
def _deep_skip_case(seed=3, m=5):
    r = np.random.default_rng(seed)
    sizes, skips, acts = [2, 3, 2, 2], {(0, 2), (0, 3), (1, 3)}, ["tanh", "logistic", "identity"]
    net = SkipNetwork(sizes, skips=skips, activations=acts, init="normal", seed=seed)
    return net, r.normal(size=(2, m)), r.normal(size=(2, m)), acts


def _reference_outputs(theta, net, acts, X):
    """a^L for every example, by the block-by-block reference (autograd.numpy)."""
    sizes, a, i = net.sizes, [X], 0
    for l in range(1, len(sizes)):
        src = net.sources[l - 1]
        fan_in = sum(sizes[s] for s in src)
        W = anp.reshape(theta[i : i + sizes[l] * fan_in], (sizes[l], fan_in))
        i += sizes[l] * fan_in
        b = anp.reshape(theta[i : i + sizes[l]], (sizes[l], 1))
        i += sizes[l]
        z, col = b, 0
        for s in src:
            z = z + anp.dot(W[:, col : col + sizes[s]], a[s])
            col += sizes[s]
        a.append(ACTS[acts[l - 1]](z))
    return a[-1]


def test_curvature_matrices_of_a_skip_network_match_autograd():
    from backproplib.curvature import hessian as hs

    net, X, Y, acts = _deep_skip_case()
    theta = net.get_params()
    n, m = net.n_params, X.shape[1]
    J_ref = autograd.jacobian(lambda t: anp.ravel(_reference_outputs(t, net, acts, X)))(theta)
    J = hs.output_jacobian(net, X)
    assert J.shape == (net.sizes[-1] * m, n)
    np.testing.assert_allclose(J, J_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hs.gauss_newton(net, X, Y), J_ref.T @ J_ref / m, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hs.fisher(net, X), J_ref.T @ J_ref / m, rtol=1e-10, atol=1e-12)
    H_ref = autograd.hessian(lambda t: reference_loss(t, net.sizes, net.skips, acts, X, Y))(theta)
    np.testing.assert_allclose(hs.hessian(net, X, Y), H_ref, rtol=1e-6, atol=1e-7)
    per_ex = hs.per_example_gradients(net, X, Y)
    for i in range(m):
        g_i = autograd.grad(reference_loss)(theta, net.sizes, net.skips, acts, X[:, [i]], Y[:, [i]])
        np.testing.assert_allclose(per_ex[i], g_i, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(per_ex.mean(axis=0), net.loss_and_gradient(X, Y)[1].flat(), rtol=1e-12)


def test_levenberg_marquardt_trains_a_skip_network():
    from backproplib.curvature import levenberg_marquardt as lm

    net, X, Y, _ = _deep_skip_case()
    before = net.loss(X, Y)
    h = lm.levenberg_marquardt(net, X, Y, max_iter=20)
    assert h.iterations > 0 and h.loss[-1] < 0.5 * before
    assert net.loss(X, Y) == pytest.approx(h.loss[-1], rel=1e-12)


def test_per_example_loop_graph_engine_and_error_sizes_on_a_skip_network():
    from backproplib.autodiff.networks import network_gradient
    from backproplib.experiments.error_sizes import delta_norms
    from backproplib.experiments.per_example import gradient_per_example

    net, X, Y, _ = _deep_skip_case()
    grads = net.loss_and_gradient(X, Y)[1]
    dW, db = gradient_per_example(net, X, Y)
    for a, b in zip(dW + db, grads.dW + grads.db):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    _, gW, gb = network_gradient(net, X, Y)
    for a, b in zip(gW + gb, grads.dW + grads.db):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    norms = delta_norms(net, X, Y)
    assert norms.shape == (3,)
    np.testing.assert_allclose(norms, [np.linalg.norm(d, axis=0).mean() for d in grads.delta])
