"""Error and signal sizes with depth (chapter 18): the variances that the initialisations preserve,
the gradient ratio, and the stored depth sweep re-run on a subset."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.residual import ResidualNetwork
from backproplib.experiments import depth_sweep as D
from backproplib.experiments.error_sizes import gradient_ratio, signal_variances


def test_linear_layers_scale_the_variance_by_n_var_w():
    """z^l = W h: Var(z^l) = n Var(W) Var(z^{l-1}) for a linear network (the derivation's step)."""
    n, depth, m = 200, 6, 400
    X = np.random.default_rng(0).normal(size=(n, m))
    for c in (0.5, 1.0, 2.0):  # Var(W) = c / n
        net = bp.Network([n] * (depth + 1), activations="identity", init="normal", seed=1)
        for l in range(depth):
            net.W[l] *= np.sqrt(c / n)
            net.b[l][:] = 0.0
        Y = 100.0 * np.random.default_rng(2).normal(size=(n, m))  # delta^L independent of W
        var_z, var_d = signal_variances(net, X, Y)
        ratios = var_z[1:] / var_z[:-1]
        np.testing.assert_allclose(ratios, c, rtol=0.1)
        np.testing.assert_allclose(var_d[:-1] / var_d[1:], c, rtol=0.1)


def test_gradient_ratio():
    net = bp.Network([4, 8, 8, 1], activations="logistic", seed=0)
    X = np.random.default_rng(0).normal(size=(4, 16))
    d = bp.experiments.error_sizes.delta_norms(net, X, net.predict(X) + 1)
    assert gradient_ratio(net, X, net.predict(X) + 1) == pytest.approx(d[0] / d[-1])
    with pytest.raises(ValueError, match="error is zero"):
        gradient_ratio(net, X, net.predict(X))
    with pytest.raises(TypeError, match="backproplib Network"):
        signal_variances("net", X, X)


def test_the_stored_sweep_is_reproduced_on_a_subset():
    stored = D.load_results()
    assert stored["settings"] == D.SETTINGS
    for key in ("logistic/plain", "logistic/residual", "relu/plain"):
        act, arch = key.split("/")
        for depth in (5, 50):
            i = stored["depths"].index(depth)
            for seed in (0, 7):
                got = D.ratio(act, arch, depth, seed)
                assert got == pytest.approx(stored["ratios"][key][seed][i], rel=1e-6)
    crossing = D.lost_depths(stored)
    assert crossing["logistic/plain"] is not None and crossing["logistic/residual"] is None


def test_lost_depth_finds_the_first_depth_below_the_threshold():
    data = {"depths": [5, 10, 15], "threshold": 1e-6,
            "ratios": {"a/plain": [[1e-2, 1e-7, 1e-9]] * 3, "a/residual": [[0.5, 0.4, 0.3]] * 3}}
    assert D.lost_depths(data) == {"a/plain": 10, "a/residual": None}
    with pytest.raises(ValueError, match="unknown activation"):
        D.make_network("softsign", "plain", 5, 0)
    with pytest.raises(ValueError, match="architecture"):
        D.make_network("tanh", "dense", 5, 0)
    assert isinstance(D.make_network("tanh", "residual", 5, 0), ResidualNetwork)
