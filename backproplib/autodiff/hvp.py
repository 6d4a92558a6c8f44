"""Second derivatives by backpropagation: Hessian-vector products, the largest curvature, and a
gradient penalty (chapter 21).

The Hessian ``H`` of a loss with ``n`` parameters has ``n^2`` entries, but the product ``H v`` with one
vector ``v`` costs a small constant times one gradient (Pearlmutter 1994). Two routes are here:

* **forward over reverse on a graph** (:func:`graph_hvp`): ``backward(C, create_graph=True)`` leaves
  the gradient ``g(theta)`` as a graph; one forward-mode pass through that graph along ``v`` gives its
  directional derivative ``d/dr g(theta + r v) = H v``;
* **Pearlmutter's R-operator on the dense network's recursion** (:func:`network_hvp`):
  ``R{.} = d/dr (.)(theta + r v)`` applied to every line of the forward pass and of the backward
  recursion of :class:`~backproplib.network.Network`, in matrix form.

With ``H v`` in hand, :func:`power_iteration`, :func:`largest_eigenvalue` and :func:`lambda_max`
find the largest eigenvalue of ``H`` (the curvature that limits the learning rate to
``eta < 2 / lambda_max``) without building ``H``, and :func:`gradient_penalty` trains with Drucker
and LeCun's double backpropagation: the loss plus the squared gradient of the loss with respect to
the *input*, whose weight gradient is a mixed second derivative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..network import Cache, Network
from .forward_mode import jvp
from .graph import Node, backward, concat, constant, reshape, topological_order
from .networks import network_graph

Array = np.ndarray

# f''(z) of the elementwise activations, from z, a = f(z) and f'(z) (the R-operator needs it).
SECOND_DERIVATIVES: dict[str, Callable[[Array, Array, Array], Array]] = {
    "logistic": lambda z, a, fp: fp * (1.0 - 2.0 * a),
    "tanh": lambda z, a, fp: -2.0 * a * fp,
    "identity": lambda z, a, fp: np.zeros_like(z),
    "relu": lambda z, a, fp: np.zeros_like(z),
}
"""``f''`` of the activations :func:`network_hvp` knows: ``logistic'' = f' (1 - 2a)``,
``tanh'' = -2 a f'``, and 0 for the identity and the rectifier (0 except at the kink)."""


# ------------------------------------------------------------------------------ on a graph
def graph_hvp(output: Node, params: Sequence[Node],
              vectors: Sequence[Any]) -> list[Array]:
    """``H v`` of a scalar graph output, by forward over reverse.

    Parameters
    ----------
    output : Node, scalar
        The loss ``C``, built from the leaves ``params``.
    params : sequence of leaf Node
        The variables ``theta`` (``W^1, b^1, ...``).
    vectors : sequence of array_like
        The direction ``v``, one array per parameter, shaped like it.

    Returns
    -------
    list of ndarray
        ``(H v)`` split like ``params``; after the call every ``p.grad`` is the gradient as a node.

    Notes
    -----
    ``backward(output, create_graph=True)`` builds the adjoints as a graph; the gradients of all
    parameters are stacked into one column (``reshape`` and ``concat``, which cost nothing), and one
    :func:`~backproplib.autodiff.forward_mode.jvp` along ``v`` differentiates the whole column at once.
    """
    params, tangents = _check_graph_args(output, params, vectors)
    backward(output, create_graph=True)
    column = concat([reshape(_grad_node(p), (p.value.size, 1))
                     for p in params])
    # the gradient need not depend on every parameter: seed those it does
    used = {id(n) for n in topological_order(column)}
    seeds = {p: t for p, t in zip(params, tangents) if id(p) in used}
    flat = jvp(column, seeds).ravel()
    return _split(flat, [p.shape for p in params])


