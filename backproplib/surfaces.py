"""Loss surfaces over one or two parameters, their gradients, and gradient-descent trajectories on them.

Four problems, in the order the book meets them:

* :class:`Parabola`: the error of one case as a function of the output, ``E(y) = c (t - y)^2``;
* :func:`parabolic_cylinder`: the linear neuron ``y = w1 x1 + w2 x2`` on one case, by default
  ``(x1, x2, t) = (1, 1, 0)``, where ``E = c (w1 + w2)^2`` is minimal on the whole line ``w1 = -w2``;
* :func:`bowl`: the same neuron with a second case, a bowl with a unique minimum;
* :class:`NetworkSlice`: the loss of a small network (XOR, 2-2-1 logistic) over two of its weights,
  all the others held fixed.

``c`` is ``1/2`` for the library's ``"half_squared_error"`` (the default) and ``1`` for the seed
article's ``"squared_error"`` ``E = (t - y)^2``; with several cases the loss is the **mean** over them.

Every surface is evaluated on a whole grid at once (vectorised NumPy, no Python loop per grid point).
This module is the mathematics only; the interactive explorer's state lives in
:mod:`backproplib.teaching.explorer` and its controls in :mod:`backproplib.teaching.widgets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .gradcheck import param_names
from .network import Network
from .optim import OPTIMIZERS, Optimizer

Array = np.ndarray

LOSS_SCALES = {"half_squared_error": 0.5, "squared_error": 1.0}
"""The factor ``c`` in ``E = c (t - y)^2`` for each loss name."""

OVERFLOW = 1e150
"""A parameter larger than this in magnitude counts as diverged (its square would overflow)."""


def _loss_scale(loss: str) -> float:
    if loss not in LOSS_SCALES:
        raise ValueError(f"unknown loss {loss!r}: expected one of {sorted(LOSS_SCALES)}")
    return LOSS_SCALES[loss]


def _finite_float(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


class Problem:
    """A loss over ``n_params`` (1 or 2) parameters, with its gradient.

    Attributes
    ----------
    name : str
        Shown in titles.
    param_names : tuple of str
        Axis labels, e.g. ``("w_1", "w_2")`` (TeX without dollars).
    extent : tuple of float
        The default plotting window ``(lo_1, hi_1[, lo_2, hi_2])``.
    loss_name : str
        ``"half_squared_error"`` or ``"squared_error"``.
    """

    name = "problem"
    param_names: tuple[str, ...] = ()
    extent: tuple[float, ...] = ()
    loss_name = "half_squared_error"

    @property
    def n_params(self) -> int:
        """The number of parameters (1 or 2)."""
        return len(self.param_names)

    def loss(self, *params: Array) -> Array:
        """The loss at every point of broadcastable arrays, one array per parameter."""
        raise AttributeError(f"{type(self).__name__} does not define loss()")

    def gradient(self, w: Array) -> Array:
        """The gradient at one point ``w`` of shape ``(n_params,)``, same shape."""
        raise AttributeError(f"{type(self).__name__} does not define gradient()")

    def loss_at(self, w: Array) -> float:
        """The loss at one point ``w`` of shape ``(n_params,)``."""
        w = self._check_point(w)
        return float(self.loss(*w))

    def hessian(self) -> Array | None:
        """The (constant) Hessian of a quadratic loss, shape ``(n, n)``; ``None`` if not quadratic."""
        return None

    def saturation(self, w: Array) -> float | None:
        """For a network's surface, the share of saturated logistic units at ``w``; else ``None``."""
        return None

    def stability_bound(self) -> float | None:
        """The largest stable learning rate of plain gradient descent, ``2 / lambda_max``.

        ``None`` when the loss is not quadratic (no single bound) or the Hessian is zero.
        """
        H = self.hessian()
        if H is None:
            return None
        lam = float(np.linalg.eigvalsh(H).max())
        return 2.0 / lam if lam > 0 else None

    def grid(self, size: int = 61, extent: Sequence[float] | None = None) -> tuple[Array, ...]:
        """Evaluate the loss on a regular grid.

        Parameters
        ----------
        size : int
            Points per axis.
        extent : sequence of float, optional
            ``(lo_1, hi_1[, lo_2, hi_2])``; default :attr:`extent`.

        Returns
        -------
        tuple of ndarray
            For one parameter ``(p, E)`` with shapes ``(size,)``; for two ``(P1, P2, E)``, each of
            shape ``(size, size)`` (``P1`` varies along columns, as ``np.meshgrid`` gives it).
        """
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2:
            raise ValueError(f"grid size must be an int >= 2, got {size!r}")
        ext = tuple(self.extent if extent is None else extent)
        if len(ext) != 2 * self.n_params:
            raise ValueError(f"extent must have {2 * self.n_params} numbers (lo, hi per parameter), "
                             f"got {len(ext)}")
        axes = [np.linspace(ext[2 * i], ext[2 * i + 1], size) for i in range(self.n_params)]
        mesh = np.meshgrid(*axes) if self.n_params == 2 else axes
        with np.errstate(over="ignore", invalid="ignore"):
            E = self.loss(*mesh)
        return (*mesh, E)

    def _check_point(self, w: Any) -> Array:
        try:
            w = np.asarray(w, dtype=float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"a point must be {self.n_params} numbers, got {w!r}") from err
        if w.shape != (self.n_params,):
            raise ValueError(f"a point of {self.name} has shape ({self.n_params},) "
                             f"({', '.join(self.param_names)}), got shape {w.shape}")
        return w


