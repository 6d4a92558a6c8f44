"""Forward accumulation and finite differences over the same graph as :mod:`backproplib.autodiff.graph`.

Both methods answer the question "how does the output change when *one* input direction changes?", so a
full gradient needs one pass per parameter:

* forward mode pushes a tangent ``t = d node / d theta_i`` from the leaves to the output with each
  operation's Jacobian-vector product: one exact directional derivative per pass;
* central differences evaluate the graph twice, at ``theta_i + eps`` and ``theta_i - eps``.

Reverse mode (:func:`backproplib.autodiff.graph.backward`) gets every partial derivative of a scalar output
in a single backward pass. The three methods use the same operations and the same cost model
(:mod:`backproplib.autodiff.opcount`), so their counts can be compared directly.

>>> from backproplib.autodiff.graph import Node
>>> x = Node(2.0)
>>> y = x * x * x
>>> float(jvp(y, {x: 1.0}))
12.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .graph import Node, evaluate, topological_order
from .opcount import record, tangent_cost

Array = np.ndarray


def jvp(output: Node, seeds: Mapping[Node, Any]) -> Array:
    """Forward accumulation: the directional derivative of ``output`` along the given leaf tangents.

    Parameters
    ----------
    output : Node
    seeds : mapping from leaf Node to array_like
        The tangent ``d leaf / d s`` of each varied leaf (same shape as the leaf); every other leaf
        has tangent zero.

    Returns
    -------
    ndarray, shape of ``output``
        ``d output / d s``. Nodes that do not depend on a seeded leaf carry an exact zero and cost
        nothing.
    """
    order = topological_order(output)
    known = {id(n) for n in order}
    tangent: dict[int, Array | None] = {}
    for leaf, t in seeds.items():
        if not isinstance(leaf, Node):
            raise TypeError(f"seeds must map Nodes to tangents, got a key of type {type(leaf).__name__}")
        if id(leaf) not in known:
            raise ValueError(f"seeded node {leaf!r} is not part of the graph of the output")
        t = np.asarray(t, dtype=float)
        if t.shape != leaf.shape:
            raise ValueError(f"tangent of {leaf!r} has shape {t.shape}, expected {leaf.shape}")
        tangent[id(leaf)] = t
    for node in order:
        if not node.parents:
            continue
        ts = [tangent.get(id(p)) for p in node.parents]
        live = [i for i, t in enumerate(ts) if t is not None]
        if not live:
            continue
        record("tangent", tangent_cost(node, live))
        values = [p.value for p in node.parents]  # d node = sum over operands of J_i t_i
        terms = [node._jvps[i](ts[i], *values) for i in live]
        tangent[id(node)] = _tangent_sum(node.shape, terms)
    t_out = tangent.get(id(output))
    return np.zeros_like(output.value) if t_out is None else np.asarray(t_out, dtype=float)


def _tangent_sum(shape: tuple[int, ...], terms: list[Array]) -> Array:
    """Add the tangent terms of the operands, broadcast to the node's shape."""
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return np.broadcast_to(out, shape) if out.shape != shape else out


def _check_params(output: Node, params: Sequence[Node]) -> list[Node]:
    params = list(params)
    known = {id(n) for n in topological_order(output)}
    for p in params:
        if not isinstance(p, Node):
            raise TypeError(f"params must be Nodes, got {type(p).__name__}")
        if p.parents:
            raise ValueError(f"params must be leaves of the graph, got the result of {p.op!r}")
        if id(p) not in known:
            raise ValueError(f"parameter {p!r} is not part of the graph of the output")
    if output.value.size != 1:
        raise ValueError(f"a gradient needs a scalar output, got shape {output.shape}")
    return params


def gradient(output: Node, params: Sequence[Node]) -> list[Array]:
    """The gradient of a scalar ``output`` by forward mode: one :func:`jvp` per parameter entry.

    Parameters
    ----------
    output : Node, scalar
    params : sequence of leaf Node

    Returns
    -------
    list of ndarray
        ``d output / d p`` for every ``p``, shaped like ``p``.
    """
    grads = []
    for p in _check_params(output, params):
        g = np.zeros(p.shape)
        e = np.zeros(p.shape)
        for i in range(p.value.size):
            e.flat[i] = 1.0
            g.flat[i] = float(jvp(output, {p: e}))
            e.flat[i] = 0.0
        grads.append(g)
    return grads


def finite_differences(output: Node, params: Sequence[Node], eps: float = 1e-6,
                       scheme: str = "central") -> list[Array]:
    """Finite differences on the graph, re-evaluating it with :func:`backproplib.autodiff.graph.evaluate`.

    ``scheme="central"`` moves each entry ``theta_i`` to ``theta_i +- eps`` and keeps
    ``(C_+ - C_-) / (2 eps)``: two evaluations per entry, ``2n`` in all. ``scheme="forward"`` keeps
    ``(C_+ - C) / eps``: one evaluation per entry plus one at ``theta``, ``n + 1`` in all. Every value
    of the graph is restored afterwards (copied back, not recomputed).

    Returns
    -------
    list of ndarray
        Approximations of ``d output / d p``, shaped like ``p``.
    """
    if scheme not in ("central", "forward"):
        raise ValueError(f"unknown scheme {scheme!r}; valid schemes are: central, forward")
    if not eps > 0:
        raise ValueError(f"the step eps must be positive, got {eps}")
    params = _check_params(output, params)
    saved = [(n, n.value) for n in topological_order(output) if n.parents]
    base = float(evaluate(output)) if scheme == "forward" else 0.0
    grads = []
    for p in params:
        g = np.zeros(p.shape)
        flat = p.value.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = float(evaluate(output))
            if scheme == "central":
                flat[i] = old - eps
                g.flat[i] = (up - float(evaluate(output))) / (2 * eps)
            else:
                g.flat[i] = (up - base) / eps
            flat[i] = old
            record("forward", 2)  # the difference and the division
        grads.append(g)
    for node, value in saved:
        node.value = value
    return grads
