"""A layered network whose layers may also read the activations of *earlier* layers directly.

The 1986 XOR network of Rumelhart, Hinton and Williams has one hidden unit and direct connections from
the two inputs to the output: the output unit sees ``a^0`` (the inputs) as well as ``a^1`` (the hidden
unit). In general layer ``l`` reads a set of *source* layers ``S(l)``, always containing ``l - 1``:

    z^l = sum_{s in S(l)} W^{l,s} a^s + b^l,        a^l = f^l(z^l).

We store the blocks ``W^{l,s}`` side by side as one matrix ``W^l`` of shape ``(n_l, sum_s n_s)``, whose
columns are the source layers in increasing order, so ``z^l = W^l [a^s; a^s'; ...] + b^l``: the plain
forward pass applied to a stacked input. Backpropagation then has one new feature: layer ``s`` can
feed several later layers, so its error collects a contribution from each of them,

    delta^s = f'(z^s) * sum_{l : s in S(l)} (W^{l,s})^T delta^l,

the multivariate chain rule summing over every path. With no direct connections this is exactly
:class:`backproplib.Network`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..activations import Activation
from ..init import check_sizes, init_params
from ..losses import Loss
from ..network import Cache, Network

Array = np.ndarray


class SkipNetwork(Network):
    """A feedforward network with optional direct connections that skip layers.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, n_1, ..., n_L]`` as for :class:`backproplib.Network`.
    skips : iterable of (int, int)
        Direct connections ``(s, l)``: the activations ``a^s`` feed the weighted input ``z^l``, with
        ``0 <= s < l - 1`` and ``1 <= l <= L`` (layer ``l - 1`` always feeds layer ``l``).
    activations, loss, init, seed, scale
        As for :class:`backproplib.Network`; the initial weights of layer ``l`` are drawn as for a layer
        whose fan-in is the total width of its sources.

    Attributes
    ----------
    W : list of ndarray
        ``W[l-1]`` is ``W^l``, shape ``(n_l, sum of n_s over s in S(l))``.

    Only what differs from :class:`backproplib.Network` is written here: the sources of each layer,
    the stacked layer input, and the error recursion that sums over every layer a unit feeds.

    Examples
    --------
    >>> net = SkipNetwork([2, 1, 1], skips=[(0, 2)], seed=0)
    >>> [W.shape for W in net.W], net.sources
    ([(1, 2), (1, 3)], [[0], [0, 1]])
    """

    def __init__(
        self,
        sizes: Sequence[int],
        skips: Iterable[tuple[int, int]] = (),
        activations: str | Activation | Sequence[str | Activation] = "logistic",
        loss: str | Loss = "half_squared_error",
        init: str = "xavier",
        seed: int | None = 0,
        scale: float = 0.3,
    ) -> None:
        L = len(check_sizes(sizes)) - 1
        self.skips = _check_skips(skips, L)
        self._sources = [sorted({l - 1} | {s for s, d in self.skips if d == l}) for l in range(1, L + 1)]
        super().__init__(sizes, activations, loss, init, seed, scale)

    def _init_params(self, init: str, rng: np.random.Generator,
                     scale: float) -> tuple[list[Array], list[Array]]:
        W, b = [], []
        for l in range(1, len(self.sizes)):
            (Wl,), (bl,) = init_params([self.fan_in(l), self.sizes[l]], init, rng, scale)
            W.append(Wl)
            b.append(bl)
        return W, b

    @property
    def sources(self) -> list[list[int]]:
        """``sources[l-1]`` is ``S(l)``: the layers that feed layer ``l``, in increasing order (the
        column order of ``W^l``)."""
        return self._sources

    def __repr__(self) -> str:
        acts = ", ".join(f.name for f in self.activations)
        return (f"SkipNetwork(sizes={self.sizes}, skips={sorted(self.skips)}, activations=[{acts}], "
                f"loss={self.loss_fn.name!r})")

    def block(self, l: int, s: int) -> Array:
        """The weights ``W^{l,s}`` from layer ``s`` to layer ``l`` (a view into ``W[l-1]``).

        Parameters
        ----------
        l : int
            The receiving layer, ``1..L``.
        s : int
            A source of layer ``l``.

        Returns
        -------
        ndarray, shape (n_l, n_s)
        """
        if not (isinstance(l, (int, np.integer)) and 1 <= l <= self.L):
            raise ValueError(f"layer l must be an int in 1..{self.L}, got {l!r}")
        if s not in self.sources[l - 1]:
            raise ValueError(f"layer {s} does not feed layer {l}; its sources are {self.sources[l - 1]}")
        start = sum(self.sizes[t] for t in self.sources[l - 1] if t < s)
        return self.W[l - 1][..., :, start : start + self.sizes[s]]

    def layer_input(self, a: Sequence[Array], l: int) -> Array:
        """The input of layer ``l`` (1-based): its sources' activations stacked, ``(fan_in, m)``."""
        src = self.sources[l - 1]
        if len(src) == 1:
            return a[src[0]]
        parts = [a[s] for s in src]
        lead = np.broadcast_shapes(*(p.shape[:-2] for p in parts))  # () unless a stack of networks
        return np.concatenate([np.broadcast_to(p, (*lead, *p.shape[-2:])) for p in parts], axis=-2)

    def backpropagate(self, cache: Cache, delta_L: Array) -> list[Array]:
        """The error vectors when a layer may feed several later layers:

            delta^s = f'(z^s) * sum_{l : s in S(l)} (W^{l,s})^T delta^l,

        the chain rule summing over every path out of layer ``s``.

        Parameters
        ----------
        cache : Cache
        delta_L : ndarray, shape (n_L, m)

        Returns
        -------
        list of ndarray
            ``deltas[l-1] = delta^l``.
        """
        self._check_cache(cache)
        delta = self._check_delta(delta_L, cache)
        L = self.L
        # dC/da^s, summed over the layers that s feeds
        grad_a: list[Array | None] = [None] * (L + 1)
        deltas = [delta] * L
        for l in range(L, 0, -1):  # 1-based layer of the book
            if l < L:
                delta = self._times_fprime(l, cache, grad_a[l])
            deltas[l - 1] = delta
            for s in self.sources[l - 1]:
                if s > 0:  # one term of sum_l (W^{l,s})^T delta^l
                    term = self.block(l, s).mT @ delta
                    grad_a[s] = term if grad_a[s] is None else grad_a[s] + term
        return deltas


def _check_skips(skips: Iterable[tuple[int, int]], L: int) -> set[tuple[int, int]]:
    try:
        pairs = [tuple(p) for p in skips]
    except TypeError as err:
        raise TypeError(f"skips must be an iterable of (source, layer) pairs such as [(0, 2)], "
                        f"got {skips!r}") from err
    out = set()
    for p in pairs:
        if len(p) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in p):
            raise TypeError(f"each skip must be a pair of ints (source, layer), got {p!r}")
        s, l = int(p[0]), int(p[1])
        if not (1 <= l <= L and 0 <= s < l - 1):
            raise ValueError(
                f"skip ({s}, {l}) is invalid: need 1 <= layer <= L={L} and 0 <= source < layer - 1 "
                "(the previous layer is always connected)"
            )
        out.add((s, l))
    return out
