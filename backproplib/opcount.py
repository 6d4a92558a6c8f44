"""Counting multiply-adds: the cost model of the chapter on what a gradient costs.

The cost model
--------------
One unit is one scalar arithmetic step: a multiply-add ``c += a * b`` counts 1, and so does a lone
multiply, a lone add or one evaluation of an elementary function (``exp``, ``tanh``, ``f'``). Passing
a value through unchanged (a reshape, the adjoint of an addition) costs nothing. So

* ``W @ A`` with ``W`` of shape ``(n, k)`` and ``A`` of shape ``(k, m)`` costs ``n k m``;
* an elementwise operation on an array of ``s`` entries costs ``s``;
* ``f'(z) * g`` costs ``2 s`` (one derivative, one product).

The engine (:mod:`backproplib.graph` and :mod:`backproplib.forward_mode`) records, as it runs, what
each step costs under this model. Wrap any computation in :func:`counting` to read the totals:

>>> from backproplib.graph import Node
>>> with counting() as tally:
...     c = Node(2.0) * Node(3.0) + Node(1.0)
>>> tally.forward
2
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

KINDS = ("forward", "backward", "tangent")


@dataclass(eq=False)  # tallies are told apart by identity (nested blocks)
class Tally:
    """Multiply-adds counted inside one :func:`counting` block.

    Attributes
    ----------
    forward : int
        Steps of forward evaluation (building the graph, or re-evaluating it).
    backward : int
        Steps of reverse accumulation (vector-Jacobian products, adjoint sums).
    tangent : int
        Steps of forward accumulation (Jacobian-vector products).
    """

    forward: int = 0
    backward: int = 0
    tangent: int = 0

    @property
    def total(self) -> int:
        """All counted steps."""
        return self.forward + self.backward + self.tangent


_ACTIVE: list[Tally] = []


@contextmanager
def counting() -> Iterator[Tally]:
    """Count the multiply-adds of the graph operations run inside the ``with`` block.

    Blocks may be nested; every active tally receives every count.
    """
    tally = Tally()
    _ACTIVE.append(tally)
    try:
        yield tally
    finally:
        _ACTIVE.remove(tally)


def record(kind: str, n: int) -> None:
    """Add ``n`` steps of the given kind (``"forward"``, ``"backward"`` or ``"tangent"``)."""
    if not _ACTIVE:
        return
    if kind not in KINDS:
        raise ValueError(f"unknown kind of step {kind!r}; valid kinds are: {', '.join(KINDS)}")
    for tally in _ACTIVE:
        setattr(tally, kind, getattr(tally, kind) + int(n))


def dense_forward_madds(sizes: Sequence[int], m: int) -> int:
    """The matrix products of a dense forward pass alone: ``sum_l n_l n_{l-1} m``.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, ..., n_L]``.
    m : int
        The batch size.
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) <= 0 or m <= 0:
        raise ValueError(f"need at least two positive layer sizes and m > 0, got sizes={sizes}, m={m}")
    return sum(sizes[l] * sizes[l - 1] * m for l in range(1, len(sizes)))


def gradient_costs(sizes: Sequence[int], m: int, activation: str = "tanh", seed: int = 0) -> dict[str, int]:
    """Counted multiply-adds of a whole gradient of a dense network, by each method.

    The network ``sizes`` (half squared error) is built as a graph on a batch of ``m`` examples and
    every count is taken from the engine as it runs:

    ``forward``
        one forward pass (building the graph);
    ``reverse``
        forward pass + one backward pass (:func:`backproplib.graph.backward`);
    ``forward_mode``
        forward pass + one Jacobian-vector product per parameter (run once for each parameter array and
        multiplied by its size: every entry of an array costs the same);
    ``finite_differences``
        central differences, ``2 n`` forward passes (+ ``2 n`` for the differences and divisions).

    Returns
    -------
    dict
        The four counts and ``n_params``.
    """
    import numpy as np

    from . import forward_mode
    from .graph import backward, network_graph
    from .network import Network

    net = Network(list(sizes), activations=activation, seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(net.sizes[0], m)), rng.normal(size=(net.sizes[-1], m))
    with counting() as fwd:
        g = network_graph(net, X, Y)
    with counting() as bwd:
        backward(g.loss)
    tangent = 0
    for p in g.params:
        with counting() as t:
            forward_mode.jvp(g.loss, {p: np.ones(p.shape)})
        tangent += t.tangent * p.value.size
    n = net.n_params
    return {"n_params": n, "forward": fwd.forward, "reverse": fwd.forward + bwd.backward,
            "forward_mode": fwd.forward + tangent, "finite_differences": 2 * n * fwd.forward + 2 * n}
