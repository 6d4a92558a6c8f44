"""Hessian-vector products, the largest eigenvalue and the gradient penalty against independent
references: autograd's Hessian-vector product of the network written in autograd.numpy (conftest),
autograd's nested gradients for the penalty, dense eigenvalue solvers, and central differences."""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import backproplib as bp
from backproplib.autodiff import hvp
from backproplib.autodiff.graph import Node, backward, constant
from backproplib.autodiff.networks import network_graph
from backproplib.autodiff.opcount import counting
from backproplib.curvature import hessian as hs

from .conftest import network_reference_loss, random_targets

ACTS = ["logistic", "tanh", "relu", "identity"]
LOSSES = [("half_squared_error", None), ("cross_entropy", "softmax"),
          ("binary_cross_entropy", "logistic")]


def random_case(seed, max_depth=4, max_width=7, max_m=6):
    """A random dense network with activations whose f'' the R-operator knows, a batch, a direction."""
    r = np.random.default_rng(seed)
    depth = int(r.integers(1, max_depth + 1))
    loss, out = LOSSES[seed % 3]
    sizes = [int(n) for n in r.integers(1, max_width + 1, size=depth + 1)]
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    if loss == "binary_cross_entropy":
        sizes[-1] = 1
    acts = [ACTS[int(i)] for i in r.integers(0, len(ACTS), size=depth)]
    acts[-1] = out or acts[-1]
    m = int(r.integers(1, max_m + 1))
    net = bp.Network(sizes, activations=acts, loss=loss, init="normal", seed=seed)
    X = r.normal(size=(sizes[0], m))
    Y = random_targets(r, loss, sizes[-1], m)
    return net, X, Y, r.normal(size=net.n_params)


def autograd_hvp(net, X, Y, v):
    theta = net.get_params()
    grad = autograd.grad(network_reference_loss)
    return autograd.grad(lambda t: np.dot(grad(t, net, X, Y), v))(theta)


def close(a, b, rtol):
    """Entrywise within ``rtol`` of the reference's largest entry (entries far below it are set by
    cancellation, in every implementation)."""
    scale = max(np.abs(b).max(), 1e-300)
    return np.abs(a - b).max() <= rtol * scale


@pytest.mark.parametrize("seed", range(18))
def test_network_hvp_matches_autograd(seed):
    net, X, Y, v = random_case(seed)
    assert close(hvp.network_hvp(net, X, Y, v), autograd_hvp(net, X, Y, v), 1e-10)


@pytest.mark.parametrize("seed", range(0, 18, 2))
def test_graph_hvp_matches_autograd_and_the_r_operator(seed):
    net, X, Y, v = random_case(seed)
    g, Hv = hvp.graph_gradient_and_hvp(net, X, Y, v)
    ref = autograd_hvp(net, X, Y, v)
    assert close(Hv, ref, 1e-10)
    assert close(Hv, hvp.network_hvp(net, X, Y, v), 1e-12)
    assert close(g, net.loss_and_gradient(X, Y)[1].flat(), 1e-12)


def test_hvp_is_the_exact_hessian_times_v():
    """Chapter 11's Hessian (central differences of backpropagated gradients) times v."""
    net, X, Y, v = random_case(4, max_depth=3, max_width=4)
    H = hs.hessian(net, X, Y)
    assert close(hvp.network_hvp(net, X, Y, v), H @ v, 1e-7)
    basis = np.eye(net.n_params)  # n products give the whole Hessian, symmetric to rounding
    H_rows = np.array([hvp.network_hvp(net, X, Y, e) for e in basis])
    assert close(H_rows, H, 1e-7) and close(H_rows, H_rows.T, 1e-12)


def test_the_mixed_second_derivative_with_an_input_tangent():
    net, X, Y, v = random_case(7)
    U = np.random.default_rng(1).normal(size=X.shape)
    theta = net.get_params()
    grad = autograd.grad(network_reference_loss)
    # d/dr of the gradient at (theta + r v, X + r U)
    ref = autograd.jacobian(lambda r: grad(theta + r * v, net, X + r * U, Y))(0.0)
    assert close(hvp.network_hvp(net, X, Y, v, input_tangent=U), ref, 1e-10)
    only_x = autograd.jacobian(lambda r: grad(theta, net, X + r * U, Y))(0.0)
    assert close(hvp.network_hvp(net, X, Y, None, input_tangent=U), only_x, 1e-10)


