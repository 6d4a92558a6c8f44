"""A :class:`~backproplib.network.Network` as a computational graph (chapter 6): the same loss, built
from :mod:`~backproplib.autodiff.graph` operations, so that reverse accumulation on the graph can be
compared with the network's own backward recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..network import Network
from .graph import (
    Node,
    activation,
    backward,
    column,
    concat,
    constant,
    fused_loss,
    half_squared_error,
    topological_order,
)

Array = np.ndarray

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
        """After :func:`~backproplib.autodiff.graph.backward`: all adjoints as one vector, ordered
        as ``Network.get_params()``."""
        return np.concatenate([p.grad.ravel() for p in self.params])


def network_graph(net: Any, X: Array, Y: Array) -> NetworkGraph:
    """Build the graph of ``net``'s loss on the batch ``(X, Y)`` from :class:`Node` operations.

    Parameters
    ----------
    net : backproplib.Network
        Supplies ``W``, ``b`` (copied into leaf nodes), the activations and the loss; a
        :class:`~backproplib.architectures.skip_network.SkipNetwork` stacks each layer's sources.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or integer labels of shape (m,) for cross-entropy

    Returns
    -------
    NetworkGraph
    """
    X = net.check_input(X)
    m = X.shape[1]
    Yf = net.loss_fn.targets(Y, net.sizes[-1], m)
    if net.stacked:
        raise ValueError("network_graph builds the graph of one network, not of a stack")
    if type(net).forward is not Network.forward:  # e.g. a ResidualNetwork: not this graph
        raise ValueError(f"network_graph builds layered and skip networks; "
                         f"{type(net).__name__} has a forward pass of its own")
    A = constant(X, "x")
    g = NetworkGraph(loss=A, W=[], b=[], z=[], a=[A])
    for l, (W, b, f) in enumerate(zip(net.W, net.b, net.activations), start=1):
        Wn, bn = Node(W, name=f"W{l}"), Node(b, name=f"b{l}")
        src = net.sources[l - 1]  # [l - 1], or several layers for a SkipNetwork
        inp = g.a[src[0]] if len(src) == 1 else concat([g.a[s] for s in src])
        Z = Wn @ inp + column(bn)
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
