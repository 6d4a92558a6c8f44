"""Experiments the book runs with the core: the classic reproductions and the measurements behind
its claims (chapters 7, 9-15, 23-24).

- :mod:`~backproplib.experiments.reproductions`: the 1986 XOR and symmetry experiments.
- :mod:`~backproplib.experiments.many_seeds`: many copies of one small network trained at once.
- :mod:`~backproplib.experiments.error_sizes`: how big the backpropagated error is, layer by layer.
- :mod:`~backproplib.experiments.depth_sweep`: how much error reaches the first layer at depths
  2 to 50, plain and residual (chapter 18).
- :mod:`~backproplib.experiments.per_example`: the per-example loop of early textbooks.
- :mod:`~backproplib.experiments.gradient_cost`: what a whole gradient costs by each method.
- :mod:`~backproplib.experiments.sequence_runs`: an RNN on the adding problem, full and truncated
  BPTT (chapter 19).
- :mod:`~backproplib.experiments.digits_models`: a ConvNet against the dense digits network, with
  a validation split (chapter 20).
- :mod:`~backproplib.experiments.holdout`: a validation split, and early stopping on it.
- :mod:`~backproplib.experiments.input_gradients`: saliency maps and the fast gradient sign method.
- :mod:`~backproplib.experiments.learning_rules`: backpropagation against feedback alignment and
  threshold units on the same task.
- :mod:`~backproplib.experiments.hvp_cost`: what a Hessian-vector product costs against a gradient
  (chapter 21).
"""
