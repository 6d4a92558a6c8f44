"""Backpropagation through time: BPTT against autograd, central differences, the graph engine and
the core's recursion on the unrolled net; truncated BPTT against an independent reference; clipping,
training and the sequence data sets."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures import fitting
from backproplib.architectures.recurrent import RNN, hidden_gradient_norms, rnn_graph
from backproplib.autodiff import graph as G

REF_F = {"tanh": anp.tanh, "identity": lambda z: z,
         "logistic": lambda z: 0.5 * (1.0 + anp.tanh(0.5 * z))}


def unpack(theta, rnn):
    """``U, W, b, V, c`` from a flat vector, written independently of ``RNN.set_params``."""
    nh, ni, no = rnn.n_hidden, rnn.n_in, rnn.n_out
    sizes = [nh * ni, nh * nh, nh, no * nh, no]
    ends = np.cumsum(sizes)
    U, W, b, V, c = (theta[e - s : e] for s, e in zip(sizes, ends))
    return (anp.reshape(U, (nh, ni)), anp.reshape(W, (nh, nh)), b, anp.reshape(V, (no, nh)), c)


def reference_loss(theta, rnn, X, Y, start=0, h_start=None, only=None):
    """The RNN's loss in autograd.numpy from the textbook equations. With ``start``/``h_start`` the
    run begins at step ``start`` from a given (constant) state; ``only`` keeps one output step."""
    U, W, b, V, c = unpack(theta, rnn)
    f = REF_F[rnn.f.name]
    T, _, m = X.shape
    h = anp.zeros((rnn.n_hidden, m)) if h_start is None else h_start
    total = 0.0
    for t in range(start, T):
        h = f(anp.dot(W, h) + anp.dot(U, X[t]) + anp.reshape(b, (-1, 1)))
        if (rnn.output == "all" and (only is None or t == only)) or t == T - 1 and rnn.output == "last":
            y = Y[t] if rnn.output == "all" else Y
            total = total + 0.5 * anp.sum((anp.dot(V, h) + anp.reshape(c, (-1, 1)) - y) ** 2) / m
    return total


def random_rnn(seed):
    r = np.random.default_rng(seed)
    n_in, nh, n_out = (int(v) for v in r.integers(1, 5, size=3))
    T = [1, 2, 5, 9][seed % 4]
    m = [1, 3, 4][seed % 3]
    output = ["last", "all"][seed % 2]
    act = ["tanh", "identity", "logistic"][seed % 3]
    rnn = RNN(n_in, nh, n_out, activation=act, output=output, spectral_radius=1.2, seed=seed)
    rnn.b[:] = r.normal(size=nh) * 0.3
    rnn.c[:] = r.normal(size=n_out)
    X = r.normal(size=(T, n_in, m))
    Y = r.normal(size=(n_out, m) if output == "last" else (T, n_out, m))
    return rnn, X, Y


@pytest.mark.parametrize("seed", range(12))
def test_bptt_matches_autograd(seed):
    rnn, X, Y = random_rnn(seed)
    loss, grads = rnn.loss_and_gradient(X, Y)
    theta = rnn.get_params()
    assert loss == pytest.approx(float(reference_loss(theta, rnn, X, Y)), rel=1e-12)
    ref = autograd.grad(reference_loss)(theta, rnn, X, Y)
    np.testing.assert_allclose(grads.flat(), ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("seed", [0, 5])
def test_bptt_matches_richardson_differences(seed):
    rnn, X, Y = random_rnn(seed)
    grads = rnn.loss_and_gradient(X, Y)[1].flat()
    theta = rnn.get_params()

    def f(t):
        rnn.set_params(t)
        return rnn.loss(X, Y)

    num = bp.numerical_gradient(f, theta.copy(), eps=1e-4, method="richardson")
    rnn.set_params(theta)
    np.testing.assert_allclose(grads, num, rtol=1e-7, atol=1e-9 * np.abs(num).max())


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_the_graph_engine_gives_the_same_gradient(seed):
    rnn, X, Y = random_rnn(seed)
    g = rnn_graph(rnn, X, Y)
    G.backward(g.loss)
    loss, grads = rnn.loss_and_gradient(X, Y)
    assert float(g.loss.value) == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(g.gradient(), grads.flat(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", [0, 2, 4])
def test_unrolled_net_backpropagates_the_same_deltas(seed):
    rnn, X, Y = random_rnn(seed)  # even seeds: output="last"
    cache = rnn.forward(X)
    net, net_cache = rnn.unrolled(cache)
    deltas = net.backpropagate(net_cache, cache.a[0] - Y)
    bptt = rnn.backward(cache, Y)
    T = X.shape[0]
    np.testing.assert_allclose(np.array(deltas[:T]), bptt.delta, rtol=1e-12, atol=1e-15)
    dW = sum(net.param_grads(net_cache, deltas).dW[:T])  # a shared weight sums its copies
    np.testing.assert_allclose(dW, bptt.dW, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="output='last'"):
        RNN(1, 2, 1, output="all").unrolled(cache)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_bptt_matches_a_reference_that_cuts_the_state(seed, k):
    """Each output's error stops after k steps: the same as the gradient of that output's loss when
    the state k steps before it is a constant."""
    rnn, X, Y = random_rnn(seed)
    theta = rnn.get_params()
    T = X.shape[0]
    states = rnn.forward(X).h  # h[t] = h_t, as constants
    steps = range(T) if rnn.output == "all" else [T - 1]
    ref = np.zeros_like(theta)
    for s in steps:
        start = max(s - k + 1, 0)
        ref += autograd.grad(reference_loss)(theta, rnn, X, Y, start, states[start], s)
    got = rnn.loss_and_gradient(X, Y, truncate=k)[1].flat()
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12 * max(np.abs(ref).max(), 1))
    full = rnn.loss_and_gradient(X, Y)[1].flat()
    np.testing.assert_allclose(rnn.loss_and_gradient(X, Y, truncate=T)[1].flat(), full,
                               rtol=1e-12, atol=1e-15)


def test_spectral_radius_and_the_linear_decay_it_sets():
    rnn = RNN(1, 6, 1, activation="identity", spectral_radius=None, seed=3)
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 6)))
    rnn.W[...] = 0.7 * q  # an orthogonal matrix scaled: every ||W^k|| = 0.7^k
    assert rnn.spectral_radius() == pytest.approx(0.7, rel=1e-12)
    rnn.set_spectral_radius(0.5)
    assert rnn.spectral_radius() == pytest.approx(0.5, rel=1e-12)
    X, Y = np.random.default_rng(1).normal(size=(12, 1, 1)), np.ones((1, 1))
    norms = hidden_gradient_norms(rnn, X, Y)
    np.testing.assert_allclose(norms[:-1] / norms[1:], 0.5, rtol=1e-10)


def test_bad_inputs_get_clear_errors():
    rnn = RNN(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match=r"n_in=3.*got shape \(5, 2, 7\)"):
        rnn.forward(np.zeros((5, 2, 7)))
    with pytest.raises(ValueError, match=r"X\[:, :, None\]"):
        rnn.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least one step"):
        rnn.forward(np.zeros((0, 3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        rnn.forward(np.full((2, 3, 1), np.nan))
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 7\)"):
        rnn.loss(np.zeros((5, 3, 7)), np.zeros((1, 7)))
    with pytest.raises(ValueError, match="truncate must be a positive"):
        rnn.loss_and_gradient(np.zeros((5, 3, 7)), np.zeros((2, 7)), truncate=0)
    with pytest.raises(ValueError, match="output must be one of"):
        RNN(1, 1, 1, output="every")
    with pytest.raises(ValueError, match="n_hidden must be a positive int"):
        RNN(1, 0, 1)
    with pytest.raises(ValueError, match="spectral_radius must be a number >= 0"):
        RNN(1, 2, 1, spectral_radius=-1.0)
    with pytest.raises(ValueError, match="elementwise"):
        RNN(1, 2, 1, activation="softmax")
    with pytest.raises(ValueError, match=r"expected \(42,\)"):
        rnn.set_params(np.zeros(3))


def test_clip_by_norm_keeps_the_direction_and_bounds_the_length():
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = fitting.clip_by_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    assert np.sqrt(sum(np.sum(c * c) for c in clipped)) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    same, _ = fitting.clip_by_norm(g, 10.0)
    assert all(np.array_equal(a, b) for a, b in zip(same, g))
    assert g[0][0] == 3.0  # the inputs are not changed
    with pytest.raises(ValueError, match="max_norm must be > 0"):
        fitting.clip_by_norm(g, 0.0)


def test_fit_trains_an_rnn_on_the_adding_problem():
    X, Y = bp.datasets.adding_problem(200, 6, seed=0)
    rnn = RNN(2, 8, 1, seed=0)
    h = fitting.fit(rnn, X, Y, 15, bp.Adam(0.02), batch_size=20, clip=1.0)
    assert h.epochs == 15 and not h.diverged
    assert h.loss[-1] < 0.25 * h.loss[0] and h.loss[-1] < 1 / 12  # beats always answering 1
    with pytest.raises(ValueError, match="X holds 200 examples"):
        fitting.fit(rnn, X, Y[:, :5], 1)
    with pytest.raises(TypeError, match="Optimizer instance"):
        fitting.fit(rnn, X, Y, 1, optimizer="adam")


def test_sequence_data_sets():
    X, Y = bp.datasets.adding_problem(50, 9, seed=3)
    assert X.shape == (9, 2, 50) and Y.shape == (1, 50)
    markers = X[:, 1]
    assert np.all(markers.sum(axis=0) == 2)
    assert np.all(markers[:4].sum(axis=0) == 1) and np.all(markers[4:].sum(axis=0) == 1)
    np.testing.assert_allclose(Y[0], [X[markers[:, i] == 1, 0, i].sum() for i in range(50)])
    X2, Y2 = bp.datasets.adding_problem(50, 9, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert not np.array_equal(X, bp.datasets.adding_problem(50, 9, seed=4)[0])
    B, P = bp.datasets.sequence_parity(30, 5, seed=1)
    assert B.shape == (5, 1, 30) and set(np.unique(B)) <= {0.0, 1.0}
    np.testing.assert_array_equal(P[0], B[:, 0].sum(axis=0) % 2)
    with pytest.raises(ValueError, match=r"T \(sequence length\) must be an int >= 2"):
        bp.datasets.adding_problem(5, 1)
    with pytest.raises(ValueError, match=r"m \(number of sequences\)"):
        bp.datasets.sequence_parity(0, 3)
