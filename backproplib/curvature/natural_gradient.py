"""The natural gradient: the gradient measured in the geometry of the model's output distribution.

Amari's natural gradient preconditions the gradient ``g`` of the batch loss with the Fisher
information ``F`` (:func:`backproplib.curvature.hessian.fisher`): the direction ``F^{-1} g`` is the
steepest descent when distances between parameter vectors are measured by how much the model's
predictions change (the KL divergence), not by the Euclidean length of the change.
"""

from __future__ import annotations

import numpy as np

from ..network import Network
from .hessian import fisher
from .levenberg_marquardt import _check_positive

Array = np.ndarray


def natural_gradient(net: Network, X: Array, Y: Array, damping: float = 1e-4) -> Array:
    """The natural-gradient direction ``(F + damping I)^{-1} g`` (descend along its negative).

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
    damping : float
        Added to the diagonal of the Fisher matrix ``F``
        (:func:`backproplib.curvature.hessian.fisher`), which is singular for most networks.

    Returns
    -------
    ndarray, shape (n_params,)
        In the order of :meth:`~backproplib.network.Network.get_params`.
    """
    _check_positive(damping, "damping")
    F = fisher(net, X)
    g = net.loss_and_gradient(X, Y)[1].flat()
    F[np.diag_indices_from(F)] += damping
    return np.linalg.solve(F, g)
