"""Batch normalisation (Ioffe and Szegedy, 2015): its forward pass, the backward pass derived in
chapter 18, and the same layer as an operation of the graph engine.

Examples are columns, so each unit ``j`` (a row of ``Z``, shape ``(n, m)``) is normalised over the
batch:

    mu_j = (1/m) sum_i Z_ji,   var_j = (1/m) sum_i (Z_ji - mu_j)^2,
    Zhat = (Z - mu) / sqrt(var + eps),   out = gamma * Zhat + beta.

Every output depends on every example of the batch, so the loss of one example is no longer a
function of that example alone: the per-example error vectors of :class:`backproplib.Network` do not
apply. With ``G = dC/d out`` for the *batch* loss ``C`` (shape ``(n, m)``) and ``Gh = gamma * G``,

    dC/dbeta  = sum_i G_i,   dC/dgamma = sum_i G_i * Zhat_i,
    dC/dZ     = (Gh - mean_i Gh - Zhat * mean_i(Gh * Zhat)) / sqrt(var + eps),

(means over the batch axis), which :func:`batch_norm_backward` computes. :func:`batch_norm` is
the graph-engine operation with exactly these VJPs; :func:`batch_norm_graph` builds the same layer
from the engine's primitive operations (sums, products and :func:`power`), so that reverse
accumulation through the batch graph can be compared with the derived rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autodiff import graph as G
from ..autodiff.opcount import COSTS

Array = np.ndarray

# What the two operations cost in the model of chapter 7 (per entry of Z: a mean, a difference, a
# square, a mean, the scale and the shift forward; the three VJPs of the derived rule).
COSTS.setdefault("batch_norm", lambda out, ins: (6 * int(np.prod(out)),
                                                  (7 * int(np.prod(out)), 2 * int(np.prod(out)),
                                                   int(np.prod(out))),
                                                  (7 * int(np.prod(out)), 2 * int(np.prod(out)),
                                                   0)))
COSTS.setdefault("pow", lambda out, ins: (int(np.prod(out)), (3 * int(np.prod(out)),),
                                           (3 * int(np.prod(out)),)))


@dataclass
class BatchNormCache:
    """What the backward pass needs from the forward pass.

    Attributes
    ----------
    z_hat : ndarray, shape (n, m)
        The normalised inputs.
    inv_std : ndarray, shape (n, 1)
        ``1 / sqrt(var + eps)`` of each unit.
    gamma : ndarray, shape (n,)
    """

    z_hat: Array
    inv_std: Array
    gamma: Array


def batch_norm_forward(Z: Array, gamma: Array, beta: Array,
                       eps: float = 1e-5) -> tuple[Array, BatchNormCache]:
    """Normalise every unit over the batch, then scale by ``gamma`` and shift by ``beta``.

    Parameters
    ----------
    Z : ndarray, shape (n, m)
        Weighted inputs, one example per column.
    gamma, beta : ndarray, shape (n,)
    eps : float
        Added to the variance (> 0), so that a unit that is constant over the batch stays finite.

    Returns
    -------
    out : ndarray, shape (n, m)
    cache : BatchNormCache
    """
    Z, gamma, beta = _check(Z, gamma, beta, eps)
    mu = Z.mean(axis=1, keepdims=True)
    d = Z - mu
    inv_std = 1.0 / np.sqrt((d * d).mean(axis=1, keepdims=True) + eps)
    z_hat = d * inv_std
    return gamma[:, None] * z_hat + beta[:, None], BatchNormCache(z_hat, inv_std, gamma)


def batch_norm_backward(G_out: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
    """The derived backward pass: ``dC/dZ``, ``dC/dgamma`` and ``dC/dbeta`` from ``G = dC/d out``.

    Parameters
    ----------
    G_out : ndarray, shape (n, m)
        The adjoint of the layer's output for the batch loss ``C``.
    cache : BatchNormCache
        From :func:`batch_norm_forward` on the same batch.

    Returns
    -------
    dZ : ndarray, shape (n, m)
    dgamma, dbeta : ndarray, shape (n,)
    """
    if not isinstance(cache, BatchNormCache):
        raise TypeError(f"cache must be the BatchNormCache of batch_norm_forward, got "
                        f"{type(cache).__name__}")
    G_out = np.asarray(G_out, dtype=float)
    if G_out.shape != cache.z_hat.shape:
        raise ValueError(f"the output adjoint has shape {G_out.shape}, the layer's output has "
                         f"shape {cache.z_hat.shape}")
    z_hat = cache.z_hat
    dbeta = G_out.sum(axis=1)
    dgamma = (G_out * z_hat).sum(axis=1)
    Gh = cache.gamma[:, None] * G_out
    dZ = Gh - Gh.mean(axis=1, keepdims=True)
    dZ -= z_hat * (Gh * z_hat).mean(axis=1, keepdims=True)
    dZ *= cache.inv_std
    return dZ, dgamma, dbeta


def batch_norm(Z: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> G.Node:
    """Batch normalisation as one operation of the graph engine, with the derived VJPs.

    Parameters
    ----------
    Z : Node, shape (n, m)
    gamma, beta : Node or ndarray, shape (n,)
    eps : float

    Returns
    -------
    Node, shape (n, m)
    """
    Z, gamma, beta = (x if isinstance(x, G.Node) else G.constant(x) for x in (Z, gamma, beta))
    state: dict[str, Any] = {}  # the forward's cache (renewed when the graph is re-evaluated)

    def forward(z: Array, gm: Array, bt: Array) -> Array:
        out, state["cache"] = batch_norm_forward(z, gm, bt, eps)
        state["g"] = None
        return out

    def grads(g: Any) -> tuple[Array, Array, Array]:
        if isinstance(g, G.Node):
            raise ValueError("batch_norm's VJP works on arrays: build the layer with "
                             "batch_norm_graph to differentiate its adjoints again (create_graph)")
        if state["g"] is not g:  # the three VJPs of one backward pass share one computation
            state["g"], state["vjps"] = g, batch_norm_backward(g, state["cache"])
        return state["vjps"]

    return G._op("batch_norm", forward, (Z, gamma, beta),
                 vjps=(lambda g, out, *_: grads(g)[0], lambda g, out, *_: grads(g)[1],
                       lambda g, out, *_: grads(g)[2]),
                 jvps=(lambda t, z, gm, bt: _jvp_z(t, z, gm, eps),
                       lambda t, z, gm, bt: t[:, None] * batch_norm_forward(
                           z, np.ones_like(gm), np.zeros_like(gm), eps)[0],
                       lambda t, z, gm, bt: np.broadcast_to(t[:, None], z.shape)))


def _jvp_z(t: Array, z: Array, gamma: Array, eps: float) -> Array:
    """The tangent of the output for a tangent ``t`` of ``Z``."""
    _, cache = batch_norm_forward(z, gamma, np.zeros_like(gamma), eps)
    d = t - t.mean(axis=1, keepdims=True)
    return gamma[:, None] * cache.inv_std * (
        d - cache.z_hat * (d * cache.z_hat).mean(axis=1, keepdims=True))


def power(a: Any, p: float) -> Any:
    """``a ** p`` of every entry (an engine operation; ``a`` must be positive unless ``p`` is an
    integer). Its VJP is ``g * p * a ** (p - 1)``."""
    if not isinstance(a, G.Node):
        return np.power(a, p)
    p = float(p)
    if not float(p).is_integer() and np.any(a.value <= 0):
        raise ValueError(f"power(a, {p}) needs a > 0: a has the entry {float(a.value.min()):g}")
    return G._op("pow", lambda v: np.power(v, p), (a,),
                 vjps=(lambda g, out, a: g * (p * power(a, p - 1)),),
                 jvps=(lambda t, a: t * (p * np.power(a, p - 1)),))


def batch_norm_graph(Z: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> G.Node:
    """The same layer built from the engine's primitive operations (no derived rule): reverse
    accumulation through this graph differentiates the batch coupling by itself.

    Parameters
    ----------
    Z : Node, shape (n, m)
    gamma, beta : Node or ndarray, shape (n,)
    eps : float

    Returns
    -------
    Node, shape (n, m)
    """
    Z = Z if isinstance(Z, G.Node) else G.constant(Z)
    gamma_v = gamma.value if isinstance(gamma, G.Node) else gamma
    beta_v = beta.value if isinstance(beta, G.Node) else beta
    _check(Z.value, gamma_v, beta_v, eps)
    m = Z.shape[1]
    mu = Z.sum(axis=1, keepdims=True) * (1.0 / m)
    d = Z - mu
    var = (d * d).sum(axis=1, keepdims=True) * (1.0 / m)
    z_hat = d * power(var + eps, -0.5)
    return G.column(gamma) * z_hat + G.column(beta)


def _check(Z: Any, gamma: Any, beta: Any, eps: float) -> tuple[Array, Array, Array]:
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"batch normalisation needs Z of shape (n, m), one example per column; "
                         f"got shape {Z.shape}")
    n, m = Z.shape
    if m < 2:
        raise ValueError(f"batch normalisation needs a batch of at least 2 examples (over one, "
                         f"every unit normalises to 0); Z has shape {Z.shape}")
    out = [Z]
    for name, p in (("gamma", gamma), ("beta", beta)):
        p = np.asarray(p, dtype=float)
        if p.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},), one entry per unit of Z {Z.shape}; "
                             f"got {p.shape}")
        out.append(p)
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"eps must be a number > 0, got {eps!r}")
    if not all(np.all(np.isfinite(x)) for x in out):
        raise ValueError("batch normalisation got NaN or inf in Z, gamma or beta")
    return out[0], out[1], out[2]
