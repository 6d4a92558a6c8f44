"""Checkpointing against the plain backward pass: the same gradients for every segment length (dense
network and graph engine), the stored bytes equal to the model, the peak falling as predicted (also
as measured by tracemalloc), and recomputation counted by the engine's cost model."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.autodiff import checkpoint as ck
from backproplib.autodiff.graph import Node, backward
from backproplib.autodiff.networks import network_gradient, network_graph
from backproplib.autodiff.opcount import counting

from .conftest import random_case

ELEMENTWISE = ["logistic", "tanh", "relu", "identity", "swish", "mish"]


def agree(a, b):
    """Within 1e-12 of the plain gradient's scale (they are in fact computed by the same products)."""
    return np.abs(a - b).max() <= 1e-12 * max(1.0, np.abs(b).max())


@pytest.mark.parametrize("seed", range(12))
def test_checkpointed_gradients_equal_the_plain_ones_for_every_segment_length(seed):
    net, X, Y = random_case(seed, max_depth=6, max_width=9)
    plain = net.loss_and_gradient(X, Y)[1].flat()
    for k in range(1, net.L + 1):
        grads, stats = ck.checkpointed_gradients(net, X, Y, k)
        assert agree(grads.flat(), plain), k
        last = net.L - stats.bounds[-2]
        assert stats.recomputed_layers == net.L - last
        assert stats.forward_layers == net.L + stats.recomputed_layers


@pytest.mark.parametrize("seed", range(6))
def test_stored_peak_equals_the_model_and_one_segment_is_the_plain_cache(seed):
    r = np.random.default_rng(seed)
    depth = int(r.integers(2, 9))
    sizes = [int(n) for n in r.integers(1, 12, size=depth + 1)]
    acts = [ELEMENTWISE[int(i)] for i in r.integers(0, len(ELEMENTWISE), size=depth)]
    net = bp.Network(sizes, activations=acts, seed=seed)
    m = int(r.integers(1, 9))
    X, Y = r.normal(size=(sizes[0], m)), r.normal(size=(sizes[-1], m))
    cache = net.forward(X)
    assert ck.cached_bytes(cache) == ck.predicted_cache_bytes(sizes, m)
    for k in range(1, depth + 1):
        _, stats = ck.checkpointed_gradients(net, X, Y, k)
        assert stats.peak_bytes == ck.predicted_peak_bytes(sizes, m, k), k
    assert ck.checkpointed_gradients(net, X, Y, depth)[1].peak_bytes == ck.cached_bytes(cache)