def graph_gradient_and_hvp(net: Network, X: Array, Y: Array, v: Array) -> tuple[Array, Array]:
    """The gradient and ``H v`` of a network's batch loss, both by the graph engine.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
    v : ndarray, shape (n_params,)
        In the order of :meth:`~backproplib.network.Network.get_params`.

    Returns
    -------
    g, Hv : ndarray, shape (n_params,)
    """
    v = _check_vector(net, v)
    g = network_graph(net, X, Y)
    Hv = graph_hvp(g.loss, g.params, _split(v, [p.shape for p in g.params]))
    grad = np.concatenate([p.grad.value.ravel() for p in g.params])
    return grad, np.concatenate([h.ravel() for h in Hv])


def _check_graph_args(output: Node, params: Sequence[Node],
                      vectors: Sequence[Any]) -> tuple[list[Node], list[Array]]:
    if not isinstance(output, Node):
        raise TypeError(f"output must be a Node (the scalar loss), got {type(output).__name__}")
    if output.value.size != 1:
        raise ValueError(f"a Hessian-vector product needs a scalar output, got shape {output.shape}")
    params, vectors = list(params), list(vectors)
    if len(params) != len(vectors):
        raise ValueError(f"got {len(vectors)} direction arrays for {len(params)} parameters: give one "
                         "per parameter, shaped like it")
    known = {id(n) for n in topological_order(output)}
    tangents = []
    for p, t in zip(params, vectors):
        if not isinstance(p, Node) or p.parents:
            what = type(p).__name__ if not isinstance(p, Node) else f"the result of {p.op!r}"
            raise TypeError(f"params must be leaf Nodes, got {what}")
        if id(p) not in known:
            raise ValueError(f"parameter {p!r} is not part of the graph of the output")
        t = np.asarray(t, dtype=float)
        if t.shape != p.shape:
            raise ValueError(f"the direction for {p!r} has shape {t.shape}, expected {p.shape}")
        if not np.all(np.isfinite(t)):
            raise ValueError(f"the direction for {p!r} contains NaN or inf")
        tangents.append(t)
    return params, tangents


def _grad_node(p: Node) -> Node:
    """The adjoint of ``p`` as a node (a constant zero if the output does not depend on it)."""
    return p.grad if isinstance(p.grad, Node) else constant(np.zeros(p.shape))


def _split(flat: Array, shapes: Sequence[tuple[int, ...]]) -> list[Array]:
    sizes = [int(np.prod(s)) for s in shapes]
    parts = np.split(np.asarray(flat, dtype=float), np.cumsum(sizes)[:-1])
    return [x.reshape(s) for x, s in zip(parts, shapes)]


# ------------------------------------------------------------------------------ the R-operator
@dataclass
class RPass:
    """The tangents ``R{.}`` of a forward and backward pass (lists indexed like the
    :class:`~backproplib.network.Cache`).

    Attributes
    ----------
    z : list of ndarray
        ``z[l-1] = R{z^l}``, shape ``(n_l, m)``.
    a : list of ndarray
        ``a[l] = R{a^l}``; ``a[0] = R{x}`` (zero unless the input moves).
    delta : list of ndarray
        ``delta[l-1] = R{delta^l}``.
    input_moves : bool
        Whether ``R{x}`` is nonzero (otherwise the products with ``a[0]`` are skipped).
    """

    z: list[Array] = field(default_factory=list)
    a: list[Array] = field(default_factory=list)
    delta: list[Array] = field(default_factory=list)
    input_moves: bool = False


def network_hvp(net: Network, X: Array, Y: Array, v: Array | None = None,
                input_tangent: Array | None = None) -> Array:
    """``H v`` of the batch loss by Pearlmutter's R-operator on the network's own recursion.

    ``R{q} = d/dr q(theta + r v)`` is applied to the forward pass (:func:`r_forward`), to the
    backward recursion (:func:`r_backward`) and to the gradient (:func:`r_param_grads`). The forward
    pass and the error vectors ``delta^l`` it differentiates are the network's own
    (:meth:`~backproplib.network.Network.forward` and
    :meth:`~backproplib.network.Network.backpropagate`).

    Parameters
    ----------
    net : Network
        Hidden activations among :data:`SECOND_DERIVATIVES`; the output layer may also be softmax
        with cross-entropy or logistic with binary cross-entropy.
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
    v : ndarray, shape (n_params,), optional
        The direction in parameter space (``get_params`` order); zero if omitted.
    input_tangent : ndarray, shape (n_0, m), optional
        A direction ``R{X}`` for the input as well: the result is then the derivative of the gradient
        along ``(v, R{X})``, a mixed second derivative (used by :func:`gradient_penalty`).

    Returns
    -------
    ndarray, shape (n_params,)
        ``H v`` (plus ``d^2 C / dtheta dX`` times ``R{X}``), in ``get_params`` order.
    """
    net = _check_net(net)
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    return _r_passes(net, cache, deltas, Y, v, input_tangent)


