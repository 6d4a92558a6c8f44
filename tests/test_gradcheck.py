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


# ---------------------------------------------------------------- not accusing correct gradients
def _trained_xor(sizes, seed, activation="tanh"):
    X, Y = bp.datasets.xor()
    net = bp.Network(sizes, activations=activation, seed=seed)
    bp.train(net, X, Y, epochs=2000, optimizer=bp.SGD(0.5))
    return net, X, Y


@pytest.mark.parametrize("sizes, seed", [([2, 3, 1], 0), ([2, 2, 1], 2), ([2, 2, 1], 4), ([2, 4, 1], 2)])
def test_gradcheck_passes_a_trained_xor_net(sizes, seed):
    """Near a minimum the gradient is tiny beside the loss; plain central differences at eps=1e-6
    are off by more than 1e-7 of some entries here (e.g. a bias whose partial derivative is 1e-6)."""
    net, X, Y = _trained_xor(sizes, seed)
    result = bp.gradcheck(net, X, Y)
    assert result.passed(1e-7), str(result)


def test_gradcheck_passes_a_relu_net_with_a_dead_unit():
    rng = np.random.default_rng(0)
    net = bp.Network([3, 4, 1], activations=["relu", "identity"], seed=0)
    net.b[0][1] = -10.0  # unit 2 is off for every input: its weights have gradient exactly 0
    X, Y = rng.normal(size=(3, 5)), rng.normal(size=(1, 5))
    result = bp.gradcheck(net, X, Y)
    from backproplib.gradcheck import param_names

    dead = [i for i, name in enumerate(param_names(net)) if name.startswith(("W^1[1,", "b^1[1]"))]
    assert len(dead) == 4 and np.all(result.analytic[dead] == 0.0)
    assert result.passed(1e-7), str(result)


def test_gradcheck_fails_a_gradient_off_by_one_part_in_a_million(monkeypatch):
    net = bp.Network([2, 3, 1], activations="tanh", seed=0)
    X, Y = bp.datasets.xor()
    assert bp.gradcheck(net, X, Y).passed(1e-7)
    original = bp.Network.backward

    def slightly_off(self, cache, Y):
        grads = original(self, cache, Y)
        grads.dW[0] *= 1 + 1e-6
        return grads

    monkeypatch.setattr(bp.Network, "backward", slightly_off)
    result = bp.gradcheck(net, X, Y)
    assert not result.passed(1e-7)
    assert result.worst.startswith("W^1") and result.max_rel_error == pytest.approx(5e-7, rel=0.05)
    assert "FAILED" in result.summary() and result.worst in result.summary()


def test_gradcheck_restores_the_parameters():
    net = bp.Network([2, 3, 2], activations="logistic", seed=1)
    X, Y = np.ones((2, 3)), np.zeros((2, 3))
    theta = net.get_params()
    bp.gradcheck(net, X, Y)
    np.testing.assert_array_equal(net.get_params(), theta)


def test_gradcheck_restores_the_parameters_when_the_loss_raises(monkeypatch):
    net = bp.Network([2, 3, 2], activations="logistic", seed=1)
    X, Y = np.ones((2, 3)), np.zeros((2, 3))
    theta = net.get_params()
    calls = [0]
    original = bp.Network.loss

    def fails_later(self, X, Y):
        calls[0] += 1
        if calls[0] > 5:
            raise RuntimeError("boom")
        return original(self, X, Y)

    monkeypatch.setattr(bp.Network, "loss", fails_later)
    with pytest.raises(RuntimeError, match="boom"):
        bp.gradcheck(net, X, Y)
    np.testing.assert_array_equal(net.get_params(), theta)


def test_numerical_gradient_restores_its_input_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[0] != 1.0:
            raise ValueError("perturbed")
        return 0.0

    with pytest.raises(ValueError, match="perturbed"):
        bp.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_richardson_cancels_the_eps_squared_term():
    x = np.array([0.3, -1.2])
    f = lambda v: float(np.sum(np.exp(v) * np.sin(v)))  # noqa: E731
    exact = np.exp(x) * (np.sin(x) + np.cos(x))
    central = bp.numerical_gradient(f, x.copy(), eps=1e-3, method="central")
    richardson = bp.numerical_gradient(f, x.copy(), eps=1e-3, method="richardson")
    assert np.abs(central - exact).max() > 1e-7       # truncation ~ eps^2 f''' / 6
    assert np.abs(richardson - exact).max() < 1e-11   # ~ eps^4 f^(5) / 30


def test_numerical_gradient_bad_arguments():
    with pytest.raises(ValueError, match="unknown method 'forward'; valid methods are: central, richardson"):
        bp.numerical_gradient(lambda v: 0.0, np.ones(2), method="forward")
    with pytest.raises(ValueError, match="eps must be a small positive number"):
        bp.numerical_gradient(lambda v: 0.0, np.ones(2), eps=0.0)


def test_gradcheck_says_when_a_relu_input_sits_on_the_kink():
    net = bp.Network([1, 2, 1], activations=["relu", "identity"], seed=0)
    net.W[0][:] = [[1.0], [1.0]]
    net.b[0][:] = [-1.0, 0.5]
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0]])   # z^1[0] = 0 exactly for x = 1
    result = bp.gradcheck(net, X, Y)
    assert result.kinks == ["1 input(s) of the relu layer 1 are exactly at its kink"]
    assert not result.passed()  # f'(0) = 0 by convention, the difference sees slope 1/2
    assert "kink" in str(result)


def test_scaled_error_is_relative_to_the_overall_scale():
    from backproplib.gradcheck import scaled_error

    err = scaled_error([1.0, 1e-6, 0.0], [1.0, 1e-6 + 1e-13, 2e-10])
    assert err.max() < 2e-8   # 2e-10 against a scale of 2, floor 1e-2
    assert scaled_error([2.0], [1.0])[0] == pytest.approx(1 / 3)
    assert scaled_error(np.zeros(3), np.zeros(3)).max() == 0.0
    with pytest.raises(ValueError, match="one shape"):
        scaled_error(np.zeros(2), np.zeros(3))