def test_graph_hvp_of_a_scalar_function_and_an_unused_parameter():
    x, y, unused = Node(np.array([0.3, -1.2])), Node(2.0), Node(np.ones(3))
    c = (x * x * y).sum() + (x * y).sum() * 0.5
    v = [np.array([1.0, 2.0]), np.array(-1.0), np.ones(3)]
    Hx, Hy, Hu = hvp.graph_hvp(c + (unused * 0.0).sum(), [x, y, unused], v)
    # H = [[2y, 0, 2x0 + .5], [0, 2y, 2x1 + .5], [2x0 + .5, 2x1 + .5, 0]]
    xv, yv = x.value, float(y.value)
    np.testing.assert_allclose(Hx, 2 * yv * v[0] + (2 * xv + 0.5) * v[1], rtol=1e-14)
    np.testing.assert_allclose(Hy, np.dot(2 * xv + 0.5, v[0]), rtol=1e-14)
    np.testing.assert_array_equal(Hu, np.zeros(3))
    z = Node(np.ones(2))
    assert np.array_equal(hvp.graph_hvp((z * constant(3.0)).sum(), [z], [np.ones(2)])[0],
                          np.zeros(2))  # linear: no curvature (the adjoint does not depend on z)


def test_counted_cost_of_forward_over_reverse_is_a_constant_times_a_gradient():
    """(F + B + T) / (F + B) stays near 3, whatever the width: the tangent pass through the
    gradient's graph doubles every product of the forward and the backward pass."""
    ratios = []
    for h in (4, 32, 128):
        net = bp.Network([h, h, h, 1], activations="tanh", seed=0)
        r = np.random.default_rng(0)
        X, Y, v = r.normal(size=(h, 8)), r.normal(size=(1, 8)), r.normal(size=net.n_params)
        with counting() as f:
            g = network_graph(net, X, Y)
        with counting() as b:
            backward(g.loss)
        with counting() as t:
            hvp.graph_gradient_and_hvp(net, X, Y, v)
        ratios.append((f.forward + b.backward + t.tangent) / (f.forward + b.backward))
    assert all(2.5 < q < 3.2 for q in ratios), ratios


# ---------------------------------------------------------------- power iteration
def test_power_iteration_finds_the_dominant_eigenvalue_of_a_matrix():
    r = np.random.default_rng(0)
    Q, _ = np.linalg.qr(r.normal(size=(8, 8)))
    lams = np.array([5.0, 2.0, 1.0, 0.5, 0.1, 0.0, -0.3, -1.0])
    A = Q @ np.diag(lams) @ Q.T
    res = hvp.power_iteration(lambda x: A @ x, r.normal(size=8), tol=1e-10)
    assert res.converged and res.value == pytest.approx(5.0, rel=1e-9)
    assert abs(abs(res.vector @ Q[:, 0]) - 1) < 1e-9
    assert res.history[-1] == res.value and len(res.history) == res.iterations


def test_largest_eigenvalue_shifts_when_the_dominant_one_is_negative():
    r = np.random.default_rng(1)
    Q, _ = np.linalg.qr(r.normal(size=(6, 6)))
    A = Q @ np.diag([1.5, 0.7, 0.2, -0.4, -1.0, -4.0]) @ Q.T
    plain = hvp.power_iteration(lambda x: A @ x, r.normal(size=6), tol=1e-10)
    assert plain.value == pytest.approx(-4.0, rel=1e-8)
    best = hvp.largest_eigenvalue(lambda x: A @ x, r.normal(size=6), tol=1e-10)
    assert best.converged and best.value == pytest.approx(1.5, rel=1e-7)
    assert best.iterations == len(best.history) > plain.iterations


def test_lambda_max_of_a_network_matches_the_dense_hessian():
    r = np.random.default_rng(2)
    X = np.linspace(-2, 2, 12).reshape(1, -1)
    Y = np.sin(2 * X) + 0.1 * r.normal(size=X.shape)
    net = bp.Network([1, 4, 1], activations=["tanh", "identity"], seed=3)
    H = autograd.hessian(network_reference_loss)(net.get_params(), net, X, Y)
    res = hvp.lambda_max(net, X, Y, tol=1e-10, max_iter=5000)
    assert res.converged
    assert res.value == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-8)


def test_power_iteration_refuses_bad_arguments():
    A = np.eye(3)
    with pytest.raises(ValueError, match="v0 must be a finite, nonzero vector"):
        hvp.power_iteration(lambda x: A @ x, np.zeros(3))
    with pytest.raises(ValueError, match="max_iter must be a positive int"):
        hvp.power_iteration(lambda x: A @ x, np.ones(3), max_iter=0)
    with pytest.raises(ValueError, match="tol must be a positive number"):
        hvp.power_iteration(lambda x: A @ x, np.ones(3), tol=-1.0)
    with pytest.raises(ValueError, match=r"matvec returned shape \(2,\)"):
        hvp.power_iteration(lambda x: x[:2], np.ones(3))
    with pytest.raises(ValueError, match="matvec returned NaN or inf"):
        hvp.power_iteration(lambda x: x * np.nan, np.ones(3))


def test_power_iteration_reports_when_it_did_not_converge():
    A = np.diag([1.0, -1.0])  # |lambda_1| = |lambda_2|: no convergence
    res = hvp.power_iteration(lambda x: A @ x, np.array([1.0, 1.0]), max_iter=7)
    assert not res.converged and res.iterations == 7


