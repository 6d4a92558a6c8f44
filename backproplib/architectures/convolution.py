"""Convolution and max-pooling layers, forward and backward, vectorised, and a small ConvNet.

Layout (the book's convention, examples last): a batch of 1-D signals is ``x`` of shape
``(C_in, L, m)``, of images ``(C_in, H, W, m)``; a kernel is ``K`` of shape ``(C_out, C_in, k)`` or
``(C_out, C_in, k_h, k_w)``, a bias ``b`` of shape ``(C_out,)``. Like most deep-learning libraries,
the layer computes a cross-correlation (the kernel is not flipped), on the input zero-padded by
``p`` on every side, sampled with stride ``s``. In 1-D:

    y[o, i] = b[o] + sum_c sum_j K[o, c, j] x_pad[c, s i + j],     i = 0 .. (L + 2p - k) // s.

Backward, for ``g = dC/dy``:

* ``dC/dK[o, c, j] = sum_i sum_x g[o, i] x_pad[c, s i + j]``: a weight used at every position (and
  every example) receives the *sum* of the gradients of its uses;
* ``dC/db[o] = sum_i sum_x g[o, i]``;
* ``dC/dx_pad`` is the *full* correlation of ``g`` (dilated by ``s``: ``s - 1`` zeros between its
  entries) with the kernel *flipped* in space and with its two channel axes swapped; ``dC/dx`` is
  its centre, without the padding.

No Python loop runs over positions or examples: the windows of the input are a strided view
(``numpy.lib.stride_tricks.sliding_window_view``), and each sum above is one
``numpy.tensordot`` over it, the "unfolding" (im2col) that turns a convolution into a matrix
product. Max-pooling sends each window's gradient to the entry that was the maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..activations import get_activation
from ..network import Network

Array = np.ndarray


# ---------------------------------------------------------------------------- checks and sizes
def _positive_int(name: str, v: object, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
        what = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {v!r}")
    return int(v)


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """The length ``(n + 2p - k) // s + 1`` of a convolution's output along one axis.

    >>> output_size(8, 3, stride=1, padding=1), output_size(7, 3, stride=2)
    (8, 3)
    """
    n, k = _positive_int("input size", n), _positive_int("kernel size", k)
    s, p = _positive_int("stride", stride), _positive_int("padding", padding, minimum=0)
    if n + 2 * p < k:
        raise ValueError(f"a kernel of size {k} does not fit an input of size {n} with padding {p} "
                         f"(needs n + 2p >= k)")
    return (n + 2 * p - k) // s + 1


def _check_conv(x: Array, K: Array, stride: int, padding: int) -> tuple[Array, Array, int, int]:
    x, K = np.asarray(x, dtype=float), np.asarray(K, dtype=float)
    d = K.ndim - 2
    if d not in (1, 2):
        raise ValueError(f"a kernel has shape (C_out, C_in, k) or (C_out, C_in, k_h, k_w), got "
                         f"shape {K.shape}")
    names = "(C_in, L, m)" if d == 1 else "(C_in, H, W, m)"
    if x.ndim != d + 2:
        raise ValueError(f"a {d}-D convolution needs an input of shape {names}, got shape {x.shape}")
    if x.shape[0] != K.shape[1]:
        raise ValueError(f"the kernel of shape {K.shape} expects C_in={K.shape[1]} input channels, "
                         f"the input of shape {x.shape} has {x.shape[0]}")
    stride = _positive_int("stride", stride)
    padding = _positive_int("padding", padding, minimum=0)
    for n, k in zip(x.shape[1:-1], K.shape[2:]):
        output_size(n, k, stride, padding)
    if not np.all(np.isfinite(x)):
        raise ValueError("the input of the convolution contains NaN or inf")
    return x, K, stride, padding


def pad(x: Array, p: int) -> Array:
    """``x`` with ``p`` zeros on both sides of every spatial axis (not channels, not examples)."""
    if p == 0:
        return x
    return np.pad(x, [(0, 0)] + [(p, p)] * (x.ndim - 2) + [(0, 0)])


def windows(x: Array, kshape: Sequence[int], stride: int = 1) -> Array:
    """The windows the kernel sees, as a strided view (no copy).

    Parameters
    ----------
    x : ndarray, shape ``(C, *spatial, m)``
        Already padded.
    kshape : tuple of int
        The kernel's spatial shape.

    Returns
    -------
    ndarray, shape ``(C, *out, m, *kshape)``
        ``w[c, i, n, j] = x[c, s i + j, n]`` (in 1-D; likewise per axis in 2-D).
    """
    d = len(kshape)
    w = sliding_window_view(x, tuple(kshape), axis=tuple(range(1, d + 1)))
    return w[(slice(None),) + (slice(None, None, stride),) * d]


# ---------------------------------------------------------------------------- convolution
def conv(x: Array, K: Array, b: Array | None = None, stride: int = 1,
         padding: int = 0) -> Array:
    """A 1-D or 2-D convolution layer's output (a cross-correlation, as in most libraries).

    Parameters
    ----------
    x : ndarray, shape (C_in, L, m) or (C_in, H, W, m)
    K : ndarray, shape (C_out, C_in, k) or (C_out, C_in, k_h, k_w)
    b : ndarray, shape (C_out,), optional
    stride, padding : int

    Returns
    -------
    ndarray, shape (C_out, L_out, m) or (C_out, H_out, W_out, m)
    """
    x, K, stride, padding = _check_conv(x, K, stride, padding)
    d = K.ndim - 2
    w = windows(pad(x, padding), K.shape[2:], stride)  # (C_in, *out, m, *k)
    over = [0, *range(d + 2, 2 * d + 2)]   # C_in and the kernel's axes of w
    of_K = [1, *range(2, d + 2)]           # and of K
    y = np.moveaxis(np.tensordot(w, K, axes=(over, of_K)), -1, 0)
    if b is not None:
        b = np.asarray(b, dtype=float)
        if b.shape != (K.shape[0],):
            raise ValueError(f"the bias must have shape (C_out,) = "
                             f"({K.shape[0]},), got {b.shape}")
        y += b.reshape(-1, *[1] * (d + 1))
    return y


def dilate(g: Array, stride: int) -> Array:
    """``g`` with ``stride - 1`` zeros between neighbouring entries of every spatial axis."""
    if stride == 1:
        return g
    d = g.ndim - 2
    inner = [(n - 1) * stride + 1 for n in g.shape[1:-1]]
    out = np.zeros((g.shape[0], *inner, g.shape[-1]))
    out[(slice(None),) + (slice(None, None, stride),) * d] = g
    return out


def conv_backward(g: Array, x: Array, K: Array, stride: int = 1,
                  padding: int = 0) -> tuple[Array, Array, Array]:
    """The gradients of a convolution layer from ``g = dC/dy``.

    Parameters
    ----------
    g : ndarray, the shape of :func:`conv`'s output
    x, K, stride, padding
        As given to :func:`conv`.

    Returns
    -------
    dx : ndarray, the shape of ``x``
        The full correlation of the dilated ``g`` with the flipped kernel, without the padding.
    dK : ndarray, the shape of ``K``
        Each weight's gradient summed over every position and example it was used at.
    db : ndarray, shape (C_out,)
    """
    x, K, stride, padding = _check_conv(x, K, stride, padding)
    d = K.ndim - 2
    xp = pad(x, padding)
    w = windows(xp, K.shape[2:], stride)
    out = w.shape[1 : d + 1]
    if g.shape != (K.shape[0], *out, x.shape[-1]):
        raise ValueError(f"the output gradient must have the output's shape "
                         f"{(K.shape[0], *out, x.shape[-1])}, got {g.shape}")
    used = list(range(1, d + 2))  # the output positions and the examples
    dK = np.tensordot(g, w, axes=(used, used))  # (C_out, C_in, *k)
    db = g.sum(axis=tuple(used))
    space = tuple(range(2, d + 2))
    flipped = np.flip(K, axis=space).swapaxes(0, 1)  # (C_in, C_out, *k)
    g_full = pad_each(dilate(g, stride), [k - 1 for k in K.shape[2:]])
    full = conv(g_full, flipped)  # the full correlation
    dxp = np.zeros_like(xp)
    dxp[(slice(None), *(slice(0, n) for n in full.shape[1:-1]))] = full
    inside = (slice(padding, padding + n) for n in x.shape[1:-1])
    return dxp[(slice(None), *inside)], dK, db


def pad_each(x: Array, ps: Sequence[int]) -> Array:
    """``x`` with ``ps[i]`` zeros on both sides of spatial axis ``i``."""
    return np.pad(x, [(0, 0)] + [(p, p) for p in ps] + [(0, 0)])


def conv1d(x: Array, K: Array, b: Array | None = None, stride: int = 1, padding: int = 0) -> Array:
    """:func:`conv` for signals: ``x`` of shape ``(C_in, L, m)``, ``K`` of shape ``(C_out, C_in, k)``."""
    if np.ndim(K) != 3:
        raise ValueError(f"conv1d needs a kernel of shape (C_out, C_in, k), got shape {np.shape(K)}")
    return conv(x, K, b, stride, padding)


def conv2d(x: Array, K: Array, b: Array | None = None, stride: int = 1, padding: int = 0) -> Array:
    """:func:`conv` for images: ``x`` of shape ``(C_in, H, W, m)``, ``K`` of shape
    ``(C_out, C_in, k_h, k_w)``."""
    if np.ndim(K) != 4:
        raise ValueError(f"conv2d needs a kernel of shape (C_out, C_in, k_h, k_w), got shape "
                         f"{np.shape(K)}")
    return conv(x, K, b, stride, padding)


# ---------------------------------------------------------------------------- max-pooling
@dataclass
class PoolCache:
    """What max-pooling keeps: the input's shape and, for every window, where its maximum was.

    Attributes
    ----------
    shape : tuple of int
        The input's shape ``(C, *spatial, m)``.
    argmax : ndarray of int, shape ``(C, *out, m)``
        The flat index (into the input) of each window's maximum.
    """

    shape: tuple[int, ...]
    argmax: Array


def maxpool(x: Array, size: int = 2,
            stride: int | None = None) -> tuple[Array, PoolCache]:
    """Max-pooling over windows of ``size`` along every spatial axis (stride ``size`` by default).

    Parameters
    ----------
    x : ndarray, shape (C, L, m) or (C, H, W, m)
    size, stride : int

    Returns
    -------
    y : ndarray, shape ``(C, *out, m)``
    cache : PoolCache
        For :func:`maxpool_backward`. Ties go to the first maximum of a window.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim not in (3, 4):
        raise ValueError(f"max-pooling needs an input of shape (C, L, m) or "
                         f"(C, H, W, m), got shape {x.shape}")
    size = _positive_int("pool size", size)
    stride = size if stride is None else _positive_int("stride", stride)
    d = x.ndim - 2
    for n in x.shape[1:-1]:
        output_size(n, size, stride)
    w = windows(x, (size,) * d, stride)                 # (C, *out, m, *size)
    flat = w.reshape(*w.shape[: d + 2], -1)
    best = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    # the input coordinates of each maximum: window start + offset in it
    offsets = np.unravel_index(best, (size,) * d)
    grid = np.indices(best.shape, sparse=True)
    starts = [grid[1 + i] * stride + offsets[i] for i in range(d)]
    coords = [grid[0], *starts, grid[d + 1]]
    return y, PoolCache(x.shape, np.ravel_multi_index(coords, x.shape))