class Parabola(Problem):
    """The error of one case as a function of the output: ``E(y) = c (t - y)^2``, minimal at ``y = t``.

    Parameters
    ----------
    t : float
        The target.
    loss : str
        ``"half_squared_error"`` (``c = 1/2``) or ``"squared_error"`` (``c = 1``).
    """

    param_names = ("y",)

    def __init__(self, t: float = 0.0, loss: str = "half_squared_error") -> None:
        self.t = _finite_float(t, "target t")
        self.c = _loss_scale(loss)
        self.loss_name = loss
        self.name = f"E(y) for t = {self.t:g}"
        self.extent = (self.t - 3.0, self.t + 3.0)

    def loss(self, *params: Array) -> Array:
        (y,) = params
        return self.c * (self.t - np.asarray(y, dtype=float)) ** 2

    def gradient(self, w: Array) -> Array:
        """``dE/dy = 2c (y - t)``."""
        w = self._check_point(w)
        return 2 * self.c * (w - self.t)

    def hessian(self) -> Array:
        return np.array([[2 * self.c]])


class LinearNeuron(Problem):
    """The linear neuron ``y = w1 x1 + w2 x2`` with the loss ``E = mean over cases of c (t - y)^2``.

    Parameters
    ----------
    cases : sequence of (x1, x2, t)
        The training cases, at least one.
    loss : str
        ``"half_squared_error"`` (``c = 1/2``) or ``"squared_error"`` (``c = 1``).
    name : str, optional
        A title.

    Attributes
    ----------
    X : ndarray, shape (2, m)
        The inputs, one case per column (the library's convention).
    T : ndarray, shape (m,)
        The targets.
    """

    param_names = ("w_1", "w_2")

    def __init__(self, cases: Sequence[Sequence[float]], loss: str = "half_squared_error",
                 name: str | None = None) -> None:
        self.c = _loss_scale(loss)
        self.loss_name = loss
        rows = check_cases(cases)
        self.X = np.array([[r[0] for r in rows], [r[1] for r in rows]], dtype=float)
        self.T = np.array([r[2] for r in rows], dtype=float)
        self.name = name or "linear neuron, " + "; ".join(
            f"(x1, x2, t) = ({a:g}, {b:g}, {t:g})" for a, b, t in rows)
        self.extent = (-2.0, 2.0, -2.0, 2.0)

    @property
    def m(self) -> int:
        """The number of cases."""
        return self.T.size

    def loss(self, *params: Array) -> Array:
        w1, w2 = (np.asarray(p, dtype=float) for p in params)
        # y for every case along a new last axis: shape (..., m)
        Y = w1[..., None] * self.X[0] + w2[..., None] * self.X[1]
        return self.c * np.mean((self.T - Y) ** 2, axis=-1)

    def gradient(self, w: Array) -> Array:
        """``dE/dw = (2c/m) X (y - t)``."""
        w = self._check_point(w)
        return 2 * self.c / self.m * (self.X @ (self.X.T @ w - self.T))

    def hessian(self) -> Array:
        """``H = (2c/m) X X^T``, constant: the loss is a quadratic in ``w``."""
        return 2 * self.c / self.m * (self.X @ self.X.T)


def check_cases(cases: Any) -> list[tuple[float, float, float]]:
    """Validate training cases ``[(x1, x2, t), ...]`` and return them as float tuples."""
    if isinstance(cases, (str, bytes)) or not isinstance(cases, (Sequence, np.ndarray)):
        raise TypeError(f"cases must be a sequence of (x1, x2, t) triples, got {type(cases).__name__}")
    if len(cases) == 0:
        raise ValueError("cases must hold at least one (x1, x2, t) triple, got none")
    rows = []
    for i, case in enumerate(cases):
        if isinstance(case, (str, bytes)) or not isinstance(case, (Sequence, np.ndarray)) or len(case) != 3:
            raise ValueError(f"case {i} must be a triple (x1, x2, t), got {case!r}")
        rows.append(tuple(_finite_float(v, f"case {i}, {n}") for v, n in zip(case, ("x1", "x2", "t"))))
    return rows


