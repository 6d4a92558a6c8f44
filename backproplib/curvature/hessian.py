"""Curvature of the loss: Jacobians, the exact Hessian, Gauss–Newton and the Fisher information.

Second-order methods need more than the gradient ``g = dC/dtheta`` of the batch loss
``C = mean_x C_x``. This module builds, for a small :class:`~backproplib.network.Network`, the
matrices they use. ``theta`` is the flat parameter vector of
:meth:`~backproplib.network.Network.get_params` (``W^1, b^1, W^2, ...``), ``n = net.n_params`` and
``m`` the number of examples.

``output_jacobian(net, X)``
    ``J`` with one row per output per example, ``J[k*m + i] = d a^L_k(x_i) / d theta``; each row is
    one backward pass seeded with a unit vector at output ``k`` (all ``m`` examples at once).

``residual_jacobian(net, X, Y)``
    the residuals ``e = a^L - y`` (same row order) and their Jacobian, which is ``output_jacobian``.
``per_example_gradients(net, X, Y)``
    ``dC_x/dtheta`` for every example, shape ``(m, n)``: the columns of ``delta^l`` times ``a^{l-1}``.
``hessian(net, X, Y)``
    the exact Hessian of ``C`` by central differences of the backpropagated gradient.
``gauss_newton(net, X, Y)``
    ``J^T J / m``: the Hessian of the half squared error without the term that multiplies the
    residuals.
``fisher(net, X, Y)``
    the Fisher information of the output distribution the loss defines, or the empirical Fisher
    ``mean_x g_x g_x^T``.

Every one of them calls the network's own backward recursion
(:meth:`~backproplib.network.Network.backpropagate` and
:meth:`~backproplib.network.Network.param_grads`), so they hold for any network class that provides
it, :class:`~backproplib.architectures.skip_network.SkipNetwork` included.
"""

from __future__ import annotations

import numpy as np

from ..network import Network

Array = np.ndarray


def _check_net(net: object) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if net.stacked:
        raise ValueError("curvature matrices are for a single network, not a stack of networks")
    return net


def output_jacobian(net: Network, X: Array, wrt: str = "a") -> Array:
    """Jacobian of the network's outputs with respect to all parameters, by backpropagation.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
        One example per column.
    wrt : {"a", "z"}
        Differentiate the outputs ``a^L`` (default) or the output weighted inputs ``z^L``.

    Returns
    -------
    ndarray, shape (n_L * m, n_params)
        Row ``k*m + i`` is ``d a^L_k(x_i) / d theta`` (or of ``z^L_k``): for each output ``k`` one
        backward pass, seeded at output ``k`` of every example, gives the ``m`` rows of that output.
    """
    net = _check_net(net)
    if wrt not in ("a", "z"):
        raise ValueError(f"wrt must be 'a' (outputs) or 'z' (output "
                         f"weighted inputs), got {wrt!r}")
    cache = net.forward(X)
    n_L, m = cache.a[-1].shape
    f, z, a = net.activations[-1], cache.z[-1], cache.a[-1]
    rows = []
    for k in range(n_L):
        seed = np.zeros((n_L, m))
        seed[k] = 1.0
        if wrt == "a":  # d a_k / d z^L: the output activation's VJP
            seed = f.backward(z, a, seed)
        deltas = net.backpropagate(cache, seed)
        rows.append(net.param_grads(cache, deltas, per_example=True))
    return np.concatenate(rows, axis=0)


def residual_jacobian(net: Network, X: Array, Y: Array) -> tuple[Array, Array]:
    """Residuals ``e = a^L - y`` and their Jacobian ``J = de/dtheta`` (for the half squared error).

    Parameters
    ----------
    net : Network
        Its loss must be ``"half_squared_error"``, so that ``C = ||e||^2 / (2m)``.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m)

    Returns
    -------
    e : ndarray, shape (n_L * m,)
        ``e[k*m + i] = a^L_k(x_i) - y_k(x_i)``.
    J : ndarray, shape (n_L * m, n_params)
        One row per residual, in the same order (see :func:`output_jacobian`).
    """
    net = _check_net(net)
    if net.loss_fn.name != "half_squared_error":
        raise ValueError(
            f"residuals need the loss 'half_squared_error' (C = ||a^L - y||^2 / 2m), "
            f"but the network's loss is {net.loss_fn.name!r}"
        )
    A = net.predict(X)
    Yf = net.loss_fn.targets(Y, net.sizes[-1], A.shape[1])
    return (A - Yf).ravel(), output_jacobian(net, X)


