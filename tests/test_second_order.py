"""Curvature matrices, Levenberg–Marquardt and the many-seeds trainer against independent references.

References: autograd (``jacobian`` and ``hessian`` of a network written in autograd.numpy in this file
and in conftest.py), central finite differences in float64, and :func:`backproplib.train`.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.curvature import hessian as hs
from backproplib.curvature import levenberg_marquardt as second_order
from backproplib.curvature import natural_gradient
from backproplib.experiments import many_seeds

from .conftest import REFERENCE_ACTIVATIONS, random_targets, reference_loss

CASES = [  # sizes, activations, loss
    ([2, 2, 1], ["logistic", "logistic"], "half_squared_error"),
    ([3, 4, 2], ["tanh", "identity"], "half_squared_error"),
    ([2, 3, 2, 2], ["mish", "swish", "logistic"], "half_squared_error"),
    ([3, 3, 1], ["tanh", "logistic"], "binary_cross_entropy"),
    ([2, 3, 3], ["tanh", "softmax"], "cross_entropy"),
]


def ref_outputs(params, sizes, activations, X, wrt="a"):
    """The outputs a^L (or z^L) of a dense network from its flat parameters, in autograd.numpy."""
    A, i = X, 0
    Z = X
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations):
        W = anp.reshape(params[i : i + n_in * n_out], (n_out, n_in))
        i += n_in * n_out
        Z = anp.dot(W, A) + anp.reshape(params[i : i + n_out], (n_out, 1))
        i += n_out
        A = REFERENCE_ACTIVATIONS[act](Z)
    return A if wrt == "a" else Z


def make_case(k, m=5, seed=0):
    sizes, acts, loss = CASES[k]
    r = np.random.default_rng(seed + 100 * k)
    net = bp.Network(sizes, activations=acts, loss=loss, init="normal", seed=seed + k)
    X = r.normal(size=(sizes[0], m))
    return net, X, random_targets(r, loss, sizes[-1], m)


def onehot(Y, n):
    return np.eye(n)[:, Y] if np.ndim(Y) == 1 else Y


# ---------------------------------------------------------------- Jacobians
@pytest.mark.parametrize("k", range(len(CASES)))
@pytest.mark.parametrize("wrt", ["a", "z"])
def test_output_jacobian_matches_autograd(k, wrt):
    net, X, _ = make_case(k)
    sizes, acts, _ = CASES[k]
    J = hs.output_jacobian(net, X, wrt=wrt)
    f = lambda p: anp.reshape(ref_outputs(p, sizes, acts, X, wrt), (-1,))  # noqa: E731
    J_ref = autograd.jacobian(f)(net.get_params())
    assert J.shape == (sizes[-1] * X.shape[1], net.n_params)
    np.testing.assert_allclose(J, J_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("k", range(3))
def test_residual_jacobian_matches_central_differences(k):
    net, X, Y = make_case(k)
    e, J = hs.residual_jacobian(net, X, Y)
    np.testing.assert_allclose(e, (net.predict(X) - Y).ravel(), rtol=0, atol=0)
    theta = net.get_params()
    J_num = np.empty_like(J)
    h = 1e-6
    for j in range(theta.size):
        t = theta.copy()
        t[j] += h
        net.set_params(t)
        up = net.predict(X).ravel()
        t[j] -= 2 * h
        net.set_params(t)
        J_num[:, j] = (up - net.predict(X).ravel()) / (2 * h)
    net.set_params(theta)
    np.testing.assert_allclose(J, J_num, rtol=1e-6, atol=1e-8)
    # half the squared residuals over m is the network's loss, and J^T e / m its gradient
    m = X.shape[1]
    assert e @ e / (2 * m) == pytest.approx(net.loss(X, Y), rel=1e-14)
    np.testing.assert_allclose(J.T @ e / m, net.loss_and_gradient(X, Y)[1].flat(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("k", range(len(CASES)))
def test_per_example_gradients_match_autograd(k):
    net, X, Y = make_case(k)
    sizes, acts, loss = CASES[k]
    G = hs.per_example_gradients(net, X, Y)
    Yf = onehot(Y, sizes[-1])
    g = autograd.grad(reference_loss)
    for i in range(X.shape[1]):
        ref = g(net.get_params(), sizes, acts, loss, X[:, i : i + 1], Yf[:, i : i + 1])
        np.testing.assert_allclose(G[i], ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(G.mean(axis=0), net.loss_and_gradient(X, Y)[1].flat(), rtol=1e-12,
                               atol=1e-14)


# ---------------------------------------------------------------- Hessian, Gauss–Newton, Fisher
@pytest.mark.parametrize("k", range(len(CASES)))
def test_hessian_matches_autograd(k):
    net, X, Y = make_case(k)
    sizes, acts, loss = CASES[k]
    H = hs.hessian(net, X, Y)
    H_ref = autograd.hessian(reference_loss)(net.get_params(), sizes, acts, loss, X, onehot(Y, sizes[-1]))
    np.testing.assert_allclose(H, H_ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(H, H.T)


def test_gauss_newton_equals_hessian_at_zero_residual():
    teacher, X, _ = make_case(2, m=8)
    Y = teacher.predict(X)  # the network fits these targets exactly: every residual is 0
    G = hs.gauss_newton(teacher, X, Y)
    H = hs.hessian(teacher, X, Y)
    np.testing.assert_allclose(G, H, rtol=1e-6, atol=1e-9)
    # away from a zero-residual point they differ (the test can fail)
    net, X2, Y2 = make_case(2, m=8)
    assert np.abs(hs.gauss_newton(net, X2, Y2) - hs.hessian(net, X2, Y2)).max() > 1e-3


@pytest.mark.parametrize("k", range(len(CASES)))
def test_fisher_is_the_expected_outer_product(k):
    """F = E_{y ~ model}[g g^T], computed here by enumerating or integrating the model's targets."""
    net, X, _ = make_case(k, m=4)
    sizes, acts, loss = CASES[k]
    F = hs.fisher(net, X)
    A = net.predict(X)
    m = X.shape[1]
    ref = np.zeros_like(F)
    for i in range(m):
        x = X[:, i : i + 1]
        if loss == "half_squared_error":  # Gaussian: E[(a - y)(a - y)^T] = I, so F = J^T J
            Jx = autograd.jacobian(lambda p, x=x: anp.reshape(ref_outputs(p, sizes, acts, x), (-1,)))(
                net.get_params())
            ref += Jx.T @ Jx
        elif loss == "cross_entropy":  # enumerate the classes, weighted by the model's probability
            for c in range(sizes[-1]):
                g = autograd.grad(reference_loss)(net.get_params(), sizes, acts, loss, x,
                                                  np.eye(sizes[-1])[:, c : c + 1])
                ref += A[c, i] * np.outer(g, g)
        else:  # independent Bernoullis: enumerate all 0/1 target vectors
            for bits in np.ndindex(*(2,) * sizes[-1]):
                y = np.array(bits, dtype=float).reshape(-1, 1)
                p = np.prod(np.where(y[:, 0] == 1, A[:, i], 1 - A[:, i]))
                g = autograd.grad(reference_loss)(net.get_params(), sizes, acts, loss, x, y)
                ref += p * np.outer(g, g)
    np.testing.assert_allclose(F, ref / m, rtol=1e-9, atol=1e-12)