def parabolic_cylinder(x1: float = 1.0, x2: float = 1.0, t: float = 0.0,
                       loss: str = "half_squared_error") -> LinearNeuron:
    """The linear neuron on one case: with ``(1, 1, 0)``, ``E = c (w1 + w2)^2`` (a parabolic cylinder)."""
    return LinearNeuron([(x1, x2, t)], loss=loss, name=f"one case ({x1:g}, {x2:g}, {t:g})")


DEFAULT_BOWL_CASES = ((1.0, 1.0, 0.0), (1.0, 0.0, 1.0))
"""Two cases whose only common solution is ``(w1, w2) = (1, -1)``."""


def bowl(cases: Sequence[Sequence[float]] = DEFAULT_BOWL_CASES,
         loss: str = "half_squared_error") -> LinearNeuron:
    """The linear neuron on two (or more) cases: a bowl with a unique minimum when the inputs span 2-D."""
    return LinearNeuron(cases, loss=loss, name=f"{len(cases)} cases")


# A 2-2-1 logistic network that computes XOR: hidden unit 1 is an OR, hidden unit 2 an AND, and the
# output fires for "OR and not AND". Parameters in the order of Network.get_params().
XOR_WEIGHTS = np.array([6.0, 6.0, 6.0, 6.0, -2.5, -9.0, 8.0, -8.0, -4.0])


class NetworkSlice(Problem):
    """The loss of a small network over two of its parameters, all the others held fixed.

    Parameters
    ----------
    net : Network, optional
        Default: a 2-2-1 logistic network with the weights :data:`XOR_WEIGHTS` (which solve XOR).
    X, Y : ndarray, optional
        The data, columns are cases; default :func:`backproplib.datasets.xor`.
    i, j : int or str
        The two parameters that vary: indices into ``net.get_params()`` or names such as
        ``"W^2[0, 0]"``.
    loss : str
        ``"half_squared_error"`` (the library's) or ``"squared_error"`` (twice it).
    extent : sequence of float
        The plotting window.
    """

    def __init__(self, net: Network | None = None, X: Array | None = None, Y: Array | None = None,
                 i: int | str = "W^2[0, 0]", j: int | str = "W^2[0, 1]",
                 loss: str = "half_squared_error",
                 extent: Sequence[float] = (-12.0, 12.0, -12.0, 12.0)) -> None:
        from .datasets import xor

        if net is None:
            net = Network([2, 2, 1], activations="logistic")
            net.set_params(XOR_WEIGHTS)
        if net.loss_fn.name != "half_squared_error":
            raise ValueError(f"NetworkSlice needs a network with loss 'half_squared_error', "
                             f"got {net.loss_fn.name!r}")
        if X is None or Y is None:
            X, Y = xor()
        self.net = net
        self.X, self.Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        self.c = _loss_scale(loss)
        self.loss_name = loss
        names = param_names(net)
        self.index = tuple(self._index(k, names) for k in (i, j))
        if self.index[0] == self.index[1]:
            raise ValueError(f"the two parameters must differ, got {names[self.index[0]]} twice")
        self.param_names = tuple(names[k] for k in self.index)
        self.theta = net.get_params()
        self.extent = tuple(float(e) for e in extent)
        self.name = f"XOR loss over {self.param_names[0]} and {self.param_names[1]}"
        net.loss(self.X, self.Y)  # validates the shapes of X and Y once

    @staticmethod
    def _index(k: int | str, names: list[str]) -> int:
        if isinstance(k, str):
            if k not in names:
                raise ValueError(f"unknown parameter {k!r}: expected one of {names}")
            return names.index(k)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < len(names):
            raise ValueError(f"parameter index must be an int in 0..{len(names) - 1}, got {k!r}")
        return int(k)

    def loss(self, *params: Array) -> Array:
        p1, p2 = np.broadcast_arrays(*(np.asarray(p, dtype=float) for p in params))
        theta = np.repeat(self.theta[None, :], p1.size, axis=0)  # (G, P): one network per point
        theta[:, self.index[0]] = p1.ravel()
        theta[:, self.index[1]] = p2.ravel()
        grid = self.net.stack(theta)  # every grid point's network in one forward pass
        cache = grid.forward(self.X, keep_derivatives=False)
        E = grid.loss_fn.per_example(cache.z[-1], cache.a[-1], self.Y).mean(axis=-1)
        return (2 * self.c * E).reshape(p1.shape)

    def saturation(self, w: Array) -> float | None:
        """The share of (unit, case) pairs, in the layers the two parameters feed, whose logistic
        derivative ``f'(z) = a (1 - a)`` is below 1% of its largest value 1/4 (``|z| > 6.9``): the
        two partial derivatives are ``delta^l`` times an activation, and ``delta^l`` carries that
        ``f'(z^l)``, so there the gradient all but vanishes."""
        theta = self.theta.copy()
        theta[list(self.index)] = self._check_point(w)
        net = self.net.stack(theta[None, :])
        cache = net.forward(self.X)
        layers = {int(name[2:].split("[")[0]) for name in self.param_names}  # "W^2[0, 0]" -> 2
        fps = [cache.fprime[l - 1] for l in sorted(layers) if net.activations[l - 1].name == "logistic"]
        if not fps:
            return None
        flat = np.concatenate([fp.ravel() for fp in fps])
        return float(np.mean(flat < 0.0025))

    def gradient(self, w: Array) -> Array:
        """Backpropagation through :meth:`backproplib.network.Network.loss_and_gradient`, two entries."""
        w = self._check_point(w)
        theta = self.theta.copy()
        theta[list(self.index)] = w
        net = self.net
        saved = net.get_params()
        try:
            net.set_params(theta)
            _, grads = net.loss_and_gradient(self.X, self.Y)
        finally:
            net.set_params(saved)
        return 2 * self.c * grads.flat()[list(self.index)]


