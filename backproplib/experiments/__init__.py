"""Experiments the book runs with the core: the classic reproductions and the measurements behind
its claims (chapters 7, 9-15).

- :mod:`~backproplib.experiments.reproductions`: the 1986 XOR and symmetry experiments.
- :mod:`~backproplib.experiments.many_seeds`: many copies of one small network trained at once.
- :mod:`~backproplib.experiments.error_sizes`: how big the backpropagated error is, layer by layer.
- :mod:`~backproplib.experiments.per_example`: the per-example loop of early textbooks.
- :mod:`~backproplib.experiments.gradient_cost`: what a whole gradient costs by each method.
- :mod:`~backproplib.experiments.hvp_cost`: what a Hessian-vector product costs against a gradient
  (chapter 21).
"""
