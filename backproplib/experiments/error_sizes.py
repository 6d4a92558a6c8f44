"""How big the backpropagated error is, layer by layer: a teaching aid for vanishing gradients.

The backward pass multiplies ``delta^l`` by ``(W^l)^T`` and by ``f'(z^{l-1})`` at every layer. When the
derivatives are small (a saturated logistic unit has ``f' <= 1/4``) the error shrinks geometrically on
its way to the first layers. These functions measure that with the network's own backward recursion.
"""

from __future__ import annotations

import numpy as np

from ..network import Gradients, Network

Array = np.ndarray


def delta_norms(net: Network, X: Array, Y: Array) -> Array:
    """The mean over the batch of the Euclidean norm of ``delta^l``, for every layer.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
        Inputs, one example per column.
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy

    Returns
    -------
    ndarray, shape (L,)
        Entry ``l - 1`` is ``mean_x ||delta^l_x||`` (layer 1 first).
    """
    grads = _backward(net, X, Y)
    return np.array([np.linalg.norm(d, axis=0).mean() for d in grads.delta])


def weight_gradient_norms(net: Network, X: Array, Y: Array) -> Array:
    """The Frobenius norm of the batch gradient ``dC/dW^l`` for every layer.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy

    Returns
    -------
    ndarray, shape (L,)
        Entry ``l - 1`` is ``||dC/dW^l||_F`` (layer 1 first).
    """
    grads = _backward(net, X, Y)
    return np.array([np.linalg.norm(g) for g in grads.dW])


def _backward(net: Network, X: Array, Y: Array) -> Gradients:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if net.stacked:
        raise ValueError("error sizes are measured on a single network, not a stack")
    return net.backward(net.forward(X), Y)