def _r_passes(net: Network, cache: Cache, deltas: Sequence[Array], Y: Array,
              v: Array | None, input_tangent: Array | None) -> Array:
    v = np.zeros(net.n_params) if v is None else _check_vector(net, v)
    VW, Vb = as_layers(net, v)
    R = r_forward(net, cache, VW, Vb, input_tangent)
    r_backward(net, cache, Y, deltas, VW, R)
    return r_param_grads(net, cache, deltas, R)


def r_forward(net: Network, cache: Cache, VW: Sequence[Array],
              Vb: Sequence[Array],
              input_tangent: Array | None = None) -> RPass:
    """The R-operator on the forward pass, ``R{W^l} = VW[l-1]``, ``R{b^l} = Vb[l-1]``:

        R{z^l} = R{W^l} a^{l-1} + W^l R{a^{l-1}} + R{b^l},    R{a^l} = f'(z^l) R{z^l}.

    Returns
    -------
    RPass
        With ``z`` and ``a`` filled in.
    """
    R = RPass(a=[_check_tangent(cache, input_tangent)],
              input_moves=input_tangent is not None)
    for l in range(1, net.L + 1):
        W, f = net.W[l - 1], net.activations[l - 1]
        Rz = VW[l - 1] @ cache.a[l - 1] + Vb[l - 1][:, None]
        if l > 1 or R.input_moves:  # R{a^0} = 0 unless the input moves
            Rz += W @ R.a[l - 1]
        if f.elementwise:
            Ra = cache.fprime[l - 1] * Rz
        else:  # softmax: its (symmetric) Jacobian times R{z}
            Ra = f.backward(cache.z[l - 1], cache.a[l], Rz)
        R.z.append(Rz)
        R.a.append(Ra)
    return R


def r_backward(net: Network, cache: Cache, Y: Array,
               deltas: Sequence[Array], VW: Sequence[Array],
               R: RPass) -> RPass:
    """The R-operator on the backward recursion ``delta^{l-1} = f'(z^{l-1}) (W^l)^T delta^l``:

        R{delta^{l-1}} = f''(z^{l-1}) R{z^{l-1}} (W^l)^T delta^l
                         + f'(z^{l-1}) (R{W^l}^T delta^l + (W^l)^T R{delta^l}),

    started from ``R{delta^L}`` (:func:`r_output_delta`). Fills in ``R.delta``.
    """
    R.delta = [np.empty(0)] * net.L
    R.delta[-1] = r_output_delta(net, cache, Y, R)
    for l in range(net.L, 1, -1):
        W, d, Rd = net.W[l - 1], deltas[l - 1], R.delta[l - 1]
        g = W.T @ d  # dC/da^{l-1}
        Rg = VW[l - 1].T @ d + W.T @ Rd
        f2 = second_derivative(net, l - 1, cache)
        R.delta[l - 2] = f2 * R.z[l - 2] * g + cache.fprime[l - 2] * Rg
    return R


def r_param_grads(net: Network, cache: Cache, deltas: Sequence[Array],
                  R: RPass) -> Array:
    """The R-operator on ``dC/dW^l = delta^l (a^{l-1})^T / m`` and
    ``dC/db^l = delta^l 1 / m``, written into one vector in ``get_params`` order:

        R{dC/dW^l} = (R{delta^l} (a^{l-1})^T + delta^l R{a^{l-1}}^T) / m.
    """
    m = cache.a[0].shape[1]
    Hv = np.empty(net.n_params)
    RdW, Rdb = as_layers(net, Hv)  # views into Hv
    for l in range(1, net.L + 1):
        np.matmul(R.delta[l - 1], cache.a[l - 1].T, out=RdW[l - 1])
        if l > 1 or R.input_moves:
            RdW[l - 1] += deltas[l - 1] @ R.a[l - 1].T
        RdW[l - 1] /= m
        np.sum(R.delta[l - 1], axis=1, out=Rdb[l - 1])
        Rdb[l - 1] /= m
    return Hv


