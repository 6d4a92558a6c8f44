"""A scalar reverse-mode engine, small enough to hold in one's head (chapter 17).

Every :class:`Scalar` is one number in a computational graph. An operation makes a new node that
remembers its operands (``parents``) and, for each operand, the **local derivative** of its result
with respect to that operand (``local``): the label of the edge in the *linearised* graph. The
backward pass then needs one rule only, run over the nodes from the output back:

    parent.grad += local * node.grad        (for every edge parent -> node)

The ``+=`` is the multivariate chain rule: a node used by several consumers collects one term from
each. The local derivatives are where the gate intuition lives: ``add`` has locals ``(1, 1)`` (it
distributes the adjoint), ``mul`` has ``(b, a)`` (it swaps its operands), ``maximum`` has ``(1, 0)``
or ``(0, 1)`` (it routes the adjoint to the larger operand).

The order comes from :func:`topological_order`, an iterative depth-first search with its own stack,
so a graph as deep as memory allows works (a recursive search stops at Python's recursion limit).
:func:`backward_steps` yields the nodes one at a time as their adjoints are passed on, which is what
the step-by-step widget of chapter 17 draws; :func:`backward` runs all the steps.

>>> a, b = Scalar(2.0, "a"), Scalar(-3.0, "b")
>>> c = a * b + a
>>> backward(c)
>>> a.grad, b.grad
(-2.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

Number = float | int


class Scalar:
    """A number in a graph, with its adjoint ``grad = d output / d self`` after :func:`backward`.

    Parameters
    ----------
    data : float
        The value (a finite real number).
    name : str, optional
        A label for drawings and messages (``"x1"``, ``"W1[0,1]"``).

    Attributes
    ----------
    data : float
    grad : float
        0.0 until :func:`backward` runs.
    parents : tuple of Scalar
        The operands (empty for a leaf).
    local : tuple of float
        ``local[i] = d self / d parents[i]``, evaluated at the forward values.
    op : str
        The operation (``""`` for a leaf).
    """

    __slots__ = ("data", "grad", "parents", "local", "op", "name")

    def __init__(self, data: Number, name: str | None = None) -> None:
        self.data = _number(data, name)
        self.grad = 0.0
        self.parents: tuple[Scalar, ...] = ()
        self.local: tuple[float, ...] = ()
        self.op = ""
        self.name = name

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Scalar({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other: Any) -> Scalar:
        other = _scalar(other)
        return _make("+", self.data + other.data, (self, other), (1.0, 1.0))

    def __radd__(self, other: Any) -> Scalar:
        return _scalar(other) + self

    def __mul__(self, other: Any) -> Scalar:
        other = _scalar(other)
        return _make("*", self.data * other.data, (self, other), (other.data, self.data))

    def __rmul__(self, other: Any) -> Scalar:
        return _scalar(other) * self

    def __neg__(self) -> Scalar:
        return self * -1.0

    def __sub__(self, other: Any) -> Scalar:
        other = _scalar(other)
        return _make("-", self.data - other.data, (self, other), (1.0, -1.0))

    def __rsub__(self, other: Any) -> Scalar:
        return _scalar(other) - self

    def tanh(self) -> Scalar:
        """``tanh``; its local derivative ``1 - tanh^2`` is computed from the output."""
        t = math.tanh(self.data)
        return _make("tanh", t, (self,), (1.0 - t * t,))

    def exp(self) -> Scalar:
        """``exp``; its local derivative is its own value."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"exp({self.data:g}) overflows a float (the largest argument is "
                             "about 709)") from None
        return _make("exp", e, (self,), (e,))

    def logistic(self) -> Scalar:
        """``1 / (1 + exp(-x))``, overflow-free; local derivative ``s (1 - s)``."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _make("logistic", s, (self,), (s * (1.0 - s),))

    def relu(self) -> Scalar:
        """``max(0, x)``: routes the adjoint through when ``x > 0`` (0 at ``x = 0``)."""
        return _make("relu", max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))


def maximum(a: Any, b: Any) -> Scalar:
    """``max(a, b)``: the adjoint goes to the larger operand (to ``a`` on a tie)."""
    a, b = _scalar(a), _scalar(b)
    first = a.data >= b.data
    return _make("max", a.data if first else b.data, (a, b), (1.0, 0.0) if first else (0.0, 1.0))


def _make(op: str, data: float, parents: tuple[Scalar, ...], local: tuple[float, ...]) -> Scalar:
    out = Scalar.__new__(Scalar)
    out.data, out.grad, out.parents, out.local, out.op, out.name = data, 0.0, parents, local, op, None
    return out


def _number(data: Any, name: str | None) -> float:
    what = f"the value of {name!r}" if name else "a Scalar's value"
    if isinstance(data, Scalar):
        raise TypeError(f"{what} must be a number, not another Scalar")
    if isinstance(data, bool) or not isinstance(data, (int, float)) and not hasattr(data, "__float__"):
        raise TypeError(f"{what} must be a real number, got {type(data).__name__} {data!r}")
    try:
        value = float(data)
    except (TypeError, ValueError) as err:  # a 2-element array, a complex number...
        raise TypeError(f"{what} must be a single real number, got {type(data).__name__}") from err
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


def _scalar(x: Any) -> Scalar:
    return x if isinstance(x, Scalar) else Scalar(x)


# ------------------------------------------------------------------------------ the backward pass
def topological_order(output: Scalar) -> list[Scalar]:
    """Every node ``output`` depends on, each once and after all of its parents, ``output`` last.

    An iterative depth-first search: each stack entry is a node and whether its parents are done.
    Any node with the attributes of :class:`Scalar` (``parents``, ``local``, ``grad``) works, so a
    reader's own value class can be ordered and differentiated by this engine.
    """
    if not hasattr(output, "parents"):  # a Scalar, or any node with the same attributes
        raise TypeError(f"topological_order needs a Scalar (a node with .parents), got "
                        f"{type(output).__name__}")
    order: list[Scalar] = []
    seen: set[int] = set()
    stack = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def backward_steps(output: Scalar) -> Iterator[Scalar]:
    """Run the backward pass one operation at a time, yielding each node after it has passed its
    adjoint to its parents.

    Every adjoint is first reset to 0 and the output's set to 1. When a node is yielded its own
    adjoint is final (all its consumers came before it), and its parents have received its terms.
    """
    order = topological_order(output)
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    for node in reversed(order):
        if not node.parents:
            continue
        for parent, local in zip(node.parents, node.local):
            parent.grad += local * node.grad  # += : one term per consumer
        yield node


def backward(output: Scalar) -> None:
    """Set ``node.grad = d output / d node`` for every node of the graph of ``output``."""
    for _ in backward_steps(output):
        pass


def leaves(output: Scalar) -> list[Scalar]:
    """The leaves of the graph of ``output`` (inputs, parameters, constants), in topological order."""
    return [n for n in topological_order(output) if not n.parents]


def dot_plus(weights: Sequence[Scalar], inputs: Sequence[Scalar], bias: Scalar) -> Scalar:
    """``sum_k w_k x_k + b`` built from ``*`` and ``+`` (one product and one sum per term)."""
    if len(weights) != len(inputs) or not weights:
        raise ValueError(f"dot_plus needs as many weights as inputs (at least one), got "
                         f"{len(weights)} weights and {len(inputs)} inputs")
    total = weights[0] * inputs[0]
    for w, x in zip(weights[1:], inputs[1:]):
        total = total + w * x
    return total + bias


ACTIVATION_METHODS = {"tanh": "tanh", "logistic": "logistic", "relu": "relu", "identity": None}
"""The activations a scalar network can use, and the :class:`Scalar` method of each."""


class ScalarNetwork:
    """A :class:`~backproplib.network.Network`'s loss on a batch, built from :class:`Scalar` nodes.

    Attributes
    ----------
    loss : Scalar
        ``C = (1/m) sum_x 1/2 ||a^L - y||^2``.
    W, b : list
        ``W[l-1][j][k]`` is the leaf of ``w^l_{jk}``, ``b[l-1][j]`` that of ``b^l_j``.
    z, a : list
        ``z[l-1][j][i]`` is ``z^l_j`` of example ``i``; ``a[l][j][i]`` is ``a^l_j`` (``a[0]`` holds
        the inputs).
    """

    def __init__(self, net: Any, X: Any, Y: Any) -> None:
        import numpy as np

        X = net.check_input(X)
        m = X.shape[1]
        Y = net.loss_fn.targets(Y, net.sizes[-1], m)
        from ..network import Network

        if net.loss_fn.name != "half_squared_error" or net.stacked or net.sources != [
                [l - 1] for l in range(1, net.L + 1)] or type(net).forward is not Network.forward:
            raise ValueError("ScalarNetwork builds a plain layered Network with the half squared "
                             f"error, got {net!r}")
        names = [f.name for f in net.activations]
        unknown = sorted(set(names) - set(ACTIVATION_METHODS))
        if unknown:
            raise ValueError(f"the scalar engine has no activation {unknown[0]!r}; it knows: "
                             f"{', '.join(ACTIVATION_METHODS)}")
        self.W = [[[Scalar(float(W[j, k]), f"W{l}[{j},{k}]") for k in range(W.shape[1])]
                   for j in range(W.shape[0])] for l, W in enumerate(net.W, start=1)]
        self.b = [[Scalar(float(b[j]), f"b{l}[{j}]") for j in range(b.shape[0])]
                  for l, b in enumerate(net.b, start=1)]
        self.a = [[[Scalar(float(X[k, i]), f"x{k + 1}" if m == 1 else f"x{k + 1}({i})")
                    for i in range(m)] for k in range(X.shape[0])]]
        self.z = []
        for l, name in enumerate(names, start=1):
            prev = self.a[-1]
            zl = [[dot_plus(self.W[l - 1][j], [prev[k][i] for k in range(len(prev))],
                            self.b[l - 1][j]) for i in range(m)] for j in range(len(self.b[l - 1]))]
            method = ACTIVATION_METHODS[name]
            al = [[getattr(z, method)() if method else z for z in row] for row in zl]
            for j, (zr, ar) in enumerate(zip(zl, al)):
                for z, a in zip(zr, ar):
                    z.name = f"z{l}[{j}]"
                    if a is not z:
                        a.name = f"a{l}[{j}]"
            self.z.append(zl)
            self.a.append(al)
        squares = []
        for j, row in enumerate(self.a[-1]):
            for i, out in enumerate(row):
                d = out - Scalar(float(Y[j, i]), f"y{j + 1}" if m == 1 else None)
                d.name = f"e[{j}]" if m == 1 else None
                squares.append(d * d)
        total = squares[0]
        for s in squares[1:]:
            total = total + s
        self.loss = total * (0.5 / m)
        self.loss.name = "C"
        self._np = np

    @property
    def params(self) -> list[Scalar]:
        """The parameter leaves in :meth:`~backproplib.network.Network.get_params` order."""
        return [s for Wl, bl in zip(self.W, self.b) for s in [*(w for row in Wl for w in row), *bl]]

    def gradient(self) -> Any:
        """After :func:`backward`: every parameter's adjoint, ordered as ``Network.get_params()``."""
        return self._np.array([p.grad for p in self.params])
