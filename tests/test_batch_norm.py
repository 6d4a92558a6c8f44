"""Batch normalisation: the derived backward pass, the graph-engine op and the primitive graph,
against autograd and Richardson differences; the batch coupling; bad inputs."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures import batch_norm as BN
from backproplib.autodiff import graph as G
from backproplib.autodiff.forward_mode import jvp


def ref_bn(Z, gamma, beta, eps):
    mu = anp.mean(Z, axis=1, keepdims=True)
    var = anp.mean((Z - mu) ** 2, axis=1, keepdims=True)
    return anp.reshape(gamma, (-1, 1)) * (Z - mu) / anp.sqrt(var + eps) + anp.reshape(beta, (-1, 1))


def case(seed):
    r = np.random.default_rng(seed)
    n, m = int(r.integers(1, 6)), int(r.integers(2, 7))  # m = 2: the smallest batch
    Z = r.normal(size=(n, m)) * r.uniform(0.1, 3.0) + r.normal()
    return (Z, r.normal(size=n), r.normal(size=n), r.normal(size=(n, m)),
            float(r.choice([1e-5, 1e-3, 0.5])))


def loss(Z, gamma, beta, V, eps, bn=ref_bn):
    """A loss that weighs every output differently (so no gradient vanishes by symmetry)."""
    out = bn(Z, gamma, beta, eps)
    return anp.sum(V * out + 0.5 * out ** 2)


@pytest.mark.parametrize("seed", range(10))
def test_derived_backward_matches_autograd_and_richardson(seed):
    Z, gamma, beta, V, eps = case(seed)
    out, cache = BN.batch_norm_forward(Z, gamma, beta, eps)
    np.testing.assert_allclose(out, ref_bn(Z, gamma, beta, eps), rtol=1e-12, atol=1e-12)
    dZ, dg, db = BN.batch_norm_backward(V + out, cache)
    refs = [autograd.grad(loss, k)(Z, gamma, beta, V, eps) for k in range(3)]
    for got, ref in zip((dZ, dg, db), refs):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-11)
    f = lambda z: float(loss(z, gamma, beta, V, eps, bn=lambda *a: BN.batch_norm_forward(*a)[0]))  # noqa: E731
    num = bp.numerical_gradient(f, Z.copy(), method="richardson")
    scale = np.abs(dZ).max() + 1.0
    assert np.abs(num - dZ).max() < 1e-7 * scale


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("build", [BN.batch_norm, BN.batch_norm_graph])
def test_graph_versions_match_the_derived_rule(seed, build):
    Z, gamma, beta, V, eps = case(seed)
    nodes = [G.Node(Z), G.Node(gamma), G.Node(beta)]
    out = build(*nodes, eps=eps)
    C = (G.constant(V) * out + (out * out) * 0.5).sum()
    G.backward(C)
    _, cache = BN.batch_norm_forward(Z, gamma, beta, eps)
    want = BN.batch_norm_backward(V + out.value, cache)
    for node, w in zip(nodes, want):
        np.testing.assert_allclose(node.grad, w, rtol=1e-10, atol=1e-11)


def test_fused_op_jvps_match_the_primitive_graph():
    Z, gamma, beta, _, eps = case(3)
    r = np.random.default_rng(0)
    tangents = [r.normal(size=Z.shape), r.normal(size=gamma.shape), r.normal(size=beta.shape)]
    results = []
    for build in (BN.batch_norm, BN.batch_norm_graph):
        nodes = [G.Node(Z), G.Node(gamma), G.Node(beta)]
        out = build(*nodes, eps=eps).sum()
        results.append(jvp(out, dict(zip(nodes, tangents))))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10)


def test_primitive_graph_differentiates_twice():
    Z, gamma, beta, _, eps = case(1)
    Zn = G.Node(Z)
    out = BN.batch_norm_graph(Zn, gamma, beta, eps)
    G.backward((out * out * out).sum(), create_graph=True)
    assert isinstance(Zn.grad, G.Node)
    H = Zn.grad.sum()  # the adjoint is a graph: differentiate it again
    G.backward(H)
    assert np.all(np.isfinite(Zn.grad))
    fused = BN.batch_norm(G.Node(Z), gamma, beta, eps).sum()
    with pytest.raises(ValueError, match="batch_norm_graph"):
        G.backward(fused, create_graph=True)


def test_the_loss_of_one_example_depends_on_the_others():
    """The batch coupling: moving example 2 changes example 1's output."""
    Z, gamma, beta, _, eps = case(2)
    before = BN.batch_norm_forward(Z, gamma, beta, eps)[0][:, 0]
    Z2 = Z.copy()
    Z2[:, 1] += 1.0
    after = BN.batch_norm_forward(Z2, gamma, beta, eps)[0][:, 0]
    assert np.abs(after - before).max() > 1e-3


@pytest.mark.parametrize("args, match", [
    ((np.ones(3), np.ones(3), np.ones(3)), "shape \\(n, m\\)"),
    ((np.ones((3, 1)), np.ones(3), np.ones(3)), "at least 2 examples"),
    ((np.ones((3, 4)), np.ones(2), np.ones(3)), "gamma must have shape \\(3,\\)"),
    ((np.ones((3, 4)), np.ones(3), np.ones((3, 1))), "beta must have shape"),
    ((np.full((3, 4), np.nan), np.ones(3), np.ones(3)), "NaN or inf"),
])
def test_bad_inputs_are_named(args, match):
    with pytest.raises(ValueError, match=match):
        BN.batch_norm_forward(*args)


def test_bad_eps_cache_and_adjoint():
    with pytest.raises(ValueError, match="eps must be a number > 0"):
        BN.batch_norm_forward(np.ones((2, 3)), np.ones(2), np.ones(2), eps=0.0)
    _, cache = BN.batch_norm_forward(np.arange(6.0).reshape(2, 3), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="the layer's output has shape \\(2, 3\\)"):
        BN.batch_norm_backward(np.ones((3, 2)), cache)
    with pytest.raises(TypeError, match="BatchNormCache"):
        BN.batch_norm_backward(np.ones((2, 3)), (1, 2))
    with pytest.raises(ValueError, match="needs a > 0"):
        BN.power(G.Node(np.array([-1.0, 2.0])), 0.5)


def test_a_constant_unit_stays_finite():
    out, cache = BN.batch_norm_forward(np.ones((1, 4)), np.ones(1), np.zeros(1))
    dZ, _, _ = BN.batch_norm_backward(np.arange(4.0).reshape(1, 4), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dZ))
