"""Counting multiply-adds: the cost model of the chapter on what a gradient costs.

The cost model
--------------
One unit is one scalar arithmetic step: a multiply-add ``c += a * b`` counts 1, and so does a lone
multiply, a lone add or one evaluation of an elementary function (``exp``, ``tanh``, ``f'``). Passing
a value through unchanged (a reshape, the adjoint of an addition) costs nothing. So

* ``W @ A`` with ``W`` of shape ``(n, k)`` and ``A`` of shape ``(k, m)`` costs ``n k m``;
* an elementwise operation on an array of ``s`` entries costs ``s``;
* ``f'(z) * g`` costs ``2 s`` (one derivative, one product).

The engine (:mod:`backproplib.autodiff.graph` and :mod:`backproplib.autodiff.forward_mode`)
records, as it runs, what each step costs under this model (the table :data:`COSTS`). Wrap any
computation in :func:`counting` to read the totals:

>>> from backproplib.autodiff.graph import Node
>>> with counting() as tally:
...     c = Node(2.0) * Node(3.0) + Node(1.0)
>>> tally.forward
2
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

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


# ------------------------------------------------------------------------------ the cost table
Costs = tuple[int, tuple[int, ...], tuple[int, ...]]


def _elementwise(size: int, local: int) -> Costs:
    """An elementwise operation of two operands: ``local`` per entry for each VJP and JVP."""
    return size, (local * size, local * size), (local * size, local * size)


def _free(n_parents: int) -> Costs:
    return 0, (0,) * n_parents, (0,) * n_parents


COSTS: dict[str, Callable[[tuple[int, ...], list[tuple[int, ...]]], Costs]] = {
    # op: (output shape, operand shapes) -> (forward, VJP per operand, JVP per operand)
    "+": lambda out, ins: (_size(out), (0, 0), (0, 0)),
    "-": lambda out, ins: (_size(out), (0, _size(out)), (0, _size(out))),
    "*": lambda out, ins: _elementwise(_size(out), 1),
    "@": lambda out, ins: (lambda nkm: (nkm, (nkm, nkm), (nkm, nkm)))(ins[0][0] * ins[0][1] * ins[1][1]),
    "sum": lambda out, ins: (_size(ins[0]), (0,), (_size(ins[0]),)),
    "exp": lambda out, ins: (_size(out), (_size(out),), (2 * _size(out),)),
    "broadcast": lambda out, ins: (0, (_size(out) - _size(ins[0]),), (0,)),
    "softmax": lambda out, ins: (_size(out), (4 * _size(out),), (4 * _size(out),)),
    # a fused loss works on z^L: softmax or logistic, the loss, its adjoint (a - y) / m
    "cross_entropy": lambda out, ins: (4 * _size(ins[0]), (3 * _size(ins[0]),), (4 * _size(ins[0]),)),
    "binary_cross_entropy": lambda out, ins: (4 * _size(ins[0]), (3 * _size(ins[0]),),
                                              (4 * _size(ins[0]),)),
}
"""What one operation costs under the model above; ops that only move values cost nothing, and an
elementwise activation ``f`` costs one evaluation forward and ``f'(z) * g`` (two) per VJP or JVP."""
for _name in ("reshape", "T", "rows", "pad", "step"):
    COSTS[_name] = lambda out, ins: _free(1)
COSTS["concat"] = lambda out, ins: _free(len(ins))
ACTIVATION_COST = lambda out, ins: (_size(out), (2 * _size(out),), (2 * _size(out),))  # noqa: E731


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for k in shape:
        n *= k
    return n


def costs_of(node: Any) -> Costs:
    """``(forward, VJP per operand, JVP per operand)`` of the operation that made ``node``."""
    rule = COSTS.get(node.op, ACTIVATION_COST)
    return rule(node.value.shape, [p.value.shape for p in node.parents])


def record_op(kind: str, node: Any, i: int = 0, shape: tuple[int, ...] | None = None) -> None:
    """Count one step of the engine on ``node``: its ``"forward"`` evaluation, the ``"backward"``
    VJP for operand ``i`` (giving an adjoint of ``shape``, summed back if the operand was
    broadcast), or the ``"accumulate"`` of a second adjoint into ``node``."""
    if not _ACTIVE:
        return
    if kind == "accumulate":
        record("backward", node.value.size)
        return
    forward, vjp, _ = costs_of(node)
    if kind == "forward":
        record("forward", forward)
    else:
        record("backward", vjp[i] + _size(shape) - node.parents[i].value.size)


def tangent_cost(node: Any, live: Sequence[int]) -> int:
    """The JVP cost of ``node`` when the operands ``live`` carry a tangent: theirs, and the sums."""
    jvp = costs_of(node)[2]
    return sum(jvp[i] for i in live) + node.value.size * (len(live) - 1)


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
