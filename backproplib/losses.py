"""Loss functions C and their derivatives.

The loss of a batch is the mean over its examples of a per-example loss ``C_x`` that depends on the
network's output ``a^L`` only (the two assumptions backpropagation needs). Arrays follow the book's
convention: one column per example, so ``a``, ``z`` and ``y`` have shape ``(n_L, m)``.

Each :class:`Loss` gives

``per_example(z, a, y)``
    the vector of ``C_x``, shape ``(m,)``;
``grad_a(a, y)``
    ``dC_x/da^L``, shape ``(n_L, m)``;
``delta(z, a, y, activation)``
    ``delta^L = dC_x/dz^L``. For the matched pairs softmax + cross-entropy and logistic + binary
    cross-entropy it is the fused, exact and stable ``a - y``; otherwise the activation's
    vector-Jacobian product of ``grad_a``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .activations import Activation, softplus, unit_axis

Array = np.ndarray


def logsumexp(z: Array, axis: int = 0) -> Array:
    """``log(sum(exp(z)))`` along ``axis``, shifted by the maximum so it never overflows."""
    z = np.asarray(z, dtype=float)
    zmax = z.max(axis=axis, keepdims=True)
    return np.squeeze(zmax, axis=axis) + np.log(np.sum(np.exp(z - zmax), axis=axis))


class Loss(ABC):
    """Base class: a per-example loss ``C_x(a^L, y)`` averaged over the batch."""

    name = "loss"
    requires: str | None = None  # the output activation this loss must be paired with

    def check_activation(self, activation: Activation) -> None:
        """Raise ``ValueError`` if this loss cannot follow the given output activation."""
        if self.requires is not None and activation.name != self.requires:
            raise ValueError(
                f"loss {self.name!r} needs a {self.requires!r} output layer, "
                f"but the last layer's activation is {activation.name!r}"
            )

    def targets(self, Y: Array, n_out: int, m: int) -> Array:
        """Validate targets and return them as floats of shape ``(n_out, m)``."""
        Y = _as_float_array(Y, "targets Y")
        if Y.shape != (n_out, m):
            hint = ""
            if Y.shape == (m, n_out):
                hint = " (examples are columns: did you forget a transpose?)"
            elif Y.ndim == 1 and Y.size == m and n_out == 1:
                hint = " (use Y.reshape(1, -1) for a single output)"
            raise ValueError(
                f"targets Y have shape {Y.shape}, expected {(n_out, m)} "
                f"(n_L={n_out} outputs, m={m} examples){hint}"
            )
        return Y

    @abstractmethod
    def per_example(self, z: Array, a: Array, y: Array) -> Array:
        """The per-example losses ``C_x``, shape ``(m,)``."""

    @abstractmethod
    def grad_a(self, a: Array, y: Array) -> Array:
        """``dC_x/da^L``, shape ``(n_L, m)``."""

    def value(self, z: Array, a: Array, y: Array) -> float:
        """The batch loss ``C = mean_x C_x``."""
        return float(np.mean(self.per_example(z, a, y)))

    def delta(self, z: Array, a: Array, y: Array, activation: Activation) -> Array:
        """``delta^L = dC_x/dz^L``, shape ``(n_L, m)``."""
        return activation.backward(z, a, self.grad_a(a, y))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class HalfSquaredError(Loss):
    """``C_x = 1/2 ||a^L - y||^2``; ``dC_x/da^L = a^L - y`` (Eq. 4 of the book)."""

    name = "half_squared_error"

    def per_example(self, z: Array, a: Array, y: Array) -> Array:
        return 0.5 * np.sum((a - y) ** 2, axis=-2)  # over the units; -2 also serves a stack

    def grad_a(self, a: Array, y: Array) -> Array:
        return a - y


class CrossEntropy(Loss):
    """Categorical cross-entropy after a softmax output, ``C_x = -sum_k y_k log a_k``.

    Computed from ``z`` with log-sum-exp: ``C_x = logsumexp(z) - sum_k y_k z_k`` (for targets that sum
    to 1), so it is finite for any finite ``z``. Targets may be integer class labels of shape ``(m,)``
    or probability columns of shape ``(n_L, m)``.
    """

    name = "cross_entropy"
    requires = "softmax"

    def targets(self, Y: Array, n_out: int, m: int) -> Array:
        Y = np.asarray(Y)
        if Y.ndim == 1:
            if not np.issubdtype(Y.dtype, np.integer):
                raise TypeError(
                    f"class labels for cross_entropy must be integers, got dtype {Y.dtype}"
                )
            if Y.shape != (m,):
                raise ValueError(f"class labels have shape {Y.shape}, expected ({m},) for m={m} examples")
            if Y.size and (Y.min() < 0 or Y.max() >= n_out):
                bad = Y[(Y < 0) | (Y >= n_out)][0]
                raise ValueError(
                    f"class label {bad} is out of range: labels must be in 0..{n_out - 1} "
                    f"for a softmax layer of {n_out} units"
                )
            onehot = np.zeros((n_out, m))
            onehot[Y, np.arange(m)] = 1.0
            return onehot
        Y = super().targets(Y, n_out, m)
        if np.any(Y < 0) or not np.allclose(Y.sum(axis=0), 1.0):
            raise ValueError("cross_entropy targets must be probability columns (>= 0, each summing to 1)")
        return Y

    def per_example(self, z: Array, a: Array, y: Array) -> Array:
        axis = unit_axis(z)
        return logsumexp(z, axis=axis) - np.sum(y * z, axis=axis)

    def grad_a(self, a: Array, y: Array) -> Array:
        with np.errstate(divide="ignore"):
            return -y / a

    def delta(self, z: Array, a: Array, y: Array, activation: Activation) -> Array:
        self.check_activation(activation)
        return a - y


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy after a logistic output, ``C_x = -sum [y log a + (1-y) log(1-a)]``.

    Computed from ``z`` as ``softplus(z) - y z``, finite for any finite ``z``; targets in ``[0, 1]``.
    """

    name = "binary_cross_entropy"
    requires = "logistic"

    def targets(self, Y: Array, n_out: int, m: int) -> Array:
        Y = super().targets(Y, n_out, m)
        if np.any((Y < 0) | (Y > 1)):
            raise ValueError("binary_cross_entropy targets must lie in [0, 1]")
        return Y

    def per_example(self, z: Array, a: Array, y: Array) -> Array:
        return np.sum(softplus(z) - y * z, axis=unit_axis(z))

    def grad_a(self, a: Array, y: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a - y) / (a * (1.0 - a))

    def delta(self, z: Array, a: Array, y: Array, activation: Activation) -> Array:
        self.check_activation(activation)
        return a - y


LOSSES: dict[str, Loss] = {
    "half_squared_error": HalfSquaredError(),
    "cross_entropy": CrossEntropy(),
    "binary_cross_entropy": BinaryCrossEntropy(),
}


def get_loss(name: str | Loss) -> Loss:
    """Look a loss up by name.

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the valid names.
    """
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name (str) such as 'cross_entropy', got {type(name).__name__}")
    key = name.lower()
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid names are: {', '.join(sorted(LOSSES))}")
    return LOSSES[key]


def _as_float_array(x: object, what: str) -> Array:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be a numeric array, got {type(x).__name__}") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contain non-finite values (NaN or inf)")
    return arr
