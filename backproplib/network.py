r"""A feedforward network in matrix form: the forward pass with a cache, and the one backward recursion.

Notation (the book's): layer :math:`l` has :math:`n_l` units, weights :math:`W^l` of shape
:math:`(n_l, n_{l-1})` and biases :math:`b^l` of shape :math:`(n_l,)`. For a batch of :math:`m`
examples stored **as columns**,

.. math::

    z^l = W^l a^{l-1} + b^l, \qquad a^l = f^l(z^l), \qquad a^0 = x.

Backpropagation computes the error vectors :math:`\delta^l = \partial C_x / \partial z^l` from the
last layer back (:meth:`Network.output_delta`, :meth:`Network.backpropagate`,
:meth:`Network.param_grads`):

.. math::

    \delta^L &= f'(z^L) \odot \frac{\partial C}{\partial a^L}, \\
    \delta^{l-1} &= f'(z^{l-1}) \odot (W^l)^T \delta^l, \\
    \frac{\partial C}{\partial W^l} &= \delta^l (a^{l-1})^T, \qquad
        \frac{\partial C}{\partial b^l} = \delta^l,

averaged over the batch (one matrix product per layer, no loop over examples). The recursion is
written once, in :meth:`Network.backpropagate`: every other part of the library that needs the
error vectors (Jacobians, Gauss–Newton, Fisher, Levenberg–Marquardt, per-example gradients, the sizes
of the error signal, many seeds at once) calls it, seeded with whatever :math:`\delta^L` it needs.

The code uses ``W.mT`` (the transpose of the last two axes: ``W.T`` for a matrix) and ``b[..., None]``,
so that the same lines also run a *stack* of networks of one architecture at once, with parameters
of shape :math:`(S, n_l, n_{l-1})` (:meth:`Network.stack`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, get_activation
from .init import check_sizes, init_params
from .losses import Loss, get_loss

Array = np.ndarray


@dataclass
class Cache:
    """What the forward pass keeps for the backward pass.

    Attributes
    ----------
    z : list of ndarray
        ``z[l-1]`` is ``z^l``, shape ``(n_l, m)``.
    a : list of ndarray
        ``a[l]`` is ``a^l``, shape ``(n_l, m)``; ``a[0]`` is the input ``X``.
    fprime : list of ndarray or None
        ``fprime[l-1]`` is ``f'(z^l)`` for elementwise activations (``None`` for softmax, whose
        Jacobian is not diagonal, or when derivatives were not requested).
    """

    z: list[Array] = field(default_factory=list)
    a: list[Array] = field(default_factory=list)
    fprime: list[Array | None] = field(default_factory=list)


@dataclass
class Gradients:
    """Gradients of the batch loss, with exactly the shapes of the parameters.

    Attributes
    ----------
    dW : list of ndarray
        ``dW[l-1] = dC/dW^l``, shape ``(n_l, n_{l-1})``.
    db : list of ndarray
        ``db[l-1] = dC/db^l``, shape ``(n_l,)``.
    delta : list of ndarray
        ``delta[l-1] = delta^l``, shape ``(n_l, m)``: one error vector per example.
    """

    dW: list[Array]
    db: list[Array]
    delta: list[Array]

    def flat(self) -> Array:
        """All gradients as one vector, in the order of :meth:`Network.get_params`."""
        return np.concatenate([g.ravel() for pair in zip(self.dW, self.db) for g in pair])


class Network:
    """A fully connected feedforward network.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``: the input width, then the width of every layer.
    activations : str, Activation, or a sequence of them
        One activation for every layer, or one per layer ``1..L`` (names: :data:`backproplib.ACTIVATIONS`).
    loss : str or Loss
        ``"half_squared_error"``, ``"cross_entropy"`` (needs a softmax output) or
        ``"binary_cross_entropy"`` (needs a logistic output).
    init : str
        Initialisation scheme, see :func:`backproplib.init.init_params`.
    seed : int or None
        Seed of the generator that draws the initial weights.
    scale : float
        Half-width of the ``"uniform"`` scheme.

    Examples
    --------
    >>> net = Network([2, 3, 1], activations="tanh", seed=0)
    >>> [W.shape for W in net.W]
    [(3, 2), (1, 3)]
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: str | Activation | Sequence[str | Activation] = "logistic",
        loss: str | Loss = "half_squared_error",
        init: str = "xavier",
        seed: int | None = 0,
        scale: float = 0.3,
    ) -> None:
        self.sizes = check_sizes(sizes)
        L = len(self.sizes) - 1
        if isinstance(activations, (str, Activation)):
            activations = [activations] * L
        elif callable(activations):
            raise TypeError(_callable_activation(activations))
        try:
            activations = list(activations)
        except TypeError as err:
            raise TypeError(f"activations must be a name such as 'tanh', an Activation, or one per "
                            f"layer, got {type(activations).__name__}") from err
        if len(activations) != L:
            raise ValueError(
                f"got {len(activations)} activations for {L} layers (sizes {self.sizes}): "
                "give one name for all layers or one per layer"
            )
        for f in activations:
            if callable(f) and not isinstance(f, (str, Activation)):
                raise TypeError(_callable_activation(f))
        self.activations = [get_activation(f) for f in activations]
        self.loss_fn = get_loss(loss)
        self.loss_fn.check_activation(self.activations[-1])
        self.stacked = False
        self.W, self.b = self._init_params(init, np.random.default_rng(seed), scale)

    def _init_params(self, init: str, rng: np.random.Generator,
                     scale: float) -> tuple[list[Array], list[Array]]:
        return init_params(self.sizes, init, rng, scale)

    # ------------------------------------------------------------------ structure
    @property
    def L(self) -> int:
        """The number of layers with weights."""
        return len(self.W)

    @property
    def sources(self) -> list[list[int]]:
        """``sources[l-1]``: the layers whose activations layer ``l`` reads (``[l - 1]`` here)."""
        return [[l - 1] for l in range(1, self.L + 1)]

    def fan_in(self, l: int) -> int:
        """The width of the input of layer ``l`` (1-based): the columns of ``W^l``."""
        return sum(self.sizes[s] for s in self.sources[l - 1])

    @property
    def n_params(self) -> int:
        """The number of weights and biases (of one network, for a stack)."""
        return sum(W.shape[-2] * W.shape[-1] + b.shape[-1] for W, b in zip(self.W, self.b))

    def __repr__(self) -> str:
        acts = ", ".join(f.name for f in self.activations)
        return f"Network(sizes={self.sizes}, activations=[{acts}], loss={self.loss_fn.name!r})"

    def get_params(self) -> Array:
        """All parameters as one float64 vector: ``W^1, b^1, W^2, b^2, ...`` (row-major)."""
        return np.concatenate([p.ravel() for pair in zip(self.W, self.b) for p in pair])

    def set_params(self, theta: Array) -> None:
        """Set all parameters from a vector laid out as :meth:`get_params` returns it.

        Raises
        ------
        ValueError
            If the vector has the wrong length or contains NaN or inf.
        """
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,):
            raise ValueError(f"parameter vector has shape {theta.shape}, expected ({self.n_params},)")
        if not np.all(np.isfinite(theta)):
            i = int(np.flatnonzero(~np.isfinite(theta))[0])
            raise ValueError(f"parameter vector contains {theta[i]} at index {i}: parameters must be "
                             "finite")
        i = 0
        for l in range(self.L):
            for p in (self.W[l], self.b[l]):
                p[...] = theta[i : i + p.size].reshape(p.shape)
                i += p.size

    def stack(self, thetas: Array) -> Network:
        """``S`` networks of this architecture at once: a copy whose ``W^l`` has shape
        ``(S, n_l, n_{l-1})`` and ``b^l`` shape ``(S, n_l)``, one row of ``thetas`` each.

        Its :meth:`forward`, :meth:`output_delta`, :meth:`backpropagate` and :meth:`param_grads` run
        all ``S`` networks in a handful of batched matrix products.

        Parameters
        ----------
        thetas : ndarray, shape (S, n_params)
            Parameter vectors laid out as :meth:`get_params`.

        Returns
        -------
        Network
        """
        thetas = np.asarray(thetas, dtype=float)
        if self.stacked or thetas.ndim != 2 or thetas.shape[1] != self.n_params:
            raise ValueError(f"stack needs parameter vectors of shape (S, {self.n_params}) for a single "
                             f"network, got shape {thetas.shape}")
        out = copy.copy(self)
        out.stacked = True
        out.W, out.b, i = [], [], 0
        for W, b in zip(self.W, self.b):
            out.W.append(thetas[:, i : i + W.size].reshape(-1, *W.shape))
            i += W.size
            out.b.append(thetas[:, i : i + b.size].copy())
            i += b.size
        return out

    # ------------------------------------------------------------------ forward
    def layer_input(self, a: Sequence[Array], l: int) -> Array:
        """The input of layer ``l`` (1-based) from the activations ``a``: here ``a^{l-1}``."""
        return a[l - 1]

    def forward(self, X: Array, keep_derivatives: bool = True) -> Cache:
        """Run the network on a batch and cache what the backward pass needs.

        Parameters
        ----------
        X : ndarray, shape (n_0, m)
            One example per column.
        keep_derivatives : bool
            Also cache ``f'(z^l)`` (needed by :meth:`backward`).

        Returns
        -------
        Cache
            ``z^l``, ``a^l`` and ``f'(z^l)`` for every layer.
        """
        cache = Cache(a=[self.check_input(X)])
        self.check_params()
        for l, (W, b, f) in enumerate(zip(self.W, self.b, self.activations), start=1):
            Z = W @ self.layer_input(cache.a, l)
            Z += b[..., None]
            cache.z.append(Z)
            cache.a.append(f.f(Z))
            cache.fprime.append(f.df(Z) if keep_derivatives and f.elementwise else None)
        return cache

    def predict(self, X: Array) -> Array:
        """The output ``a^L``, shape ``(n_L, m)``."""
        return self.forward(X, keep_derivatives=False).a[-1]

    def loss(self, X: Array, Y: Array) -> float:
        """The batch loss ``C = mean_x C_x``."""
        cache = self.forward(X, keep_derivatives=False)
        Yf = self.targets(Y, cache)
        return self.loss_fn.value(cache.z[-1], cache.a[-1], Yf)

    def targets(self, Y: Array, cache: Cache) -> Array:
        """The targets of the batch in ``cache``, validated, as floats of shape ``(n_L, m)``."""
        return self.loss_fn.targets(Y, self.sizes[-1], cache.a[0].shape[-1])

    # ------------------------------------------------------------------ backward
    def output_delta(self, cache: Cache, Y: Array) -> Array:
        """``delta^L = dC_x/dz^L`` of this network's loss: Eq. 4 times ``f'(z^L)``, or the fused
        ``a^L - y`` of softmax/logistic with cross-entropy.

        Returns
        -------
        ndarray, shape (n_L, m)
            A new array (never one the cache or the loss holds).
        """
        self._check_cache(cache)
        Y = self.targets(Y, cache)
        z, a, f = cache.z[-1], cache.a[-1], self.activations[-1]
        if self.loss_fn.requires is not None:
            # fused softmax/logistic + cross-entropy: a - y
            delta = self.loss_fn.delta(z, a, Y, f)
        elif cache.fprime[-1] is not None:  # delta^L = f'(z^L) * dC/da^L
            delta = cache.fprime[-1] * self.loss_fn.grad_a(a, Y)
        else:
            delta = f.backward(z, a, self.loss_fn.grad_a(a, Y))
        if delta is a or delta is z or delta is Y:
            delta = delta.copy()  # a custom Loss handed back its input
        return delta

    def backpropagate(self, cache: Cache, delta_L: Array) -> list[Array]:
        """The error vectors of every layer from the output's: the backward recursion.

        Parameters
        ----------
        cache : Cache
            From :meth:`forward` on the batch.
        delta_L : ndarray, shape (n_L, m)
            ``dC/dz^L`` for each example: :meth:`output_delta` for this network's loss, or any other
            seed (a unit vector per output gives rows of the Jacobian; a loss that couples the
            examples gives its own ``dC/dz^L``).

        Returns
        -------
        list of ndarray
            ``deltas[l-1] = delta^l``, shape ``(n_l, m)``.
        """
        self._check_cache(cache)
        delta = self._check_delta(delta_L, cache)
        deltas = [delta] * self.L
        for l in range(self.L, 1, -1):
            # delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l
            delta = self._times_fprime(l - 1, cache, self.W[l - 1].mT @ delta)
            deltas[l - 2] = delta
        return deltas

    def param_grads(self, cache: Cache, deltas: Sequence[Array],
                    per_example: bool = False) -> Gradients | Array:
        """``dC/dW^l = delta^l (a^{l-1})^T`` and ``dC/db^l = delta^l``, averaged over the batch.

        Parameters
        ----------
        cache : Cache
        deltas : list of ndarray
            From :meth:`backpropagate`.
        per_example : bool
            Instead of the batch average, return every example's own gradient.

        Returns
        -------
        Gradients
            The batch gradients (with ``deltas``), or, with ``per_example=True``, an ndarray of shape
            ``(m, n_params)`` whose row ``i`` is ``dC_{x_i}/dtheta`` in :meth:`get_params` order.
        """
        m = cache.a[0].shape[-1]
        if per_example:
            if self.stacked:
                raise ValueError("per-example gradients need a single network")
            parts = []
            for l, delta in enumerate(deltas, start=1):
                inp = self.layer_input(cache.a, l)
                dW = np.einsum("jm,km->mjk", delta, inp).reshape(m, -1)
                parts += [dW, delta.T]
            return np.concatenate(parts, axis=1)
        dW, db = [], []
        for l, delta in enumerate(deltas, start=1):
            g = delta @ self.layer_input(cache.a, l).mT
            g /= m
            dW.append(g)
            db.append(delta.sum(axis=-1) / m)
        return Gradients(dW=dW, db=db, delta=list(deltas))

    def input_gradient(self, cache: Cache, deltas: Sequence[Array]) -> Array:
        """``dC_x/dx``: the backward recursion carried one step further, to the input ``a^0``.

        The input has no activation, so its gradient is the last transpose of the recursion,
        ``(W^1)^T delta^1``, with no ``f'``; a layer that reads the input directly (a skip
        connection) adds its own ``(W^{l,0})^T delta^l``.

        Parameters
        ----------
        cache : Cache
            From :meth:`forward` on the batch.
        deltas : list of ndarray
            From :meth:`backpropagate` (seeded with any ``delta^L``).

        Returns
        -------
        ndarray, shape (n_0, m)
            Column ``i`` is ``dC_{x_i}/dx_i``, one example's own gradient; the gradient of the
            batch mean ``C`` with respect to ``X`` is this divided by ``m``.
        """
        self._check_cache(cache)
        if len(deltas) != self.L:
            raise ValueError(f"deltas holds {len(deltas)} layers, this network "
                             f"has {self.L}: pass what backpropagate returns")
        for l, (d, z) in enumerate(zip(deltas, cache.z), start=1):
            if not isinstance(d, np.ndarray) or d.shape != z.shape:
                got = d.shape if isinstance(d, np.ndarray) else type(d).__name__
                raise ValueError(f"delta^{l} must have the shape of z^{l}, "
                                 f"{z.shape}, got {got}")
        n0, grad = self.sizes[0], None
        for l, sources in enumerate(self.sources, start=1):
            if 0 in sources:  # W^{l,0}: the first n_0 columns of W^l
                term = self.W[l - 1][..., :, :n0].mT @ deltas[l - 1]
                grad = term if grad is None else grad + term
        return grad

    def backward(self, cache: Cache, Y: Array) -> Gradients:
        """Backpropagate: the error vectors ``delta^l`` and the gradients of the batch loss.

        Parameters
        ----------
        cache : Cache
            From :meth:`forward` on the same batch.
        Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy
            The targets.

        Returns
        -------
        Gradients
            ``dW``, ``db`` (shapes of ``W``, ``b``) and ``delta`` (one column per example).
        """
        deltas = self.backpropagate(cache, self.output_delta(cache, Y))
        return self.param_grads(cache, deltas)

    def loss_and_gradient(self, X: Array, Y: Array) -> tuple[float, Gradients]:
        """One forward and one backward pass: the batch loss and its gradients."""
        cache = self.forward(X)
        grads = self.backward(cache, Y)
        return self.loss_fn.value(cache.z[-1], cache.a[-1], self.targets(Y, cache)), grads

    def _times_fprime(self, l: int, cache: Cache, grad_a: Array) -> Array:
        """``dC/dz^l`` (1-based ``l``) from ``dC/da^l``: a Hadamard product, or softmax's VJP.
        ``grad_a`` is a fresh product of the recursion, so it is scaled in place."""
        fp = cache.fprime[l - 1]
        if fp is not None:
            grad_a *= fp
            return grad_a
        return self.activations[l - 1].backward(cache.z[l - 1], cache.a[l], grad_a)

    # ------------------------------------------------------------------ checks at the edge
    def check_input(self, X: Array) -> Array:
        """Validate a batch of inputs and return it as floats.

        Raises
        ------
        TypeError, ValueError
            Naming the shape received and the shape expected, or the non-finite entry.
        """
        if not isinstance(X, np.ndarray):
            try:
                X = np.asarray(X, dtype=float)
            except (TypeError, ValueError) as err:
                raise TypeError(f"input X must be a numeric array, got {type(X).__name__}") from err
        if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)
                or X.dtype == bool):
            raise TypeError(f"input X must be a numeric array, got dtype {X.dtype}")
        n0 = self.sizes[0]
        if X.ndim != 2:
            hint = " Use x.reshape(-1, 1) for a single example." if X.ndim == 1 else ""
            raise ValueError(
                f"input X must be 2-D with one example per column, shape ({n0}, m); "
                f"got a {X.ndim}-D array of shape {X.shape}.{hint}"
            )
        if X.shape[0] != n0:
            hint = " (examples are columns: did you forget a transpose?)" if X.shape[1] == n0 else ""
            raise ValueError(
                f"layer 1 expects inputs of width n_0={n0} (W^1 has shape {self.W[0].shape[-2:]}), "
                f"got X of shape {X.shape}{hint}"
            )
        if X.shape[1] == 0:
            raise ValueError(f"a batch needs at least one example: X has shape {X.shape} (m = 0)")
        X = X.astype(float, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("input X contains non-finite values (NaN or inf)")
        return X

    def check_params(self) -> None:
        """Check that every ``W^l`` and ``b^l`` still has its layer's shape (after a user assigned
        one), so a wrong array gives this message rather than a broadcasting error deep in NumPy."""
        lead = self.W[0].shape[:-2] if self.stacked else ()
        for l, (W, b) in enumerate(zip(self.W, self.b), start=1):
            want_W = (*lead, self.sizes[l], self.fan_in(l))
            want_b = (*lead, self.sizes[l])
            for name, p, want in ((f"W^{l}", W, want_W), (f"b^{l}", b, want_b)):
                if not isinstance(p, np.ndarray) or p.shape != want:
                    got = p.shape if isinstance(p, np.ndarray) else type(p).__name__
                    raise ValueError(f"{name} (net.{name[0]}[{l - 1}]) has shape {got}, expected "
                                     f"{want} for layer {l} of sizes {self.sizes}")

    def nonfinite_params(self) -> str | None:
        """The first parameter that is NaN or inf, in the book's notation (``"W^2[0, 1] = nan"``),
        or ``None`` when every parameter is finite."""
        for l, (W, b) in enumerate(zip(self.W, self.b), start=1):
            for name, p in ((f"W^{l}", W), (f"b^{l}", b)):
                bad = np.argwhere(~np.isfinite(p))
                if bad.size:
                    idx = tuple(int(i) for i in bad[0])
                    return f"{name}{list(idx)} = {p[idx]}"
        return None

    def _check_cache(self, cache: Cache) -> None:
        if not isinstance(cache, Cache):
            raise TypeError(f"cache must be the Cache returned by forward(), got {type(cache).__name__}")
        if len(cache.z) != self.L or len(cache.a) != self.L + 1:
            raise ValueError(f"the cache holds {len(cache.z)} layers, this network has {self.L}: "
                             "pass the cache of this network's own forward pass")
        m = cache.a[0].shape[-1]
        for l in range(1, self.L + 1):
            want = (self.sizes[l], m)
            if cache.z[l - 1].shape[-2:] != want:
                raise ValueError(f"the cache's z^{l} has shape {cache.z[l - 1].shape}, this network's "
                                 f"layer {l} gives {want}: pass the cache of this network's own "
                                 "forward pass")

    def _check_delta(self, delta_L: Array, cache: Cache) -> Array:
        want = cache.z[-1].shape
        if not isinstance(delta_L, np.ndarray) or delta_L.shape != want:
            got = delta_L.shape if isinstance(delta_L, np.ndarray) else type(delta_L).__name__
            raise ValueError(f"delta^L must have the shape of z^L, {want} (n_L outputs, m examples), "
                             f"got {got}")
        return delta_L


def _callable_activation(f: Callable) -> str:
    name = getattr(f, "__name__", type(f).__name__)
    return (f"activations must be names or Activation objects, got the function {name!r}: "
            f"backpropagation also needs its derivative. Wrap it, e.g. "
            f"bp.Activation({name!r}, f={name}, df=lambda z: ...), or use a built-in name such as "
            "'tanh'")
