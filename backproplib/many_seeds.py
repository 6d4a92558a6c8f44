"""Train many copies of one small network at once, one per seed, to measure how often training fails.

Questions such as "how many of 100 random starts get stuck on XOR?" need 100 independent runs of
full-batch gradient descent. Run one after the other, the Python overhead of thousands of tiny matrix
products dominates; here the ``S`` networks are stacked along a leading axis (``W^l`` becomes an array
of shape ``(S, n_l, n_{l-1})``) and every epoch is a handful of batched products. The arithmetic is
exactly that of :func:`backproplib.training.train` with :class:`backproplib.optim.SGD` (or
:class:`backproplib.optim.Momentum`) applied to each network separately, which the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .network import Network

Array = np.ndarray


@dataclass
class ManyHistory:
    """Loss curves of :func:`train_many`.

    Attributes
    ----------
    loss : ndarray, shape (S, epochs + 1)
        ``loss[s, t]`` is the batch loss of network ``s`` after ``t`` epochs (``t = 0``: before).
    """

    loss: Array

    def epochs_to(self, target: float) -> Array:
        """For each network the first epoch at which the loss is ``<= target`` (``-1`` if never).

        Returns
        -------
        ndarray of int, shape (S,)
        """
        hit = self.loss <= target
        return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def train_many(nets: Sequence[Network], X: Array, Y: Array, epochs: int, eta: float = 0.5,
               alpha: float = 0.0) -> ManyHistory:
    """Full-batch gradient descent (with optional momentum) on several networks at once, in place.

    Parameters
    ----------
    nets : sequence of Network
        Networks with the same sizes and activations (elementwise) and the loss
        ``"half_squared_error"``, typically ``Network(sizes, seed=s)`` for ``s`` in ``range(S)``.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m)
    epochs : int
    eta : float
        Learning rate.
    alpha : float
        Momentum in ``[0, 1)`` (the 1986 rule ``Delta w(t) = -eta g(t) + alpha Delta w(t-1)``).

    Returns
    -------
    ManyHistory
        The trained parameters are written back into ``nets``.
    """
    nets = list(nets)
    if not nets or not all(isinstance(n, Network) for n in nets):
        raise TypeError("nets must be a non-empty sequence of backproplib Networks")
    first = nets[0]
    for i, n in enumerate(nets):
        names = [f.name for f in n.activations]
        if n.sizes != first.sizes or names != [f.name for f in first.activations]:
            raise ValueError(f"network {i} has sizes {n.sizes} and activations {names}, expected "
                             f"sizes {first.sizes} and the activations of network 0")
    if first.loss_fn.name != "half_squared_error" or not all(f.elementwise for f in first.activations):
        raise ValueError("train_many needs elementwise activations and the loss 'half_squared_error'")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    if not (np.isfinite(eta) and eta >= 0) or not 0 <= alpha < 1:
        raise ValueError(f"need eta >= 0 and alpha in [0, 1), got eta={eta!r}, alpha={alpha!r}")
    X = first._check_input(X)
    m = X.shape[1]
    Yf = first.loss_fn.targets(Y, first.sizes[-1], m)
    W = [np.stack([n.W[l] for n in nets]) for l in range(first.L)]  # (S, n_l, n_{l-1})
    b = [np.stack([n.b[l] for n in nets])[:, :, None] for l in range(first.L)]  # (S, n_l, 1)
    vW = [np.zeros_like(w) for w in W]
    vb = [np.zeros_like(c) for c in b]
    acts = first.activations
    loss = np.empty((len(nets), epochs + 1))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(epochs + 1):
            A = [np.broadcast_to(X, (len(nets),) + X.shape)]
            Z = []
            for l, f in enumerate(acts):  # z^l = W^l a^{l-1} + b^l, a^l = f(z^l)
                Z.append(W[l] @ A[-1] + b[l])
                A.append(f.f(Z[-1]))
            loss[:, t] = 0.5 * np.sum((A[-1] - Yf) ** 2, axis=(1, 2)) / m
            if t == epochs:
                break
            delta = acts[-1].df(Z[-1]) * (A[-1] - Yf)  # delta^L
            for l in range(first.L - 1, -1, -1):
                gW = delta @ A[l].transpose(0, 2, 1) / m
                gb = delta.sum(axis=2, keepdims=True) / m
                if l > 0:  # delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l, with the old W^l
                    delta = acts[l - 1].df(Z[l - 1]) * (W[l].transpose(0, 2, 1) @ delta)
                vW[l] = alpha * vW[l] - eta * gW
                vb[l] = alpha * vb[l] - eta * gb
                W[l] = W[l] + vW[l]
                b[l] = b[l] + vb[l]
    for s, n in enumerate(nets):
        for l in range(first.L):
            n.W[l][...] = W[l][s]
            n.b[l][...] = b[l][s, :, 0]
    return ManyHistory(loss=loss)
