"""Feedback alignment: the backward pass through fixed random matrices instead of the transposed
forward weights (Lillicrap, Cownden, Tweed and Akerman 2016).

Backpropagation sends the error of layer ``l`` back through the transpose of the very weights the
forward pass used, ``delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l``: the backward pathway must know
the forward synapses (the *weight transport* problem). Feedback alignment replaces ``(W^l)^T`` by a
matrix ``B^l`` of the same shape, drawn at random once and never learned:

    delta^{l-1} = f'(z^{l-1}) * B^l delta^l.

Everything else is backpropagation's: the output error ``delta^L``, the weight updates
``delta^l (a^{l-1})^T`` built from the (now approximate) error vectors. With ``B^l = (W^l)^T`` it *is*
backpropagation, which the tests check. :func:`update_angles` measures how far each layer's update
is from the true gradient, and :func:`feedback_angles` how far ``W^l`` has turned towards
``(B^l)^T``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..activations import Activation
from ..init import init_params
from ..losses import Loss
from ..network import Cache, Network

Array = np.ndarray


class FeedbackAlignmentNetwork(Network):
    """A layered network trained by feedback alignment.

    Parameters
    ----------
    sizes, activations, loss, init, seed, scale
        As for :class:`backproplib.Network`.
    feedback_seed : int
        Seed of the fixed backward matrices, drawn independently of the forward weights.

    Attributes
    ----------
    B : list of ndarray
        ``B[l-2]`` is ``B^l`` for ``l = 2..L``, shape ``(n_{l-1}, n_l)`` (that of ``(W^l)^T``),
        drawn like ``W^l`` by the same ``init`` scheme and then fixed. Layer 1 needs none: the
        recursion stops at ``delta^1``.

    Only :meth:`backpropagate` differs from :class:`backproplib.Network`, so ``forward``,
    ``param_grads``, ``backward`` and :func:`backproplib.training.train` work unchanged and train by
    feedback alignment.

    Examples
    --------
    >>> net = FeedbackAlignmentNetwork([4, 3, 2], seed=0, feedback_seed=1)
    >>> [B.shape for B in net.B]
    [(3, 2)]
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: str | Activation | Sequence[str | Activation] = "logistic",
        loss: str | Loss = "half_squared_error",
        init: str = "xavier",
        seed: int | None = 0,
        scale: float = 0.3,
        feedback_seed: int = 1,
    ) -> None:
        super().__init__(sizes, activations, loss, init, seed, scale)
        rng = np.random.default_rng(feedback_seed)
        W, _ = init_params(self.sizes, init, rng, scale)
        self.B = [w.T.copy() for w in W[1:]]

    def __repr__(self) -> str:
        return "FeedbackAlignment" + super().__repr__()

    def backpropagate(self, cache: Cache, delta_L: Array) -> list[Array]:
        """The error vectors through the fixed feedback matrices:
        ``delta^{l-1} = f'(z^{l-1}) * B^l delta^l``.

        Parameters
        ----------
        cache : Cache
        delta_L : ndarray, shape (n_L, m)

        Returns
        -------
        list of ndarray
            ``deltas[l-1]``: feedback alignment's ``delta^l``, shape ``(n_l, m)``
            (``delta^L`` is exact; the others are not the gradient's).
        """
        self._check_cache(cache)
        delta = self._check_delta(delta_L, cache)
        self._check_feedback()
        deltas = [delta] * self.L
        for l in range(self.L, 1, -1):
            # B^l in place of (W^l)^T
            delta = self._times_fprime(l - 1, cache, self.B[l - 2] @ delta)
            deltas[l - 2] = delta
        return deltas

    def _check_feedback(self) -> None:
        if not isinstance(self.B, list) or len(self.B) != self.L - 1:
            raise ValueError(f"net.B must be a list of {self.L - 1} matrices B^2..B^{self.L}, got "
                             f"{type(self.B).__name__} of length {len(self.B)}")
        for l in range(2, self.L + 1):
            B, want = self.B[l - 2], (self.sizes[l - 1], self.sizes[l])
            if not isinstance(B, np.ndarray) or B.shape != want:
                got = B.shape if isinstance(B, np.ndarray) else type(B).__name__
                raise ValueError(f"B^{l} (net.B[{l - 2}]) has shape {got}, expected {want}, the "
                                 f"shape of (W^{l})^T")
            if not np.all(np.isfinite(B)):
                raise ValueError(f"B^{l} (net.B[{l - 2}]) contains NaN or inf")


def angle(u: Array, v: Array) -> float:
    """The angle between two arrays seen as vectors, in degrees (0: same direction, 90:
    orthogonal, 180: opposite).

    Raises
    ------
    ValueError
        If the shapes differ or either array is zero (the angle is undefined).
    """
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    if u.shape != v.shape:
        raise ValueError(f"the two arrays must have the same shape, got {u.shape} and {v.shape}")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if not (nu > 0 and nv > 0):
        raise ValueError("the angle with a zero vector is undefined (a gradient that vanishes "
                         "everywhere?)")
    a, b = u / nu, v / nv  # 2 atan2(|a - b|, |a + b|): accurate near 0 and 180, unlike arccos
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(a - b), np.linalg.norm(a + b))))


def update_angles(net: FeedbackAlignmentNetwork, X: Array, Y: Array) -> list[float]:
    """The angle between feedback alignment's update of ``W^l`` and the true gradient, for each
    hidden layer ``l = 1..L-1``, at the current weights on the batch ``(X, Y)``.

    The true gradient comes from :meth:`backproplib.network.Network.backpropagate`, the core's recursion,
    on the same forward cache. (Layer ``L``'s update is exact, its angle 0.)

    Returns
    -------
    list of float
        Degrees; below 90 means the update is a descent direction for that layer's weights.
    """
    if not isinstance(net, FeedbackAlignmentNetwork):
        raise TypeError(f"net must be a FeedbackAlignmentNetwork, got {type(net).__name__}")
    cache = net.forward(X)
    delta_L = net.output_delta(cache, Y)
    fa = net.param_grads(cache, net.backpropagate(cache, delta_L))
    bp = net.param_grads(cache, Network.backpropagate(net, cache, delta_L))
    return [angle(fa.dW[l], bp.dW[l]) for l in range(net.L - 1)]


def feedback_angles(net: FeedbackAlignmentNetwork) -> list[float]:
    """The angle between ``W^l`` and ``(B^l)^T`` for ``l = 2..L``, in degrees: how far the forward
    weights have turned towards the fixed feedback (about 90 for independent random matrices)."""
    if not isinstance(net, FeedbackAlignmentNetwork):
        raise TypeError(f"net must be a FeedbackAlignmentNetwork, got {type(net).__name__}")
    net._check_feedback()
    return [angle(net.W[l - 1], net.B[l - 2].T) for l in range(2, net.L + 1)]
