"""A recurrent network unrolled in time, and backpropagation through time (BPTT).

A sequence of ``T`` inputs ``x_1 ... x_T`` (each a column per example, so a batch of sequences is
an array ``X`` of shape ``(T, n_in, m)``) drives a hidden state ``h_t`` through one layer whose
weights are the same at every step:

    z_t = W h_{t-1} + U x_t + b,        h_t = f(z_t),        h_0 = 0,
    a_t = V h_t + c                      (a linear read-out).

With ``output="last"`` only ``a_T`` is compared with a target, ``C_x = 1/2 ||a_T - y||^2``; with
``output="all"`` every step is, ``C_x = sum_t 1/2 ||a_t - y_t||^2``. The batch loss is the mean
over the examples, as everywhere in the book.

Unrolled, the network is a deep feedforward net with ``T`` layers that all share ``W``, ``U`` and
``b``. Backpropagation through it is the familiar recursion, with two differences: every step may
receive its own error from the read-out, and a shared weight's gradient is the *sum* of the
gradients of its copies, one per step. With ``e_t = a_t - y_t`` (zero at steps without a target),

    delta_t = f'(z_t) * (V^T e_t + W^T delta_{t+1}),        delta_{T+1} = 0,
    dC/dW = (1/m) sum_t delta_t h_{t-1}^T,   dC/dU = (1/m) sum_t delta_t x_t^T,
    dC/db = (1/m) sum_t delta_t 1,           dC/dV = (1/m) sum_t e_t h_t^T.

*Truncated* BPTT lets each error travel back at most ``k`` steps (:meth:`RNN.error_signals`). When
only the last step has a target, the recursion without ``V^T e_t`` terms is exactly the core's
:meth:`backproplib.network.Network.backpropagate` on the unrolled net (:meth:`RNN.unrolled`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import Activation, get_activation
from ..network import Cache, Network

Array = np.ndarray
OUTPUTS = ("last", "all")


@dataclass
class RNNCache:
    """What the forward pass keeps for BPTT.

    Attributes
    ----------
    X : ndarray, shape (T, n_in, m)
    z : ndarray, shape (T, n_hidden, m)
        ``z[t-1]`` is ``z_t``.
    h : ndarray, shape (T + 1, n_hidden, m)
        ``h[t]`` is ``h_t``; ``h[0] = 0``.
    fprime : ndarray, shape (T, n_hidden, m)
        ``f'(z_t)``.
    a : ndarray, shape (T_out, n_out, m)
        The outputs: ``a_T`` only (``T_out = 1``) or every ``a_t``.
    """

    X: Array
    z: Array
    h: Array
    fprime: Array
    a: Array


@dataclass
class RNNGradients:
    """The gradients of the batch loss, with the shapes of the parameters.

    Attributes
    ----------
    dU, dW, db, dV, dc : ndarray
        Shapes of ``U``, ``W``, ``b``, ``V``, ``c``.
    delta : ndarray, shape (T, n_hidden, m)
        ``delta[t-1] = delta_t = dC_x/dz_t``, one column per example.
    """

    dU: Array
    dW: Array
    db: Array
    dV: Array
    dc: Array
    delta: Array

    @property
    def arrays(self) -> list[Array]:
        """``[dU, dW, db, dV, dc]``: the order of :attr:`RNN.params`."""
        return [self.dU, self.dW, self.db, self.dV, self.dc]

    def flat(self) -> Array:
        """All gradients as one vector, in the order of :meth:`RNN.get_params`."""
        return np.concatenate([g.ravel() for g in self.arrays])


class RNN:
    """An Elman recurrent network with a linear read-out, trained by BPTT.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        Widths of the input ``x_t``, the state ``h_t`` and the output ``a_t``.
    activation : str or Activation
        The elementwise ``f`` of the state (``"tanh"``, ``"identity"``, ...).
    output : {"last", "all"}
        Compare only ``a_T`` with a target, or every ``a_t``.
    spectral_radius : float or None
        Rescale the random recurrent matrix ``W`` so that its largest ``|eigenvalue|`` is this.
    seed : int or None
        Seed of the initial weights (Xavier-scaled normal draws; zero biases).

    Examples
    --------
    >>> rnn = RNN(2, 3, 1, seed=0)
    >>> [p.shape for p in rnn.params]
    [(3, 2), (3, 3), (3,), (1, 3), (1,)]
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int = 1,
                 activation: str | Activation = "tanh", output: str = "last",
                 spectral_radius: float | None = 0.9, seed: int | None = 0) -> None:
        for name, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{name} must be a positive int, got {n!r}")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
        self.f = get_activation(activation)
        if not self.f.elementwise:
            raise ValueError(f"the state's activation must be elementwise, got {self.f.name!r}")
        self.output = output
        self.n_in, self.n_hidden, self.n_out = int(n_in), int(n_hidden), int(n_out)
        rng = np.random.default_rng(seed)
        self.U = rng.normal(size=(n_hidden, n_in)) * np.sqrt(2.0 / (n_in + n_hidden))
        self.W = rng.normal(size=(n_hidden, n_hidden)) / np.sqrt(n_hidden)
        self.b = np.zeros(n_hidden)
        self.V = rng.normal(size=(n_out, n_hidden)) * np.sqrt(2.0 / (n_hidden + n_out))
        self.c = np.zeros(n_out)
        if spectral_radius is not None:
            self.set_spectral_radius(spectral_radius)

    # ------------------------------------------------------------------ parameters
    @property
    def params(self) -> list[Array]:
        """``[U, W, b, V, c]``, the arrays an optimiser's ``step(params, grads)`` updates."""
        return [self.U, self.W, self.b, self.V, self.c]

    @property
    def n_params(self) -> int:
        """The number of weights and biases."""
        return sum(p.size for p in self.params)

    def get_params(self) -> Array:
        """All parameters as one vector: ``U, W, b, V, c`` (row-major)."""
        return np.concatenate([p.ravel() for p in self.params])

    def set_params(self, theta: Array) -> None:
        """Set all parameters from a vector laid out as :meth:`get_params` returns it."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,):
            raise ValueError(f"parameter vector has shape {theta.shape}, expected ({self.n_params},)")
        i = 0
        for p in self.params:
            p[...] = theta[i : i + p.size].reshape(p.shape)
            i += p.size

    def spectral_radius(self) -> float:
        """The largest ``|eigenvalue|`` of the recurrent matrix ``W``."""
        return float(np.max(np.abs(np.linalg.eigvals(self.W))))

    def set_spectral_radius(self, rho: float) -> None:
        """Rescale ``W`` in place so that its spectral radius is ``rho`` (``rho >= 0``)."""
        if isinstance(rho, bool) or not isinstance(rho, (int, float, np.floating)) or not rho >= 0:
            raise ValueError(f"spectral_radius must be a number >= 0, got {rho!r}")
        now = self.spectral_radius()
        if now == 0:
            raise ValueError("W has spectral radius 0 and cannot be rescaled")
        self.W *= rho / now

    def __repr__(self) -> str:
        return (f"RNN(n_in={self.n_in}, n_hidden={self.n_hidden}, n_out={self.n_out}, "
                f"activation={self.f.name!r}, output={self.output!r})")

    # ------------------------------------------------------------------ forward
    def check_input(self, X: Array) -> Array:
        """Validate a batch of sequences and return it as floats, shape ``(T, n_in, m)``."""
        X = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) else X
        if X.ndim != 3 or X.shape[1] != self.n_in:
            hint = (" (a single sequence of vectors is X[:, :, None])" if X.ndim == 2 else "")
            raise ValueError(f"a batch of sequences must have shape (T, n_in={self.n_in}, m): T "
                             f"steps, inputs of width {self.n_in}, m examples; got shape "
                             f"{X.shape}{hint}")
        if X.shape[0] == 0 or X.shape[2] == 0:
            raise ValueError(f"need at least one step and one example, got X of shape {X.shape}")
        X = X.astype(float, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("the input sequences contain NaN or inf")
        return X

    def forward(self, X: Array) -> RNNCache:
        """Run the network over the sequences and cache what BPTT needs."""
        X = self.check_input(X)
        T, _, m = X.shape
        h = np.zeros((T + 1, self.n_hidden, m))
        z = np.empty((T, self.n_hidden, m))
        for t in range(1, T + 1):  # the book's time index
            z[t - 1] = self.W @ h[t - 1] + self.U @ X[t - 1] + self.b[:, None]
            h[t] = self.f.f(z[t - 1])
        read = h[1:] if self.output == "all" else h[-1:]
        a = np.einsum("oh,thm->tom", self.V, read) + self.c[:, None]
        return RNNCache(X=X, z=z, h=h, fprime=self.f.df(z), a=a)

    def predict(self, X: Array) -> Array:
        """The outputs, shape ``(n_out, m)`` for ``output="last"``, ``(T, n_out, m)`` for ``"all"``."""
        a = self.forward(X).a
        return a[0] if self.output == "last" else a

    def targets(self, Y: Array, T: int, m: int) -> Array:
        """The targets of ``m`` sequences of ``T`` steps, validated, as an array of the outputs'
        shape ``(T_out, n_out, m)``."""
        try:
            Y = np.asarray(Y, dtype=float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"targets must be a numeric array, got {type(Y).__name__}") from err
        T_out = T if self.output == "all" else 1
        want = (self.n_out, m) if self.output == "last" else (T, self.n_out, m)
        if Y.shape != want:
            raise ValueError(f"targets must have shape {want} for output={self.output!r} "
                             f"(n_out={self.n_out}, m={m} examples), got {Y.shape}")
        return Y.reshape(T_out, self.n_out, m)

    def loss(self, X: Array, Y: Array) -> float:
        """``C = (1/m) sum_x C_x`` with the half squared error of the outputs."""
        cache = self.forward(X)
        e = cache.a - self.targets(Y, *cache.X.shape[::2])
        return float(0.5 * np.sum(e * e) / e.shape[-1])

    # ------------------------------------------------------------------ backward
    def error_signals(self, cache: RNNCache, e: Array,
                      truncate: int | None = None) -> Array:
        """The error vectors ``delta_t = dC_x/dz_t`` from the output errors ``e_t``: BPTT.

        Parameters
        ----------
        cache : RNNCache
        e : ndarray, shape (T_out, n_out, m)
            ``dC_x/da_t`` at the steps with an output (``a_t - y_t`` for the half squared error).
        truncate : int or None
            Truncated BPTT: the error of the output at step ``s`` reaches ``delta_s, ...,
            delta_{s-k+1}`` only (``k = truncate``). ``None`` backpropagates through every step.

        Returns
        -------
        ndarray, shape (T, n_hidden, m)
        """
        T = cache.z.shape[0]
        steps = range(T) if self.output == "all" else [T - 1]
        inject = np.zeros_like(cache.z)  # V^T e_t at the steps with an output
        inject[list(steps)] = np.einsum("oh,tom->thm", self.V, e)
        if truncate is None:
            return self._bptt(cache, inject)
        _check_truncate(truncate)
        delta = np.zeros_like(cache.z)
        for s in steps:  # each output's error travels back `truncate` steps
            d = cache.fprime[s] * inject[s]
            for t in range(s, max(s - truncate, -1), -1):
                delta[t] += d
                if t > 0:
                    d = cache.fprime[t - 1] * (self.W.T @ d)
        return delta

    def _bptt(self, cache: RNNCache, inject: Array) -> Array:
        """One backward sweep: ``delta_t = f'(z_t) * (V^T e_t + W^T delta_{t+1})``."""
        T = cache.z.shape[0]
        delta = np.empty_like(cache.z)
        back = inject[T - 1]
        for t in range(T - 1, -1, -1):
            delta[t] = cache.fprime[t] * back
            if t > 0:
                back = inject[t - 1] + self.W.T @ delta[t]
        return delta

    def backward(self, cache: RNNCache, Y: Array,
                 truncate: int | None = None) -> RNNGradients:
        """BPTT: the error vectors, then each shared weight's gradient summed over the steps."""
        e = cache.a - self.targets(Y, *cache.X.shape[::2])
        delta = self.error_signals(cache, e, truncate)
        m = cache.X.shape[-1]
        read = cache.h[1:] if self.output == "all" else cache.h[-1:]
        return RNNGradients(
            dU=np.einsum("thm,tim->hi", delta, cache.X) / m,
            dW=np.einsum("thm,tkm->hk", delta, cache.h[:-1]) / m,
            db=delta.sum(axis=(0, 2)) / m,
            dV=np.einsum("tom,thm->oh", e, read) / m,
            dc=e.sum(axis=(0, 2)) / m,
            delta=delta)

    def loss_and_gradient(self, X: Array, Y: Array,
                          truncate: int | None = None) -> tuple[float, RNNGradients]:
        """One forward pass and BPTT: the batch loss and its gradients."""
        cache = self.forward(X)
        e = cache.a - self.targets(Y, *cache.X.shape[::2])
        return float(0.5 * np.sum(e * e) / e.shape[-1]), self.backward(cache, Y, truncate)

    # ------------------------------------------------------------------ the unrolled net
    def unrolled(self, cache: RNNCache) -> tuple[Network, Cache]:
        """The unrolled network of an ``output="last"`` RNN as a core :class:`Network` of ``T``
        layers of width ``n_hidden`` that all hold ``W``, and a read-out layer holding ``V``, with
        the :class:`Cache` of this forward pass (the inputs ``U x_t`` enter as data).

        Its :meth:`~backproplib.network.Network.backpropagate` gives the deltas of
        :meth:`error_signals`, and ``param_grads(...).dW[:T]`` summed is ``dC/dW``.
        """
        if self.output != "last":
            raise ValueError("only an RNN with output='last' is a plain "
                             "layered net when unrolled")
        T = cache.z.shape[0]
        net = Network([self.n_hidden] * (T + 1) + [self.n_out],
                      activations=[self.f] * T + ["identity"], seed=0)
        net.W = [self.W] * T + [self.V]
        net.b = [self.b] * T + [self.c]
        a = [cache.h[t] for t in range(T + 1)] + [cache.a[0]]
        z = [cache.z[t] for t in range(T)] + [cache.a[0]]
        fprime = [cache.fprime[t] for t in range(T)] + [np.ones_like(cache.a[0])]
        return net, Cache(z=z, a=a, fprime=fprime)


