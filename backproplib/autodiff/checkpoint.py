"""Memory: what the forward pass stores for the backward pass, and gradient checkpointing (chapter 22).

The backward recursion needs, at layer ``l``, the activation ``a^{l-1}`` and ``f'(z^l)``; the
library's :class:`~backproplib.network.Cache` keeps ``z^l``, ``a^l`` and ``f'(z^l)`` for every layer,
so its size grows with the depth times the batch (:func:`cached_bytes`, :func:`predicted_cache_bytes`).

**Checkpointing** trades time for memory. The forward pass keeps only every ``k``-th activation
(the checkpoints ``a^0, a^k, a^{2k}, ...``). The backward pass then works segment by segment, from the
last one back: it re-runs the forward pass of one segment from its checkpoint (the network's own
:meth:`~backproplib.network.Network.forward` on the segment's layers), runs the network's own
recursion :meth:`~backproplib.network.Network.backpropagate` over the segment, seeded with the error
that arrived from the segment above, turns the error vectors into gradients with
:meth:`~backproplib.network.Network.param_grads` and frees the segment. The last segment's cache is
kept from the first pass, so the extra work is the forward pass of the other layers.

:func:`checkpointed_gradients` does this for a dense network, and :func:`checkpointed_backward` for
any chain of graph segments of :mod:`~backproplib.autodiff.graph`. Both report what they stored
(:class:`CheckpointStats`), and :func:`traced_peak_bytes` measures what a call really allocated.
"""

from __future__ import annotations

import copy
import math
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..network import Cache, Gradients, Network
from .graph import (
    Node,
    activation,
    backward,
    column,
    constant,
    fused_loss,
    half_squared_error,
    topological_order,
)

Array = np.ndarray


# ------------------------------------------------------------------------------ what is cached
def cached_bytes(cache: Cache) -> int:
    """The bytes of the arrays a forward pass keeps for the backward pass.

    Parameters
    ----------
    cache : Cache
        From :meth:`~backproplib.network.Network.forward`.

    Returns
    -------
    int
        The ``nbytes`` of every distinct array in ``cache.z``, ``cache.a`` (the input ``a^0``
        included) and ``cache.fprime``.
    """
    if not isinstance(cache, Cache):
        what = type(cache).__name__
        raise TypeError(f"cache must be the Cache of forward(), got {what}")
    return _distinct_bytes([*cache.z, *cache.a, *cache.fprime])


def predicted_cache_bytes(sizes: Sequence[int], m: int,
                          itemsize: int = 8) -> int:
    """The model of :func:`cached_bytes`: ``itemsize * m * (n_0 + 3 (n_1 + ... + n_L))``.

    The input ``a^0`` and, for every layer, ``z^l``, ``a^l`` and ``f'(z^l)`` (elementwise
    activations), each ``n_l`` numbers per example.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, ..., n_L]``.
    m : int
        The batch size.
    itemsize : int
        Bytes per number (8 for float64).
    """
    sizes = _check_sizes(sizes)
    _check_positive_int(m, "the batch size m")
    _check_positive_int(itemsize, "itemsize")
    return itemsize * m * (sizes[0] + 3 * sum(sizes[1:]))


def _distinct_bytes(arrays: Sequence[Any]) -> int:
    seen: dict[int, int] = {}
    for x in arrays:
        if isinstance(x, np.ndarray):
            seen[id(x)] = x.nbytes
    return sum(seen.values())


# ------------------------------------------------------------------------------ segments
def segment_bounds(L: int, k: int) -> list[int]:
    """Where the checkpoints are: ``[0, k, 2k, ..., L]``, segments of ``k`` layers (the last one
    shorter when ``k`` does not divide ``L``).

    >>> segment_bounds(7, 3)
    [0, 3, 6, 7]
    """
    _check_positive_int(L, "the number of layers L")
    _check_positive_int(k, "the segment length k")
    if k > L:
        raise ValueError(f"the segment length k = {k} is longer than the network's {L} layers; use "
                         f"k = {L} for a single segment (no checkpoints)")
    return [*range(0, L, k), L]


def sqrt_segment(L: int) -> int:
    """The segment length near ``sqrt(L)``: ``round(sqrt(L))``, at least 1."""
    _check_positive_int(L, "the number of layers L")
    return max(1, round(math.sqrt(L)))


