r"""Gradient checking by finite differences.

A reader who writes a backward pass should always compare it with finite differences of the loss. The
plain *central difference*

.. math::

    D(\epsilon) = \frac{C(\theta + \epsilon e_i) - C(\theta - \epsilon e_i)}{2 \epsilon}

costs two forward passes per parameter and is off by two errors (chapter 1 plots both): truncation,
about :math:`\epsilon^2 C''' / 6`, and rounding, about :math:`10^{-16} |C| / \epsilon`. Near a
minimum, where the gradient is small beside the loss, no single ``eps`` makes both small for every
parameter: a correct gradient can then differ from its central difference by 1e-7 of itself.

:func:`gradcheck` therefore uses *Richardson extrapolation*: two central differences, at
:math:`\epsilon` and :math:`2\epsilon`, combined as :math:`(4 D(\epsilon) - D(2\epsilon)) / 3`,
cancel the :math:`\epsilon^2` term. With ``eps = 1e-4`` the truncation error falls to order
:math:`\epsilon^4` and the rounding error is a hundred times smaller than at ``eps = 1e-6``. It costs
four forward passes per parameter.

Errors are relative, but never relative to less than ``floor`` times the gradient's overall scale:
an entry that is a million times smaller than the largest one (a dead unit, a vanishing gradient) is
judged by how far it is off compared with the gradient as a whole, not compared with itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .network import Network

Array = np.ndarray

METHODS = ("central", "richardson")


def relative_error(a: Array, b: Array, floor: float = 1e-12) -> Array:
    """Elementwise ``|a - b| / max(|a|, |b|, floor)``."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def scaled_error(a: Array, b: Array, floor: float = 1e-2) -> Array:
    """Elementwise ``|a - b| / max(|a| + |b|, floor * max(|a| + |b|))``: relative to each entry, but
    never to less than ``floor`` times the largest entry.

    Parameters
    ----------
    a, b : array_like, same shape
        Two estimates of the same gradient.
    floor : float
        In ``(0, 1]``.

    Returns
    -------
    ndarray, shape of ``a``
        Zero where ``a`` and ``b`` are both exactly zero everywhere.

    Examples
    --------
    >>> bool(scaled_error([1.0, 0.0], [1.0, 2e-10]).max() < 1e-7)  # a dead entry is not "100% wrong"
    True
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"scaled_error needs arrays of one shape, got {a.shape} and {b.shape}")
    if not 0 < floor <= 1:
        raise ValueError(f"floor must be in (0, 1], got {floor!r}")
    size = np.abs(a) + np.abs(b)
    scale = size.max() if size.size else 0.0
    if scale == 0:
        return np.zeros_like(size)
    return np.abs(a - b) / np.maximum(size, floor * scale)


def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-6,
                       method: str = "central") -> Array:
    """Finite-difference gradient of a scalar function of an array.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. ``x`` is perturbed in place and restored, also if ``f`` raises.
    x : ndarray, any shape, float64
    eps : float
        The step, ``> 0``.
    method : {"central", "richardson"}
        ``"central"``: ``(f(x + eps) - f(x - eps)) / (2 eps)``, two evaluations per entry.
        ``"richardson"``: ``(4 D(eps) - D(2 eps)) / 3`` with ``D`` the central difference, four
        evaluations per entry; the ``eps^2`` error term cancels.

    Returns
    -------
    ndarray, shape of ``x``
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 ndarray it can perturb in place")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods are: {', '.join(METHODS)}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not 0 < eps < 1:
        raise ValueError(f"the step eps must be a small positive number such as 1e-6, got {eps!r}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    steps = (1,) if method == "central" else (1, 2)
    for i in range(flat.size):
        old = flat[i]
        d = []
        try:
            for k in steps:
                flat[i] = old + k * eps
                up = f(x)
                flat[i] = old - k * eps
                down = f(x)
                d.append((up - down) / (2 * k * eps))
        finally:
            flat[i] = old
        gflat[i] = d[0] if method == "central" else (4 * d[0] - d[1]) / 3
    return grad


@dataclass
class GradcheckResult:
    """The outcome of :func:`gradcheck`.

    Attributes
    ----------
    max_rel_error : float
        The largest error over all parameters, relative as in :func:`scaled_error`.
    max_abs_error : float
        The largest ``|analytic - numeric|``.
    worst : str
        The parameter with the largest relative error, in the book's notation, e.g. ``"W^2[0, 1]"``.
    analytic, numeric : ndarray, shape (n_params,)
        Backpropagation's gradient and the finite-difference one.
    scale : float
        The largest ``|entry|`` of the gradient (the scale the errors are measured against).
    kinks : list of str
        Where an input of a non-differentiable activation sits exactly at a kink (a ReLU input of
        exactly 0): there the derivative is a convention and finite differences see the average slope.
    """

    max_rel_error: float
    max_abs_error: float
    worst: str
    analytic: Array
    numeric: Array
    scale: float
    kinks: list[str] = field(default_factory=list)

    @property
    def n_params(self) -> int:
        """How many parameters were checked."""
        return int(self.analytic.size)

    def passed(self, tol: float = 1e-7) -> bool:
        """True when the largest relative error is below ``tol``."""
        return self.max_rel_error < tol

    def summary(self, tol: float = 1e-7) -> str:
        """One sentence whose wording does not depend on the last bits of the arithmetic (for text
        that must read the same on every machine): a bound when the check passes."""
        if self.passed(tol):
            return (f"passed: backpropagation and finite differences agree to relative error "
                    f"< {tol:.0e} on all {self.n_params} parameters")
        return f"FAILED at tolerance {tol:.0e}: {self}"

    def __str__(self) -> str:
        i = int(np.argmax(scaled_error(self.analytic, self.numeric))) if self.n_params else 0
        text = (f"max relative error {self.max_rel_error:.2e} at {self.worst} "
                f"(analytic {self.analytic[i]:.6g}, numeric {self.numeric[i]:.6g}; "
                f"max abs error {self.max_abs_error:.1e}, largest |gradient| {self.scale:.2g})")
        if self.kinks:
            text += "; at a kink: " + "; ".join(self.kinks)
        return text


def param_names(net: Network) -> list[str]:
    """Names of the entries of ``net.get_params()``, e.g. ``["W^1[0, 0]", ..., "b^2[0]"]``."""
    names = []
    for l, (W, b) in enumerate(zip(net.W, net.b), start=1):
        names += [f"W^{l}[{j}, {k}]" for j in range(W.shape[0]) for k in range(W.shape[1])]
        names += [f"b^{l}[{j}]" for j in range(b.shape[0])]
    return names


def gradcheck(net: Network, X: Array, Y: Array, eps: float = 1e-4, method: str = "richardson",
              floor: float = 1e-2) -> GradcheckResult:
    """Compare backpropagation with finite differences on every parameter of ``net``.

    Parameters
    ----------
    net : Network
        Its parameters are restored afterwards, also if the loss raises.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or labels of shape (m,)
    eps : float
        The step (``1e-4`` suits ``"richardson"``; use about ``1e-6`` with ``"central"``).
    method : {"richardson", "central"}
        See :func:`numerical_gradient`.
    floor : float
        Errors are relative to each entry but never to less than ``floor`` times the largest
        (:func:`scaled_error`).

    Returns
    -------
    GradcheckResult

    Examples
    --------
    >>> net = Network([2, 3, 1], activations="tanh", seed=0)
    >>> X, Y = np.ones((2, 4)), np.zeros((1, 4))
    >>> gradcheck(net, X, Y).passed(1e-7)
    True
    """
    if not isinstance(net, Network):
        raise TypeError(f"gradcheck needs a backproplib Network, got {type(net).__name__}")
    _, grads = net.loss_and_gradient(X, Y)
    analytic = grads.flat()
    theta = net.get_params()

    def f(t: Array) -> float:
        net.set_params(t)
        return net.loss(X, Y)

    try:
        numeric = numerical_gradient(f, theta.copy(), eps, method)
    finally:
        net.set_params(theta)
    err = scaled_error(analytic, numeric, floor)
    i = int(np.argmax(err)) if err.size else 0
    return GradcheckResult(
        max_rel_error=float(err[i]) if err.size else 0.0,
        max_abs_error=float(np.max(np.abs(analytic - numeric))) if err.size else 0.0,
        worst=param_names(net)[i] if err.size else "",
        analytic=analytic, numeric=numeric,
        scale=float(np.max(np.abs(analytic))) if err.size else 0.0,
        kinks=_kinks(net, X),
    )


def _kinks(net: Network, X: Array) -> list[str]:
    """Say where an activation's input sits exactly on one of its kinks."""
    notes = []
    cache = net.forward(X, keep_derivatives=False)
    for l, (f, Z) in enumerate(zip(net.activations, cache.z), start=1):
        count = sum(int(np.count_nonzero(Z == k)) for k in f.kinks)
        if count:
            notes.append(f"{count} input(s) of the {f.name} layer {l} are exactly at its kink")
    return notes
