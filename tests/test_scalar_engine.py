"""The scalar engine of chapter 17: every local derivative against central differences and
autograd, adjoints that accumulate over reuse, an iterative order that survives deep graphs."""

from __future__ import annotations

import math
import sys

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.autodiff import scalar as S
from backproplib.autodiff.networks import network_gradient


def _expression(lib, v):
    """One expression written for both engines: every operation of the scalar engine."""
    a, b, c, d = v
    if lib == "scalar":
        t = (a * b + c).tanh() - 2.0 * d.exp() * a + S.maximum(a, c) + (b - 0.5).logistic()
        return t * a + (a * d).relu() + 3.0 - c
    sig = lambda x: 0.5 * (1 + anp.tanh(0.5 * x))  # noqa: E731
    t = anp.tanh(a * b + c) - 2.0 * anp.exp(d) * a + anp.maximum(a, c) + sig(b - 0.5)
    return t * a + anp.maximum(a * d, 0.0) + 3.0 - c


@pytest.mark.parametrize("seed", range(8))
def test_gradients_match_autograd_and_central_differences(seed):
    r = np.random.default_rng(seed)
    v = r.normal(size=4)
    v[2] += 0.3 if abs(v[0] - v[2]) < 1e-3 else 0.0  # keep max away from its tie
    leaves = [S.Scalar(x) for x in v]
    out = _expression("scalar", leaves)
    S.backward(out)
    got = np.array([x.grad for x in leaves])
    ref = autograd.grad(lambda u: _expression("autograd", u))(v)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-13)
    f = lambda u: _expression("scalar", [S.Scalar(x) for x in u]).data  # noqa: E731
    num = bp.numerical_gradient(f, v.copy(), method="richardson")
    np.testing.assert_allclose(got, num, rtol=1e-7, atol=1e-9)
    assert out.data == pytest.approx(float(_expression("autograd", v)), rel=1e-13)


def test_gates_distribute_swap_route():
    a, b = S.Scalar(2.0), S.Scalar(-3.0)
    assert (a + b).local == (1.0, 1.0)
    assert (a * b).local == (-3.0, 2.0)
    assert S.maximum(a, b).local == (1.0, 0.0) and S.maximum(b, a).local == (0.0, 1.0)


def test_reuse_accumulates_and_backward_resets():
    x = S.Scalar(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    S.backward(y)
    assert x.grad == 7.0
    S.backward(y)  # a second run starts from zero, it does not add to the first
    assert x.grad == 7.0


def test_backward_steps_yield_each_operation_once_after_its_consumers():
    net = bp.Network([2, 2, 1], activations="tanh", seed=0)
    sn = S.ScalarNetwork(net, np.array([[0.5], [-1.0]]), np.array([[0.2]]))
    steps = list(S.backward_steps(sn.loss))
    ops = [n for n in S.topological_order(sn.loss) if n.parents]
    assert len(steps) == len(ops) and {id(n) for n in steps} == {id(n) for n in ops}
    position = {id(n): i for i, n in enumerate(steps)}
    for n in steps:  # every consumer is processed before its operands
        for p in n.parents:
            if p.parents:
                assert position[id(n)] < position[id(p)]
    assert steps[0] is sn.loss


def test_deep_chain_beyond_the_recursion_limit():
    depth = 3 * sys.getrecursionlimit()
    x = S.Scalar(0.5)
    y = x
    for _ in range(depth):
        y = y * 1.0001
    S.backward(y)
    assert x.grad == pytest.approx(1.0001 ** depth, rel=1e-12)
    assert len(S.topological_order(y)) == 2 * depth + 1


@pytest.mark.parametrize("seed", range(6))
def test_scalar_network_matches_the_core_and_the_array_engine(seed):
    r = np.random.default_rng(seed)
    depth = int(r.integers(1, 4))
    sizes = [int(n) for n in r.integers(1, 4, size=depth + 1)]
    acts = [["tanh", "logistic", "relu", "identity"][int(i)] for i in r.integers(0, 4, depth)]
    net = bp.Network(sizes, activations=acts, init="normal", seed=seed)
    m = int(r.integers(1, 4))  # batch 1 included
    X, Y = r.normal(size=(sizes[0], m)), r.normal(size=(sizes[-1], m))
    sn = S.ScalarNetwork(net, X, Y)
    S.backward(sn.loss)
    loss, grads = net.loss_and_gradient(X, Y)
    np.testing.assert_allclose(sn.gradient(), grads.flat(), rtol=1e-10, atol=1e-14)
    _, dW, db = network_gradient(net, X, Y)
    flat = np.concatenate([g.ravel() for pair in zip(dW, db) for g in pair])
    np.testing.assert_allclose(sn.gradient(), flat, rtol=1e-10, atol=1e-14)
    assert sn.loss.data == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize("bad, kind, match", [
    ("1.0", TypeError, "must be a real number"), (True, TypeError, "must be a real number"),
    (float("nan"), ValueError, "must be finite"), (np.ones(2), TypeError, "single real number"),
])
def test_bad_values_are_named(bad, kind, match):
    with pytest.raises(kind, match=match):
        S.Scalar(bad, "w")


def test_bad_inputs_elsewhere():
    with pytest.raises(ValueError, match="overflows"):
        S.Scalar(800.0).exp()
    with pytest.raises(TypeError, match="needs a Scalar"):
        S.topological_order(1.0)
    with pytest.raises(ValueError, match="as many weights as inputs"):
        S.dot_plus([S.Scalar(1.0)], [], S.Scalar(0.0))
    net = bp.Network([2, 2], activations="softmax", loss="cross_entropy", seed=0)
    with pytest.raises(ValueError, match="half squared error"):
        S.ScalarNetwork(net, np.ones((2, 1)), np.array([0]))
    net = bp.Network([2, 1], activations="swish", seed=0)
    with pytest.raises(ValueError, match="no activation 'swish'"):
        S.ScalarNetwork(net, np.ones((2, 1)), np.ones((1, 1)))
    assert math.isclose(S.Scalar(-800.0).logistic().data, 0.0, abs_tol=1e-300)