def test_fisher_of_squared_error_is_gauss_newton_and_empirical_differs():
    net, X, Y = make_case(1)
    np.testing.assert_allclose(hs.fisher(net, X), hs.gauss_newton(net, X, Y), rtol=1e-12, atol=1e-14)
    G = hs.per_example_gradients(net, X, Y)
    np.testing.assert_allclose(hs.fisher(net, X, Y, empirical=True), G.T @ G / X.shape[1], rtol=1e-12)
    assert np.abs(hs.fisher(net, X, Y, empirical=True) - hs.fisher(net, X)).max() > 1e-3


def test_fisher_equals_hessian_for_logistic_regression():
    """One logistic unit with cross-entropy: the Hessian does not depend on y and equals F."""
    r = np.random.default_rng(3)
    net = bp.Network([3, 1], activations="logistic", loss="binary_cross_entropy", init="normal", seed=3)
    X, Y = r.normal(size=(3, 7)), r.integers(0, 2, size=(1, 7)).astype(float)
    np.testing.assert_allclose(hs.fisher(net, X), hs.hessian(net, X, Y), rtol=1e-6, atol=1e-9)


def test_natural_gradient_solves_the_damped_fisher_system():
    net, X, Y = make_case(3)
    d = natural_gradient.natural_gradient(net, X, Y, damping=1e-3)
    F = hs.fisher(net, X) + 1e-3 * np.eye(net.n_params)
    np.testing.assert_allclose(F @ d, net.loss_and_gradient(X, Y)[1].flat(), rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------- Levenberg–Marquardt
def test_lm_step_limits():
    r = np.random.default_rng(0)
    J, e = r.normal(size=(6, 3)), r.normal(size=6)
    gauss_newton_step = -np.linalg.lstsq(J, e, rcond=None)[0]
    np.testing.assert_allclose(second_order.lm_step(J, e, 1e-12), gauss_newton_step, rtol=1e-8)
    np.testing.assert_allclose(1e8 * second_order.lm_step(J, e, 1e8), -J.T @ e, rtol=1e-6)


def test_lm_reaches_target_on_xor():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 3, 1], init="uniform", scale=1.0, seed=0)
    h = second_order.levenberg_marquardt(net, X, Y, max_iter=50, target_loss=1e-4)
    assert h.converged and h.reason == "target"
    assert net.loss(X, Y) <= 1e-4 and h.loss[-1] == net.loss(X, Y)
    assert np.all(np.abs(net.predict(X) - Y) < 0.03)
    assert all(b < a for a, b in zip(h.loss, h.loss[1:]))  # only improving steps are accepted
    assert h.iterations < 30
    # deterministic: the same seed gives the same history
    h2 = second_order.levenberg_marquardt(bp.Network([2, 3, 1], init="uniform", scale=1.0, seed=0),
                                          X, Y, max_iter=50, target_loss=1e-4)
    assert h2.loss == h.loss and h2.mu == h.mu


