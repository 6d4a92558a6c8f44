"""Reverse accumulation on a computational graph: backpropagation as an instance of the adjoint method.

Every operation on :class:`Node` objects returns a new node that remembers its parents and, for each
parent, two small rules (the operation's local derivatives):

* its **vector-Jacobian product** (VJP): how the node's adjoint ``g = dC/dnode`` becomes that parent's
  contribution, used by :func:`backward`;
* its **Jacobian-vector product** (JVP): how a tangent of that parent moves the node, used by
  :mod:`backproplib.autodiff.forward_mode`.

:func:`backward` puts the nodes in a topological order **without recursion** and runs the VJPs from the
output back to the inputs, so every node has received the contributions of all its consumers before
it passes its own adjoint on:

    x.grad = sum over consumers c of x:  (dc/dx)^T c.grad.

Values are float64 NumPy arrays (0-d for scalars). Broadcasting is allowed in elementwise operations;
the adjoint of a broadcast operand is summed over the broadcast axes (:func:`unbroadcast`). What each
step costs is looked up in :data:`backproplib.autodiff.opcount.COSTS` and counted while a
:func:`~backproplib.autodiff.opcount.counting` block is open.

A VJP rule is written with ordinary arithmetic, so it works on arrays and on nodes alike:
``backward(C, create_graph=True)`` runs the same rules on nodes and leaves each adjoint as a *node*, a
graph of its own that can be differentiated again (a Hessian-vector product, a gradient penalty).

>>> a = Node(3.0, name="a")
>>> b = a + a
>>> c = b + b
>>> backward(c)
>>> float(a.grad)
4.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..activations import get_activation
from ..losses import get_loss
from .opcount import record_op

Array = np.ndarray
Value = Any  # an ndarray, or a Node when the adjoints are themselves built as a graph


class Node:
    """A value in a computational graph, with the adjoint ``grad = dC/dvalue`` after :func:`backward`.

    Parameters
    ----------
    value : float or array_like
        Stored as a float64 array (0-d for a scalar).
    name : str, optional
        A label for pictures and error messages (``"W1"``, ``"x"``).
    requires_grad : bool
        Whether :func:`backward` should compute this leaf's adjoint. Data (inputs ``X``, targets ``Y``)
        use ``False``; numbers mixed into arithmetic become such constants automatically.

    Attributes
    ----------
    value : ndarray
    grad : ndarray, Node or None
        ``dC/dvalue``, same shape as ``value``, set by :func:`backward` (a Node with
        ``create_graph=True``).
    parents : tuple of Node
        The operands this node was computed from (empty for a leaf).
    op : str
        The operation's name (``"input"`` for a leaf).
    """

    __slots__ = ("value", "grad", "parents", "op", "name", "requires_grad", "_forward", "_vjps",
                 "_jvps")
    __array_priority__ = 1000  # so that ndarray + Node calls Node.__radd__

    def __init__(self, value: Any, name: str | None = None, requires_grad: bool = True) -> None:
        self.value = _as_value(value, name)
        self.grad: Any = None
        self.parents: tuple[Node, ...] = ()
        self.op = "input"
        self.name = name
        self.requires_grad = bool(requires_grad)
        self._forward: Callable[..., Array] | None = None
        self._vjps: tuple[Callable[..., Value], ...] = ()
        self._jvps: tuple[Callable[..., Array], ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``value``."""
        return self.value.shape

    @property
    def is_leaf(self) -> bool:
        """True for an input, a parameter or a constant (a node with no parents)."""
        return not self.parents

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Node({label}op={self.op!r}, shape={self.shape})"

    def vjp(self, g: Any) -> tuple[Array, ...]:
        """What an adjoint ``g`` of this node contributes to each parent's adjoint: the
        operation's vector-Jacobian products, one per parent (before summing over any axis the
        parent was broadcast along)."""
        args = tuple(p.value for p in self.parents)
        g = _as_value(g, "adjoint")
        return tuple(rule(g, self.value, *args) for rule in self._vjps)

    # arithmetic: every operator is one of the operations below -------------------------------
    def __add__(self, other: Any) -> Node:
        return add(self, other)

    def __radd__(self, other: Any) -> Node:
        return add(other, self)

    def __sub__(self, other: Any) -> Node:
        return sub(self, other)

    def __rsub__(self, other: Any) -> Node:
        return sub(other, self)

    def __mul__(self, other: Any) -> Node:
        return mul(self, other)

    def __rmul__(self, other: Any) -> Node:
        return mul(other, self)

    def __truediv__(self, other: Any) -> Node:
        if isinstance(other, Node):
            raise TypeError("division by a Node is not an operation of this engine; "
                            "divide by a number (a constant) instead")
        return mul(self, 1.0 / _as_value(other, "divisor"))

    def __neg__(self) -> Node:
        return mul(self, -1.0)

    def __matmul__(self, other: Any) -> Node:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Node:
        return matmul(other, self)

    @property
    def T(self) -> Node:
        """The transpose of a matrix node."""
        return transpose(self)

    def sum(self, axis: int | None = None, keepdims: bool = False) -> Node:
        """Sum of the entries (``axis=None``) or along one axis."""
        return total(self, axis, keepdims)

    def reshape(self, shape: tuple[int, ...]) -> Node:
        """The same entries in a new shape."""
        return reshape(self, shape)

    def tanh(self) -> Node:
        """``tanh`` of every entry."""
        return activation(self, "tanh")

    def logistic(self) -> Node:
        """The logistic function of every entry."""
        return activation(self, "logistic")

    def relu(self) -> Node:
        """``max(0, z)`` of every entry."""
        return activation(self, "relu")

    def exp(self) -> Node:
        """``exp`` of every entry."""
        return exp(self)


