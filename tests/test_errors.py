"""Bad input gets a clear error that names what was wrong and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp


@pytest.fixture
def net():
    return bp.Network([3, 4, 2], activations=["tanh", "logistic"])


def test_wrong_input_width_names_the_layer_and_the_expected_width(net):
    with pytest.raises(ValueError, match=r"layer 1 expects inputs of width n_0=3 \(W\^1 has shape "
                                         r"\(4, 3\)\), got X of shape \(5, 2\)"):
        net.forward(np.ones((5, 2)))


def test_rows_instead_of_columns_suggests_a_transpose(net):
    with pytest.raises(ValueError, match="did you forget a transpose"):
        net.forward(np.ones((10, 3)))


def test_one_dimensional_input_suggests_reshape(net):
    with pytest.raises(ValueError, match=r"2-D with one example per column.*reshape\(-1, 1\)"):
        net.forward(np.ones(3))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(net, bad):
    X = np.ones((3, 2))
    X[1, 1] = bad
    with pytest.raises(ValueError, match="non-finite"):
        net.forward(X)


def test_non_numeric_input(net):
    with pytest.raises(TypeError, match="numeric array"):
        net.forward(np.array([["a", "b"], ["c", "d"], ["e", "f"]]))


def test_targets_of_wrong_shape(net):
    with pytest.raises(ValueError, match=r"targets Y have shape \(2, 3\), expected \(2, 2\)"):
        net.loss(np.ones((3, 2)), np.ones((2, 3)))


def test_transposed_targets_hint(net):
    with pytest.raises(ValueError, match=r"expected \(2, 5\).*did you forget a transpose"):
        net.loss(np.ones((3, 5)), np.ones((5, 2)))


def test_non_finite_targets(net):
    with pytest.raises(ValueError, match=r"targets Y contain non-finite"):
        net.loss(np.ones((3, 2)), np.array([[0.0, np.nan], [1.0, 0.0]]))


def test_class_label_out_of_range():
    net = bp.Network([2, 3], activations="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match=r"class label 3 is out of range: labels must be in 0..2"):
        net.loss(np.ones((2, 4)), np.array([0, 1, 3, 2]))
    with pytest.raises(ValueError, match=r"class label -1 is out of range"):
        net.loss(np.ones((2, 4)), np.array([0, 1, -1, 2]))


def test_float_class_labels():
    net = bp.Network([2, 3], activations="softmax", loss="cross_entropy")
    with pytest.raises(TypeError, match="must be integers"):
        net.loss(np.ones((2, 2)), np.array([0.0, 1.0]))


@pytest.mark.parametrize("sizes,match", [([3, 0, 2], r"sizes\[1\] must be positive, got 0"),
                                         ([3, -4], r"sizes\[1\] must be positive, got -4"),
                                         ([3], "at least one layer"),
                                         ([3, 2.5], r"sizes\[1\] must be an int")])
def test_bad_layer_sizes(sizes, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bp.Network(sizes)


def test_wrong_number_of_activations():
    with pytest.raises(ValueError, match=r"got 3 activations for 2 layers"):
        bp.Network([2, 3, 1], activations=["tanh", "tanh", "tanh"])


def test_unknown_activation_in_network():
    with pytest.raises(ValueError, match="unknown activation 'sigmoidal'; valid names are: identity, "
                                         "logistic, mish, relu, softmax, swish, tanh"):
        bp.Network([2, 1], activations="sigmoidal")


def test_unknown_init_scheme():
    with pytest.raises(ValueError, match="unknown init scheme 'glorot'; valid schemes are"):
        bp.Network([2, 1], init="glorot")


def test_set_params_wrong_length(net):
    with pytest.raises(ValueError, match=r"parameter vector has shape \(3,\), expected \(26,\)"):
        net.set_params(np.zeros(3))


def test_negative_learning_rate():
    with pytest.raises(ValueError, match="learning rate eta must be a finite number >= 0, got -0.1"):
        bp.SGD(-0.1)


def test_bad_batch_size(net):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        bp.train(net, np.ones((3, 4)), np.ones((2, 4)), epochs=1, batch_size=0)