PROBLEMS = ("parabola", "cylinder", "bowl", "xor")
"""The problem names :func:`make_problem` (and the explorer) accept."""


def make_problem(name: str, cases: Sequence[Sequence[float]] | None = None,
                 loss: str = "half_squared_error") -> Problem:
    """Build a problem by name: ``"parabola"``, ``"cylinder"``, ``"bowl"`` or ``"xor"``.

    ``cases`` are ``(x1, x2, t)`` triples: the parabola uses the first case's ``t``, the cylinder the
    first case, the bowl all of them; XOR has its own four cases.
    """
    if name not in PROBLEMS:
        raise ValueError(f"unknown problem {name!r}: expected one of {list(PROBLEMS)}")
    if name == "xor":
        return NetworkSlice(loss=loss)
    default = [(1.0, 1.0, 0.0)] if name != "bowl" else list(DEFAULT_BOWL_CASES)
    rows = check_cases(default if cases is None else cases)
    if name == "parabola":
        return Parabola(rows[0][2], loss=loss)
    if name == "cylinder":
        return parabolic_cylinder(*rows[0], loss=loss)
    if len(rows) < 2:
        raise ValueError(f"the bowl needs at least two cases, got {len(rows)}")
    return bowl(rows, loss=loss)


def make_optimizer(name: str, eta: float, alpha: float = 0.9) -> Optimizer:
    """``bp.SGD(eta)``, ``bp.Momentum(eta, alpha)`` or ``bp.Adam(eta)`` by name."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: expected one of {sorted(OPTIMIZERS)}")
    if name == "momentum":
        return OPTIMIZERS[name](eta, alpha)
    return OPTIMIZERS[name](eta)


def descend(problem: Problem, start: Sequence[float], optimizer: Optimizer,
            steps: int) -> tuple[Array, Array, int | None]:
    """Run ``steps`` updates of ``optimizer`` on ``problem`` from ``start``.

    Overflow is not an error: the run stops at the first non-finite (or larger than
    :data:`OVERFLOW`) point, and no NumPy warning escapes.

    Returns
    -------
    trajectory : ndarray, shape (k + 1, n_params)
        The finite points visited, the start first.
    losses : ndarray, shape (k + 1,)
        The loss at each of them.
    diverged_at : int or None
        The step at which the numbers overflowed, or ``None``.
    """
    w = problem._check_point(start).copy()
    points, losses = [w.copy()], [problem.loss_at(w)]
    for k in range(1, steps + 1):
        with np.errstate(all="ignore"):
            g = problem.gradient(w)
            optimizer.step([w], [g])
            E = problem.loss_at(w) if np.all(np.isfinite(w)) else np.inf
        if not (np.all(np.abs(w) < OVERFLOW) and np.isfinite(E)):
            return np.array(points), np.array(losses), k
        points.append(w.copy())
        losses.append(E)
    return np.array(points), np.array(losses), None
