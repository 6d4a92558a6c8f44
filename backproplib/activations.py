"""Activation functions f and their derivatives f'.

Every activation acts on a weighted input ``z`` of any shape (in the network, ``z^l`` has shape
``(n_l, m)``: one column per example) and is numerically safe for ``|z|`` up to 1e3 and beyond: no
overflow warnings and no NaN.

An :class:`Activation` knows three things:

``f(z)``
    the activation ``a = f(z)``;
``df(z)``
    the elementwise derivative ``f'(z)`` (for elementwise activations);
``backward(z, a, grad_a)``
    the vector-Jacobian product ``dC/dz`` given ``dC/da``. For elementwise activations this is the
    Hadamard product ``f'(z) * grad_a``; for softmax, whose Jacobian is not diagonal, it is
    ``a * (grad_a - sum(a * grad_a))`` column by column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def logistic(z: Array) -> Array:
    """Logistic function ``1 / (1 + exp(-z))``, overflow-safe for any finite ``z``."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_prime(z: Array) -> Array:
    """Derivative of the logistic function, ``phi(z) (1 - phi(z))``."""
    s = logistic(z)
    return s * (1.0 - s)


def softplus(z: Array) -> Array:
    """``log(1 + exp(z))`` computed without overflow."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def tanh_prime(z: Array) -> Array:
    """Derivative of tanh, ``1 - tanh(z)^2``."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """Rectifier ``max(0, z)``."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_prime(z: Array) -> Array:
    """Derivative of the rectifier; by convention 0 at ``z = 0``."""
    return (np.asarray(z) > 0).astype(float)


def identity(z: Array) -> Array:
    """The identity ``f(z) = z`` (a linear neuron)."""
    return np.asarray(z, dtype=float).copy()


def identity_prime(z: Array) -> Array:
    """Derivative of the identity: ones."""
    return np.ones_like(np.asarray(z, dtype=float))


def swish(z: Array) -> Array:
    """Swish (SiLU), ``z * logistic(z)``."""
    z = np.asarray(z, dtype=float)
    return z * logistic(z)


def swish_prime(z: Array) -> Array:
    """Derivative of swish, ``s + z s (1 - s)`` with ``s = logistic(z)``."""
    z = np.asarray(z, dtype=float)
    s = logistic(z)
    return s + z * s * (1.0 - s)


def mish(z: Array) -> Array:
    """Mish, ``z * tanh(softplus(z))``."""
    z = np.asarray(z, dtype=float)
    return z * np.tanh(softplus(z))


def mish_prime(z: Array) -> Array:
    """Derivative of mish, ``tanh(sp) + z * (1 - tanh(sp)^2) * logistic(z)``, ``sp = softplus(z)``."""
    z = np.asarray(z, dtype=float)
    t = np.tanh(softplus(z))
    return t + z * (1.0 - t * t) * logistic(z)


def unit_axis(z: Array) -> int:
    """The axis of the units: 0 for a vector, -2 for columns of examples (also in a stack of
    networks, whose leading axis counts the networks)."""
    return 0 if np.ndim(z) < 2 else -2


def softmax(z: Array) -> Array:
    """Softmax over the units (each column is one example), shifted by the column maximum.

    Parameters
    ----------
    z : ndarray, shape (n, m) or (n,), or (S, n, m) for a stack of networks
    """
    z = np.asarray(z, dtype=float)
    axis = unit_axis(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    """``dC/dz`` of a softmax layer: ``J^T grad_a`` with ``J = diag(a) - a a^T`` for each column."""
    return a * (grad_a - np.sum(a * grad_a, axis=unit_axis(a), keepdims=True))


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative.

    Attributes
    ----------
    name : str
        The name used in the book and accepted by :func:`get_activation`.
    f : callable
        ``a = f(z)``, same shape as ``z``.
    df : callable or None
        The elementwise derivative ``f'(z)``; ``None`` for softmax (its Jacobian is not diagonal).
    vjp : callable or None
        For an activation whose Jacobian is not diagonal: ``vjp(z, a, grad_a) -> dC/dz``. Exactly one
        of ``df`` and ``vjp`` must be given: backpropagation needs the derivative.
    kinks : tuple of float
        The inputs where ``f`` is not differentiable (``(0.0,)`` for the rectifier); there ``df``
        returns a convention and a finite difference sees the average of the two slopes.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array] | None
    vjp: Callable[[Array, Array, Array], Array] | None = None
    kinks: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if (self.df is None) == (self.vjp is None):
            raise ValueError(
                f"activation {self.name!r} needs exactly one derivative: df (elementwise f'(z)) or "
                "vjp (the vector-Jacobian product); backpropagation cannot run without it"
            )

    @property
    def elementwise(self) -> bool:
        """True when the Jacobian is diagonal, so ``backward`` is a Hadamard product."""
        return self.df is not None

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """Return ``dC/dz`` from ``dC/da`` (a vector-Jacobian product).

        Parameters
        ----------
        z, a, grad_a : ndarray, shape (n, m)
            The weighted input, the activation ``f(z)`` and ``dC/da``; one column per example.

        Returns
        -------
        ndarray, shape (n, m)
        """
        if self.df is not None:
            return self.df(z) * grad_a
        return self.vjp(z, a, grad_a)

    def __call__(self, z: Array) -> Array:
        return self.f(z)


ACTIVATIONS: dict[str, Activation] = {
    "logistic": Activation("logistic", logistic, logistic_prime),
    "tanh": Activation("tanh", np.tanh, tanh_prime),
    "relu": Activation("relu", relu, relu_prime, kinks=(0.0,)),
    "identity": Activation("identity", identity, identity_prime),
    "swish": Activation("swish", swish, swish_prime),
    "mish": Activation("mish", mish, mish_prime),
    "softmax": Activation("softmax", softmax, None, softmax_vjp),
}
ALIASES = {"sigmoid": "logistic", "linear": "identity", "silu": "swish"}


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name (``"sigmoid"`` and ``"linear"`` are accepted aliases).

    Raises
    ------
    TypeError
        If ``name`` is neither a string nor an :class:`Activation`.
    ValueError
        If the name is unknown; the message lists the valid names.
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise TypeError(
            f"activation must be a name (str) such as 'logistic', got {type(name).__name__}"
        )
    key = ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        valid = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; valid names are: {valid}")
    return ACTIVATIONS[key]
