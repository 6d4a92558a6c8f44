"""Optimisers: what to do with the gradient once backpropagation has computed it.

Every optimiser has the same small interface: ``step(params, grads)`` updates a list of arrays in
place, and ``reset()`` forgets any state (velocities, moment estimates).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Array = np.ndarray


class Optimizer:
    """Base class. ``eta`` is the learning rate."""

    def __init__(self, eta: float) -> None:
        self.eta = _number("learning rate eta", eta, minimum=0.0)
        self._shapes: list[tuple[int, ...]] | None = None

    def reset(self) -> None:
        """Forget any state (call it before reusing the optimiser on other parameters)."""
        self._shapes = None

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update ``params`` in place from ``grads`` (same shapes).

        Raises
        ------
        ValueError
            If the gradients do not match the parameters, or if the parameters are not the ones this
            optimiser's state (velocities, moments) was built for.
        """
        if len(params) != len(grads):
            raise ValueError(f"got {len(grads)} gradients for {len(params)} parameter arrays")
        grads = [np.asarray(g, dtype=float) for g in grads]
        for i, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"parameter {i} must be a NumPy array (updated in place), "
                                f"got {type(p).__name__}")
            if p.shape != g.shape:
                raise ValueError(f"gradient {i} has shape {g.shape}, its parameter has shape {p.shape}")
        shapes = [p.shape for p in params]
        if self._shapes is not None and shapes != self._shapes:
            raise ValueError(
                f"{type(self).__name__} holds state for {len(self._shapes)} arrays of shapes "
                f"{self._shapes}, but got {len(shapes)} arrays of shapes {shapes}: call reset() "
                "or use a new optimiser for other parameters"
            )
        self._shapes = shapes
        self._step(params, grads)

    def _step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        for p, g in zip(params, grads):
            p -= self.eta * g

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Plain gradient descent, :math:`w \leftarrow w - \eta\, \partial C / \partial w`."""


class Momentum(Optimizer):
    r"""The 1986 momentum rule,

    .. math::

        \Delta w(t) = -\eta \frac{\partial C}{\partial w}(t) + \alpha\, \Delta w(t-1).

    Parameters
    ----------
    eta : float
        Learning rate :math:`\eta` (:math:`\varepsilon` in Rumelhart, Hinton and Williams).
    alpha : float
        Momentum :math:`\alpha`, in :math:`[0, 1)`.
    """

    def __init__(self, eta: float, alpha: float = 0.9) -> None:
        super().__init__(eta)
        self.alpha = _number("momentum alpha", alpha, minimum=0.0, below=1.0)
        self._velocity: list[Array] | None = None

    def reset(self) -> None:
        super().reset()
        self._velocity = None

    def _step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        if self._velocity is None:
            self._velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._velocity):
            v *= self.alpha
            v -= self.eta * g
            p += v


class Adam(Optimizer):
    """Adam (Kingma and Ba): steps scaled by running estimates of the gradient's first two moments.

    Parameters
    ----------
    eta : float
        Step size.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the denominator.
    """

    def __init__(self, eta: float = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(eta)
        self.beta1 = _number("beta1", beta1, minimum=0.0, below=1.0)
        self.beta2 = _number("beta2", beta2, minimum=0.0, below=1.0)
        self.eps = _number("eps", eps, minimum=0.0)
        if self.eps == 0:
            raise ValueError("eps must be > 0 (it keeps the step finite "
                             "where the gradient is 0)")
        self.reset()

    def reset(self) -> None:
        super().reset()
        self._m: list[Array] | None = None
        self._v: list[Array] | None = None
        self._t = 0

    def _step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        if self._m is None or self._v is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self._t += 1
        c1 = 1 - self.beta1**self._t
        c2 = 1 - self.beta2**self._t
        for p, g, m, v in zip(params, grads, self._m, self._v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * np.square(g)
            denom = np.sqrt(v / c2)
            denom += self.eps
            p -= (self.eta / c1) * m / denom


class ClipNorm(Optimizer):
    """Gradient clipping by the global norm (Pascanu, Mikolov and Bengio): when the gradient of all
    parameters together is longer than ``max_norm``, rescale it to that length, keeping its
    direction; then let ``optimizer`` take its step.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser that takes the (clipped) step, e.g. ``SGD(0.1)``.
    max_norm : float
        The largest gradient norm passed on (> 0).

    Attributes
    ----------
    last_norm : float or None
        The norm of the last gradient, before clipping.
    clipped : int
        How many steps were clipped so far.

    Examples
    --------
    >>> opt = ClipNorm(SGD(1.0), max_norm=1.0)
    >>> w = [np.zeros(2)]
    >>> opt.step(w, [np.array([3.0, 4.0])])
    >>> w[0], opt.last_norm, opt.clipped
    (array([-0.6, -0.8]), 5.0, 1)
    """

    def __init__(self, optimizer: Optimizer, max_norm: float) -> None:
        if isinstance(optimizer, type) or not isinstance(optimizer, Optimizer):
            raise TypeError(f"ClipNorm wraps an optimiser instance such as SGD(0.1), got "
                            f"{optimizer!r}")
        super().__init__(optimizer.eta)
        self.optimizer = optimizer
        self.max_norm = _number("max_norm", max_norm, minimum=0.0)
        if self.max_norm == 0:
            raise ValueError("max_norm must be > 0 (a gradient clipped to length 0 never moves)")
        self.last_norm: float | None = None
        self.clipped = 0

    def reset(self) -> None:
        super().reset()
        self.optimizer.reset()
        self.last_norm, self.clipped = None, 0

    def _step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        grads, self.last_norm = clip_by_norm(grads, self.max_norm)
        self.clipped += self.last_norm > self.max_norm
        self.optimizer.step(params, grads)


def clip_by_norm(grads: Sequence[Array],
                 max_norm: float) -> tuple[list[Array], float]:
    """Rescale gradient arrays so that their joint Euclidean norm is at most ``max_norm``:
    ``g <- g * min(1, max_norm / ||g||)``, the same direction, a bounded length.

    Parameters
    ----------
    grads : sequence of ndarray
    max_norm : float
        The threshold, ``> 0``.

    Returns
    -------
    clipped : list of ndarray
        New arrays (the inputs are not changed).
    norm : float
        The norm before clipping.

    Raises
    ------
    ValueError
        If the gradient is not finite (there is no direction to keep).
    """
    max_norm = _number("max_norm", max_norm, minimum=0.0)
    if max_norm == 0:
        raise ValueError("max_norm must be > 0 (a gradient clipped to "
                         "length 0 never moves)")
    grads = [np.asarray(g, dtype=float) for g in grads]
    big = max((float(np.abs(g).max()) for g in grads if g.size), default=0.0)
    norm = big
    if big > 0 and np.isfinite(big):  # scaled: no overflow in g * g
        squares = sum(float(np.sum((g / big) ** 2)) for g in grads)
        norm = big * float(np.sqrt(squares))
    if not np.isfinite(norm):
        raise ValueError(f"the gradient's norm is {norm}: clipping cannot "
                         "rescale a gradient that is not finite (check the "
                         "loss and the parameters)")
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def _number(name: str, value: object, minimum: float, below: float | None = None) -> float:
    """Validate a hyperparameter: a real number (not a bool), finite, >= minimum and < below."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < minimum or (below is not None and value >= below):
        rule = f"be in [{minimum:g}, {below:g})" if below is not None \
            else f"be a finite number >= {minimum:g}"
        raise ValueError(f"{name} must {rule}, got {value}")
    return value
