"""The state of the loss-surface explorer of chapters 2 and 5, as plain Python with no user interface.

:class:`Explorer` holds the controls (problem, start, learning rate, steps, optimiser, training cases)
and the descent they produce on one of the surfaces of :mod:`backproplib.surfaces`;
:func:`describe` says in words what a run did. :mod:`backproplib.teaching.widgets` only wires
ipywidgets controls to an :class:`Explorer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..optim import OPTIMIZERS
from ..surfaces import (
    PROBLEMS,
    _finite_float,
    _loss_scale,
    check_cases,
    descend,
    make_optimizer,
    make_problem,
)

Array = np.ndarray

MAX_STEPS = 200
"""The largest number of steps the explorer accepts (the maximum of its slider)."""

TINY = 1e-8  # below this, a loss or a gradient entry is at rounding level: shown as a bound


def _fmt(x: float, digits: int = 4, words: bool = False) -> str:
    """A number as the status line shows it; a rounding-level value as a bound, which reads the
    same on every machine (its digits would not)."""
    if x != 0 and abs(x) < TINY:
        return f"below {TINY:.0e}" if words else f"|.| < {TINY:.0e}"
    return f"{x:.{digits}g}"


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def curvature(eigenvalues: Array | None, eta: float) -> str:
    """What the Hessian says about plain gradient descent with learning rate ``eta``: ``lambda_max``,
    the stability bound ``2 / lambda_max``, and ``|1 - eta lambda|``, the factor by which each step
    scales the distance to the minimum along each eigenvector (below 1: it shrinks)."""
    if eigenvalues is None:
        return ""
    lam = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    lam_max = float(lam[0])
    if not lam_max > 0:
        return ""
    lam = np.where(np.abs(lam) < TINY * lam_max, 0.0, lam)  # a flat direction is 0, not 1e-17
    factors = ", ".join(f"{abs(1 - eta * v):.3g} (λ = {v:.3g})" for v in lam)
    return (f"λ_max = {lam_max:.3g}: plain descent is stable for η < 2/λ_max = {2 / lam_max:.3g}; "
            f"each step scales the distance to the minimum along each eigenvector by "
            f"|1 − ηλ| = {factors}.")


def describe(losses: Array, trajectory: Array, grad_norm: float, eta: float,
             diverged_at: int | None, eigenvalues: Array | None = None, optimizer: str = "sgd",
             saturation: float | None = None) -> str:
    """Say in words what a run did (diverged, nothing moved, converged, oscillating, descending) and,
    on a quadratic surface, what its curvature implies for plain descent (:func:`curvature`).

    Parameters
    ----------
    losses, trajectory : ndarray
        The run, the start first.
    grad_norm : float
        The gradient's length at the last point.
    eta : float
    diverged_at : int or None
    eigenvalues : ndarray, optional
        The Hessian's eigenvalues (a quadratic surface).
    optimizer : str
        The bound and the factors are for plain descent (``"sgd"``).
    saturation : float, optional
        The share of (unit, case) pairs whose logistic unit is saturated at the last point (a
        network's surface): a small gradient there comes from ``f'(z) ~ 0``.
    """
    n = len(losses) - 1
    L0, L = float(losses[0]), float(losses[-1])
    facts = curvature(eigenvalues, eta) if optimizer == "sgd" else ""
    tail = f" {facts}" if facts else ""
    if diverged_at is not None:
        return (f"Diverged: at step {diverged_at} the weights overflowed; with learning rate {eta:g} "
                f"every step overshoots further.{tail}")
    if n == 0:
        return f"Start: loss {_fmt(L0)}. Press step (or raise the number of steps) to move.{tail}"
    if eta == 0:
        return f"Nothing moves: with learning rate 0 every update is zero; the loss stays {_fmt(L0)}."
    if grad_norm < 1e-6 or L < 1e-12:
        return (f"Converged: after {_steps(n)} the loss is {_fmt(L, 3, words=True)} and the gradient's "
                f"length {_fmt(grad_norm, 1, words=True)}.{tail}")
    if L > L0 * (1 + 1e-6):
        return (f"Diverging: the loss grew from {_fmt(L0)} to {_fmt(L)} in {_steps(n)}; the steps "
                f"overshoot the minimum by more each time.{tail}")
    d = np.diff(trajectory, axis=0)
    if n >= 2 and float(d[-1] @ d[-2]) < 0 and L >= 0.999 * float(losses[-3]):
        return (f"Oscillating: the point jumps back and forth across the valley and the loss stays "
                f"near {_fmt(L, words=True)} instead of falling.{tail}")
    if L > 0.9 * L0:
        if saturation is not None and saturation >= 0.5:
            return (f"On a plateau: the loss stays near {_fmt(L, 3, words=True)} after {_steps(n)}. "
                    f"The gradient is small (length {_fmt(grad_norm, 1, words=True)}) because the "
                    f"units it flows through are saturated for {saturation:.0%} of the cases, where "
                    "f'(z) is nearly 0: a larger learning rate moves faster along the plateau, it "
                    "does not make the gradient point off it.")
        return (f"Descending slowly: the loss fell only from {_fmt(L0)} to {_fmt(L, words=True)} "
                f"in {_steps(n)}.{tail}")
    return f"Descending: the loss fell from {_fmt(L0)} to {_fmt(L, words=True)} in {_steps(n)}.{tail}"


class Explorer:
    """The state of the loss-surface explorer, with no user interface.

    Every control is an attribute; setting one re-runs the descent from the start (as moving a slider
    does). :meth:`step` advances one update at a time instead (the "step" button).

    Parameters
    ----------
    problem : str
        ``"parabola"``, ``"cylinder"``, ``"bowl"`` or ``"xor"``.
    start : sequence of float
        The starting point (one number for the parabola, two otherwise).
    eta : float
        The learning rate, ``>= 0``.
    steps : int
        Number of updates, ``0..MAX_STEPS``.
    optimizer : str
        ``"sgd"``, ``"momentum"`` or ``"adam"``: :class:`~backproplib.optim.SGD`,
        :class:`~backproplib.optim.Momentum` or :class:`~backproplib.optim.Adam`.
    alpha : float
        The momentum coefficient (used by ``"momentum"`` only).
    cases : sequence of (x1, x2, t), optional
        Training cases (see :func:`backproplib.surfaces.make_problem`).
    loss : str
        ``"half_squared_error"`` or ``"squared_error"``.
    grid_size : int
        Grid points per axis for the surface.

    Attributes
    ----------
    trajectory : ndarray, shape (k + 1, n_params)
    losses : ndarray, shape (k + 1,)
    status : str
        What the run did, in words.
    """

    _controls = ("problem", "start", "eta", "steps", "optimizer", "alpha", "cases", "loss")

    def __init__(self, problem: str = "cylinder", start: Sequence[float] | None = None,
                 eta: float = 0.1, steps: int = 20, optimizer: str = "sgd", alpha: float = 0.9,
                 cases: Sequence[Sequence[float]] | None = None, loss: str = "half_squared_error",
                 grid_size: int = 61) -> None:
        self._ready = False
        self.grid_size = grid_size
        self.problem = problem
        self.cases = cases
        self.loss = loss
        self.start = start
        self.eta = eta
        self.steps = steps
        self.optimizer = optimizer
        self.alpha = alpha
        self._ready = True
        self._grid_cache: tuple[Any, tuple[Array, ...]] | None = None
        self.run()

    # ---------------------------------------------------------------- controls (validated)
    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._controls:
            value = getattr(self, f"_check_{name}")(value)
        object.__setattr__(self, name, value)
        if name in self._controls and self.__dict__.get("_ready"):
            if name in ("problem", "cases", "loss"):
                self._build()
            self.run()

    def _check_problem(self, value: Any) -> str:
        if value not in PROBLEMS:
            raise ValueError(f"unknown problem {value!r}: expected one of {list(PROBLEMS)}")
        return value

    def _check_cases(self, value: Any) -> list[tuple[float, float, float]] | None:
        return None if value is None else check_cases(value)

    def _check_loss(self, value: Any) -> str:
        _loss_scale(value)
        return value

    def _check_start(self, value: Any) -> Array | None:
        if value is None:
            return None
        try:
            w = np.atleast_1d(np.asarray(value, dtype=float))
        except (TypeError, ValueError) as err:
            raise TypeError(f"start must be one or two numbers, got {value!r}") from err
        if w.ndim != 1 or not np.all(np.isfinite(w)):
            raise ValueError(f"start must be a flat sequence of finite numbers, got {value!r}")
        return w

    def _check_eta(self, value: Any) -> float:
        eta = _finite_float(value, "learning rate eta")
        if eta < 0:
            raise ValueError(f"learning rate eta must be >= 0 (a negative rate climbs the surface), "
                             f"got {eta}")
        return eta

    def _check_steps(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"steps must be an int, got {type(value).__name__}")
        if not 0 <= value <= MAX_STEPS:
            raise ValueError(f"steps must be in 0..{MAX_STEPS}, got {value}")
        return int(value)

    def _check_optimizer(self, value: Any) -> str:
        if value not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {value!r}: expected one of {sorted(OPTIMIZERS)}")
        return value

    def _check_alpha(self, value: Any) -> float:
        alpha = _finite_float(value, "momentum alpha")
        if not 0 <= alpha < 1:
            raise ValueError(f"momentum alpha must be in [0, 1), got {alpha}")
        return alpha

    # ---------------------------------------------------------------- computation
    def _build(self) -> None:
        self.surface = make_problem(self.problem, self.cases, self.loss)
        self._grid_cache = None
        if self.start is not None and self.start.shape != (self.surface.n_params,):
            object.__setattr__(self, "start", None)  # a new problem with another number of parameters

    def set(self, **controls: Any) -> Explorer:
        """Change several controls at once and run once (returns ``self``)."""
        unknown = sorted(set(controls) - set(self._controls))
        if unknown:
            raise ValueError(f"unknown controls {unknown}: expected some of {list(self._controls)}")
        before = self.surface_key
        object.__setattr__(self, "_ready", False)
        try:
            for k, v in controls.items():
                setattr(self, k, v)
        finally:
            object.__setattr__(self, "_ready", True)
        if self.surface_key != before:
            self._build()
        self.run()
        return self

    @property
    def surface_key(self) -> tuple[Any, ...]:
        """What the surface depends on: the problem, the cases and the loss (and the grid size)."""
        cases = None if self.cases is None else tuple(self.cases)
        return (self.problem, cases, self.loss, self.grid_size)

    def _start_point(self) -> Array:
        n = self.surface.n_params
        if self.start is None:
            defaults = {"parabola": [2.5], "xor": [-6.0, 8.0]}
            return np.array(defaults.get(self.problem, [1.5, 0.5]), dtype=float)
        if self.start.shape != (n,):
            raise ValueError(f"start has {self.start.size} numbers, the {self.problem} problem has "
                             f"{n} parameters ({', '.join(self.surface.param_names)})")
        return self.start.copy()

    def reset(self) -> None:
        """Back to the starting point, optimiser state forgotten (0 steps taken)."""
        if not hasattr(self, "surface"):
            self._build()
        self._opt = make_optimizer(self.optimizer, self.eta, self.alpha)
        w0 = self._start_point()
        self.trajectory = w0[None, :]
        self.losses = np.array([self.surface.loss_at(w0)])
        self.diverged_at: int | None = None
        self._update_status()

    def run(self) -> None:
        """Recompute the whole run: ``steps`` updates from the start (what a control change does)."""
        self.reset()
        self.trajectory, self.losses, self.diverged_at = descend(
            self.surface, self.trajectory[0], self._opt, self.steps)
        self._update_status()

    def step(self) -> None:
        """One more update from the current point (keeps the optimiser's velocity or moments)."""
        if self.diverged_at is not None:
            return
        traj, losses, div = descend(self.surface, self.trajectory[-1], self._opt, 1)
        if div is not None:
            self.diverged_at = len(self.losses)
        else:
            self.trajectory = np.vstack([self.trajectory, traj[1:]])
            self.losses = np.concatenate([self.losses, losses[1:]])
        self._update_status()

    @property
    def position(self) -> Array:
        """The current point, shape ``(n_params,)``."""
        return self.trajectory[-1].copy()

    @property
    def gradient(self) -> Array:
        """The gradient at the current point, shape ``(n_params,)``."""
        with np.errstate(all="ignore"):
            return self.surface.gradient(self.trajectory[-1])

    def _update_status(self) -> None:
        with np.errstate(all="ignore"):
            gnorm = float(np.linalg.norm(self.gradient))
        H = self.surface.hessian()
        self.status = describe(self.losses, self.trajectory, gnorm, self.eta, self.diverged_at,
                               eigenvalues=None if H is None else np.linalg.eigvalsh(H),
                               optimizer=self.optimizer,
                               saturation=self.surface.saturation(self.trajectory[-1]))

    def readout(self) -> str:
        """The numbers of the current state in one line (for the step-by-step mode)."""
        names = self.surface.param_names
        w, g = self.position, self.gradient
        pts = ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(names, w))
        grads = ", ".join(_fmt(v) for v in g)
        return f"step {len(self.losses) - 1}: {pts}; loss {_fmt(self.losses[-1])}; gradient ({grads})"

    def grid(self) -> tuple[Array, ...]:
        """The surface on the default grid (cached until the problem, cases or loss change)."""
        key = self.surface_key
        if self._grid_cache is None or self._grid_cache[0] != key:
            self._grid_cache = (key, self.surface.grid(self.grid_size))
        return self._grid_cache[1]

    def figure_data(self) -> dict[str, Any]:
        """Everything a figure needs, as plain data.

        Returns
        -------
        dict
            ``grid`` (the tuple of :meth:`grid`), ``extent``, ``param_names``, ``trajectory``
            ``(k + 1, n)``, ``losses`` ``(k + 1,)``, ``point`` and ``gradient`` ``(n,)``, ``arrow``
            (the step plain descent would take, ``-eta * gradient``), ``status``, ``title``.
        """
        g = self.gradient
        with np.errstate(all="ignore"):
            arrow = -self.eta * g
        return {
            "grid": self.grid(),
            "extent": self.surface.extent,
            "param_names": self.surface.param_names,
            "trajectory": self.trajectory.copy(),
            "losses": self.losses.copy(),
            "point": self.position,
            "gradient": g,
            "arrow": arrow,
            "status": self.status,
            "title": f"{self.surface.name}: {self.optimizer}, η = {self.eta:.4g}",
        }

    def __repr__(self) -> str:
        return (f"Explorer(problem={self.problem!r}, eta={self.eta:g}, steps={self.steps}, "
                f"optimizer={self.optimizer!r})")
