"""What a Hessian-vector product costs against a gradient, counted by the engine as it runs
(chapter 21).

An experiment on top of :mod:`backproplib.autodiff`: a dense network's loss as a graph, its gradient
by reverse accumulation, and ``H v`` by forward accumulation through the gradient's own graph
(:func:`backproplib.autodiff.hvp.graph_hvp`), every step counted by
:mod:`backproplib.autodiff.opcount`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autodiff.forward_mode import jvp
from ..autodiff.graph import backward, concat, reshape, topological_order
from ..autodiff.networks import network_graph
from ..autodiff.opcount import counting, tangent_cost
from ..network import Network


def hvp_costs(sizes: Sequence[int], m: int, activation: str = "tanh",
              seed: int = 0) -> dict[str, float]:
    """Counted multiply-adds of a gradient and of one Hessian-vector product of a dense network.

    ``forward``
        one forward pass (building the graph);
    ``backward``
        one backward pass (the gradient is ``forward + backward``);
    ``tangent``
        the forward-mode pass along a random ``v`` through the graph of the gradient (left by
        ``backward(C, create_graph=True)``): it turns the gradient into ``H v``, so
        ``H v = forward + backward + tangent``. The gradients of the parameters are stacked into one
        column to run a single pass; the engine charges that stacking (``stacking``: one addition per
        entry for every parameter array after the first, because a concatenation's tangent is the
        sum of its operands' padded tangents, :func:`~backproplib.autodiff.opcount.tangent_cost`),
        and it is not included in ``tangent``: a forward pass with several outputs would not need
        it;
    ``ratio``
        ``(forward + backward + tangent) / (forward + backward)``.

    Returns
    -------
    dict
        The counts, ``n_params`` and ``ratio``.
    """
    net = Network(list(sizes), activations=activation, seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(net.sizes[0], m)), rng.normal(size=(net.sizes[-1], m))
    with counting() as fwd:
        g = network_graph(net, X, Y)
    with counting() as bwd:
        backward(g.loss)
    g = network_graph(net, X, Y)
    backward(g.loss, create_graph=True)
    column = concat([reshape(p.grad, (p.value.size, 1)) for p in g.params])
    seeds = {p: rng.normal(size=p.shape) for p in g.params}
    with counting() as tan:
        jvp(column, seeds)
    leaves = {id(p) for p in g.params}
    live = [i for i, p in enumerate(g.params)  # the gradients that depend on theta
            if any(id(n) in leaves for n in topological_order(p.grad))]
    stacking = tangent_cost(column, live)  # concat's JVP: the sum of its live operands
    tangent = tan.tangent - stacking
    gradient = fwd.forward + bwd.backward
    return {"n_params": net.n_params, "forward": fwd.forward, "backward": bwd.backward,
            "tangent": tangent, "stacking": stacking, "ratio": (gradient + tangent) / gradient}
