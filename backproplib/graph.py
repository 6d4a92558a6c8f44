"""Reverse accumulation on a computational graph: backpropagation as an instance of the adjoint method.

Every operation on :class:`Node` objects returns a new node that remembers its parents and three small
closures: how to recompute its value from its parents' values, how to turn its adjoint ``g = dC/dnode``
into its parents' contributions (a vector-Jacobian product), and how to push a tangent forward (a
Jacobian-vector product, used by :mod:`backproplib.forward_mode`). :func:`backward` puts the nodes in a
topological order **without recursion** and runs the closures from the output back to the inputs, so
every node has received the contributions of all its consumers before it passes its own adjoint on:

    x.grad = sum over consumers c of x:  (dc/dx)^T c.grad.

Values are float64 NumPy arrays (0-d for scalars). Broadcasting is allowed in elementwise operations;
the adjoint of a broadcast operand is summed over the broadcast axes (``unbroadcast``). Each step
records its multiply-adds with :func:`backproplib.opcount.record`.

>>> a = Node(3.0, name="a")
>>> b = a + a
>>> c = b + b
>>> backward(c)
>>> float(a.grad)
4.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import get_activation
from .losses import get_loss
from .opcount import record

Array = np.ndarray
Tangent = Array | None


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
    grad : ndarray or None
        ``dC/dvalue``, same shape as ``value``, set by :func:`backward`.
    parents : tuple of Node
        The operands this node was computed from (empty for a leaf).
    op : str
        The operation's name (``"input"`` for a leaf).
    """

    __slots__ = ("value", "grad", "parents", "op", "name", "requires_grad",
                 "_fn", "_vjp", "_jvp", "_costs")
    __array_priority__ = 1000  # so that ndarray + Node calls Node.__radd__

    def __init__(self, value: Any, name: str | None = None, requires_grad: bool = True) -> None:
        self.value = _as_value(value, name)
        self.grad: Array | None = None
        self.parents: tuple[Node, ...] = ()
        self.op = "input"
        self.name = name
        self.requires_grad = bool(requires_grad)
        self._fn: Callable[[], Array] | None = None
        self._vjp: Callable[[Array, tuple[bool, ...]], tuple[Tangent, ...]] | None = None
        self._jvp: Callable[..., Tangent] | None = None
        self._costs: tuple[int, tuple[int, ...], tuple[int, ...]] = (0, (), ())

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

    # arithmetic -------------------------------------------------------------------------------
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

    def sum(self, axis: int | None = None) -> Node:
        """Sum of the entries (``axis=None``) or along one axis."""
        return total(self, axis)

    def tanh(self) -> Node:
        """``tanh`` of every entry."""
        return activation(self, "tanh")

    def logistic(self) -> Node:
        """The logistic function of every entry."""
        return activation(self, "logistic")

    def relu(self) -> Node:
        """``max(0, z)`` of every entry."""
        return activation(self, "relu")


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


def _make(op: str, value: Array, parents: tuple[Node, ...], fn: Callable[[], Array],
          vjp: Callable[[Array, tuple[bool, ...]], tuple[Tangent, ...]],
          jvp: Callable[..., Tangent], cost_forward: int, cost_vjp: tuple[int, ...],
          cost_jvp: tuple[int, ...]) -> Node:
    """Create the node of one operation and count its forward multiply-adds."""
    out = Node.__new__(Node)
    out.value, out.grad, out.parents, out.op, out.name = value, None, parents, op, None
    out.requires_grad = any(p.requires_grad for p in parents)
    out._fn, out._vjp, out._jvp = fn, vjp, jvp
    out._costs = (cost_forward, cost_vjp, cost_jvp)
    record("forward", cost_forward)
    return out


def _elementwise(op: str, ufunc: Callable[[Array, Array], Array], a: Node, b: Node) -> Array:
    """``ufunc(a.value, b.value)``, with a clear message when the shapes do not broadcast."""
    try:
        return ufunc(a.value, b.value)
    except ValueError:
        raise ValueError(f"cannot broadcast shapes {a.shape} and {b.shape} in {op!r}; for a bias b "
                         "of shape (n,) added to Z of shape (n, m) use column(b)") from None