@dataclass
class CheckpointStats:
    """What a checkpointed gradient stored and recomputed.

    Attributes
    ----------
    segment : int
        ``k``, the layers per segment.
    bounds : list of int
        The checkpoint layers, from :func:`segment_bounds`.
    peak_bytes : int
        The most bytes held for the backward pass at any moment: the checkpoints still needed plus
        the cache of the segment being worked on (error vectors and gradients are not counted, as in
        :func:`cached_bytes`).
    forward_layers : int
        Layer evaluations of the forward pass, recomputations included (``L`` without checkpoints).
    recomputed_layers : int
        Layer evaluations done a second time: ``L`` minus the last segment's length.
    """

    segment: int
    bounds: list[int]
    peak_bytes: int = 0
    forward_layers: int = 0
    recomputed_layers: int = 0


class _Ledger:
    """The arrays held for the backward pass, by name, and the peak of their total size."""

    def __init__(self) -> None:
        self.held: dict[str, list[Any]] = {}
        self.peak = 0

    def hold(self, name: str, arrays: Sequence[Any]) -> None:
        self.held[name] = list(arrays)
        self.peak = max(self.peak, _distinct_bytes([x for xs in self.held.values() for x in xs]))

    def release(self, name: str) -> None:
        self.held.pop(name, None)


def checkpointed_gradients(
        net: Network, X: Array, Y: Array, segment: int,
) -> tuple[Gradients, CheckpointStats]:
    """The batch gradients of a dense network, storing only every ``segment``-th activation.

    Parameters
    ----------
    net : Network
        A plain layer-after-layer network (each layer reads the one below it).
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
    segment : int
        ``k``: checkpoints at layers ``0, k, 2k, ...``; ``k = L`` stores everything (no recomputation).

    Returns
    -------
    grads : Gradients
        ``dW`` and ``db`` exactly as :meth:`~backproplib.network.Network.backward` computes them;
        ``delta`` is empty (keeping every error vector would cost the memory checkpointing saves).
    stats : CheckpointStats
    """
    net = _check_chain(net)
    bounds = segment_bounds(net.L, segment)
    stats = CheckpointStats(segment=segment, bounds=bounds)
    ledger = _Ledger()
    checkpoints = first_pass(net, X, bounds, ledger)
    dW: list[Array] = [np.empty(0)] * net.L
    db: list[Array] = [np.empty(0)] * net.L
    grad_a = None  # dC/da at the top of a segment, from the one above
    for j in range(len(bounds) - 2, -1, -1):
        start, stop = bounds[j], bounds[j + 1]
        sub = layers(net, start, stop)
        cache = sub.forward(checkpoints[j])  # a recomputation below the top
        ledger.hold("segment", [*cache.z, *cache.a, *cache.fprime])
        if stop < net.L:
            stats.recomputed_layers += stop - start
        grads, grad_a = segment_backward(sub, cache, Y, grad_a, j > 0)
        dW[start:stop], db[start:stop] = grads.dW, grads.db
        ledger.release("segment")
        ledger.release(f"checkpoint {j}")
        checkpoints[j] = None
        del cache, grads  # free the segment before the next is recomputed
    stats.forward_layers = net.L + stats.recomputed_layers
    stats.peak_bytes = ledger.peak
    return Gradients(dW=dW, db=db, delta=[]), stats


def first_pass(net: Network, X: Array, bounds: Sequence[int],
               ledger: _Ledger | None = None) -> list[Array | None]:
    """The forward pass of checkpointing: run every segment but the top one
    and keep only the inputs of the segments, ``a^{c_0}, a^{c_1}, ...``.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    bounds : list of int
        From :func:`segment_bounds`.
    ledger : optional
        Records what is held (for :attr:`CheckpointStats.peak_bytes`).

    Returns
    -------
    list of ndarray
        One checkpoint per segment (``a^0 = X`` first).
    """
    ledger = ledger if ledger is not None else _Ledger()
    a = net.check_input(X)
    checkpoints: list[Array | None] = [a]
    ledger.hold("checkpoint 0", [a])
    for j in range(len(bounds) - 2):  # the top one runs in the backward pass
        sub = layers(net, bounds[j], bounds[j + 1])
        cache = sub.forward(a, keep_derivatives=False)
        ledger.hold("segment", [*cache.z, *cache.a])
        a = cache.a[-1]
        ledger.release("segment")
        del cache  # drop the segment's z and a at once
        checkpoints.append(a)
        ledger.hold(f"checkpoint {j + 1}", [a])
    return checkpoints


