"""Train many copies of one small network at once, one per seed, to measure how often training fails.

Questions such as "how many of 100 random starts get stuck on XOR?" need 100 independent runs of
full-batch gradient descent. Run one after the other, the Python overhead of thousands of tiny matrix
products dominates; here the ``S`` networks are stacked along a leading axis (``W^l`` becomes an array
of shape ``(S, n_l, n_{l-1})``, :meth:`backproplib.network.Network.stack`) and every epoch is a handful
of batched products, through the core's own forward pass, backward recursion and optimiser. The
arithmetic is that of :func:`backproplib.training.train` with :class:`backproplib.optim.SGD` (or
:class:`backproplib.optim.Momentum`) applied to each network separately, which the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..network import Network
from ..optim import SGD, Momentum

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


def train_many(nets: Sequence[Network], X: Array, Y: Array, epochs: int,
               eta: float = 0.5, alpha: float = 0.0) -> ManyHistory:
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
    nets = _check_nets(nets, epochs, eta, alpha)
    first = nets[0]
    X = first.check_input(X)
    # one network of S: W^l has shape (S, n_l, n_{l-1})
    stack = first.stack(np.stack([n.get_params() for n in nets]))
    Yf = stack.loss_fn.targets(Y, first.sizes[-1], X.shape[1])
    optimizer = Momentum(eta, alpha) if alpha > 0 else SGD(eta)
    params = [p for pair in zip(stack.W, stack.b) for p in pair]
    loss = np.empty((len(nets), epochs + 1))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(epochs + 1):
            cache = stack.forward(X)
            C_x = stack.loss_fn.per_example(cache.z[-1], cache.a[-1], Yf)
            loss[:, t] = C_x.mean(axis=-1)
            if t == epochs:
                break
            grads = stack.backward(cache, Yf)  # the core's one recursion
            pairs = zip(grads.dW, grads.db)
            optimizer.step(params, [g for pair in pairs for g in pair])
    for s, n in enumerate(nets):
        for l in range(first.L):
            n.W[l][...] = stack.W[l][s]
            n.b[l][...] = stack.b[l][s]
    return ManyHistory(loss=loss)


def _check_nets(nets: Sequence[Network], epochs: int, eta: float, alpha: float) -> list[Network]:
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
    return nets
