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


# ---------------------------------------------------------------- edges of every entry point
def test_empty_batch_is_refused_not_a_nan():
    net = bp.Network([2, 3, 1])
    X, Y = np.zeros((2, 0)), np.zeros((1, 0))
    for call in (lambda: net.forward(X), lambda: net.loss(X, Y), lambda: net.loss_and_gradient(X, Y),
                 lambda: bp.train(net, X, Y, epochs=1)):
        with pytest.raises(ValueError, match=r"at least one example: X has shape \(2, 0\) \(m = 0\)"):
            call()


def test_non_finite_parameters_before_training_are_not_called_divergence():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 3, 1], seed=0)
    net.W[1][0, 2] = np.nan
    with pytest.raises(ValueError, match=r"not finite before training \(W\^2\[0, 2\] = nan\)"):
        bp.train(net, X, Y, epochs=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_set_params_refuses_non_finite(bad):
    net = bp.Network([2, 3, 1])
    theta = net.get_params()
    theta[4] = bad
    with pytest.raises(ValueError, match=f"contains {bad} at index 4: parameters must be finite"):
        net.set_params(theta)
    with pytest.raises(ValueError, match="must be finite"):
        net.set_params(np.full(net.n_params, np.nan))


def test_a_cache_from_another_network_is_named():
    X, Y = bp.datasets.xor()
    a, b = bp.Network([2, 3, 1]), bp.Network([2, 4, 1])
    with pytest.raises(ValueError, match=r"cache's z\^1 has shape \(4, 4\), this network's layer 1 "
                                         r"gives \(3, 4\)"):
        a.backward(b.forward(X), Y)
    with pytest.raises(ValueError, match="cache holds 3 layers, this network has 2"):
        a.backward(bp.Network([2, 3, 3, 1]).forward(X), Y)
    with pytest.raises(TypeError, match="cache must be the Cache returned by forward"):
        a.backward({"z": []}, Y)


def test_a_weight_replaced_by_a_wrong_shape_is_named():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 3, 1])
    net.W[1] = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"W\^2 \(net.W\[1\]\) has shape \(3, 1\), expected \(1, 3\)"):
        net.loss_and_gradient(X, Y)
    net = bp.Network([2, 3, 1])
    net.b[0] = np.zeros(2)
    with pytest.raises(ValueError, match=r"b\^1 \(net.b\[0\]\) has shape \(2,\), expected \(3,\)"):
        bp.train(net, X, Y, epochs=1)


def test_backpropagate_checks_the_seed_shape():
    X, _ = bp.datasets.xor()
    net = bp.Network([2, 3, 2])
    cache = net.forward(X)
    with pytest.raises(ValueError, match=r"delta\^L must have the shape of z\^L, \(2, 4\).*got \(4, 2\)"):
        net.backpropagate(cache, np.zeros((4, 2)))


@pytest.mark.parametrize("opt, words", [(0.5, "an Optimizer instance such as bp.SGD(0.5), got float 0.5"),
                                        (bp.SGD, "an instance such as bp.SGD(0.5), not the class bp.SGD"),
                                        (bp.Adam, "not the class bp.Adam"),
                                        ("adam", "got str 'adam'")])
def test_optimizer_of_the_wrong_type(opt, words):
    X, Y = bp.datasets.xor()
    with pytest.raises(TypeError, match=re_escape(words)):
        bp.train(bp.Network([2, 2, 1]), X, Y, epochs=1, optimizer=opt)


def re_escape(text):
    import re

    return re.escape(text)


@pytest.mark.parametrize("acts", [np.tanh, [np.tanh, "logistic"], ["tanh", lambda z: z]])
def test_a_plain_function_as_activation_says_how_to_wrap_it(acts):
    with pytest.raises(TypeError, match=r"needs its derivative. Wrap it, e.g. bp.Activation\("):
        bp.Network([2, 3, 1], activations=acts)


def test_a_loss_that_grows_by_orders_of_magnitude_is_diverging():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 3, 1], activations="identity", seed=0)
    history = bp.train(net, X, Y, epochs=500, optimizer=bp.SGD(5.0))
    assert history.diverged and history.epochs < 500
    assert history.loss[-1] > 1e6 * history.loss[0] and np.isfinite(history.loss[-1])
    assert history.diverged_at == 1  # it rose from the first step on
    calm = bp.train(bp.Network([2, 3, 1], seed=0), X, Y, epochs=50, optimizer=bp.SGD(0.5))
    assert not calm.diverged and calm.diverged_at is None