def test_the_peak_falls_as_predicted_for_a_deep_uniform_network():
    """L layers of width n: about (L/k + 3k) n m numbers, against (1 + 3L) n m without
    checkpoints; smallest near k = sqrt(L/3)."""
    L, n, m = 27, 8, 16
    net = bp.Network([n] * (L + 1), activations="tanh", seed=0)
    r = np.random.default_rng(0)
    X, Y = r.normal(size=(n, m)), r.normal(size=(n, m))
    unit = 8 * n * m
    peaks = {k: ck.checkpointed_gradients(net, X, Y, k)[1].peak_bytes // unit for k in range(1, L + 1)}
    assert peaks[L] == 1 + 3 * L
    assert peaks[3] == 9 + 9  # 9 checkpoints + the top segment's input and 3 x 3 arrays
    assert min(peaks, key=peaks.get) == 3 == round(np.sqrt(L / 3))
    assert peaks[1] == L + 3  # every activation kept, one layer's z and f' at a time
    assert all(peaks[k] <= peaks[L] for k in peaks)


def test_traced_memory_falls_with_the_stored_bytes():
    """tracemalloc sees every array: the checkpointed call allocates its stored bytes plus the
    backward pass's working memory (a segment's error vectors, the gradients, a few temporaries)."""
    L, n, m = 24, 32, 64
    net = bp.Network([n] * (L + 1), activations="tanh", seed=0)
    r = np.random.default_rng(0)
    X, Y = r.normal(size=(n, m)), r.normal(size=(n, m))
    unit, grads = 8 * n * m, 8 * net.n_params
    _, plain = ck.traced_peak_bytes(net.loss_and_gradient, X, Y)
    assert plain >= ck.cached_bytes(net.forward(X)) + (L - 1) * unit  # the cache and the deltas
    for k in (1, 2, 4, 8, 24):
        (_, stats), traced = ck.traced_peak_bytes(ck.checkpointed_gradients, net, X, Y, k)
        assert stats.peak_bytes <= traced <= stats.peak_bytes + (k + 4) * unit + grads, k
        # the working model: stored arrays, one segment's deltas, the gradients so far
        model = ck.predicted_peak_bytes(net.sizes, m, k, working=True)
        assert model - 2 * unit <= traced <= model + 3 * unit, (k, traced / unit, model / unit)
    model = ck.predicted_peak_bytes(net.sizes, m, L, working=True)
    assert model - 2 * unit <= plain <= model + 3 * unit
    (_, s5), t5 = ck.traced_peak_bytes(ck.checkpointed_gradients, net, X, Y, 5)
    assert t5 < plain / 3


def test_traced_peak_bytes_sees_numpy_arrays():
    arr, peak = ck.traced_peak_bytes(np.ones, 100_000)
    assert arr.nbytes == 800_000 and 800_000 <= peak < 801_000


def test_layers_is_a_slice_of_the_network():
    net = bp.Network([3, 4, 5, 2, 3], activations=["tanh", "relu", "logistic", "identity"], seed=1)
    X = np.random.default_rng(0).normal(size=(3, 6))
    full = net.forward(X)
    sub = ck.layers(net, 1, 3)
    part = sub.forward(full.a[1])
    assert sub.sizes == [4, 5, 2] and sub.L == 2
    for l in range(2):
        np.testing.assert_array_equal(part.z[l], full.z[l + 1])
        np.testing.assert_array_equal(part.a[l + 1], full.a[l + 2])
    assert sub.W[0] is net.W[1]  # shared, not copied


# ---------------------------------------------------------------- the graph engine
@pytest.mark.parametrize("seed", range(0, 12, 3))
def test_graph_checkpointing_equals_the_plain_graph_gradient(seed):
    net, X, Y = random_case(seed, max_depth=5, max_width=7)
    loss, dW, db = network_gradient(net, X, Y)
    plain = np.concatenate([x.ravel() for pair in zip(dW, db) for x in pair])
    for k in range(1, net.L + 1):
        params, segments = ck.network_segments(net, Y, k)
        stats = ck.checkpointed_backward(segments, X)
        got = np.concatenate([p.grad.ravel() for p in params])
        assert agree(got, plain) and stats.loss == pytest.approx(loss, rel=1e-14), k


def test_graph_recomputation_is_counted_as_forward_work():
    """The engine counts every forward step: checkpointing adds exactly the forward work of the
    segments below the top one."""
    L, n, m = 6, 5, 4
    net = bp.Network([n] * (L + 1), activations="tanh", seed=0)
    r = np.random.default_rng(0)
    X, Y = r.normal(size=(n, m)), r.normal(size=(n, m))
    with counting() as f:
        g = network_graph(net, X, Y)
    with counting() as b:
        backward(g.loss)
    per_layer = [n * n * m + 2 * n * m for _ in range(L)]  # W a, + b, f
    for k in (1, 2, 3, 6):
        params, segments = ck.network_segments(net, Y, k)
        with counting() as c:
            stats = ck.checkpointed_backward(segments, X)
        recomputed = sum(per_layer[: ck.segment_bounds(L, k)[-2]])
        assert c.forward == f.forward + recomputed, k
        assert c.backward == b.backward, k
        whole = ck.graph_bytes(network_graph(net, X, Y).loss) + X.nbytes  # with its input
        assert stats.peak_bytes == whole if k == L else stats.peak_bytes < whole, k


def test_graph_checkpointing_sums_the_adjoints_of_a_shared_parameter():
    """A weight used by every segment (an unrolled recurrence) gets the sum of its adjoints."""
    r = np.random.default_rng(3)
    W = Node(r.normal(size=(3, 3)) * 0.5, name="W")
    x0 = r.normal(size=(3, 2))

    def step(a):
        return (W @ a).tanh()

    def last(a):
        return (step(a) * step(a)).sum()

    segments = [step, step, step, last]
    stats = ck.checkpointed_backward(segments, x0)
    got = W.grad.copy()
    a = Node(x0, requires_grad=False)
    for s in segments:
        a = s(a)
    backward(a)
    assert np.allclose(got, W.grad, rtol=1e-13, atol=1e-15)
    assert stats.loss == pytest.approx(float(a.value), rel=1e-14)


# ---------------------------------------------------------------- bad input
def test_bad_segment_lengths_and_networks():
    from backproplib.architectures.skip_network import SkipNetwork

    net = bp.Network([2, 3, 3, 1], activations="tanh", seed=0)
    X, Y = np.ones((2, 4)), np.zeros((1, 4))
    with pytest.raises(ValueError, match="the segment length k = 4 is longer than the network's 3"):
        ck.checkpointed_gradients(net, X, Y, 4)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="the segment length k must be a positive int"):
            ck.checkpointed_gradients(net, X, Y, bad)
    skip = SkipNetwork([2, 3, 1], skips=[(0, 2)], activations="tanh", seed=0)
    with pytest.raises(ValueError, match="SkipNetwork has other sources"):
        ck.checkpointed_gradients(skip, X, Y, 1)
    with pytest.raises(TypeError, match="net must be a backproplib Network"):
        ck.checkpointed_gradients("net", X, Y, 1)
    with pytest.raises(ValueError, match="layer 1 expects inputs of width n_0=2"):
        ck.checkpointed_gradients(net, np.ones((3, 4)), Y, 1)
    with pytest.raises(ValueError, match=r"layers needs 0 <= start < stop <= L = 3"):
        ck.layers(net, 2, 2)
    with pytest.raises(ValueError, match="sizes needs at least two positive widths"):
        ck.predicted_cache_bytes([3], 4)
    with pytest.raises(ValueError, match="the batch size m must be a positive int"):
        ck.predicted_peak_bytes([3, 3], 0, 1)
    with pytest.raises(TypeError, match="cache must be the Cache of forward"):
        ck.cached_bytes([np.ones(3)])


def test_bad_graph_segments():
    W = Node(np.eye(2))
    with pytest.raises(TypeError, match="segments must be a non-empty sequence"):
        ck.checkpointed_backward([], np.ones((2, 1)))
    with pytest.raises(TypeError, match="a segment must return a Node"):
        ck.checkpointed_backward([lambda a: 3.0], np.ones((2, 1)))
    with pytest.raises(ValueError, match="the last segment must return the scalar loss"):
        ck.checkpointed_backward([lambda a: W @ a], np.ones((2, 1)))
    calls = []

    def changes_shape(a):  # a segment that is not a function of its input alone
        calls.append(1)
        return W @ a if len(calls) == 1 else (W @ a).reshape((1, 2))

    with pytest.raises(ValueError, match=r"segment 0 returns shape \(1, 2\), but segment 1 takes"):
        ck.checkpointed_backward([changes_shape, lambda a: a.sum()], np.ones((2, 1)))
