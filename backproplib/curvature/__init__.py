"""Curvature of the loss and the methods that use it (chapter 11).

- :mod:`~backproplib.curvature.hessian`: Jacobians by backpropagation, the exact Hessian, the
  Gauss–Newton matrix and the Fisher information.
- :mod:`~backproplib.curvature.levenberg_marquardt`: damped Gauss–Newton training.
- :mod:`~backproplib.curvature.natural_gradient`: the gradient preconditioned by the Fisher matrix.
"""
