"""Gradient clipping by the global norm: the rescaled step, composition with bp.train, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.optim import ClipNorm


def test_a_long_gradient_is_rescaled_to_max_norm_keeping_its_direction():
    r = np.random.default_rng(0)
    grads = [r.normal(size=(3, 2)) * 10, r.normal(size=3) * 10]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    params = [np.zeros((3, 2)), np.zeros(3)]
    opt = ClipNorm(bp.SGD(0.5), max_norm=2.0)
    opt.step(params, grads)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p, -0.5 * 2.0 * g / norm, rtol=1e-13)
    assert opt.last_norm == pytest.approx(norm, rel=1e-13) and opt.clipped == 1
    step = np.sqrt(sum(np.sum(p * p) for p in params))
    assert step == pytest.approx(0.5 * 2.0, rel=1e-13)


def test_a_short_gradient_passes_unchanged_and_state_is_delegated():
    params, grads = [np.ones(2)], [np.array([0.3, 0.4])]
    a, b = ClipNorm(bp.Momentum(0.1, 0.9), max_norm=1.0), bp.Momentum(0.1, 0.9)
    pa, pb = [np.ones(2)], [np.ones(2)]
    for _ in range(3):
        a.step(pa, grads)
        b.step(pb, grads)
    np.testing.assert_array_equal(pa[0], pb[0])
    assert a.clipped == 0 and a.last_norm == pytest.approx(0.5)
    a.reset()
    assert a.optimizer._velocity is None and a.last_norm is None
    assert params[0].tolist() == [1.0, 1.0]


def test_huge_gradients_do_not_overflow():
    opt = ClipNorm(bp.SGD(1.0), max_norm=1.0)
    p = [np.zeros(2)]
    opt.step(p, [np.array([3e200, 4e200])])
    np.testing.assert_allclose(p[0], [-0.6, -0.8], rtol=1e-13)


def test_it_composes_with_train():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 2, 1], seed=0)
    opt = ClipNorm(bp.SGD(2.0), max_norm=0.001)
    history = bp.train(net, X, Y, epochs=50, optimizer=opt)
    assert history.epochs == 50 and opt.clipped > 0
    assert history.loss[-1] < history.loss[0]


@pytest.mark.parametrize("args, kind, match", [
    ((bp.SGD, 1.0), TypeError, "optimiser instance"),
    (("sgd", 1.0), TypeError, "optimiser instance"),
    ((bp.SGD(0.1), 0.0), ValueError, "max_norm must be > 0"),
    ((bp.SGD(0.1), -1.0), ValueError, "max_norm must be"),
    ((bp.SGD(0.1), "1"), TypeError, "max_norm must be a number"),
])
def test_bad_arguments(args, kind, match):
    with pytest.raises(kind, match=match):
        ClipNorm(*args)


def test_a_non_finite_gradient_is_refused():
    with pytest.raises(ValueError, match="not finite"):
        ClipNorm(bp.SGD(0.1), 1.0).step([np.zeros(2)], [np.array([np.inf, 1.0])])
