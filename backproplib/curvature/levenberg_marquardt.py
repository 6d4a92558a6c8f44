"""Levenberg–Marquardt: damped Gauss–Newton steps, for the half squared error.

Levenberg–Marquardt minimises the half squared error ``C = ||e||^2 / (2m)`` of the residuals
``e = a^L - y``. With ``J = de/dtheta`` (one backpropagated row per residual, see
:func:`backproplib.curvature.hessian.residual_jacobian`), each step solves

    (J^T J + mu I) Delta theta = -J^T e.

For small ``mu`` this is the Gauss–Newton step (a Newton step with ``J^T J`` for the Hessian); for large
``mu`` it is a short gradient-descent step, ``-J^T e / mu``. The damping ``mu`` adapts: after a step that
lowers the loss it is divided by ``mu_dec``; a step that raises it is undone and retried with ``mu``
multiplied by ``mu_inc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..network import Network
from .hessian import residual_jacobian

Array = np.ndarray


@dataclass
class LMHistory:
    """What happened during :func:`levenberg_marquardt`.

    Attributes
    ----------
    loss : list of float
        The batch loss ``C`` before training and after every accepted step.
    mu : list of float
        The damping used for every accepted step.
    iterations : int
        The number of accepted steps (each one Jacobian and one or more linear solves).
    rejected : int
        The number of trial steps that raised the loss and were undone.
    reason : str
        Why it stopped: ``"target"`` (loss at or below ``target_loss``), ``"max_iter"``,
        ``"small_gradient"`` (the residuals are orthogonal to every column of ``J`` to within ``gtol``:
        a stationary point) or ``"mu_max"`` (no damping up to ``mu_max`` lowered the loss).
    """

    loss: list[float] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)
    iterations: int = 0
    rejected: int = 0
    reason: str = ""

    @property
    def converged(self) -> bool:
        """True when the target loss was reached."""
        return self.reason == "target"


def lm_step(J: Array, e: Array, mu: float) -> Array:
    """The damped Gauss–Newton step ``Delta theta = -(J^T J + mu I)^{-1} J^T e``.

    Parameters
    ----------
    J : ndarray, shape (r, n)
        Jacobian of the ``r`` residuals with respect to the ``n`` parameters.
    e : ndarray, shape (r,)
        The residuals.
    mu : float
        The damping, ``> 0`` (the matrix is then positive definite).

    Returns
    -------
    ndarray, shape (n,)
    """
    J = np.asarray(J, dtype=float)
    e = np.asarray(e, dtype=float)
    if J.ndim != 2 or e.shape != (J.shape[0],):
        raise ValueError(
            f"J must have shape (r, n) and e shape (r,), one residual per row of J; "
            f"got J {J.shape} and e {e.shape}"
        )
    _check_positive(mu, "damping mu")
    A = J.T @ J
    A[np.diag_indices_from(A)] += mu
    return -np.linalg.solve(A, J.T @ e)


def levenberg_marquardt(
    net: Network,
    X: Array,
    Y: Array,
    max_iter: int = 100,
    mu: float = 1e-2,
    mu_dec: float = 10.0,
    mu_inc: float = 10.0,
    mu_min: float = 1e-10,
    mu_max: float = 1e10,
    target_loss: float = 0.0,
    gtol: float = 1e-7,
) -> LMHistory:
    """Train ``net`` in place by Levenberg–Marquardt (deterministic: no randomness at all).

    Parameters
    ----------
    net : Network
        Its loss must be ``"half_squared_error"``.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m)
    max_iter : int
        The maximum number of accepted steps.
    mu : float
        The initial damping.
    mu_dec, mu_inc : float
        Factors (``> 1``) that divide ``mu`` after a good step and multiply it after a bad one.
    mu_min : float
        ``mu`` is never lowered below this (``J^T J`` alone is singular when there are more parameters
        than residuals).
    mu_max : float
        Give up when ``mu`` exceeds this.
    target_loss : float
        Stop as soon as ``C <= target_loss``.
    gtol : float
        Stop at a stationary point: when the cosine of the angle between the residuals ``e`` and
        every column ``J_j`` of the Jacobian, ``|J_j^T e| / (||J_j|| ||e||)``, is at most ``gtol``
        (the scale-free test of MINPACK's ``lmder``). An absolute bound on ``||J^T e||`` would
        depend on the scale of the data, and rounding leaves ``||J^T e||`` about ``sqrt(1e-16)``
        of its scale where no step can lower the loss any more.

    Returns
    -------
    LMHistory
    """
    _check_arguments(net, max_iter, mu, mu_dec, mu_inc, mu_min, gtol)
    e, J = residual_jacobian(net, X, Y)  # checks the loss, X and Y
    m = e.size // net.sizes[-1]
    theta = net.get_params()
    loss = float(e @ e) / (2 * m)
    history = LMHistory(loss=[loss])
    while True:
        if loss <= target_loss:
            history.reason = "target"
            break
        if history.iterations >= max_iter:
            history.reason = "max_iter"
            break
        if stationarity(J, e) <= gtol:
            history.reason = "small_gradient"
            break
        while mu <= mu_max:  # raise the damping until a step lowers the loss
            try:
                step = lm_step(J, e, mu)
            except np.linalg.LinAlgError:  # singular: more damping
                step = np.full(theta.shape, np.inf)
            trial = np.inf
            if np.all(np.isfinite(theta + step)):
                net.set_params(theta + step)
                trial = net.loss(X, Y)
            if trial < loss:
                break
            history.rejected += 1
            mu *= mu_inc
        if mu > mu_max:
            net.set_params(theta)
            history.reason = "mu_max"
            break
        theta, loss = net.get_params(), trial
        history.iterations += 1
        history.loss.append(loss)
        history.mu.append(mu)
        mu = max(mu / mu_dec, mu_min)
        e, J = residual_jacobian(net, X, Y)
    return history


def stationarity(J: Array, e: Array) -> float:
    """The largest cosine ``|J_j^T e| / (||J_j|| ||e||)`` over the columns of ``J`` (0 when ``e = 0``).

    Zero exactly at a stationary point of ``||e||^2``, and free of the data's scale.

    Parameters
    ----------
    J : ndarray, shape (r, n)
    e : ndarray, shape (r,)

    Returns
    -------
    float in ``[0, 1]``
    """
    norm_e = np.linalg.norm(e)
    col = np.linalg.norm(J, axis=0)
    live = col > 0
    if norm_e == 0 or not live.any():
        return 0.0
    return float(np.max(np.abs(J[:, live].T @ e) / (col[live] * norm_e)))


def _check_arguments(net: object, max_iter: object, mu: float, mu_dec: float,
                     mu_inc: float, mu_min: float, gtol: float) -> None:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative int, got {max_iter!r}")
    _check_positive(mu, "initial damping mu")
    _check_positive(mu_min, "mu_min")
    _check_positive(gtol, "gtol")
    for name, factor in (("mu_dec", mu_dec), ("mu_inc", mu_inc)):
        if not (np.isfinite(factor) and factor > 1):
            raise ValueError(f"{name} must be a factor > 1, got {factor!r}")


def _check_positive(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{what} must be a positive number, got {type(value).__name__}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a positive finite number, got {value!r}")
