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


def signal_variances(net: Network, X: Array, Y: Array) -> tuple[Array, Array]:
    """How the spread of the signals changes with depth: the variance of ``z^l`` (forward) and of
    ``delta^l`` (backward) over all units and examples of each layer.

    The variance-preserving initialisations keep one of them (Glorot and Bengio: a compromise of
    both; He et al.: the forward one for ReLU) constant from layer to layer.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy

    Returns
    -------
    var_z, var_delta : ndarray, shape (L,)
        Entry ``l - 1`` is the variance of the entries of ``z^l`` and of ``delta^l``.
    """
    cache = _check_net(net).forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    return np.array([z.var() for z in cache.z]), np.array([d.var() for d in deltas])


def gradient_ratio(net: Network, X: Array, Y: Array) -> float:
    """``mean_x ||delta^1_x|| / mean_x ||delta^L_x||``: how much of the output layer's error
    reaches the first layer (1 means all of it, 1e-6 a millionth).

    Raises
    ------
    ValueError
        If the output error is zero (the targets are met exactly: there is nothing to compare).
    """
    d = delta_norms(net, X, Y)
    if not d[-1] > 0:
        raise ValueError("the output layer's error is zero on this batch: choose targets the "
                         "network does not already fit")
    return float(d[0] / d[-1])


def _check_net(net: Network) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if net.stacked:
        raise ValueError("error sizes are measured on a single network, not a stack")
    return net


def _backward(net: Network, X: Array, Y: Array) -> Gradients:
    return _check_net(net).backward(net.forward(X), Y)