def test_lm_beats_gradient_descent_in_iterations():
    X, Y = bp.datasets.xor()
    lm = bp.Network([2, 3, 1], init="uniform", scale=1.0, seed=1)
    gd = bp.Network([2, 3, 1], init="uniform", scale=1.0, seed=1)
    h = second_order.levenberg_marquardt(lm, X, Y, max_iter=20)
    bp.train(gd, X, Y, epochs=20, optimizer=bp.SGD(0.5))
    assert lm.loss(X, Y) < 1e-3 * gd.loss(X, Y)
    assert h.reason in ("max_iter", "small_gradient")


def test_lm_stops_at_a_stationary_point_and_max_iter():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 2, 1], init="uniform", scale=1.0, seed=0)
    h = second_order.levenberg_marquardt(net, X, Y, max_iter=3)
    assert h.reason == "max_iter" and h.iterations == 3 and len(h.loss) == 4 and len(h.mu) == 3
    net.set_params(np.zeros(net.n_params))  # every output 1/2 and J^T e = 0: a stationary point
    h = second_order.levenberg_marquardt(net, X, Y, max_iter=3)
    assert h.reason == "small_gradient" and h.iterations == 0 and h.loss == [0.125]
    flat = bp.Network([2, 1], activations="identity", seed=0)  # linear: XOR's best fit is exact LS
    h = second_order.levenberg_marquardt(flat, X, Y, max_iter=100, mu=1e-8)
    assert h.reason == "small_gradient"
    assert flat.loss(X, Y) == pytest.approx(0.125, rel=1e-8)  # best affine fit outputs 1/2 everywhere


def test_lm_stationarity_is_scale_free():
    """The stopping test must not depend on the data's scale: scaling the problem by 1e6 (inputs and
    targets) leaves the cosine unchanged, while ||J^T e|| changes by 1e12."""
    rng = np.random.default_rng(0)
    J, e = rng.normal(size=(6, 3)), rng.normal(size=6)
    c = second_order.stationarity(J, e)
    assert 0 < c <= 1
    assert second_order.stationarity(1e6 * J, 1e6 * e) == pytest.approx(c, rel=1e-12)
    e_perp = e - J @ np.linalg.lstsq(J, e, rcond=None)[0]   # orthogonal to range(J)
    assert second_order.stationarity(J, e_perp) < 1e-12
    assert second_order.stationarity(J, np.zeros(6)) == 0.0