def r_output_delta(net: Network, cache: Cache, Y: Array, R: RPass) -> Array:
    """``R{delta^L}``: ``R{a^L}`` for the fused cross-entropies (``delta^L = a^L - y``), and for the
    half squared error (``delta^L = f'(z^L) (a^L - y)``)

        R{delta^L} = f''(z^L) R{z^L} (a^L - y) + f'(z^L) R{a^L}.
    """
    loss = net.loss_fn
    if loss.requires is not None:
        return R.a[-1]
    Y = net.targets(Y, cache)
    f2 = second_derivative(net, net.L, cache)
    return f2 * R.z[-1] * (cache.a[-1] - Y) + cache.fprime[-1] * R.a[-1]


def second_derivative(net: Network, l: int, cache: Cache) -> Array:
    """``f''(z^l)`` of layer ``l`` (1-based), from :data:`SECOND_DERIVATIVES`."""
    f = net.activations[l - 1]
    return SECOND_DERIVATIVES[f.name](cache.z[l - 1], cache.a[l], cache.fprime[l - 1])


def _check_net(net: object) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if net.stacked:
        raise ValueError("Hessian-vector products are for a single network, not a stack of networks")
    if any(s != [l - 1] for l, s in enumerate(net.sources, start=1)):
        raise ValueError(f"network_hvp runs the plain layer-after-layer recursion; "
                         f"{type(net).__name__} has other sources: use graph_gradient_and_hvp")
    fused = net.loss_fn.requires is not None
    if not fused and net.loss_fn.name != "half_squared_error":
        raise ValueError(f"network_hvp knows the half squared error and the fused cross-entropies, "
                         f"not the loss {net.loss_fn.name!r}")
    for l, f in enumerate(net.activations, start=1):
        if l == net.L and fused:
            continue
        if f.name not in SECOND_DERIVATIVES:
            raise ValueError(f"network_hvp needs f'' of layer {l}'s activation {f.name!r}; it knows "
                             f"{', '.join(SECOND_DERIVATIVES)} (graph_gradient_and_hvp knows "
                             "those the engine can differentiate twice)")
    return net


