"""What a whole gradient costs by each method, counted by the engine as it runs (chapter 7).

An experiment on top of :mod:`backproplib.autodiff`: build a dense network's loss as a graph, then
count (:mod:`backproplib.autodiff.opcount`) the multiply-adds of one forward pass, of reverse
accumulation, of forward accumulation (one tangent per parameter) and of central differences.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autodiff import forward_mode
from ..autodiff.graph import backward
from ..autodiff.networks import network_graph
from ..autodiff.opcount import counting
from ..network import Network


def gradient_costs(sizes: Sequence[int], m: int, activation: str = "tanh", seed: int = 0) -> dict[str, int]:
    """Counted multiply-adds of a whole gradient of a dense network, by each method.

    The network ``sizes`` (half squared error) is built as a graph on a batch of ``m`` examples and
    every count is taken from the engine as it runs:

    ``forward``
        one forward pass (building the graph);
    ``reverse``
        forward pass + one backward pass (:func:`backproplib.autodiff.graph.backward`);
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
