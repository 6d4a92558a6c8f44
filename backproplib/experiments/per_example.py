"""The per-example loop of early textbooks: backpropagate one training example at a time.

The 1986 papers and Nielsen's first program state the algorithm for one example, a column vector,
and accumulate the gradients of a mini-batch in a Python loop. Here that loop calls the network's own
forward and backward pass once per example (a batch of one column), so the arithmetic is the matrix
form's, one column at a time; the tests check that the mean of the per-example gradients is the batch
gradient of :meth:`backproplib.network.Network.backward`. It exists to be measured against the matrix
form, which does the same arithmetic in a few large matrix products.
"""

from __future__ import annotations

import numpy as np

from ..network import Network

Array = np.ndarray


def backprop_one(net: Network, x: Array, y: Array) -> tuple[list[Array], list[Array]]:
    """Gradients of ``C_x`` for one example.

    Parameters
    ----------
    net : Network
        Any network (its own backward recursion is used).
    x : ndarray, shape (n_0,)
    y : ndarray, shape (n_L,), or an int class label for cross-entropy

    Returns
    -------
    dW, db : lists of ndarray
        Same shapes as ``net.W`` and ``net.b``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"backprop_one takes one example as a vector of shape ({net.sizes[0]},), "
                         f"got shape {x.shape}")
    y = np.asarray(y)
    y_col = y.reshape(1) if y.ndim == 0 else y[:, None]  # a label, or a target column
    grads = net.backward(net.forward(x[:, None]), y_col)
    return grads.dW, grads.db


def gradient_per_example(net: Network, X: Array, Y: Array) -> tuple[list[Array], list[Array]]:
    """The batch gradient as the mean of per-example gradients (a Python loop over the columns).

    Parameters
    ----------
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy
    """
    X = net.check_input(X)
    m = X.shape[1]
    Y = np.asarray(Y)
    net.loss_fn.targets(Y, net.sizes[-1], m)  # validate once, before the loop
    dW = [np.zeros_like(W) for W in net.W]
    db = [np.zeros_like(b) for b in net.b]
    for i in range(m):
        gW, gb = backprop_one(net, X[:, i], Y[i] if Y.ndim == 1 else Y[:, i])
        for l in range(net.L):
            dW[l] += gW[l]
            db[l] += gb[l]
    return [g / m for g in dW], [g / m for g in db]


def sgd_epoch_per_example(net: Network, X: Array, Y: Array, eta: float,
                          batch_size: int, order: Array) -> None:
    """One epoch of mini-batch SGD in which each mini-batch gradient is built example by example.

    Parameters
    ----------
    order : ndarray of int, shape (m,)
        The visiting order of the examples (pass the same permutation to compare with the matrix form).
    """
    m = X.shape[1]
    for start in range(0, m, batch_size):
        idx = order[start : start + batch_size]
        Yb = Y[idx] if np.ndim(Y) == 1 else Y[:, idx]
        dW, db = gradient_per_example(net, X[:, idx], Yb)
        for l in range(net.L):
            net.W[l] -= eta * dW[l]
            net.b[l] -= eta * db[l]
