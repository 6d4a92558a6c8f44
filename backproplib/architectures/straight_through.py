"""Discrete units: Rosenblatt's threshold, and the straight-through estimator that trains it.

A threshold unit outputs one of two levels, ``f(z) = 1`` if ``z > 0`` else ``0``. Its derivative is
zero wherever it exists, so the backward recursion ``delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l``
delivers ``delta = 0`` to every layer below it and none of their weights ever changes: the obstacle
chapter 16 describes. :data:`THRESHOLD` is that unit with its true derivative.

The straight-through estimator (Bengio, Leonard and Courville 2013, after a lecture by Hinton) keeps
the discrete forward pass and, in the backward pass, copies the gradient with respect to the unit's
output to its input as if the unit were the identity: ``dC/dz := dC/da``. It is not the derivative
of anything the forward pass computes, but a surrogate the recursion can carry.
:data:`STRAIGHT_THROUGH` is that unit. Both are ordinary :class:`backproplib.Activation` objects:

>>> import backproplib as bp
>>> net = bp.Network([4, 3, 2], activations=[STRAIGHT_THROUGH, "softmax"], loss="cross_entropy")
>>> net.activations[0].name
'straight_through'
"""

from __future__ import annotations

import numpy as np

from ..activations import Activation

Array = np.ndarray


def threshold(z: Array) -> Array:
    """The threshold unit: 1 where ``z > 0``, else 0 (floats, the shape of ``z``)."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def threshold_prime(z: Array) -> Array:
    """The threshold's true derivative: zero everywhere (at ``z = 0``, where it does not exist,
    the convention is 0 too)."""
    return np.zeros_like(np.asarray(z, dtype=float))


def straight_through_prime(z: Array) -> Array:
    """The straight-through surrogate of ``f'``: ones, so ``dC/dz = dC/da``."""
    return np.ones_like(np.asarray(z, dtype=float))


THRESHOLD = Activation("threshold", threshold, threshold_prime, kinks=(0.0,))
"""The threshold unit with its true derivative (zero): no error passes below it."""

STRAIGHT_THROUGH = Activation("straight_through", threshold, straight_through_prime, kinks=(0.0,))
"""The threshold unit in the forward pass, the identity in the backward pass."""