def constant(value: Any, name: str | None = None) -> Node:
    """A leaf whose adjoint is not wanted (data, targets, fixed numbers)."""
    return Node(value, name=name, requires_grad=False)


# ------------------------------------------------------------------------------ building blocks
def _as_value(value: Any, name: str | None) -> Array:
    if isinstance(value, Node):
        raise TypeError("a Node's value must be a number or an array, not another Node")
    what = f"value of node {name!r}" if name else "Node value"
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{what} must be a number or a numeric array, got {type(value).__name__}")
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be a number or a numeric array, got {type(value).__name__}") from err


def _node(x: Any) -> Node:
    return x if isinstance(x, Node) else constant(x)


def _op(op: str, forward: Callable[..., Array], parents: Sequence[Any],
        vjps: tuple[Callable[..., Value], ...], jvps: tuple[Callable[..., Array], ...]) -> Node:
    """The node of one operation: ``forward(*parent values)``, with one VJP and one JVP per parent.

    A VJP is called as ``vjp(g, out, *parents)`` and a JVP as ``jvp(t, *parents)``, with the values of
    the output and the parents (or the nodes themselves when adjoints are built as a graph).
    """
    parents = tuple(_node(p) for p in parents)
    out = Node.__new__(Node)
    out.value = forward(*(p.value for p in parents))
    out.grad, out.parents, out.op, out.name = None, parents, op, None
    out.requires_grad = any(p.requires_grad for p in parents)
    out._forward, out._vjps, out._jvps = forward, vjps, jvps
    record_op("forward", out)
    return out


def _elementwise(op: str, ufunc: Callable[[Array, Array], Array]) -> Callable[[Array, Array], Array]:
    """``ufunc``, with a clear message when the shapes do not broadcast."""
    def forward(a: Array, b: Array) -> Array:
        try:
            return ufunc(a, b)
        except ValueError:
            raise ValueError(f"cannot broadcast shapes {a.shape} and {b.shape} in {op!r}; for a bias "
                             "b of shape (n,) added to Z of shape (n, m) use column(b)") from None
    return forward


