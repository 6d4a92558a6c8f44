"""A residual network: layers that add their input to their output (chapter 18).

A residual layer ``l`` keeps the plain weighted input but adds an identity path around the
activation:

    z^l = W^l h^{l-1} + b^l,        h^l = h^{l-1} + s f(z^l),

where ``h^l`` is the layer's output (``h^0 = x``) and ``s`` a fixed branch scale (1 by default).
A plain layer has ``h^l = f(z^l)``. Differentiating ``h^l`` with respect to ``h^{l-1}`` gives the
identity plus the plain layer's Jacobian, so the error that reaches ``h^{l-1}`` is the plain term plus
the error of ``h^l`` itself, carried back unchanged:

    g^{l-1} = (W^l)^T delta^l + g^l         (residual layer l; g^l = dC_x/dh^l)
    delta^l = s f'(z^l) * g^l

Only the recursion differs from :class:`backproplib.Network`: ``output_delta``, ``param_grads``
(``dC/dW^l = delta^l (h^{l-1})^T``), training, gradient checks and the error sizes are the core's. A
residual layer needs as many units as its input (``n_l = n_{l-1}``) and an elementwise activation; the
output layer ``L`` is always plain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..activations import Activation
from ..init import check_sizes
from ..losses import Loss
from ..network import Cache, Network

Array = np.ndarray


class ResidualNetwork(Network):
    """A feedforward network whose hidden layers of unchanged width carry an identity path.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, n_1, ..., n_L]`` as for :class:`backproplib.Network`.
    residual : iterable of int, optional
        The residual layers (1-based, each with ``n_l = n_{l-1}`` and ``l < L``). By default every
        hidden layer whose width equals its input's.
    branch_scale : float
        ``s`` in ``h^l = h^{l-1} + s f(z^l)``.
    activations, loss, init, seed, scale
        As for :class:`backproplib.Network`.

    Attributes
    ----------
    residual : frozenset of int
        The residual layers.

    Examples
    --------
    >>> net = ResidualNetwork([2, 4, 4, 4, 1], activations="tanh", seed=0)
    >>> sorted(net.residual)
    [2, 3]
    """

    def __init__(
        self,
        sizes: Sequence[int],
        residual: Iterable[int] | None = None,
        branch_scale: float = 1.0,
        activations: str | Activation | Sequence[str | Activation] = "tanh",
        loss: str | Loss = "half_squared_error",
        init: str = "xavier",
        seed: int | None = 0,
        scale: float = 0.3,
    ) -> None:
        super().__init__(sizes, activations, loss, init, seed, scale)
        sizes = check_sizes(sizes)
        L = len(sizes) - 1
        if residual is None:
            residual = [l for l in range(1, L) if sizes[l] == sizes[l - 1]]
        self.residual = _check_residual(residual, sizes)
        for l in self.residual:
            if not self.activations[l - 1].elementwise:
                raise ValueError(f"residual layer {l} needs an elementwise activation, got "
                                 f"{self.activations[l - 1].name!r}")
        if isinstance(branch_scale, bool) or not isinstance(branch_scale, (int, float)) \
                or not np.isfinite(branch_scale):
            raise ValueError(f"branch_scale must be a finite number, got {branch_scale!r}")
        self.branch_scale = float(branch_scale)

    def __repr__(self) -> str:
        acts = ", ".join(f.name for f in self.activations)
        return (f"ResidualNetwork(sizes={self.sizes}, residual={sorted(self.residual)}, "
                f"activations=[{acts}], loss={self.loss_fn.name!r})")

    def forward(self, X: Array, keep_derivatives: bool = True) -> Cache:
        """The forward pass with ``h^l = h^{l-1} + s f(z^l)`` at residual layers.

        Returns
        -------
        Cache
            ``a[l]`` holds the layer's output ``h^l``; ``fprime[l-1]`` holds ``s f'(z^l)`` at a
            residual layer (the derivative of ``h^l`` along its branch), ``f'(z^l)`` elsewhere.
        """
        cache = Cache(a=[self.check_input(X)])
        self.check_params()
        for l, (W, b, f) in enumerate(zip(self.W, self.b, self.activations), start=1):
            Z = W @ cache.a[l - 1]
            Z += b[..., None]
            cache.z.append(Z)
            fprime = f.df(Z) if keep_derivatives and f.elementwise else None
            if l in self.residual:  # the identity path around the activation
                branch = f.f(Z)
                if self.branch_scale != 1.0:
                    branch *= self.branch_scale
                    if fprime is not None:
                        fprime *= self.branch_scale
                branch += cache.a[l - 1]
                cache.a.append(branch)
            else:
                cache.a.append(f.f(Z))
            cache.fprime.append(fprime)
        return cache

    def backpropagate(self, cache: Cache, delta_L: Array) -> list[Array]:
        """The error vectors: the plain recursion, plus ``g^l`` carried back by the identity path.

        Parameters
        ----------
        cache : Cache
            From :meth:`forward` (with derivatives).
        delta_L : ndarray, shape (n_L, m)

        Returns
        -------
        list of ndarray
            ``deltas[l-1] = delta^l``, shape ``(n_l, m)``.
        """
        self._check_cache(cache)
        if any(fp is None for fp in cache.fprime[:-1]):
            raise ValueError("backpropagate needs the cache of forward(X, keep_derivatives=True)")
        delta = self._check_delta(delta_L, cache)
        deltas = [delta] * self.L
        g_next = None  # g^l = dC_x/dh^l of the layer just processed
        for l in range(self.L, 1, -1):
            g = self.W[l - 1].mT @ delta  # the plain term (W^l)^T delta^l
            if l in self.residual:  # the identity path: g^l, unchanged
                g += g_next
            if l - 1 in self.residual:  # keep g^{l-1}: the next step adds it
                delta = cache.fprime[l - 2] * g
            else:
                delta = self._times_fprime(l - 1, cache, g)
            g_next = g
            deltas[l - 2] = delta
        return deltas


def _check_residual(residual: Iterable[int], sizes: list[int]) -> frozenset[int]:
    try:
        layers = list(residual)
    except TypeError as err:
        raise TypeError(f"residual must be an iterable of layer numbers, got {residual!r}") from err
    L = len(sizes) - 1
    for l in layers:
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)):
            raise TypeError(f"residual layers are ints (1-based), got {l!r}")
        if not 1 <= l < L:
            raise ValueError(f"residual layer {l} is out of range: hidden layers are 1..{L - 1} "
                             "(the output layer is always plain)")
        if sizes[l] != sizes[l - 1]:
            raise ValueError(f"residual layer {l} maps {sizes[l - 1]} units to {sizes[l]}: the "
                             "identity path needs n_l = n_{l-1}")
    return frozenset(int(l) for l in layers)
