"""Every activation's derivative against central differences and autograd; stability at |z| = 1e3."""

from __future__ import annotations

import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.activations import logistic, softmax

from .conftest import REFERENCE_ACTIVATIONS

ELEMENTWISE = ["logistic", "tanh", "relu", "identity", "swish", "mish"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_value_matches_reference(name, rng):
    z = rng.normal(scale=3, size=200)
    np.testing.assert_allclose(bp.get_activation(name).f(z), REFERENCE_ACTIVATIONS[name](z),
                               rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_autograd(name, rng):
    z = rng.normal(scale=3, size=200)
    z = z[np.abs(z) > 1e-3]  # away from ReLU's kink
    ref = autograd.elementwise_grad(REFERENCE_ACTIVATIONS[name])(z)
    np.testing.assert_allclose(bp.get_activation(name).df(z), ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name, rng):
    f = bp.get_activation(name)
    z = rng.normal(scale=3, size=100)
    z = z[np.abs(z) > 1e-3]
    h = 1e-6
    numeric = (f.f(z + h) - f.f(z - h)) / (2 * h)
    np.testing.assert_allclose(f.df(z), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_backward_is_the_jacobian_vector_product(rng):
    z = rng.normal(size=(5, 3))
    g = rng.normal(size=(5, 3))
    act = bp.get_activation("softmax")
    for col in range(3):
        J = autograd.jacobian(lambda v: REFERENCE_ACTIVATIONS["softmax"](anp.reshape(v, (5, 1)))[:, 0])(
            z[:, col])
        np.testing.assert_allclose(act.backward(z, act.f(z), g)[:, col], J.T @ g[:, col],
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", [*ELEMENTWISE, "softmax"])
def test_no_overflow_or_nan_at_large_inputs(name):
    z = np.array([[-1e3, -50.0, 0.0, 50.0, 1e3], [1e3, 2.0, -1e3, 0.5, -1e3]])
    act = bp.get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.f(z)
        d = act.backward(z, a, np.ones_like(z))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_logistic_limits_are_exact():
    assert logistic(np.array(-1e3)) == 0.0
    assert logistic(np.array(1e3)) == 1.0
    assert logistic(np.array(0.0)) == 0.5


def test_softmax_columns_sum_to_one(rng):
    z = rng.normal(scale=100, size=(4, 6))
    np.testing.assert_allclose(softmax(z).sum(axis=0), 1.0, rtol=1e-14)


def test_relu_derivative_at_zero_is_zero_by_convention():
    assert bp.get_activation("relu").df(np.array([0.0]))[0] == 0.0


def test_aliases():
    assert bp.get_activation("sigmoid").name == "logistic"
    assert bp.get_activation("Linear").name == "identity"


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'.*logistic.*relu.*tanh"):
        bp.get_activation("sigmod")


def test_activation_name_of_wrong_type():
    with pytest.raises(TypeError, match="activation must be a name"):
        bp.get_activation(3)


def test_an_activation_without_a_derivative_is_refused():
    from backproplib.activations import Activation

    with pytest.raises(ValueError, match="'step' needs exactly one derivative"):
        Activation("step", lambda z: (z > 0).astype(float), None)
    with pytest.raises(ValueError, match="exactly one derivative"):
        Activation("both", np.tanh, lambda z: 1 - np.tanh(z) ** 2, lambda z, a, g: g)


def test_a_custom_elementwise_activation_trains_through_the_network(rng):
    from backproplib.activations import Activation

    softsign = Activation("softsign", lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)
    net = bp.Network([3, 4, 2], activations=[softsign, "identity"], seed=0)
    assert bp.gradcheck(net, rng.normal(size=(3, 5)), rng.normal(size=(2, 5))).passed(1e-6)