def unbroadcast(g: Value, shape: tuple[int, ...]) -> Value:
    """Sum an adjoint ``g`` over the axes along which an operand of ``shape`` was broadcast.

    Parameters
    ----------
    g : ndarray or Node
        The adjoint of the broadcast result.
    shape : tuple of int
        The operand's shape (broadcastable to ``g.shape``).

    Returns
    -------
    ndarray or Node of the given shape
    """
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    for axis in sorted(axes, reverse=True):
        g = g.sum(axis=axis, keepdims=axis >= lead)
    return g


# ------------------------------------------------------------------------------ operations
# Each operation is its forward rule and, per operand, its VJP and its JVP: the local derivatives.
def add(a: Any, b: Any) -> Node:
    """``a + b`` (elementwise, with broadcasting). Add distributes: both
    operands receive ``g``."""
    return _op("+", _elementwise("+", np.add), (a, b),
               vjps=(lambda g, out, a, b: g, lambda g, out, a, b: g),
               jvps=(lambda t, a, b: t, lambda t, a, b: t))


def sub(a: Any, b: Any) -> Node:
    """``a - b`` (elementwise, with broadcasting). Local derivatives: 1 and -1."""
    return _op("-", _elementwise("-", np.subtract), (a, b),
               vjps=(lambda g, out, a, b: g, lambda g, out, a, b: -g),
               jvps=(lambda t, a, b: t, lambda t, a, b: -t))


