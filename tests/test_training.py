"""The training loop, the optimisers' plumbing, the data sets and the source display."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import backproplib as bp


def test_full_batch_training_learns_xor():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 3, 1], activations="tanh", seed=1)
    net.activations[-1] = bp.get_activation("logistic")
    hist = bp.train(net, X, Y, epochs=2000, optimizer=bp.SGD(2.0))
    assert hist.loss[-1] < 0.01 < hist.loss[0]
    np.testing.assert_array_equal(net.predict(X).round(), Y)


def test_full_batch_step_is_exactly_w_minus_eta_gradient():
    X = np.random.default_rng(0).normal(size=(3, 5))
    Y = np.ones((2, 5))
    net = bp.Network([3, 2], activations="logistic", seed=0)
    theta0 = net.get_params()
    _, grads = net.loss_and_gradient(X, Y)
    bp.train(net, X, Y, epochs=1, optimizer=bp.SGD(0.3))
    np.testing.assert_allclose(net.get_params(), theta0 - 0.3 * grads.flat(), rtol=1e-14)


def test_mini_batch_is_deterministic_given_seed_and_differs_from_full_batch():
    X, Y = bp.datasets.parity(3)
    runs = []
    for batch_size in (2, 2, None):
        net = bp.Network([3, 4, 1], seed=0)
        bp.train(net, X, Y, epochs=5, optimizer=bp.SGD(0.5), batch_size=batch_size, seed=3)
        runs.append(net.get_params())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


def test_divergence_stops_cleanly_without_warnings():
    X = np.array([[1.0, 2.0], [1.0, -1.0]]) * 100
    Y = np.array([[0.0, 1.0]])
    net = bp.Network([2, 1], activations="identity", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = bp.train(net, X, Y, epochs=200, optimizer=bp.SGD(10.0))
    assert hist.diverged and hist.epochs < 200


def test_stop_when():
    X, Y = bp.datasets.xor()
    net = bp.Network([2, 2, 1], seed=0)
    hist = bp.train(net, X, Y, epochs=100, stop_when=lambda n, h: h.epochs == 7)
    assert hist.stopped_early and hist.epochs == 7 and len(hist.loss) == 8


def test_momentum_follows_the_1986_rule():
    p = [np.array([1.0])]
    opt = bp.Momentum(eta=0.1, alpha=0.5)
    opt.step(p, [np.array([2.0])])  # dw = -0.2
    opt.step(p, [np.array([2.0])])  # dw = -0.2 + 0.5 * -0.2 = -0.3
    assert p[0][0] == pytest.approx(1.0 - 0.2 - 0.3)


def test_optimizer_shape_mismatch():
    with pytest.raises(ValueError, match=r"gradient 0 has shape \(2,\), its parameter has shape \(3,\)"):
        bp.SGD(0.1).step([np.zeros(3)], [np.zeros(2)])


def test_datasets_shapes_and_labels():
    X, Y = bp.datasets.xor()
    np.testing.assert_array_equal(Y, [[0, 1, 1, 0]])
    X, Y = bp.datasets.symmetry(6)
    assert X.shape == (6, 64) and Y.sum() == 8  # 2^3 palindromes of length 6
    X, Y = bp.datasets.parity(3)
    assert X.shape == (3, 8) and Y.sum() == 4
    split = bp.datasets.digits(seed=0)
    assert split.X_train.shape[0] == 64 and split.X_train.shape[1] + split.X_test.shape[1] == 1797
    assert 0.0 <= split.X_train.min() and split.X_train.max() <= 1.0
    assert set(np.unique(split.y_test)) == set(range(10))
    with pytest.raises(ValueError, match="number of bits"):
        bp.datasets.parity(0)


def test_show_source_is_the_library_source():
    import inspect

    full = str(bp.show_source(bp.Network.backward, docstring=True, width=120))
    assert full.startswith("def backward(self")
    original = inspect.getsource(bp.Network.backward).splitlines()
    assert [line.strip() for line in full.splitlines()] == [line.strip() for line in original]
    code = str(bp.show_source(bp.Network.backward))  # what a chapter shows: the code
    assert '"""' not in code and "deltas = self.backpropagate" in code
    short = bp.show_source(bp.Network.param_grads, start="dW, db = [], []")
    assert "    ...\n" in str(short) and "per_example" not in str(short).split("...")[1]
    with pytest.raises(ValueError, match="does not occur"):
        bp.show_source(bp.Network.backward, start="no such text")


def test_show_source_refuses_a_listing_wider_than_the_page():
    with pytest.raises(ValueError, match="the book's code column holds 77"):
        bp.show_source(bp.Network.check_input)
    assert bp.show_source(bp.Network.check_input, width=120)