def per_example_gradients(net: Network, X: Array, Y: Array) -> Array:
    """The gradient of each example's loss ``C_x``, one row per example.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy

    Returns
    -------
    ndarray, shape (m, n_params)
        Row ``i`` is ``dC_{x_i}/dtheta``; their mean is the batch gradient ``grads.flat()``.
    """
    net = _check_net(net)
    cache = net.forward(X)
    return net.param_grads(cache, net.backpropagate(cache, net.output_delta(cache, Y)),
                           per_example=True)


def hessian(net: Network, X: Array, Y: Array, eps: float = 1e-5) -> Array:
    """The Hessian of the batch loss ``C`` by central differences of the backpropagated gradient.

    Column ``j`` is ``(g(theta + eps e_j) - g(theta - eps e_j)) / (2 eps)``; the result is symmetrised.
    It costs ``2 n`` gradient evaluations: for tiny networks only.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
    eps : float
        The step (``1e-5`` balances truncation and rounding error for a gradient in float64).

    Returns
    -------
    ndarray, shape (n_params, n_params)
    """
    net = _check_net(net)
    if not (isinstance(eps, (float, int)) and 0 < eps < 1):
        raise ValueError(f"eps must be a small positive float such as 1e-5, got {eps!r}")
    theta = net.get_params()
    n = theta.size
    H = np.empty((n, n))
    try:
        for j in range(n):
            t = theta.copy()
            t[j] += eps
            net.set_params(t)
            up = net.loss_and_gradient(X, Y)[1].flat()
            t[j] = theta[j] - eps
            net.set_params(t)
            down = net.loss_and_gradient(X, Y)[1].flat()
            H[:, j] = (up - down) / (2 * eps)
    finally:
        net.set_params(theta)
    return (H + H.T) / 2


def gauss_newton(net: Network, X: Array, Y: Array) -> Array:
    """The Gauss–Newton matrix ``J^T J / m`` of the half squared error.

    The Hessian of ``C = ||e||^2 / (2m)`` is ``(J^T J + sum_r e_r d^2 e_r / dtheta^2) / m``; Gauss–Newton
    keeps the first term, which needs first derivatives only, and is exact where the residuals vanish.

    Returns
    -------
    ndarray, shape (n_params, n_params)
        Symmetric and positive semi-definite.
    """
    e, J = residual_jacobian(net, X, Y)
    m = e.size // net.sizes[-1]
    return J.T @ J / m


def fisher(net: Network, X: Array, Y: Array | None = None, empirical: bool = False) -> Array:
    """The Fisher information matrix of the model, per example (averaged over the batch).

    The loss defines a probability model of the targets: ``half_squared_error`` a Gaussian of unit
    variance around ``a^L``, ``binary_cross_entropy`` independent Bernoullis with means ``a^L``,
    ``cross_entropy`` a categorical with probabilities ``a^L``. Its Fisher information is
    ``F = mean_x E_{y ~ model}[g_x g_x^T] = mean_x J_x^T Lambda_x J_x`` with ``J_x = dz^L/dtheta`` and
    ``Lambda_x`` the Hessian of ``C_x`` in ``z^L``. For the Gaussian it equals Gauss–Newton.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, optional
        The targets; needed only for the empirical Fisher.
    empirical : bool
        If True, return the *empirical* Fisher ``mean_x g_x g_x^T`` with the gradients ``g_x`` of the
        observed targets instead of an expectation over the model's own predictions.

    Returns
    -------
    ndarray, shape (n_params, n_params)
    """
    net = _check_net(net)
    if empirical:
        if Y is None:
            raise ValueError("the empirical Fisher needs the targets Y (the gradients of observed data)")
        G = per_example_gradients(net, X, Y)
        return G.T @ G / G.shape[0]
    name = net.loss_fn.name
    if name == "half_squared_error":  # Lambda_x = I in a^L: F = J^T J / m, the Gauss-Newton matrix
        J = output_jacobian(net, X, wrt="a")
        return J.T @ J / net.predict(X).shape[1]
    J = output_jacobian(net, X, wrt="z")
    A = net.predict(X)
    n_L, m = A.shape
    Jk = J.reshape(n_L, m, -1)  # Jk[k, i] = d z^L_k(x_i) / d theta
    if name == "binary_cross_entropy":  # Lambda_x = diag(a (1 - a))
        w = A * (1.0 - A)
        return np.einsum("kip,ki,kiq->pq", Jk, w, Jk) / m
    # cross_entropy after softmax: Lambda_x = diag(a) - a a^T
    F = np.einsum("kip,ki,kiq->pq", Jk, A, Jk)
    v = np.einsum("ki,kip->ip", A, Jk)  # a^T J_x for every example
    return (F - v.T @ v) / m