def mul(a: Any, b: Any) -> Node:
    """``a * b`` (elementwise, with broadcasting). Multiply swaps: the adjoint
    of ``a`` is ``g b``, that of ``b`` is ``g a``."""
    return _op("*", _elementwise("*", np.multiply), (a, b),
               vjps=(lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
               jvps=(lambda t, a, b: t * b, lambda t, a, b: a * t))


def matmul(A: Any, B: Any) -> Node:
    """``A @ B`` for ``A`` of shape ``(n, k)`` and ``B`` of shape ``(k, m)``.

    The adjoints are ``G B^T`` and ``A^T G``: one matrix product each, as costly as the forward one.
    """
    A, B = _node(A), _node(B)
    if A.value.ndim != 2 or B.value.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul needs A of shape (n, k) and B of shape (k, m); got {A.shape} @ {B.shape}")
    return _op("@", np.matmul, (A, B),
               vjps=(lambda g, out, A, B: g @ B.T, lambda g, out, A, B: A.T @ g),
               jvps=(lambda t, A, B: t @ B, lambda t, A, B: A @ t))


def transpose(A: Any) -> Node:
    """``A^T`` of a matrix (no arithmetic)."""
    A = _node(A)
    if A.value.ndim != 2:
        raise ValueError(f"transpose needs a matrix, got a node of shape {A.shape}")
    return _op("T", np.transpose, (A,),
               vjps=(lambda g, out, A: g.T,), jvps=(lambda t, A: t.T,))


def total(a: Any, axis: int | None = None, keepdims: bool = False) -> Node:
    """The sum of the entries of ``a`` (``axis=None``) or along ``axis``; the adjoint is copied back."""
    a = _node(a)
    if axis is not None and not -a.value.ndim <= axis < a.value.ndim:
        raise ValueError(f"axis {axis} is out of range for a node of shape {a.shape}")
    shape = a.shape

    def vjp(g: Value, out: Value, a: Value) -> Value:
        if axis is not None and not keepdims:
            g = g.reshape(g.shape[:axis % len(shape)] + (1,) + g.shape[axis % len(shape):])
        return broadcast_to(g, shape)

    return _op("sum", lambda v: np.sum(v, axis=axis, keepdims=keepdims), (a,),
               vjps=(vjp,), jvps=(lambda t, a: np.sum(t, axis=axis, keepdims=keepdims),))


def broadcast_to(a: Any, shape: tuple[int, ...]) -> Value:
    """``a`` repeated along broadcast axes up to ``shape`` (the adjoint is summed back)."""
    if not isinstance(a, Node):
        return np.broadcast_to(a, shape)
    old = a.shape
    return _op("broadcast", lambda v: np.broadcast_to(v, shape), (a,),
               vjps=(lambda g, out, a: unbroadcast(g, old),),
               jvps=(lambda t, a: np.broadcast_to(t, shape),))


def reshape(a: Any, shape: tuple[int, ...]) -> Node:
    """``a`` with a new shape (no arithmetic)."""
    a = _node(a)
    old = a.shape
    try:
        new = a.value.reshape(shape).shape
    except ValueError:
        raise ValueError(f"cannot reshape a node of shape {old} into {shape}") from None
    return _op("reshape", lambda v: v.reshape(new), (a,),
               vjps=(lambda g, out, a: g.reshape(old),), jvps=(lambda t, a: t.reshape(new),))


def column(b: Any) -> Node:
    """A bias ``b`` of shape ``(n,)`` as a column ``(n, 1)``, ready to broadcast over a batch."""
    b = _node(b)
    if b.value.ndim != 1:
        raise ValueError(f"column() needs a vector of shape (n,), got shape {b.shape}")
    return reshape(b, (b.shape[0], 1))


def rows(a: Any, start: int, stop: int) -> Value:
    """Rows ``start:stop`` of a matrix (the adjoint is padded back with zeros)."""
    if not isinstance(a, Node):
        return a[start:stop]
    n = a.shape[0]
    return _op("rows", lambda v: v[start:stop], (a,),
               vjps=(lambda g, out, a: pad_rows(g, start, n),),
               jvps=(lambda t, a: t[start:stop],))


def pad_rows(a: Any, start: int, n: int) -> Value:
    """A matrix of ``n`` rows, zero but for ``a`` placed at rows ``start:`` (the adjoint of rows)."""
    def forward(v: Array) -> Array:
        out = np.zeros((n, *v.shape[1:]))
        out[start : start + v.shape[0]] = v
        return out
    if not isinstance(a, Node):
        return forward(a)
    k = a.shape[0]
    return _op("pad", forward, (a,),
               vjps=(lambda g, out, a: rows(g, start, start + k),),
               jvps=(lambda t, a: forward(t),))


def concat(parts: Sequence[Any]) -> Node:
    """Matrices stacked vertically (a layer that reads several layers' activations)."""
    parts = [_node(p) for p in parts]
    if not parts or any(p.value.ndim != 2 for p in parts) or len({p.shape[1] for p in parts}) != 1:
        raise ValueError(f"concat needs matrices with one number of columns, got shapes "
                         f"{[p.shape for p in parts]}")
    starts = np.cumsum([0] + [p.shape[0] for p in parts])

    def vjp(i: int) -> Callable[..., Value]:  # operand i receives its own rows of the adjoint
        return lambda g, out, *ps: rows(g, int(starts[i]), int(starts[i + 1]))

    def jvp(i: int) -> Callable[..., Array]:  # its tangent fills its own rows of the output's
        return lambda t, *ps: pad_rows(t, int(starts[i]), int(starts[-1]))

    return _op("concat", lambda *vs: np.concatenate(vs, axis=0), parts,
               vjps=tuple(vjp(i) for i in range(len(parts))),
               jvps=tuple(jvp(i) for i in range(len(parts))))


def exp(a: Any) -> Node:
    """``exp`` of every entry; its derivative is itself: the adjoint is ``g * exp(a)``."""
    return _op("exp", np.exp, (a,), vjps=(lambda g, out, a: g * out,),
               jvps=(lambda t, a: t * np.exp(a),))


# The derivative of each activation, written with the engine's arithmetic so that it also builds a
# graph (for create_graph); on arrays the activation's own f' is used.
_DERIVATIVE_GRAPHS: dict[str, Callable[[Value, Value], Value]] = {
    "logistic": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a * a,
    "identity": lambda z, a: 0.0 * a + 1.0,
    "relu": lambda z, a: step(z),
}


def step(z: Any) -> Value:
    """The rectifier's derivative, 1 where ``z > 0`` and 0 elsewhere (its own derivative is 0)."""
    def forward(v: Array) -> Array:
        return (v > 0).astype(float)
    if not isinstance(z, Node):
        return forward(z)
    return _op("step", forward, (z,), vjps=(lambda g, out, z: 0.0 * g,),
               jvps=(lambda t, z: np.zeros_like(t),))


def activation(z: Any, name: str) -> Node:
    """``a = f(z)`` with ``f`` from :mod:`backproplib.activations` (its ``f'`` gives the adjoint)."""
    z = _node(z)
    f = get_activation(name)
    if not f.elementwise and z.value.ndim == 0:
        raise ValueError("softmax needs a vector or a matrix of columns, got a scalar node")

    def fprime(z: Value, a: Value) -> Value:
        if not isinstance(z, Node):
            return f.df(z)
        if f.name not in _DERIVATIVE_GRAPHS:
            raise ValueError(f"create_graph needs the derivative of {f.name!r} as graph operations; "
                             f"it is written for: {', '.join(_DERIVATIVE_GRAPHS)}")
        return _DERIVATIVE_GRAPHS[f.name](z, a)

    if f.elementwise:
        vjp = lambda g, out, z: g * fprime(z, out)  # noqa: E731
        jvp = lambda t, z: f.df(z) * t  # noqa: E731
    else:  # softmax over axis 0: the Jacobian diag(a) - a a^T is symmetric
        vjp = lambda g, out, z: out * (g - (out * g).sum(axis=0, keepdims=True))  # noqa: E731
        jvp = lambda t, z: f.backward(z, f.f(z), t)  # noqa: E731
    return _op(f.name, f.f, (z,), vjps=(vjp,), jvps=(jvp,))


def fused_loss(z: Any, Y: Array, name: str) -> Node:
    """The batch loss of a matched output layer computed from ``z^L``: softmax + ``"cross_entropy"``
    or logistic + ``"binary_cross_entropy"``, whose ``dC/dz^L`` is ``(a - y) / m``.

    Parameters
    ----------
    z : Node, shape (n_L, m)
        The weighted input of the output layer.
    Y : ndarray, shape (n_L, m)
        Targets as floats (one-hot columns for cross-entropy).
    name : str
        ``"cross_entropy"`` or ``"binary_cross_entropy"``.
    """
    z = _node(z)
    loss = get_loss(name)
    if loss.requires is None:
        raise ValueError(f"fused_loss is for a loss paired with its output activation "
                         f"(cross_entropy, binary_cross_entropy), got {loss.name!r}")
    f = get_activation(loss.requires)
    Y = np.asarray(Y, dtype=float)
    if z.value.ndim != 2 or Y.shape != z.shape:
        raise ValueError(f"fused_loss needs z of shape (n_L, m) and targets of the same shape; "
                         f"got z {z.shape} and Y {Y.shape}")
    m = z.shape[1]

    def probabilities(z: Value) -> Value:
        return activation(z, f.name) if isinstance(z, Node) else f.f(z)

    return _op(loss.name, lambda v: np.array(loss.value(v, f.f(v), Y)), (z,),
               vjps=(lambda g, out, z: (probabilities(z) - Y) * (g / m),),
               jvps=(lambda t, z: np.sum((f.f(z) - Y) * t) / m,))


def half_squared_error(a: Any, Y: Array) -> Node:
    """``C = (1/m) sum_x 1/2 ||a_x - y_x||^2`` built from primitive operations.

    Parameters
    ----------
    a : Node, shape (n_L, m)
    Y : ndarray, shape (n_L, m)
    """
    a = _node(a)
    Y = np.asarray(Y, dtype=float)
    if a.value.ndim != 2 or Y.shape != a.shape:
        raise ValueError(f"half_squared_error needs a of shape (n_L, m) and targets of the same shape; "
                         f"got a {a.shape} and Y {Y.shape}")
    d = a - constant(Y, "y")
    return (d * d).sum() * constant(0.5 / a.shape[1], "1/(2m)")


# ------------------------------------------------------------------------------ the engine
def topological_order(output: Node) -> list[Node]:
    """Every node ``output`` depends on, each after all of its parents (an iterative depth-first
    search: no recursion, so graphs of any depth work).

    Returns
    -------
    list of Node
        Leaves first, ``output`` last.
    """
    if not isinstance(output, Node):
        what = type(output).__name__
        raise TypeError(f"topological_order needs a Node, got {what}")
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:  # all of this node's parents are already in `order`
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def backward(output: Node, seed: Any = None,
             create_graph: bool = False) -> None:
    """Reverse accumulation: set ``node.grad = d output / d node`` for every node that needs it.

    Parameters
    ----------
    output : Node
        Usually the scalar loss ``C``.
    seed : array_like, optional
        The adjoint of ``output`` (default 1 for a scalar). A non-scalar output needs one: the result
        is then the vector-Jacobian product ``seed^T J``.
    create_graph : bool
        Build every adjoint as a :class:`Node` (from the same VJP rules), so that a gradient can
        itself be differentiated: its ``.value`` is the adjoint, and :func:`backward` or
        :func:`~backproplib.autodiff.forward_mode.jvp` can run on it.
    """
    order = topological_order(output)
    for node in order:
        node.grad = None
    seed = _seed(output, seed)
    output.grad = constant(seed, "seed") if create_graph else seed
    # every consumer of `node` comes later in `order`: all of them are done
    for node in reversed(order):
        if node.grad is None or not node.parents:
            continue
        if create_graph:
            out, args = node, node.parents
        else:
            out, args = node.value, tuple(p.value for p in node.parents)
        for i, (p, vjp) in enumerate(zip(node.parents, node._vjps)):
            if not p.requires_grad:
                continue
            c = vjp(node.grad, out, *args)
            record_op("backward", node, i, c.shape)
            if c.shape != p.shape:  # p was broadcast: sum over those axes
                c = unbroadcast(c, p.shape)
            if p.grad is None:
                p.grad = c
            else:  # p is used again: its adjoint sums over its consumers
                record_op("accumulate", p)
                p.grad = p.grad + c
    if not create_graph:
        _own_leaf_adjoints(order)


def _seed(output: Node, seed: Any) -> Array:
    """The adjoint of the output: 1 for a scalar, else the given array of the output's shape."""
    if seed is None:
        if output.value.size != 1:
            raise ValueError(f"backward() of a non-scalar node of shape {output.shape} needs a seed "
                             f"adjoint of that shape")
        return np.ones_like(output.value)
    seed = _as_value(seed, "seed")
    if seed.shape != output.shape:
        raise ValueError(f"seed has shape {seed.shape}, expected the output's shape {output.shape}")
    return seed


def _own_leaf_adjoints(order: list[Node]) -> None:
    """Give every leaf its own writable adjoint: copy the views and the arrays shared with other nodes
    (the adjoint of an addition is handed on, not copied)."""
    holders: dict[int, int] = {}
    for node in order:
        if node.grad is not None:
            holders[id(node.grad)] = holders.get(id(node.grad), 0) + 1
    for node in order:
        g = node.grad
        if not node.parents and g is not None and (
                holders[id(g)] > 1 or g.base is not None or not g.flags.writeable):
            node.grad = np.array(g, dtype=np.float64)


def evaluate(output: Node) -> Array:
    """Recompute every value of the graph from its leaves (after a leaf's value has changed).

    Returns
    -------
    ndarray
        The new value of ``output``.
    """
    for node in topological_order(output):
        if node.parents:
            node.value = node._forward(*(p.value for p in node.parents))
            record_op("forward", node)
    return output.value
