"""Tests of backproplib.optim: SGD, the 1986 momentum rule and Adam.

Every update is compared with a value computed independently here: by hand for SGD and momentum, and
for Adam with Algorithm 1 of Kingma and Ba (2015) written out scalar by scalar with the ``math`` module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import backproplib as bp


def _params() -> list[np.ndarray]:
    return [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -0.75])]


# ---------------------------------------------------------------- SGD
def test_sgd_step_matches_hand_computed_update() -> None:
    W, b = _params()
    opt = bp.SGD(0.1)
    opt.step([W, b], [np.array([[0.5, 0.25], [-1.0, 2.0]]), np.array([4.0, -8.0])])
    # w - 0.1 g, entry by entry
    np.testing.assert_array_equal(W, [[0.95, -2.025], [0.6, 2.8]])
    np.testing.assert_allclose(b, [-0.15, 0.05], rtol=0, atol=1e-15)


def test_sgd_updates_in_place() -> None:
    params = _params()
    ids = [id(p) for p in params]
    bp.SGD(0.5).step(params, [np.ones_like(p) for p in params])
    assert [id(p) for p in params] == ids


def test_sgd_on_quadratic_follows_closed_form() -> None:
    # C(w) = 1/2 w^T A w has gradient A w, so t steps give w_t = (I - eta A)^t w_0 exactly.
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    w0 = np.array([1.0, -1.0])
    w = w0.copy()
    opt = bp.SGD(0.1)
    for _ in range(25):
        opt.step([w], [A @ w])
    expected = np.linalg.matrix_power(np.eye(2) - 0.1 * A, 25) @ w0
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- Momentum
def test_momentum_two_steps_by_hand() -> None:
    w = np.array([1.0, 1.0])
    opt = bp.Momentum(eta=0.1, alpha=0.9)
    opt.step([w], [np.array([1.0, 2.0])])
    # Delta w(1) = -0.1 * g1 = [-0.1, -0.2]
    np.testing.assert_allclose(w, [0.9, 0.8], rtol=0, atol=1e-15)
    opt.step([w], [np.array([0.5, -1.0])])
    # Delta w(2) = -0.1 * g2 + 0.9 * Delta w(1) = [-0.05 - 0.09, 0.1 - 0.18] = [-0.14, -0.08]
    np.testing.assert_allclose(w, [0.76, 0.72], rtol=0, atol=1e-15)


def test_momentum_with_alpha_zero_is_sgd() -> None:
    rng = np.random.default_rng(1)
    p1 = rng.normal(size=(3, 4))
    p2 = p1.copy()
    sgd, mom = bp.SGD(0.05), bp.Momentum(0.05, alpha=0.0)
    for _ in range(10):
        g = rng.normal(size=(3, 4))
        sgd.step([p1], [g])
        mom.step([p2], [g])
    np.testing.assert_array_equal(p1, p2)


def test_momentum_constant_gradient_geometric_series() -> None:
    # With a constant gradient g, Delta w(t) = -eta g (1 - alpha^t) / (1 - alpha), so after T steps the
    # displacement is -eta g sum_{t=1}^T (1 - alpha^t) / (1 - alpha).
    eta, alpha, T = 0.2, 0.75, 30
    g = np.array([1.0, -3.0, 0.5])
    w = np.zeros(3)
    opt = bp.Momentum(eta, alpha)
    for _ in range(T):
        opt.step([w], [g])
    factor = sum((1 - alpha**t) / (1 - alpha) for t in range(1, T + 1))
    np.testing.assert_allclose(w, -eta * g * factor, rtol=1e-13)


def test_momentum_reset_forgets_velocity() -> None:
    opt = bp.Momentum(0.1, 0.9)
    w = np.zeros(2)
    opt.step([w], [np.ones(2)])
    opt.reset()
    w2 = np.zeros(2)
    opt.step([w2], [np.ones(2)])
    np.testing.assert_allclose(w2, [-0.1, -0.1], rtol=0, atol=1e-15)


# ---------------------------------------------------------------- Adam
def _adam_reference(theta0: list[float], grads: list[list[float]], alpha: float, beta1: float,
                    beta2: float, eps: float) -> list[float]:
    """Algorithm 1 of Kingma and Ba (2015), one scalar parameter at a time."""
    out = []
    for i, theta in enumerate(theta0):
        m = v = 0.0
        for t, g_t in enumerate((g[i] for g in grads), start=1):
            m = beta1 * m + (1 - beta1) * g_t
            v = beta2 * v + (1 - beta2) * g_t * g_t
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            theta = theta - alpha * m_hat / (math.sqrt(v_hat) + eps)
        out.append(theta)
    return out


@pytest.mark.parametrize(("eta", "beta1", "beta2", "eps"),
                         [(1e-3, 0.9, 0.999, 1e-8), (0.05, 0.8, 0.99, 1e-6), (0.1, 0.0, 0.5, 1e-3)])
def test_adam_matches_published_algorithm(eta: float, beta1: float, beta2: float, eps: float) -> None:
    rng = np.random.default_rng(7)
    W = rng.normal(size=(2, 3))
    b = rng.normal(size=3)
    W0, b0 = W.tolist(), b.tolist()
    gW = [rng.normal(size=(2, 3)) for _ in range(12)]
    gb = [rng.normal(size=3) * 10.0 ** rng.integers(-3, 3) for _ in range(12)]
    opt = bp.Adam(eta, beta1, beta2, eps)
    for a, c in zip(gW, gb):
        opt.step([W, b], [a, c])
    ref_W = _adam_reference(sum(W0, []), [g.ravel().tolist() for g in gW], eta, beta1, beta2, eps)
    ref_b = _adam_reference(b0, [g.tolist() for g in gb], eta, beta1, beta2, eps)
    np.testing.assert_allclose(W.ravel(), ref_W, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(b, ref_b, rtol=1e-13, atol=1e-15)


def test_adam_first_step_is_eta_times_sign() -> None:
    # After bias correction m_hat = g and v_hat = g^2, so the first step is eta g / (|g| + eps).
    w = np.zeros(4)
    g = np.array([1e-4, -3.0, 250.0, -0.02])
    bp.Adam(0.01, eps=1e-8).step([w], [g])
    np.testing.assert_allclose(w, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(np.abs(w), 0.01, rtol=1e-3)


def test_adam_reset_restarts_bias_correction() -> None:
    opt = bp.Adam(0.01)
    w = np.zeros(2)
    for _ in range(5):
        opt.step([w], [np.array([1.0, -2.0])])
    opt.reset()
    w2 = np.zeros(2)
    opt.step([w2], [np.array([1.0, -2.0])])
    np.testing.assert_allclose(w2, [-0.01, 0.01], rtol=1e-6)


# ---------------------------------------------------------------- determinism with training
@pytest.mark.parametrize("make_opt", [lambda: bp.SGD(0.5), lambda: bp.Momentum(0.3, 0.9),
                                      lambda: bp.Adam(0.02)])
def test_training_is_deterministic_given_seeds(make_opt) -> None:  # type: ignore[no-untyped-def]
    X, Y = bp.datasets.parity(3)

    def run(seed: int) -> np.ndarray:
        net = bp.Network([3, 4, 1], activations="tanh", seed=1)
        bp.train(net, X, Y, epochs=20, optimizer=make_opt(), batch_size=3, seed=seed)
        return net.get_params()

    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)  # the mini-batch order depends on the seed


def test_optimisers_learn_or() -> None:
    X, _ = bp.datasets.xor()
    Y = (X.sum(axis=0, keepdims=True) > 0).astype(float)  # OR: linearly separable, no plateau
    for opt in (bp.SGD(2.0), bp.Momentum(0.5, 0.9), bp.Adam(0.05)):
        net = bp.Network([2, 3, 1], activations="logistic", seed=3)
        hist = bp.train(net, X, Y, epochs=300, optimizer=opt)
        assert hist.loss[-1] < 0.5 * hist.loss[0], type(opt).__name__


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("eta", [-0.1, float("nan"), float("inf")])
@pytest.mark.parametrize("cls", [bp.SGD, bp.Momentum, bp.Adam])
def test_bad_learning_rate(cls: type, eta: float) -> None:
    with pytest.raises(ValueError, match=r"learning rate eta must be a finite number >= 0"):
        cls(eta)


@pytest.mark.parametrize("alpha", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_momentum(alpha: float) -> None:
    with pytest.raises(ValueError, match=r"momentum alpha must be in \[0, 1\)"):
        bp.Momentum(0.1, alpha)


@pytest.mark.parametrize(("kw", "name"), [({"beta1": 1.0}, "beta1"), ({"beta2": -0.5}, "beta2")])
def test_bad_adam_betas(kw: dict, name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\)"):
        bp.Adam(0.01, **kw)


@pytest.mark.parametrize("opt", [bp.SGD(0.1), bp.Momentum(0.1), bp.Adam(0.1)])
def test_step_rejects_mismatched_gradients(opt: bp.Optimizer) -> None:
    params = _params()
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameter arrays"):
        opt.step(params, [np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"gradient 1 has shape \(3,\), its parameter has shape \(2,\)"):
        opt.step(params, [np.zeros((2, 2)), np.zeros(3)])
    np.testing.assert_array_equal(params[0], _params()[0])  # nothing was updated


# Hyperparameter and state validation (gaps found while writing these tests, fixed in the core).

def test_non_numeric_eta_names_eta() -> None:
    with pytest.raises(TypeError, match="eta"):
        bp.SGD("0.1")  # type: ignore[arg-type]


def test_adam_rejects_negative_eps() -> None:
    with pytest.raises(ValueError, match="eps"):
        bp.Adam(0.01, eps=-1.0)


def test_momentum_state_mismatch_is_an_error() -> None:
    opt = bp.Momentum(0.1, 0.9)
    opt.step([np.zeros(3), np.zeros(2)], [np.ones(3), np.ones(2)])
    with pytest.raises(ValueError):
        opt.step([np.zeros(3)], [np.ones(3)])  # another network: its velocity must not be reused


def test_bool_eta_is_refused() -> None:
    with pytest.raises(TypeError, match="learning rate eta must be a number, got bool"):
        bp.SGD(True)  # type: ignore[arg-type]


def test_reset_allows_reuse_on_other_parameters() -> None:
    opt = bp.Adam(0.1)
    opt.step([np.zeros(3)], [np.ones(3)])
    opt.reset()
    p = [np.zeros(2)]
    opt.step(p, [np.ones(2)])
    np.testing.assert_allclose(p[0], -0.1, rtol=1e-6)  # a fresh first step: -eta * sign(g)


def test_gradients_may_be_lists() -> None:
    p = [np.zeros(2)]
    bp.SGD(0.5).step(p, [[1.0, -2.0]])
    np.testing.assert_array_equal(p[0], [-0.5, 1.0])
