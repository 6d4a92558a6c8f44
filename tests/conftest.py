"""Shared fixtures and the independent reference implementation used by the unit tests."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd.scipy.special import logsumexp


def _ref_softmax(z):
    e = anp.exp(z - anp.max(z, axis=0, keepdims=True))
    return e / anp.sum(e, axis=0, keepdims=True)


# Written directly in autograd.numpy from the textbook formulas, independently of backproplib.
REFERENCE_ACTIVATIONS = {
    "logistic": lambda z: 0.5 * (1.0 + anp.tanh(0.5 * z)),  # = 1 / (1 + e^-z), overflow-free
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
    "swish": lambda z: z * 0.5 * (1.0 + anp.tanh(0.5 * z)),
    "mish": lambda z: z * anp.tanh(anp.logaddexp(0.0, z)),
    "softmax": _ref_softmax,
}


def reference_loss(params, sizes, activations, loss, X, Y):
    """Mean per-example loss of a dense network, written with autograd.numpy.

    ``params`` is the flat vector laid out as ``Network.get_params`` (W^1, b^1, W^2, ...).
    """
    A, i = X, 0
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations):
        W = anp.reshape(params[i : i + n_in * n_out], (n_out, n_in))
        i += n_in * n_out
        b = params[i : i + n_out]
        i += n_out
        Z = anp.dot(W, A) + anp.reshape(b, (n_out, 1))
        A = REFERENCE_ACTIVATIONS[act](Z)
    m = X.shape[1]
    if loss == "half_squared_error":
        return 0.5 * anp.sum((A - Y) ** 2) / m
    # The cross-entropies from the logits Z, with autograd's own logsumexp / logaddexp, so that
    # large logits (deep nets with normal init) stay exact in the reference too.
    if loss == "cross_entropy":
        return -anp.sum(Y * (Z - logsumexp(Z, axis=0, keepdims=True))) / m
    if loss == "binary_cross_entropy":
        log_a, log_1ma = -anp.logaddexp(0.0, -Z), -anp.logaddexp(0.0, Z)
        return -anp.sum(Y * log_a + (1 - Y) * log_1ma) / m
    raise ValueError(loss)


HIDDEN = ["logistic", "tanh", "relu", "identity", "swish", "mish"]
LOSS_OUTPUT = [("half_squared_error", None), ("cross_entropy", "softmax"),
               ("binary_cross_entropy", "logistic")]


def random_targets(r, loss, n_out, m):
    """Targets a loss accepts: int labels (cross-entropy), [0, 1] values (binary), reals otherwise."""
    if loss == "cross_entropy":
        return r.integers(0, n_out, size=m)
    if loss == "binary_cross_entropy":
        return r.uniform(size=(n_out, m))
    return r.normal(size=(n_out, m))


def random_case(seed, max_depth=5, max_width=20, max_m=8):
    """A random architecture, activations, loss (cycling with the seed), batch X and targets Y."""
    import backproplib as bp

    r = np.random.default_rng(seed)
    depth = int(r.integers(1, max_depth + 1))
    loss, out_act = LOSS_OUTPUT[seed % 3]
    sizes = [int(n) for n in r.integers(1, max_width + 1, size=depth + 1)]
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    acts = [HIDDEN[int(i)] for i in r.integers(0, len(HIDDEN), size=depth)]
    acts[-1] = out_act or acts[-1]
    m = int(r.integers(1, max_m + 1))
    X = r.normal(size=(sizes[0], m))
    Y = random_targets(r, loss, sizes[-1], m)
    net = bp.Network(sizes, activations=acts, loss=loss, init="normal", seed=seed)
    return net, X, Y


def network_reference_loss(theta, net, X, Y):
    """``reference_loss`` for a ``bp.Network``'s architecture (targets in any form the net accepts)."""
    Yd = net.loss_fn.targets(Y, net.sizes[-1], X.shape[1])
    names = [f.name for f in net.activations]
    return reference_loss(theta, net.sizes, names, net.loss_fn.name, X, Yd)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