def _check_vector(net: Network, v: Any) -> Array:
    try:
        v = np.asarray(v, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"v must be a numeric vector of shape ({net.n_params},), got "
                        f"{type(v).__name__}") from err
    if v.shape != (net.n_params,):
        raise ValueError(f"v must have one entry per parameter, shape ({net.n_params},) in "
                         f"get_params order; got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("v contains NaN or inf: a direction must be finite")
    return v


def _check_tangent(cache: Cache, t: Any) -> Array:
    X = cache.a[0]
    if t is None:
        return np.zeros_like(X)
    t = np.asarray(t, dtype=float)
    if t.shape != X.shape:
        raise ValueError(f"input_tangent must have the shape of X, {X.shape}, got {t.shape}")
    if not np.all(np.isfinite(t)):
        raise ValueError("input_tangent contains NaN or inf")
    return t


def as_layers(net: Network, v: Array) -> tuple[list[Array], list[Array]]:
    """A vector in ``get_params`` order as per-layer views, ``(VW, Vb)``: ``VW[l-1]`` shaped like
    ``W^l`` and ``Vb[l-1]`` like ``b^l`` (the ``R{W^l}``, ``R{b^l}`` of a direction ``v``)."""
    parts = _split(v, [s for W, b in zip(net.W, net.b) for s in (W.shape, b.shape)])
    return parts[0::2], parts[1::2]


# ------------------------------------------------------------------------------ lambda_max
@dataclass
class PowerIteration:
    """The result of :func:`power_iteration` or :func:`lambda_max`.

    Attributes
    ----------
    value : float
        The eigenvalue found (the Rayleigh quotient ``v^T H v`` of the last unit vector).
    vector : ndarray, shape (n,)
        Its unit eigenvector.
    iterations : int
        Products ``H v`` used.
    converged : bool
        Whether the residual ``||H v - value v||`` fell below ``tol * |value|``.
    history : list of float
        The Rayleigh quotient after every product.
    """

    value: float
    vector: Array
    iterations: int
    converged: bool
    history: list[float] = field(default_factory=list)


def power_iteration(matvec: Callable[[Array], Array], v0: Array,
                    max_iter: int = 500,
                    tol: float = 1e-8) -> PowerIteration:
    """The eigenvalue of largest magnitude of a symmetric operator, from products only.

    Repeats ``v <- H v / ||H v||``; the Rayleigh quotient ``v^T H v`` tends to the eigenvalue of
    largest ``|lambda|``, at a rate set by the ratio of the two largest magnitudes.

    Parameters
    ----------
    matvec : callable
        ``matvec(v) -> H v`` for a vector of shape ``(n,)``.
    v0 : ndarray, shape (n,)
        The start (any vector with a component along the wanted eigenvector).
    max_iter : int
    tol : float
        Stop when ``||H v - lambda v|| <= tol * |lambda|`` for the unit vector ``v``.

    Returns
    -------
    PowerIteration
    """
    v = _check_power_args(v0, max_iter, tol)
    v = v / np.linalg.norm(v)
    history: list[float] = []
    lam = 0.0
    for it in range(1, max_iter + 1):
        Hv = _product(matvec, v)
        lam = float(v @ Hv)
        history.append(lam)
        norm = np.linalg.norm(Hv)
        if norm == 0.0:  # v is in the null space: H v = 0 v
            return PowerIteration(0.0, v, it, True, history)
        if np.linalg.norm(Hv - lam * v) <= tol * abs(lam):
            return PowerIteration(lam, v, it, True, history)
        v = Hv / norm
    return PowerIteration(lam, v, max_iter, False, history)


def largest_eigenvalue(matvec: Callable[[Array], Array], v0: Array,
                       max_iter: int = 500,
                       tol: float = 1e-8) -> PowerIteration:
    """The most positive eigenvalue of a symmetric operator, by power iteration (shifted if needed).

    Power iteration finds the eigenvalue of largest *magnitude*. If that one is negative (at a saddle,
    the steepest downhill curvature), the iteration is repeated on ``H - lambda I``, whose eigenvalues
    are all ``>= 0`` and whose largest is ``lambda_max - lambda``.

    Parameters
    ----------
    matvec, v0, max_iter, tol
        As for :func:`power_iteration` (for each of the at most two runs).

    Returns
    -------
    PowerIteration
        ``iterations`` and ``history`` cover both runs when a shift was needed.
    """
    first = power_iteration(matvec, v0, max_iter, tol)
    if first.value >= 0:
        return first
    shift = first.value

    def shifted(v: Array) -> Array:  # H - shift I: every eigenvalue >= 0
        return matvec(v) - shift * v

    second = power_iteration(shifted, v0, max_iter, tol)
    return PowerIteration(
        value=second.value + shift, vector=second.vector,
        iterations=first.iterations + second.iterations,
        converged=first.converged and second.converged,
        history=first.history + [h + shift for h in second.history])


def _product(matvec: Callable[[Array], Array], v: Array) -> Array:
    Hv = np.asarray(matvec(v), dtype=float)
    if Hv.shape != v.shape:
        raise ValueError(f"matvec returned shape {Hv.shape} for a vector of shape {v.shape}")
    if not np.all(np.isfinite(Hv)):
        raise ValueError("matvec returned NaN or inf: the operator is not finite at this point")
    return Hv


def _check_power_args(v0: Any, max_iter: Any, tol: Any) -> Array:
    v = np.asarray(v0, dtype=float)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)) or not np.any(v):
        raise ValueError(f"v0 must be a finite, nonzero vector of shape (n,), got shape {v.shape}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"tol must be a positive number such as 1e-8, got {tol!r}")
    return v


def lambda_max(net: Network, X: Array, Y: Array, max_iter: int = 500, tol: float = 1e-8,
               seed: int = 0) -> PowerIteration:
    """The largest eigenvalue of the Hessian of the batch loss, from products ``H v`` only.

    :func:`largest_eigenvalue` on :func:`network_hvp`, from a random start: the curvature in the
    stability bound ``eta < 2 / lambda_max`` of gradient descent.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray
    max_iter, tol : see :func:`power_iteration`
    seed : int
        Seed of the random start.

    Returns
    -------
    PowerIteration
    """
    net = _check_net(net)
    v0 = np.random.default_rng(seed).normal(size=net.n_params)
    return largest_eigenvalue(lambda v: network_hvp(net, X, Y, v), v0, max_iter, tol)


# ------------------------------------------------------------------------------ double backprop
def gradient_penalty(net: Network, X: Array, Y: Array,
                     lam: float) -> tuple[float, Array]:
    """Double backpropagation: the loss ``C + lam * Omega`` and its gradient, by reverse over
    reverse on the graph engine.

    ``Omega = (1/m) sum_x 1/2 ||dC_x/dx||^2`` is the mean squared length of the gradient of each
    example's loss with respect to its *input* (Drucker and LeCun 1992). The batch graph is
    differentiated once with ``create_graph=True``, which leaves ``dC/dX`` (whose column ``x`` is
    ``(1/m) dC_x/dx``) as a graph; ``Omega = (m/2) ||dC/dX||^2`` is built from it, and a second
    backward pass gives the gradient of the penalised loss with respect to every weight.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray
    lam : float
        The weight of the penalty, ``>= 0``.

    Returns
    -------
    value : float
        ``C + lam * Omega``.
    grad : ndarray, shape (n_params,)
        Its gradient, in ``get_params`` order.
    """
    lam = _check_lam(lam)
    g = network_graph(net, X, Y)
    x = g.a[0]
    x.requires_grad = True  # a constant in the graph: its adjoint is wanted
    backward(g.loss, create_graph=True)
    m = x.shape[1]
    omega = (x.grad * x.grad).sum() * (m / 2.0)
    total = g.loss + omega * lam
    backward(total)  # reverse over reverse: through the graph of dC/dX too
    grad = np.concatenate([p.grad.ravel() for p in g.params])
    return float(total.value), grad


def _check_lam(lam: Any) -> float:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating)) or not lam >= 0:
        raise ValueError(f"lam must be a number >= 0 (the weight of the penalty), got {lam!r}")
    return float(lam)