def segment_backward(sub: Network, cache: Cache, Y: Array,
                     grad_a: Array | None,
                     below: bool = True) -> tuple[Gradients, Array | None]:
    """Backpropagate through one segment with the network's own recursion.

    Parameters
    ----------
    sub : Network
        The segment's layers (:func:`layers`).
    cache : Cache
        Its forward pass from its checkpoint.
    Y : ndarray
        The targets (used by the top segment only).
    grad_a : ndarray or None
        ``dC/da`` at the segment's top, from the segment above; ``None`` for the top segment,
        which starts from the loss's own ``delta^L``.
    below : bool
        Also return ``dC/da`` at the segment's input (not needed for the first segment).

    Returns
    -------
    grads : Gradients
        The segment's ``dW`` and ``db`` (``delta`` empty).
    grad_below : ndarray or None
        ``(W^{start+1})^T delta^{start+1}``: the seed of the segment below.
    """
    if grad_a is None:
        delta = sub.output_delta(cache, Y)
    else:  # delta = f'(z) * dC/da at the segment's top
        delta = _times_fprime(sub, cache, grad_a)
    deltas = sub.backpropagate(cache, delta)
    grads = sub.param_grads(cache, deltas)
    grad_below = sub.W[0].mT @ deltas[0] if below else None
    return Gradients(dW=grads.dW, db=grads.db, delta=[]), grad_below


def _times_fprime(sub: Network, cache: Cache, grad_a: Array) -> Array:
    """``dC/dz`` of the segment's top layer from ``dC/da``: ``f'(z) * grad_a``, or softmax's VJP."""
    fp = cache.fprime[-1]
    if fp is not None:
        return fp * grad_a
    return sub.activations[-1].backward(cache.z[-1], cache.a[-1], grad_a)


def predicted_peak_bytes(sizes: Sequence[int], m: int, segment: int,
                         itemsize: int = 8, working: bool = False) -> int:
    """The model of :attr:`CheckpointStats.peak_bytes` for elementwise activations.

    While segment ``j`` (layers ``c_j + 1 .. c_{j+1}``) is worked on, the checkpoints below it,
    ``a^{c_0}, ..., a^{c_{j-1}}``, are held with the segment's own cache: its input ``a^{c_j}`` and
    ``z^l, a^l, f'(z^l)`` of its layers. The peak is the largest of these totals; for ``L`` layers of
    one width ``n`` it is about ``(L / k + 3 k) n m`` numbers, smallest near ``k = sqrt(L / 3)``.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, ..., n_L]``.
    m : int
    segment : int
        ``k``.
    itemsize : int
    working : bool
        Also count what the backward pass works with besides the stored arrays: the segment's error
        vectors ``delta^l`` and the gradients computed so far (this segment's and those above it).
        That is the model of what :func:`traced_peak_bytes` measures, up to a few temporaries.
    """
    sizes = _check_sizes(sizes)
    _check_positive_int(m, "the batch size m")
    bounds = segment_bounds(len(sizes) - 1, segment)
    peaks = []
    for j in range(len(bounds) - 1):
        start, stop = bounds[j], bounds[j + 1]
        below = sum(sizes[c] for c in bounds[:j]) * m  # the checkpoints below
        own = (sizes[start] + 3 * sum(sizes[start + 1 : stop + 1])) * m
        extra = 0
        if working:  # the error vectors of the segment, the gradients from here up
            extra = sum(sizes[start + 1 : stop + 1]) * m + sum(
                sizes[l] * (sizes[l - 1] + 1) for l in range(start + 1, len(sizes)))
        peaks.append(below + own + extra)
    return itemsize * max(peaks)


