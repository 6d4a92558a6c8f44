"""Automatic differentiation (chapters 6 and 7): backpropagation as reverse accumulation on any graph.

- :mod:`~backproplib.autodiff.graph`: the engine: :class:`~backproplib.autodiff.graph.Node`, its
  operations (each with its vector-Jacobian and Jacobian-vector product), the topological order
  and :func:`~backproplib.autodiff.graph.backward`; a :class:`~backproplib.network.Network` as a graph.
- :mod:`~backproplib.autodiff.scalar`: a scalar reverse-mode engine, one number per node
  (chapter 17).
- :mod:`~backproplib.autodiff.forward_mode`: forward accumulation and finite differences on the
  same graph.
- :mod:`~backproplib.autodiff.opcount`: the cost model, counting multiply-adds as the engine runs.
- :mod:`~backproplib.autodiff.hvp` (chapter 21): Hessian-vector products by forward over reverse and
  by the R-operator, the largest eigenvalue by power iteration, the gradient penalty.
- :mod:`~backproplib.autodiff.checkpoint` (chapter 22): the bytes a forward pass caches, and
  gradient checkpointing for a dense network and for graph segments.
"""