def penalised_gradient(net: Network, X: Array, Y: Array,
                       lam: float) -> tuple[float, Array]:
    """The same numbers as :func:`gradient_penalty`, in matrix form: the weight gradient of
    ``Omega`` is a mixed second derivative times ``dC/dX``,

        dOmega/dtheta = m (d^2 C / dtheta dX) vec(dC/dX),

    which is :func:`network_hvp` with no parameter direction and the input tangent ``dC/dX``.

    Returns
    -------
    value : float
        ``C + lam * Omega``.
    grad : ndarray, shape (n_params,)
    """
    lam = _check_lam(lam)
    net = _check_net(net)
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    grads = net.param_grads(cache, deltas)
    m = cache.a[0].shape[1]
    dX = net.W[0].T @ deltas[0] / m  # dC/dX: column x is dC_x/dx / m
    loss = net.loss_fn.value(cache.z[-1], cache.a[-1], net.targets(Y, cache))
    omega = 0.5 * m * float(np.sum(dX * dX))
    mixed = _r_passes(net, cache, deltas, Y, None, dX)  # the same passes
    return loss + lam * omega, grads.flat() + lam * m * mixed


def input_penalty(net: Network, X: Array, Y: Array) -> float:
    """``Omega = (1/m) sum_x 1/2 ||dC_x/dx||^2`` from the network's own backward pass, with
    ``dC/dX = (W^1)^T delta^1 / m``."""
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    per_example = net.W[0].T @ deltas[0]  # column x: dC_x/dx
    return float(0.5 * np.sum(per_example**2) / X.shape[1])