def layers(net: Network, start: int, stop: int) -> Network:
    """Layers ``start + 1 .. stop`` of ``net`` as a network of their own, sharing its arrays.

    Its :meth:`~backproplib.network.Network.forward` from ``a^{start}`` gives the cache of those
    layers, and its recursion runs over them only.

    Parameters
    ----------
    net : Network
    start, stop : int
        ``0 <= start < stop <= L``.
    """
    net = _check_chain(net)
    if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop <= net.L):
        raise ValueError(f"layers needs 0 <= start < stop <= L = {net.L}, got start={start!r}, "
                         f"stop={stop!r}")
    sub = copy.copy(net)
    sub.sizes = net.sizes[start : stop + 1]
    sub.W, sub.b = net.W[start:stop], net.b[start:stop]
    sub.activations = net.activations[start:stop]
    return sub


def _check_chain(net: object) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if net.stacked:
        raise ValueError("checkpointing is for a single network, not a stack of networks")
    if any(s != [l - 1] for l, s in enumerate(net.sources, start=1)):
        raise ValueError(f"checkpointing a dense network needs each layer to read the one below; "
                         f"{type(net).__name__} has other sources: write it as graph segments and "
                         "use checkpointed_backward")
    return net


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    try:
        sizes = [int(n) for n in sizes]
    except (TypeError, ValueError) as err:
        raise TypeError(f"sizes must be a sequence of layer widths, got {sizes!r}") from err
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes needs at least two positive widths [n_0, ..., n_L], got {sizes}")
    return sizes


def _check_positive_int(x: Any, what: str) -> None:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 1:
        raise ValueError(f"{what} must be a positive int, got {x!r}")


# ------------------------------------------------------------------------------ on a graph
@dataclass
class GraphCheckpointStats:
    """What :func:`checkpointed_backward` stored.

    Attributes
    ----------
    loss : float
        The value of the last segment's (scalar) output.
    peak_bytes : int
        The most bytes of node values held at once: the checkpoints still needed plus the values of
        the computed (non-leaf) nodes of the segment graph being worked on.
    checkpoint_bytes : list of int
        The bytes of each stored checkpoint.
    """

    loss: float
    peak_bytes: int
    checkpoint_bytes: list[int] = field(default_factory=list)


def graph_bytes(output: Node) -> int:
    """The bytes of the values a graph keeps for its backward pass: every computed (non-leaf) node
    that ``output`` depends on (leaves, the inputs and parameters, exist anyway)."""
    if not isinstance(output, Node):
        raise TypeError(f"graph_bytes needs a Node, got {type(output).__name__}")
    return sum(n.value.nbytes for n in topological_order(output) if n.parents)


def checkpointed_backward(segments: Sequence[Callable[[Node], Node]],
                          x: Any) -> GraphCheckpointStats:
    """Reverse accumulation through a chain of graph segments, keeping only their inputs.

    ``segments[i]`` builds, from a node, the graph of one piece of the computation; the last one
    returns the scalar loss. The parameters are leaves the segments close over. The first pass keeps
    only each segment's input value (the checkpoint) and drops its graph; the backward pass rebuilds
    one segment at a time from its checkpoint, runs :func:`~backproplib.autodiff.graph.backward`
    through it, seeded with the adjoint that came down from the segment above, and frees it. Every
    parameter leaf ends with ``.grad`` summed over the segments that use it, as a single backward
    pass through the whole graph would leave it.

    Parameters
    ----------
    segments : sequence of callable
        ``Node -> Node``; each takes what the one before it returns, and the last returns a scalar.
    x : array_like
        The input of the first segment (a constant: no adjoint is computed for it).

    Returns
    -------
    GraphCheckpointStats
    """
    segments = _check_segments(segments)
    checkpoints = [np.array(x, dtype=float)]
    for seg in segments[:-1]:  # values only: each graph is dropped
        inp = constant(checkpoints[-1], "checkpoint")
        checkpoints.append(_segment_output(seg, inp).value)
    sizes = [c.nbytes for c in checkpoints]
    stats = GraphCheckpointStats(0.0, 0, checkpoint_bytes=sizes)
    totals: dict[int, tuple[Node, Array]] = {}
    adjoint = None  # of a segment's output, from the segment above
    for i in range(len(segments) - 1, -1, -1):
        inp = Node(checkpoints[i], name="checkpoint", requires_grad=i > 0)
        out = _segment_output(segments[i], inp)
        held = sum(sizes[: i + 1]) + graph_bytes(out)
        stats.peak_bytes = max(stats.peak_bytes, held)
        _check_link(out, adjoint, i)
        if adjoint is None:
            stats.loss = float(out.value)
        backward(out, seed=adjoint)
        _accumulate(out, inp, totals)
        adjoint = inp.grad if i > 0 else None
        del out, inp  # free this segment's graph before the next is built
    for leaf, g in totals.values():
        leaf.grad = g
    return stats


