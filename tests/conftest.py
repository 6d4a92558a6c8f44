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


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