def maxpool_backward(g: Array, cache: PoolCache) -> Array:
    """Route each window's gradient to the input entry that was its maximum (the others get 0;
    an entry that is the maximum of several overlapping windows receives the sum)."""
    if g.shape != cache.argmax.shape:
        raise ValueError(f"the output gradient must have the pooled shape "
                         f"{cache.argmax.shape}, got {g.shape}")
    n = int(np.prod(cache.shape))
    dx = np.bincount(cache.argmax.ravel(), weights=g.ravel(), minlength=n)
    return dx.reshape(cache.shape)


# ---------------------------------------------------------------------------- a small ConvNet
@dataclass
class ConvNetGradients:
    """The gradients of a :class:`ConvNet`'s batch loss, in the order of :attr:`ConvNet.params`."""

    arrays: list[Array]

    def flat(self) -> Array:
        """All gradients as one vector, in the order of :meth:`ConvNet.get_params`."""
        return np.concatenate([g.ravel() for g in self.arrays])


class ConvNet:
    """Convolution blocks (``k x k`` convolution with "same" padding, ReLU, 2 x 2 max-pooling)
    followed by a dense :class:`~backproplib.network.Network` head with a softmax output.

    The head is an ordinary core network: its deltas come from the core's one backward recursion,
    and the gradient it hands to the convolutions is ``(W^1)^T delta^1 / m``.

    Parameters
    ----------
    input_shape : (C, H, W)
        The shape of one image.
    channels : sequence of int
        Output channels of each convolution block.
    kernel : int
        The kernel size ``k`` (odd, so that padding ``k // 2`` keeps the size).
    hidden : sequence of int
        Widths of the head's hidden layers (tanh); ``()`` for a softmax directly on the features.
    n_classes : int
    seed : int or None

    Examples
    --------
    >>> net = ConvNet((1, 8, 8), channels=[4], kernel=3, seed=0)
    >>> [p.shape for p in net.params]
    [(4, 1, 3, 3), (4,), (10, 64), (10,)]
    """

    def __init__(self, input_shape: Sequence[int], channels: Sequence[int] = (8,), kernel: int = 3,
                 hidden: Sequence[int] = (), n_classes: int = 10, seed: int | None = 0) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"input_shape is (C, H, W) of one image, got {tuple(input_shape)}")
        self.input_shape = tuple(_positive_int("input_shape", n) for n in input_shape)
        self.kernel = _positive_int("kernel", kernel)
        if self.kernel % 2 == 0:
            raise ValueError(f"kernel must be odd (padding k // 2 keeps the size), got {kernel}")
        rng = np.random.default_rng(seed)
        self.K, self.b = [], []
        c, h, w = self.input_shape
        for n in channels:
            n = _positive_int("channels", n)
            fan_in = c * self.kernel ** 2  # He initialisation for the ReLU that follows
            self.K.append(rng.normal(size=(n, c, self.kernel, self.kernel)) * np.sqrt(2 / fan_in))
            self.b.append(np.zeros(n))
            if h < 2 or w < 2:
                raise ValueError(f"block {len(self.K)} would pool an image of {h}x{w}: too many "
                                 "blocks for this input size")
            c, h, w = n, h // 2, w // 2
        self.feature_shape = (c, h, w)
        self.head = Network([c * h * w, *hidden, n_classes],
                            activations=["tanh"] * len(hidden) + ["softmax"],
                            loss="cross_entropy", seed=None if seed is None else seed + 1)
        self.relu = get_activation("relu")

    @property
    def params(self) -> list[Array]:
        """``K^1, b^1, K^2, b^2, ...`` then the head's ``W^1, b^1, ...``."""
        conv = [p for pair in zip(self.K, self.b) for p in pair]
        return conv + [p for pair in zip(self.head.W, self.head.b) for p in pair]

    @property
    def n_params(self) -> int:
        """The number of weights and biases."""
        return sum(p.size for p in self.params)

    def get_params(self) -> Array:
        """All parameters as one vector, in the order of :attr:`params`."""
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

    def __repr__(self) -> str:
        chans = [K.shape[0] for K in self.K]
        return (f"ConvNet(input_shape={self.input_shape}, channels={chans}, kernel={self.kernel}, "
                f"head={self.head.sizes})")

    def images(self, X: Array) -> Array:
        """The batch as images ``(C, H, W, m)``; flattened columns ``(C*H*W, m)`` are reshaped."""
        X = np.asarray(X, dtype=float)
        C, H, W = self.input_shape
        if X.ndim == 2 and X.shape[0] == C * H * W:
            return X.reshape(C, H, W, X.shape[1])
        if X.ndim == 4 and X.shape[:3] == self.input_shape:
            return X
        raise ValueError(f"inputs must be images of shape ({C}, {H}, {W}, m) or columns of shape "
                         f"({C * H * W}, m), got {X.shape}")

    def forward(self, X: Array) -> tuple[list[tuple], Array]:
        """The convolution blocks' caches and the features (columns) the head reads."""
        a = self.images(X)
        blocks = []
        for K, b in zip(self.K, self.b):
            z = conv2d(a, K, b, padding=self.kernel // 2)
            pooled, pool = maxpool(self.relu.f(z), 2)
            blocks.append((a, z, pool))
            a = pooled
        return blocks, a.reshape(-1, a.shape[-1])

    def predict(self, X: Array) -> Array:
        """Class probabilities, shape ``(n_classes, m)``."""
        return self.head.predict(self.forward(X)[1])

    def loss(self, X: Array, y: Array) -> float:
        """The mean cross-entropy of the batch."""
        return self.head.loss(self.forward(X)[1], y)

    def loss_and_gradient(self, X: Array,
                          y: Array) -> tuple[float, ConvNetGradients]:
        """One forward and one backward pass: the batch loss and the gradients of every
        parameter, in the order of :attr:`params`."""
        loss, grads, _ = self._backward(X, y)
        return loss, ConvNetGradients(grads)

    def input_gradient(self, X: Array, y: Array) -> Array:
        """``dC/dX``: the gradient of the batch loss with respect to the input images, shape
        ``(C, H, W, m)`` (the backward pass carried one step further)."""
        return self._backward(X, y)[2]

    def _backward(self, X: Array, y: Array) -> tuple[float, list[Array], Array]:
        """The loss, the parameters' gradients and ``dC/dX``."""
        blocks, features = self.forward(X)
        m = features.shape[1]
        cache = self.head.forward(features)
        deltas = self.head.backpropagate(cache, self.head.output_delta(cache, y))
        head = self.head.param_grads(cache, deltas)
        # dC/da^0 of the head, (W^1)^T delta^1 / m, as pooled feature maps
        g = (self.head.W[0].T @ deltas[0] / m).reshape(*self.feature_shape, m)
        grads: list[Array] = []
        for (a, z, pool), K in zip(reversed(blocks), reversed(self.K)):
            # back through the pooling, then the ReLU, then the convolution
            g = maxpool_backward(g, pool) * self.relu.df(z)
            g, dK, db = conv_backward(g, a, K, padding=self.kernel // 2)
            grads = [dK, db] + grads
        grads += [p for pair in zip(head.dW, head.db) for p in pair]
        Y = self.head.targets(y, cache)
        loss = self.head.loss_fn.value(cache.z[-1], cache.a[-1], Y)
        return loss, grads, g

    def accuracy(self, X: Array, y: Array) -> float:
        """The fraction of examples whose most probable class is the label."""
        return float(np.mean(self.predict(X).argmax(axis=0) == np.asarray(y)))
