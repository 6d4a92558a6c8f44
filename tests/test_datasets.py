"""The digits shipped with backproplib are scikit-learn's, and the split is what chapter 15 uses."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.datasets import _digits_data


def test_shipped_digits_equal_scikit_learns():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    images, target = _digits_data()
    np.testing.assert_array_equal(images, ref.images)
    np.testing.assert_array_equal(target, ref.target)
    assert images.dtype == ref.images.dtype and target.dtype.kind == ref.target.dtype.kind


def test_digits_split_matches_the_scikit_learn_route():
    """The split from the shipped file equals the one the library made from load_digits()."""
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    data = sklearn_datasets.load_digits()
    rng = np.random.default_rng(0)
    test = np.zeros(len(data.target), dtype=bool)
    for k in range(10):
        idx = np.flatnonzero(data.target == k)
        test[rng.choice(idx, size=int(round(0.25 * len(idx))), replace=False)] = True
    d = bp.datasets.digits(seed=0)
    np.testing.assert_array_equal(d.X_train, (data.data / 16.0)[~test].T)
    np.testing.assert_array_equal(d.y_test, data.target[test])
    np.testing.assert_array_equal(d.images_test, data.images[test] / 16.0)


def test_digits_rejects_a_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        bp.datasets.digits(test_fraction=1.0)
