"""The reader's gradient checker: it must catch a wrong gradient and name the worst parameter."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    g = bp.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored after perturbation


def test_gradcheck_passes_on_a_correct_network():
    net = bp.Network([3, 4, 2], activations="tanh", seed=0)
    X = np.random.default_rng(1).normal(size=(3, 6))
    result = bp.gradcheck(net, X, np.zeros((2, 6)))
    assert result.passed(1e-6)
    assert result.worst.startswith(("W^", "b^"))


def test_gradcheck_catches_a_broken_backward_and_names_the_parameter(monkeypatch):
    net = bp.Network([2, 3, 1], activations="logistic", seed=0)
    X = np.random.default_rng(2).normal(size=(2, 5))
    original = bp.Network.backward

    def broken(self, cache, Y):
        grads = original(self, cache, Y)
        grads.dW[1][0, 2] *= 1.5  # one wrong entry of dC/dW^2
        return grads

    monkeypatch.setattr(bp.Network, "backward", broken)
    result = bp.gradcheck(net, X, np.ones((1, 5)))
    assert not result.passed()
    assert result.worst == "W^2[0, 2]"
    assert result.max_rel_error > 0.1


def test_param_names_follow_get_params_order():
    net = bp.Network([2, 1])
    assert bp.gradcheck(net, np.ones((2, 1)), np.ones((1, 1))).analytic.shape == (3,)
    from backproplib.gradcheck import param_names

    assert param_names(net) == ["W^1[0, 0]", "W^1[0, 1]", "b^1[0]"]


def test_numerical_gradient_refuses_non_float64():
    with pytest.raises(TypeError, match="float64"):
        bp.numerical_gradient(lambda v: 0.0, np.ones(3, dtype=np.float32))


def test_relative_error_floor():
    assert bp.relative_error(0.0, 0.0) == 0.0
    assert bp.relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
