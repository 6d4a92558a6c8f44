"""A feedforward network in matrix form: forward pass with a cache, backward pass by the delta recursion.

Notation (the book's): layer ``l`` has ``n_l`` units, weights ``W^l`` of shape ``(n_l, n_{l-1})`` and
biases ``b^l`` of shape ``(n_l,)``. For a batch of ``m`` examples stored **as columns**,

    z^l = W^l a^{l-1} + b^l,        a^l = f^l(z^l),        a^0 = x.

Backpropagation computes the error vectors ``delta^l = dC_x/dz^l`` from the last layer back:

    delta^L     = f'(z^L) * dC/da^L
    delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l
    dC/dW^l     = delta^l (a^{l-1})^T,       dC/db^l = delta^l

averaged over the batch (one matrix product per layer, no loop over examples).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    activations : str or sequence of str
        One activation name for every layer, or one per layer ``1..L`` (see
        :data:`backproplib.ACTIVATIONS`).
    loss : str
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
        activations = list(activations)
        if len(activations) != L:
            raise ValueError(
                f"got {len(activations)} activations for {L} layers (sizes {self.sizes}): "
                "give one name for all layers or one per layer"
            )
        self.activations = [get_activation(f) for f in activations]
        self.loss_fn = get_loss(loss)
        self.loss_fn.check_activation(self.activations[-1])
        self.W, self.b = init_params(self.sizes, init, np.random.default_rng(seed), scale)

    # ------------------------------------------------------------------ structure
    @property
    def L(self) -> int:
        """The number of layers with weights."""
        return len(self.W)

    @property
    def n_params(self) -> int:
        """The number of weights and biases."""
        return sum(W.size + b.size for W, b in zip(self.W, self.b))

    def __repr__(self) -> str:
        acts = ", ".join(f.name for f in self.activations)
        return f"Network(sizes={self.sizes}, activations=[{acts}], loss={self.loss_fn.name!r})"

    def get_params(self) -> Array:
        """All parameters as one float64 vector: ``W^1, b^1, W^2, b^2, ...`` (row-major)."""
        return np.concatenate([p.ravel() for pair in zip(self.W, self.b) for p in pair])

    def set_params(self, theta: Array) -> None:
        """Set all parameters from a vector laid out as :meth:`get_params` returns it."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,):
            raise ValueError(f"parameter vector has shape {theta.shape}, expected ({self.n_params},)")
        i = 0
        for l in range(self.L):
            for p in (self.W[l], self.b[l]):
                p[...] = theta[i : i + p.size].reshape(p.shape)
                i += p.size

    # ------------------------------------------------------------------ forward
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
        A = self._check_input(X)
        cache = Cache(a=[A])
        for W, b, f in zip(self.W, self.b, self.activations):
            Z = W @ A
            Z += b[:, None]
            A = f.f(Z)
            cache.z.append(Z)
            cache.a.append(A)
            cache.fprime.append(f.df(Z) if keep_derivatives and f.elementwise else None)
        return cache

    def predict(self, X: Array) -> Array:
        """The output ``a^L``, shape ``(n_L, m)``."""
        return self.forward(X, keep_derivatives=False).a[-1]

    def loss(self, X: Array, Y: Array) -> float:
        """The batch loss ``C = mean_x C_x``."""
        cache = self.forward(X, keep_derivatives=False)
        Yf = self.loss_fn.targets(Y, self.sizes[-1], cache.a[0].shape[1])
        return self.loss_fn.value(cache.z[-1], cache.a[-1], Yf)

    # ------------------------------------------------------------------ backward
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
        m = cache.a[0].shape[1]
        Y = self.loss_fn.targets(Y, self.sizes[-1], m)
        L = self.L
        if self.loss_fn.requires is not None:  # fused softmax/logistic + cross-entropy: a - y
            delta = self.loss_fn.delta(cache.z[-1], cache.a[-1], Y, self.activations[-1])
        else:  # delta^L = f'(z^L) * dC/da^L
            delta = self._times_fprime(L - 1, cache, self.loss_fn.grad_a(cache.a[-1], Y))
        deltas: list[Array] = [delta] * L
        dW: list[Array] = [delta] * L
        db: list[Array] = [delta] * L
        for l in range(L - 1, -1, -1):  # l is 0-based: layer l + 1 of the book
            deltas[l] = delta
            dW[l] = delta @ cache.a[l].T  # dC/dW^l = delta^l (a^{l-1})^T, averaged over the batch
            dW[l] /= m
            db[l] = delta.sum(axis=1) / m
            if l > 0:  # delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l
                delta = self._times_fprime(l - 1, cache, self.W[l].T @ delta)
        return Gradients(dW=dW, db=db, delta=deltas)

    def loss_and_gradient(self, X: Array, Y: Array) -> tuple[float, Gradients]:
        """One forward and one backward pass: the batch loss and its gradients."""
        cache = self.forward(X)
        grads = self.backward(cache, Y)
        Yf = self.loss_fn.targets(Y, self.sizes[-1], cache.a[0].shape[1])
        return self.loss_fn.value(cache.z[-1], cache.a[-1], Yf), grads

    def _times_fprime(self, l: int, cache: Cache, grad_a: Array) -> Array:
        """``dC/dz`` of layer ``l`` (0-based) from ``dC/da``: a Hadamard product, or softmax's VJP."""
        fp = cache.fprime[l]
        if fp is not None:
            grad_a *= fp  # in place: grad_a is a fresh product, never a cached array
            return grad_a
        return self.activations[l].backward(cache.z[l], cache.a[l + 1], grad_a)

    def _check_input(self, X: Array) -> Array:
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
                f"layer 1 expects inputs of width n_0={n0} (W^1 has shape {self.W[0].shape}), "
                f"got X of shape {X.shape}{hint}"
            )
        X = X.astype(float, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("input X contains non-finite values (NaN or inf)")
        return X