# ---------------------------------------------------------------- double backpropagation
def autograd_penalised(net, X, Y, lam):
    m = X.shape[1]

    def total(theta):
        gx = autograd.grad(lambda XX: network_reference_loss(theta, net, XX, Y))(X)
        return network_reference_loss(theta, net, X, Y) + lam * (m / 2) * np.sum(gx**2)

    theta = net.get_params()
    return total(theta), autograd.grad(total)(theta)


@pytest.mark.parametrize("seed", range(0, 12, 2))
def test_gradient_penalty_matches_autograd_and_the_r_operator(seed):
    net, X, Y, _ = random_case(seed)
    value, grad = hvp.gradient_penalty(net, X, Y, 0.3)
    ref_value, ref_grad = autograd_penalised(net, X, Y, 0.3)
    assert value == pytest.approx(float(ref_value), rel=1e-12)
    assert close(grad, ref_grad, 1e-10)
    # the weight gradient of Omega is the mixed product m d^2C/dtheta dX (dC/dX)
    cache = net.forward(X)
    G = net.W[0].T @ net.backpropagate(cache, net.output_delta(cache, Y))[0] / X.shape[1]
    rop = net.loss_and_gradient(X, Y)[1].flat() + 0.3 * X.shape[1] * hvp.network_hvp(
        net, X, Y, None, input_tangent=G)
    assert close(rop, ref_grad, 1e-10)
    value2, grad2 = hvp.penalised_gradient(net, X, Y, 0.3)
    assert value2 == pytest.approx(value, rel=1e-12) and close(grad2, ref_grad, 1e-10)
    omega = (ref_value - net.loss(X, Y)) / 0.3
    assert hvp.input_penalty(net, X, Y) == pytest.approx(float(omega), rel=1e-10)


def test_gradient_penalty_with_lam_zero_is_the_gradient_and_checks_lam():
    net, X, Y, _ = random_case(5)
    value, grad = hvp.gradient_penalty(net, X, Y, 0.0)
    loss, grads = net.loss_and_gradient(X, Y)
    assert value == pytest.approx(loss, rel=1e-13) and close(grad, grads.flat(), 1e-12)
    for bad in (-1.0, float("nan"), True, "0.1"):
        with pytest.raises(ValueError, match="lam must be a number >= 0"):
            hvp.gradient_penalty(net, X, Y, bad)


# ---------------------------------------------------------------- bad input
def test_network_hvp_refuses_what_it_cannot_differentiate():
    from backproplib.architectures.skip_network import SkipNetwork

    X, Y = np.ones((2, 3)), np.zeros((1, 3))
    net = bp.Network([2, 3, 1], activations=["swish", "identity"], seed=0)
    with pytest.raises(ValueError, match="needs f'' of layer 1's activation 'swish'"):
        hvp.network_hvp(net, X, Y, np.ones(net.n_params))
    skip = SkipNetwork([2, 3, 1], skips=[(0, 2)], activations="tanh", seed=0)
    with pytest.raises(ValueError, match="SkipNetwork has other sources: use graph_gradient_and_hvp"):
        hvp.network_hvp(skip, X, Y, np.ones(skip.n_params))
    _, Hv = hvp.graph_gradient_and_hvp(skip, X, Y, np.ones(skip.n_params))  # the graph can
    assert Hv.shape == (skip.n_params,)
    ok = bp.Network([2, 3, 1], activations="tanh", seed=0)
    with pytest.raises(ValueError, match=r"v must have one entry per parameter, shape \(13,\)"):
        hvp.network_hvp(ok, X, Y, np.ones(12))
    with pytest.raises(ValueError, match="v contains NaN or inf"):
        hvp.network_hvp(ok, X, Y, np.full(13, np.nan))
    with pytest.raises(ValueError, match=r"input_tangent must have the shape of X, \(2, 3\)"):
        hvp.network_hvp(ok, X, Y, None, input_tangent=np.ones((3, 2)))
    with pytest.raises(TypeError, match="net must be a backproplib Network"):
        hvp.network_hvp("net", X, Y, np.ones(13))
    with pytest.raises(ValueError, match="not a stack"):
        hvp.network_hvp(ok.stack(np.ones((2, 13))), X, Y, np.ones(13))


def test_graph_hvp_refuses_bad_arguments():
    x = Node(np.ones(2))
    c = (x * x).sum()
    with pytest.raises(ValueError, match="needs a scalar output"):
        hvp.graph_hvp(x * x, [x], [np.ones(2)])
    with pytest.raises(ValueError, match="got 2 direction arrays for 1 parameters"):
        hvp.graph_hvp(c, [x], [np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match=r"has shape \(3,\), expected \(2,\)"):
        hvp.graph_hvp(c, [x], [np.ones(3)])
    with pytest.raises(TypeError, match="params must be leaf Nodes, got the result of"):
        hvp.graph_hvp(c, [x * 2.0], [np.ones(2)])
    with pytest.raises(ValueError, match="is not part of the graph"):
        hvp.graph_hvp(c, [Node(1.0)], [1.0])
    with pytest.raises(TypeError, match="output must be a Node"):
        hvp.graph_hvp(1.0, [x], [np.ones(2)])