def unbroadcast(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum an adjoint ``g`` over the axes along which an operand of ``shape`` was broadcast.

    Parameters
    ----------
    g : ndarray
        The adjoint of the broadcast result.
    shape : tuple of int
        The operand's shape (broadcastable to ``g.shape``).

    Returns
    -------
    ndarray of the given shape
    """
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, (n, k) in enumerate(zip(shape, g.shape)) if n == 1 and k != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _tangent_sum(shape: tuple[int, ...], *terms: Tangent) -> Tangent:
    """Add the non-zero tangent terms (``None`` stands for an exact zero) and give them ``shape``."""
    live = [t for t in terms if t is not None]
    if not live:
        return None
    out = live[0]
    for t in live[1:]:
        out = out + t
    return np.broadcast_to(out, shape) if out.shape != shape else out


# ------------------------------------------------------------------------------ operations
def add(a: Any, b: Any) -> Node:
    """``a + b`` (elementwise, with broadcasting). Local derivatives: 1 and 1."""
    a, b = _node(a), _node(b)
    value = _elementwise("+", np.add, a, b)
    shape, size = value.shape, value.size
    return _make("+", value, (a, b),
                 fn=lambda: a.value + b.value,
                 vjp=lambda g, need: (g, g),
                 jvp=lambda ta, tb: _tangent_sum(shape, ta, tb),
                 cost_forward=size, cost_vjp=(0, 0), cost_jvp=(0, 0))


def sub(a: Any, b: Any) -> Node:
    """``a - b`` (elementwise, with broadcasting). Local derivatives: 1 and -1."""
    a, b = _node(a), _node(b)
    value = _elementwise("-", np.subtract, a, b)
    shape, size = value.shape, value.size
    return _make("-", value, (a, b),
                 fn=lambda: a.value - b.value,
                 vjp=lambda g, need: (g, -g if need[1] else None),
                 jvp=lambda ta, tb: _tangent_sum(shape, ta, None if tb is None else -tb),
                 cost_forward=size, cost_vjp=(0, size), cost_jvp=(0, size))


def mul(a: Any, b: Any) -> Node:
    """``a * b`` (elementwise, with broadcasting). Local derivatives: ``b`` and ``a``."""
    a, b = _node(a), _node(b)
    value = _elementwise("*", np.multiply, a, b)
    shape, size = value.shape, value.size
    return _make("*", value, (a, b),
                 fn=lambda: a.value * b.value,
                 vjp=lambda g, need: (g * b.value if need[0] else None, g * a.value if need[1] else None),
                 jvp=lambda ta, tb: _tangent_sum(shape, None if ta is None else ta * b.value,
                                                 None if tb is None else a.value * tb),
                 cost_forward=size, cost_vjp=(size, size), cost_jvp=(size, size))


def matmul(A: Any, B: Any) -> Node:
    """``A @ B`` for ``A`` of shape ``(n, k)`` and ``B`` of shape ``(k, m)``.

    The adjoints are ``G B^T`` and ``A^T G``: one matrix product each, as costly as the forward one.
    """
    A, B = _node(A), _node(B)
    if A.value.ndim != 2 or B.value.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul needs A of shape (n, k) and B of shape (k, m); got {A.shape} @ {B.shape}")
    n, k = A.shape
    m = B.shape[1]
    madds = n * k * m
    return _make("@", A.value @ B.value, (A, B),
                 fn=lambda: A.value @ B.value,
                 vjp=lambda g, need: (g @ B.value.T if need[0] else None,
                                      A.value.T @ g if need[1] else None),
                 jvp=lambda tA, tB: _tangent_sum((n, m), None if tA is None else tA @ B.value,
                                                 None if tB is None else A.value @ tB),
                 cost_forward=madds, cost_vjp=(madds, madds), cost_jvp=(madds, madds))


def total(a: Any, axis: int | None = None) -> Node:
    """The sum of the entries of ``a`` (``axis=None``) or along ``axis``; the adjoint is copied back."""
    a = _node(a)
    if axis is not None and not -a.value.ndim <= axis < a.value.ndim:
        raise ValueError(f"axis {axis} is out of range for a node of shape {a.shape}")
    shape = a.shape

    def vjp(g: Array, need: tuple[bool, ...]) -> tuple[Tangent, ...]:
        g = g if axis is None else np.expand_dims(g, axis)
        return (np.broadcast_to(g, shape),)

    return _make("sum", np.sum(a.value, axis=axis), (a,),
                 fn=lambda: np.sum(a.value, axis=axis),
                 vjp=vjp,
                 jvp=lambda ta: np.sum(ta, axis=axis),
                 cost_forward=a.value.size, cost_vjp=(0,), cost_jvp=(a.value.size,))


def reshape(a: Any, shape: tuple[int, ...]) -> Node:
    """``a`` with a new shape (no arithmetic)."""
    a = _node(a)
    old = a.shape
    try:
        value = a.value.reshape(shape)
    except ValueError:
        raise ValueError(f"cannot reshape a node of shape {old} into {shape}") from None
    new = value.shape
    return _make("reshape", value, (a,),
                 fn=lambda: a.value.reshape(new),
                 vjp=lambda g, need: (g.reshape(old),),
                 jvp=lambda ta: ta.reshape(new),
                 cost_forward=0, cost_vjp=(0,), cost_jvp=(0,))


def column(b: Any) -> Node:
    """A bias ``b`` of shape ``(n,)`` as a column ``(n, 1)``, ready to broadcast over a batch."""
    b = _node(b)
    if b.value.ndim != 1:
        raise ValueError(f"column() needs a vector of shape (n,), got shape {b.shape}")
    return reshape(b, (b.shape[0], 1))


def activation(z: Any, name: str) -> Node:
    """``a = f(z)`` with ``f`` from :mod:`backproplib.activations` (its ``f'`` gives the adjoint)."""
    z = _node(z)
    f = get_activation(name)
    size = z.value.size
    if f.elementwise:
        def vjp(g: Array, need: tuple[bool, ...]) -> tuple[Tangent, ...]:
            return (f.df(z.value) * g,)

        def jvp(tz: Array) -> Array:
            return f.df(z.value) * tz
    else:  # softmax over axis 0: the Jacobian is diag(a) - a a^T for each column
        if z.value.ndim == 0:
            raise ValueError("softmax needs a vector or a matrix of columns, got a scalar node")

        def vjp(g: Array, need: tuple[bool, ...]) -> tuple[Tangent, ...]:
            return (f.backward(z.value, f.f(z.value), g),)

        def jvp(tz: Array) -> Array:
            return f.backward(z.value, f.f(z.value), tz)  # the Jacobian is symmetric

    cost_local = 2 * size if f.elementwise else 4 * size
    return _make(f.name, f.f(z.value), (z,),
                 fn=lambda: f.f(z.value),
                 vjp=vjp, jvp=jvp,
                 cost_forward=size, cost_vjp=(cost_local,), cost_jvp=(cost_local,))


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
    size = z.value.size

    def value() -> Array:
        return np.array(loss.value(z.value, f.f(z.value), Y))

    def vjp(g: Array, need: tuple[bool, ...]) -> tuple[Tangent, ...]:
        return ((f.f(z.value) - Y) * (g / m),)

    def jvp(tz: Array) -> Array:
        return np.sum((f.f(z.value) - Y) * tz) / m

    return _make(loss.name, value(), (z,), fn=value, vjp=vjp, jvp=jvp,
                 cost_forward=4 * size, cost_vjp=(3 * size,), cost_jvp=(4 * size,))


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
        raise TypeError(f"topological_order needs a Node, got {type(output).__name__}")
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


def backward(output: Node, seed: Any = None) -> None:
    """Reverse accumulation: set ``node.grad = d output / d node`` for every node that needs it.

    Parameters
    ----------
    output : Node
        Usually the scalar loss ``C``.
    seed : array_like, optional
        The adjoint of ``output`` (default 1 for a scalar). A non-scalar output needs one: the result
        is then the vector-Jacobian product ``seed^T J``.
    """
    order = topological_order(output)
    for node in order:
        node.grad = None
    output.grad = _seed(output, seed)
    for node in reversed(order):  # every consumer of `node` comes later in `order`: it is done
        if node.grad is None or not node.parents:
            continue
        need = tuple(p.requires_grad for p in node.parents)
        contributions = node._vjp(node.grad, need)
        for p, c, cost, wanted in zip(node.parents, contributions, node._costs[1], need):
            if not wanted:
                continue
            if c.shape != p.shape:  # p was broadcast: sum its adjoint over the broadcast axes
                cost += c.size - p.value.size
                c = unbroadcast(c, p.shape)
            record("backward", cost)
            if p.grad is None:
                p.grad = c
            else:  # a node used more than once: its adjoint is the sum over its consumers
                record("backward", c.size)
                p.grad = p.grad + c
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
            node.value = node._fn()
            record("forward", node._costs[0])
    return output.value


# ------------------------------------------------------------------------------ networks
@dataclass
class NetworkGraph:
    """The graph of a :class:`~backproplib.network.Network` on one batch.

    Attributes
    ----------
    loss : Node
        The scalar batch loss ``C``.
    W, b : list of Node
        ``W[l-1]`` is ``W^l`` of shape ``(n_l, n_{l-1})``, ``b[l-1]`` is ``b^l`` of shape ``(n_l,)``.
    z, a : list of Node
        ``z[l-1]`` is ``z^l``; ``a[l]`` is ``a^l`` (``a[0]`` is the input, a constant).
    """

    loss: Node
    W: list[Node]
    b: list[Node]
    z: list[Node]
    a: list[Node]

    @property
    def params(self) -> list[Node]:
        """``W^1, b^1, W^2, b^2, ...``: the order of :meth:`backproplib.network.Network.get_params`."""
        return [p for pair in zip(self.W, self.b) for p in pair]

    def gradient(self) -> Array:
        """After :func:`backward`: all adjoints as one vector, ordered as ``Network.get_params()``."""
        return np.concatenate([p.grad.ravel() for p in self.params])


def network_graph(net: Any, X: Array, Y: Array) -> NetworkGraph:
    """Build the graph of ``net``'s loss on the batch ``(X, Y)`` from :class:`Node` operations.

    Parameters
    ----------
    net : backproplib.Network
        Supplies ``W``, ``b`` (copied into leaf nodes), the activations and the loss.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or integer labels of shape (m,) for cross-entropy

    Returns
    -------
    NetworkGraph
    """
    X = net._check_input(X)
    m = X.shape[1]
    Yf = net.loss_fn.targets(Y, net.sizes[-1], m)
    A = constant(X, "x")
    g = NetworkGraph(loss=A, W=[], b=[], z=[], a=[A])
    for l, (W, b, f) in enumerate(zip(net.W, net.b, net.activations), start=1):
        Wn, bn = Node(W, name=f"W{l}"), Node(b, name=f"b{l}")
        Z = Wn @ A + column(bn)
        g.W.append(Wn)
        g.b.append(bn)
        g.z.append(Z)
        A = activation(Z, f.name)
        g.a.append(A)
        if l == net.L and net.loss_fn.requires is not None:  # C from z^L; a^L is off the loss's path
            g.loss = fused_loss(Z, Yf, net.loss_fn.name)
    if net.loss_fn.requires is None:
        if net.loss_fn.name != "half_squared_error":
            raise ValueError(f"network_graph knows half_squared_error and the fused losses, "
                             f"not {net.loss_fn.name!r}")
        g.loss = half_squared_error(A, Yf)
    return g


def network_gradient(net: Any, X: Array, Y: Array) -> tuple[float, list[Array], list[Array]]:
    """The loss and its gradients by reverse accumulation on the graph (the engine's equivalent of
    ``Network.loss_and_gradient``).

    Returns
    -------
    loss : float
    dW, db : list of ndarray
        The shapes of ``net.W`` and ``net.b``.
    """
    g = network_graph(net, X, Y)
    backward(g.loss)
    return float(g.loss.value), [W.grad for W in g.W], [b.grad for b in g.b]


def graph_nodes(output: Node) -> Sequence[Node]:
    """The nodes of the graph of ``output`` in topological order (an alias used by the drawings)."""
    return topological_order(output)