def test_lm_bad_inputs():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match="half_squared_error.*binary_cross_entropy"):
        second_order.levenberg_marquardt(bp.Network([2, 1], loss="binary_cross_entropy"), X, Y)
    with pytest.raises(ValueError, match="initial damping mu must be a positive finite number"):
        second_order.levenberg_marquardt(net, X, Y, mu=0.0)
    with pytest.raises(TypeError, match="initial damping mu must be a positive number, got str"):
        second_order.levenberg_marquardt(net, X, Y, mu="big")
    with pytest.raises(ValueError, match="gtol must be a positive finite number"):
        second_order.levenberg_marquardt(net, X, Y, gtol=-1.0)
    with pytest.raises(ValueError, match="mu_inc must be a factor > 1"):
        second_order.levenberg_marquardt(net, X, Y, mu_inc=0.5)
    with pytest.raises(ValueError, match="max_iter must be a non-negative int"):
        second_order.levenberg_marquardt(net, X, Y, max_iter=-1)
    with pytest.raises(TypeError, match="net must be a backproplib Network, got list"):
        second_order.levenberg_marquardt([1, 2], X, Y)
    with pytest.raises(ValueError, match=r"targets Y have shape \(4, 1\), expected \(1, 4\)"):
        second_order.levenberg_marquardt(net, X, Y.T)
    with pytest.raises(ValueError, match=r"width n_0=2 .*got X of shape \(4, 2\)"):
        second_order.levenberg_marquardt(net, X.T, Y)
    with pytest.raises(ValueError, match=r"J must have shape \(r, n\) and e shape \(r,\)"):
        second_order.lm_step(np.ones((3, 2)), np.ones(2), 1.0)
    with pytest.raises(ValueError, match="wrt must be 'a'"):
        hs.output_jacobian(net, X, wrt="W")
    with pytest.raises(ValueError, match="empirical Fisher needs the targets Y"):
        hs.fisher(net, X, empirical=True)
    with pytest.raises(ValueError, match="eps must be a small positive float"):
        hs.hessian(net, X, Y, eps=-1.0)
    with pytest.raises(ValueError, match="damping must be a positive finite number"):
        natural_gradient.natural_gradient(net, X, Y, damping=-1.0)


# ---------------------------------------------------------------- many seeds at once
@pytest.mark.parametrize("alpha", [0.0, 0.9])
def test_train_many_equals_train_one_by_one(alpha):
    X, Y = bp.datasets.parity(3)
    make = lambda s: bp.Network([3, 3, 1], activations=["tanh", "logistic"], init="uniform",  # noqa: E731
                                scale=1.0, seed=s)
    nets = [make(s) for s in range(4)]
    h = many_seeds.train_many(nets, X, Y, epochs=40, eta=0.7, alpha=alpha)
    assert h.loss.shape == (4, 41)
    for s in range(4):
        ref = make(s)
        opt = bp.Momentum(0.7, alpha) if alpha else bp.SGD(0.7)
        hr = bp.train(ref, X, Y, epochs=40, optimizer=opt)
        np.testing.assert_allclose(h.loss[s], hr.loss, rtol=1e-12, atol=0)
        np.testing.assert_allclose(nets[s].get_params(), ref.get_params(), rtol=1e-12, atol=1e-15)


def test_epochs_to_and_train_many_errors():
    h = many_seeds.ManyHistory(loss=np.array([[3.0, 2.0, 1.0], [3.0, 3.0, 3.0]]))
    np.testing.assert_array_equal(h.epochs_to(2.0), [1, -1])
    X, Y = bp.datasets.xor()
    with pytest.raises(ValueError, match=r"network 1 has sizes \[2, 3, 1\]"):
        many_seeds.train_many([bp.Network([2, 2, 1]), bp.Network([2, 3, 1])], X, Y, epochs=1)
    with pytest.raises(ValueError, match="elementwise activations and the loss 'half_squared_error'"):
        many_seeds.train_many([bp.Network([2, 1], loss="binary_cross_entropy")], X, Y, epochs=1)
    with pytest.raises(TypeError, match="non-empty sequence of backproplib Networks"):
        many_seeds.train_many([], X, Y, epochs=1)
    with pytest.raises(ValueError, match="epochs must be a non-negative int"):
        many_seeds.train_many([bp.Network([2, 1])], X, Y, epochs=2.5)