def _check_truncate(truncate: object) -> None:
    if (isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer))
            or truncate < 1):
        raise ValueError(f"truncate must be a positive number of steps or None, got {truncate!r}")


def hidden_gradient_norms(rnn: RNN, X: Array, Y: Array) -> Array:
    """How large the error signal is at each step: ``mean_x ||delta_t||`` for ``t = 1..T``.

    Returns
    -------
    ndarray, shape (T,)
    """
    cache = rnn.forward(X)
    delta = rnn.backward(cache, Y).delta
    return np.linalg.norm(delta, axis=1).mean(axis=-1)


@dataclass
class RNNGraph:
    """The unrolled RNN on one batch as a graph of :mod:`backproplib.autodiff.graph` nodes.

    Attributes
    ----------
    loss : Node
        The scalar batch loss ``C``.
    params : list of Node
        ``U, W, b, V, c``: one leaf each, shared by every step that uses it.
    h : list of Node
        ``h[t]`` is ``h_t`` (``h[0]`` is the constant zero state).
    """

    loss: object
    params: list
    h: list

    def gradient(self) -> Array:
        """After :func:`~backproplib.autodiff.graph.backward`: the adjoints as one vector, in the
        order of :meth:`RNN.get_params`."""
        return np.concatenate([np.asarray(p.grad).ravel() for p in self.params])


def rnn_graph(rnn: RNN, X: Array, Y: Array) -> RNNGraph:
    """Build the graph of ``rnn``'s loss on ``(X, Y)``: one node per operation of every step, the
    same five parameter leaves at every step (reverse accumulation then sums their adjoints)."""
    from ..autodiff import graph as G

    X = rnn.check_input(X)
    T, _, m = X.shape
    Yt = rnn.targets(Y, T, m)
    U, W, b, V, c = (G.Node(p, name=n) for p, n in zip(rnn.params, "UWbVc"))
    h = [G.constant(np.zeros((rnn.n_hidden, m)), "h0")]
    losses = []
    for t in range(1, T + 1):
        z = W @ h[-1] + U @ G.constant(X[t - 1], f"x{t}") + G.column(b)
        h.append(G.activation(z, rnn.f.name))
        if rnn.output == "all" or t == T:
            a = V @ h[-1] + G.column(c)
            y = Yt[t - 1] if rnn.output == "all" else Yt[0]
            losses.append(G.half_squared_error(a, y))
    loss = losses[0]
    for term in losses[1:]:
        loss = loss + term
    return RNNGraph(loss=loss, params=[U, W, b, V, c], h=h)
