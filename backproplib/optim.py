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
        if not np.isfinite(eta) or eta < 0:
            raise ValueError(f"learning rate eta must be a finite number >= 0, got {eta}")
        self.eta = float(eta)

    def reset(self) -> None:
        """Forget any state."""

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update ``params`` in place from ``grads`` (same shapes)."""
        if len(params) != len(grads):
            raise ValueError(f"got {len(grads)} gradients for {len(params)} parameter arrays")
        for i, (p, g) in enumerate(zip(params, grads)):
            if p.shape != g.shape:
                raise ValueError(f"gradient {i} has shape {g.shape}, its parameter has shape {p.shape}")
        self._step(params, grads)

    def _step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        for p, g in zip(params, grads):
            p -= self.eta * g

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent, ``w <- w - eta dC/dw``."""


class Momentum(Optimizer):
    """The 1986 momentum rule, ``Delta w(t) = -eta dC/dw(t) + alpha Delta w(t-1)``.

    Parameters
    ----------
    eta : float
        Learning rate (``epsilon`` in Rumelhart, Hinton and Williams).
    alpha : float
        Momentum, in ``[0, 1)``.
    """

    def __init__(self, eta: float, alpha: float = 0.9) -> None:
        super().__init__(eta)
        if not 0 <= alpha < 1:
            raise ValueError(f"momentum alpha must be in [0, 1), got {alpha}")
        self.alpha = float(alpha)
        self._velocity: list[Array] | None = None

    def reset(self) -> None:
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

    def __init__(self, eta: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(eta)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.reset()

    def reset(self) -> None:
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
            v += (1 - self.beta2) * g * g
            p -= self.eta * (m / c1) / (np.sqrt(v / c2) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
