"""The per-example loop of early textbooks: backpropagate one training example at a time.

This is the algorithm exactly as the 1986 papers and Nielsen's first program state it, with column
*vectors* and a Python loop over the examples of a batch. It computes the same gradient as
:meth:`backproplib.network.Network.backward` (the tests check that) and exists to be measured against it: the
matrix form does the same arithmetic in a few large matrix products.
"""

from __future__ import annotations

import numpy as np

from .network import Network

Array = np.ndarray


def backprop_one(net: Network, x: Array, y: Array) -> tuple[list[Array], list[Array]]:
    """Gradients of ``C_x`` for one example.

    Parameters
    ----------
    net : Network
        Any network whose loss is elementwise-fused or whose activations are elementwise.
    x : ndarray, shape (n_0,)
    y : ndarray, shape (n_L,)

    Returns
    -------
    dW, db : lists of ndarray
        Same shapes as ``net.W`` and ``net.b``.
    """
    a = [x]
    zs = []
    for W, b, f in zip(net.W, net.b, net.activations):
        zs.append(W @ a[-1] + b)
        a.append(f.f(zs[-1]))
    yc, zc, ac = y[:, None], zs[-1][:, None], a[-1][:, None]
    if net.loss_fn.requires is not None:
        delta = net.loss_fn.delta(zc, ac, yc, net.activations[-1])[:, 0]
    else:
        delta = net.activations[-1].backward(zc, ac, net.loss_fn.grad_a(ac, yc))[:, 0]
    dW = [np.empty(0)] * net.L
    db = [np.empty(0)] * net.L
    for l in range(net.L - 1, -1, -1):
        dW[l] = np.outer(delta, a[l])
        db[l] = delta
        if l > 0:
            delta = net.activations[l - 1].df(zs[l - 1]) * (net.W[l].T @ delta)
    return dW, db


def gradient_per_example(net: Network, X: Array, Y: Array) -> tuple[list[Array], list[Array]]:
    """The batch gradient as the mean of per-example gradients (a Python loop over the columns).

    Parameters
    ----------
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy
    """
    X = net._check_input(X)
    m = X.shape[1]
    Yf = net.loss_fn.targets(Y, net.sizes[-1], m)
    dW = [np.zeros_like(W) for W in net.W]
    db = [np.zeros_like(b) for b in net.b]
    for i in range(m):
        gW, gb = backprop_one(net, X[:, i], Yf[:, i])
        for l in range(net.L):
            dW[l] += gW[l]
            db[l] += gb[l]
    return [g / m for g in dW], [g / m for g in db]


def sgd_epoch_per_example(net: Network, X: Array, Y: Array, eta: float, batch_size: int,
                          order: Array) -> None:
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
