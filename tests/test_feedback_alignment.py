"""Feedback alignment against backpropagation (B = W^T gives exactly the core's recursion) and
against its own equation written out by hand; the angles; bad input."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.feedback_alignment import (
    FeedbackAlignmentNetwork,
    angle,
    feedback_angles,
    update_angles,
)

from .conftest import random_targets

LOSSES = [("half_squared_error", "logistic"), ("cross_entropy", "softmax"),
          ("binary_cross_entropy", "logistic")]


def case(seed, depth=3):
    r = np.random.default_rng(seed)
    loss, out = LOSSES[seed % 3]
    sizes = [int(n) for n in r.integers(2, 9, size=depth + 1)]
    acts = [["tanh", "logistic", "relu", "swish"][seed % 4]] * (depth - 1) + [out]
    m = int(r.integers(1, 7))
    X, Y = r.normal(size=(sizes[0], m)), random_targets(r, loss, sizes[-1], m)
    kw = dict(activations=acts, loss=loss, init="normal", seed=seed)
    return FeedbackAlignmentNetwork(sizes, feedback_seed=seed + 1, **kw), bp.Network(sizes, **kw), X, Y


@pytest.mark.parametrize("seed", range(12))
def test_with_B_equal_to_W_transposed_it_is_backpropagation_exactly(seed):
    fa, net, X, Y = case(seed)
    fa.B = [W.mT for W in fa.W[1:]]  # tied: the transposes of the forward weights themselves
    g_fa, g_bp = fa.loss_and_gradient(X, Y)[1], net.loss_and_gradient(X, Y)[1]
    for a, b in zip(g_fa.delta + g_fa.dW + g_fa.db, g_bp.delta + g_bp.dW + g_bp.db):
        np.testing.assert_array_equal(a, b)
    fa.B = [W.T.copy() for W in fa.W[1:]]  # copies: the same numbers in another memory layout
    np.testing.assert_allclose(fa.loss_and_gradient(X, Y)[1].flat(), g_bp.flat(), rtol=1e-13,
                               atol=1e-15)
    assert update_angles(fa, X, Y) == pytest.approx([0.0] * (fa.L - 1), abs=1e-5)


@pytest.mark.parametrize("seed", range(12))
def test_the_recursion_is_written_out_by_hand(seed):
    fa, net, X, Y = case(seed)
    cache = fa.forward(X)
    dL = fa.output_delta(cache, Y)
    deltas = fa.backpropagate(cache, dL)
    np.testing.assert_array_equal(deltas[-1], net.output_delta(net.forward(X), Y))  # exact
    expected = [dL]
    for l in range(fa.L, 1, -1):  # delta^{l-1} = f'(z^{l-1}) * B^l delta^l
        expected.insert(0, cache.fprime[l - 2] * (fa.B[l - 2] @ expected[0]))
    for d, e in zip(deltas, expected):
        np.testing.assert_allclose(d, e, rtol=1e-13, atol=1e-15)
    g = fa.param_grads(cache, deltas)
    m = X.shape[1]
    for l in range(fa.L):  # the updates are built from these deltas as backpropagation builds them
        np.testing.assert_allclose(g.dW[l], deltas[l] @ cache.a[l].T / m, rtol=1e-13, atol=1e-15)


def test_train_follows_the_feedback_alignment_update():
    fa, _, X, Y = case(0)
    before = fa.get_params()
    step = fa.loss_and_gradient(X, Y)[1].flat()
    bp.train(fa, X, Y, epochs=1, optimizer=bp.SGD(0.1))
    np.testing.assert_allclose(fa.get_params(), before - 0.1 * step, rtol=1e-13, atol=1e-15)


def test_feedback_matrices_are_fixed_seeded_and_shaped_like_the_transposes():
    a = FeedbackAlignmentNetwork([4, 5, 3, 2], seed=0, feedback_seed=7)
    b = FeedbackAlignmentNetwork([4, 5, 3, 2], seed=0, feedback_seed=7)
    c = FeedbackAlignmentNetwork([4, 5, 3, 2], seed=0, feedback_seed=8)
    assert [B.shape for B in a.B] == [(5, 3), (3, 2)]
    assert all(np.array_equal(p, q) for p, q in zip(a.B, b.B))
    assert not np.array_equal(a.B[0], c.B[0])
    assert not np.array_equal(a.B[0], a.W[1].T)  # drawn independently of the forward weights
    B0 = a.B[0].copy()
    X, Y = np.ones((4, 3)), np.zeros((2, 3))
    bp.train(a, X, Y, epochs=3, optimizer=bp.SGD(0.5))
    np.testing.assert_array_equal(a.B[0], B0)  # never learned
    assert "FeedbackAlignmentNetwork(sizes=[4, 5, 3, 2]" in repr(a)


def test_angles():
    assert angle([1.0, 0.0], [0.0, 2.0]) == pytest.approx(90.0)
    assert angle([1.0, 1.0], [2.0, 2.0]) == pytest.approx(0.0, abs=1e-6)
    assert angle(np.eye(2), -np.eye(2)) == pytest.approx(180.0)
    assert angle([1.0, 0.0], [1.0, 1.0]) == pytest.approx(45.0)
    fa = FeedbackAlignmentNetwork([3, 4, 2], seed=0)
    fa.B = [fa.W[1].T * 3.0]
    assert feedback_angles(fa) == pytest.approx([0.0], abs=1e-5)
    fa.B = [-fa.W[1].T]
    assert feedback_angles(fa) == pytest.approx([180.0])
    X, Y = np.random.default_rng(0).normal(size=(3, 5)), np.zeros((2, 5))
    assert update_angles(fa, X, Y) == pytest.approx([180.0])  # B = -W^T: the update ascends


def test_bad_input():
    fa = FeedbackAlignmentNetwork([3, 4, 2], seed=0)
    X, Y = np.ones((3, 2)), np.zeros((2, 2))
    fa.B = [np.ones((2, 4))]
    with pytest.raises(ValueError, match=r"B\^2 \(net.B\[0\]\) has shape \(2, 4\), expected "
                                         r"\(4, 2\), the shape of \(W\^2\)\^T"):
        fa.loss_and_gradient(X, Y)
    fa.B = []
    with pytest.raises(ValueError, match="list of 1 matrices"):
        fa.loss_and_gradient(X, Y)
    fa.B = [np.full((4, 2), np.nan)]
    with pytest.raises(ValueError, match="NaN or inf"):
        feedback_angles(fa)
    with pytest.raises(ValueError, match="zero vector"):
        angle(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="same shape"):
        angle(np.ones(3), np.ones(4))
    with pytest.raises(TypeError, match="FeedbackAlignmentNetwork"):
        update_angles(bp.Network([3, 4, 2]), X, Y)