def _check_link(out: Node, adjoint: Array | None, i: int) -> None:
    if adjoint is None and out.value.size != 1:
        raise ValueError(f"the last segment must return the scalar loss, got shape {out.shape}")
    if adjoint is not None and out.shape != adjoint.shape:
        raise ValueError(f"segment {i} returns shape {out.shape}, but segment {i + 1} takes "
                         f"{adjoint.shape}")


def _accumulate(out: Node, inp: Node, totals: dict[int, tuple[Node, Array]]) -> None:
    """Add each parameter leaf's adjoint from this segment to its running total (a parameter used
    by several segments receives the sum, as in one backward pass)."""
    for leaf in topological_order(out):
        if leaf.parents or leaf is inp or not leaf.requires_grad or leaf.grad is None:
            continue
        key = id(leaf)
        total = totals[key][1] + leaf.grad if key in totals else leaf.grad
        totals[key] = (leaf, total)


def _check_segments(segments: Any) -> list[Callable[[Node], Node]]:
    segments = list(segments)
    if not segments or not all(callable(s) for s in segments):
        raise TypeError("segments must be a non-empty sequence of functions Node -> Node")
    return segments


def _segment_output(seg: Callable[[Node], Node], inp: Node) -> Node:
    out = seg(inp)
    if not isinstance(out, Node):
        raise TypeError(f"a segment must return a Node, got {type(out).__name__}")
    return out


def network_segments(net: Network, Y: Array, segment: int) -> tuple[list[Node], list[Callable]]:
    """A dense network's loss as graph segments of ``segment`` layers each, for
    :func:`checkpointed_backward`.

    Returns
    -------
    params : list of Node
        ``W^1, b^1, W^2, ...`` (the order of ``get_params``), the leaves the segments use.
    segments : list of callable
        The last one ends in the loss (the half squared error, or a fused cross-entropy on ``z^L``).
    """
    net = _check_chain(net)
    bounds = segment_bounds(net.L, segment)
    W = [Node(w, name=f"W{l}") for l, w in enumerate(net.W, start=1)]
    b = [Node(v, name=f"b{l}") for l, v in enumerate(net.b, start=1)]
    m_out = net.sizes[-1]

    def make(start: int, stop: int) -> Callable[[Node], Node]:
        def seg(a: Node) -> Node:
            for l in range(start, stop):
                z = W[l] @ a + column(b[l])
                if l == net.L - 1 and net.loss_fn.requires is not None:
                    Yf = net.loss_fn.targets(Y, m_out, a.shape[1])
                    return fused_loss(z, Yf, net.loss_fn.name)
                a = activation(z, net.activations[l].name)
            if stop == net.L:
                return half_squared_error(a, net.loss_fn.targets(Y, m_out, a.shape[1]))
            return a
        return seg

    if net.loss_fn.requires is None and net.loss_fn.name != "half_squared_error":
        raise ValueError(f"network_segments knows half_squared_error and the fused losses, not "
                         f"{net.loss_fn.name!r}")
    params = [p for pair in zip(W, b) for p in pair]
    return params, [make(s, t) for s, t in zip(bounds[:-1], bounds[1:])]


# ------------------------------------------------------------------------------ measuring
def traced_peak_bytes(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Call ``fn(*args, **kwargs)`` and measure the peak of the memory it allocated.

    Uses ``tracemalloc``, which sees every NumPy array buffer (NumPy reports its allocations to
    it) and every Python object. The result is the peak of the traced memory during the call minus
    what was traced when it started: the arrays the call kept, its temporaries and its result.

    Returns
    -------
    result : object
        What ``fn`` returned.
    peak : int
        Bytes.
    """
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if started:
            tracemalloc.stop()
    return result, peak
