"""Gradient checking by central finite differences.

A reader who writes a backward pass should always compare it with
``(C(theta + eps e_i) - C(theta - eps e_i)) / (2 eps)`` for every parameter ``theta_i``. In float64 with
``eps = 1e-6`` the two agree to about 1e-8 in relative error for smooth activations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .network import Network

Array = np.ndarray


def relative_error(a: Array, b: Array, floor: float = 1e-12) -> Array:
    """Elementwise ``|a - b| / max(|a|, |b|, floor)``."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Central-difference gradient of a scalar function of an array.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. ``x`` is perturbed in place and restored.
    x : ndarray, any shape, float64
    eps : float
        The step.

    Returns
    -------
    ndarray, shape of ``x``
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 ndarray it can perturb in place")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


@dataclass
class GradcheckResult:
    """The outcome of :func:`gradcheck`.

    Attributes
    ----------
    max_rel_error : float
        The largest relative error over all parameters.
    worst : str
        Which parameter it is, in the book's notation, e.g. ``"W^2[0, 1]"``.
    analytic, numeric : ndarray, shape (n_params,)
        Backpropagation's gradient and the central-difference one.
    """

    max_rel_error: float
    worst: str
    analytic: Array
    numeric: Array

    def passed(self, tol: float = 1e-7) -> bool:
        """True when the largest relative error is below ``tol``."""
        return self.max_rel_error < tol

    def __str__(self) -> str:
        return f"max relative error {self.max_rel_error:.2e} at {self.worst}"


def param_names(net: Network) -> list[str]:
    """Names of the entries of ``net.get_params()``, e.g. ``["W^1[0, 0]", ..., "b^2[0]"]``."""
    names = []
    for l, (W, b) in enumerate(zip(net.W, net.b), start=1):
        names += [f"W^{l}[{j}, {k}]" for j in range(W.shape[0]) for k in range(W.shape[1])]
        names += [f"b^{l}[{j}]" for j in range(b.shape[0])]
    return names


def gradcheck(net: Network, X: Array, Y: Array, eps: float = 1e-6) -> GradcheckResult:
    """Compare backpropagation with central differences on every parameter of ``net``.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or labels of shape (m,)
    eps : float

    Returns
    -------
    GradcheckResult
    """
    _, grads = net.loss_and_gradient(X, Y)
    analytic = grads.flat()
    theta = net.get_params()

    def f(t: Array) -> float:
        net.set_params(t)
        return net.loss(X, Y)

    try:
        numeric = numerical_gradient(f, theta.copy(), eps)
    finally:
        net.set_params(theta)
    err = relative_error(analytic, numeric)
    i = int(np.argmax(err))
    return GradcheckResult(float(err[i]), param_names(net)[i], analytic, numeric)
