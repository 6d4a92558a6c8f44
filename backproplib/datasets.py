"""Small data sets for the book: generated here or shipped inside a package (nothing is downloaded).

All arrays follow the book's convention: one example per **column**.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources

import numpy as np

Array = np.ndarray


def binary_inputs(n: int) -> Array:
    """All ``2**n`` binary vectors of length ``n``, as columns, shape ``(n, 2**n)``."""
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"number of bits n must be a positive int, got {n!r}")
    return np.array(list(itertools.product([0.0, 1.0], repeat=n))).T


def xor() -> tuple[Array, Array]:
    """The four XOR cases: ``X`` of shape ``(2, 4)``, ``Y`` of shape ``(1, 4)``."""
    return parity(2)


def parity(n: int) -> tuple[Array, Array]:
    """The ``n``-bit parity problem: target 1 when the input has an odd number of ones.

    Returns
    -------
    X : ndarray, shape (n, 2**n)
    Y : ndarray, shape (1, 2**n)
    """
    X = binary_inputs(n)
    return X, (X.sum(axis=0) % 2).reshape(1, -1)


def symmetry(n: int = 6) -> tuple[Array, Array]:
    """Symmetry detection (Rumelhart, Hinton and Williams 1986): target 1 when the binary input vector
    reads the same from both ends.

    Returns
    -------
    X : ndarray, shape (n, 2**n)
    Y : ndarray, shape (1, 2**n)
    """
    X = binary_inputs(n)
    return X, np.all(X == X[::-1], axis=0).astype(float).reshape(1, -1)


@dataclass
class Split:
    """A train/test split; inputs are columns, labels are integer class indices."""

    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array
    images_test: Array


def _digits_data() -> tuple[Array, Array]:
    """The 8x8 digit images (values 0-16, shape ``(1797, 8, 8)``) and their labels, from the copy of
    scikit-learn's ``load_digits`` data shipped in ``backproplib/digits.npz``."""
    with resources.files("backproplib").joinpath("digits.npz").open("rb") as f, np.load(f) as npz:
        return npz["images"].astype(float), npz["target"].astype(int)


def digits(test_fraction: float = 0.25, seed: int = 0) -> Split:
    """The 8x8 handwritten digits that scikit-learn bundles (1,797 images), scaled to [0, 1].

    The images ship with backproplib (``backproplib/digits.npz``, UCI optdigits, CC BY 4.0), so
    neither scikit-learn nor a download is needed.

    Parameters
    ----------
    test_fraction : float
        Fraction of the images held out, stratified by class.
    seed : int
        Seed of the (fixed) shuffle.

    Returns
    -------
    Split
        ``X_train`` of shape ``(64, m_train)``, ``y_train`` of shape ``(m_train,)`` and the same for the
        test set; ``images_test`` has shape ``(m_test, 8, 8)``.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    images, target = _digits_data()
    rng = np.random.default_rng(seed)
    test = np.zeros(len(target), dtype=bool)
    for k in range(10):
        idx = np.flatnonzero(target == k)
        test[rng.choice(idx, size=int(round(test_fraction * len(idx))), replace=False)] = True
    X = images.reshape(len(images), -1) / 16.0
    return Split(X[~test].T.copy(), target[~test], X[test].T.copy(), target[test], images[test] / 16.0)


# ---------------------------------------------------------------------------- sequences
# Sequence tasks for the recurrent chapter. A batch of sequences has shape (T, n_in, m): T steps,
# an input column per step and example; examples are the last axis, as everywhere in the book.
def _sequence_args(m: object, T: object, minimum_T: int = 1) -> tuple[int, int]:
    for name, v, low in (("m (number of sequences)", m, 1), ("T (sequence length)", T, minimum_T)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be an int >= {low}, got {v!r}")
    return int(m), int(T)


def adding_problem(m: int, T: int, seed: int = 0) -> tuple[Array, Array]:
    """The adding problem (after Hochreiter and Schmidhuber, 1997), in this book's variant.

    Every step carries two inputs: a value drawn uniformly from [0, 1] and a marker that is 1 at
    exactly two steps (one in each half of the sequence) and 0 elsewhere. The target, read at the
    last step, is the sum of the two marked values, so the network must carry a value over up to
    ``T - 1`` steps. Always answering 1 (the mean of the target) gives a half squared error of
    1/12.

    Parameters
    ----------
    m : int
        The number of sequences.
    T : int
        Their length (at least 2).
    seed : int

    Returns
    -------
    X : ndarray, shape (T, 2, m)
        ``X[t, 0]`` the values, ``X[t, 1]`` the markers.
    Y : ndarray, shape (1, m)
    """
    m, T = _sequence_args(m, T, minimum_T=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=(T, m))
    half = T // 2
    first = rng.integers(0, half, size=m)
    second = rng.integers(half, T, size=m)
    markers = np.zeros((T, m))
    markers[first, np.arange(m)] = 1.0
    markers[second, np.arange(m)] = 1.0
    X = np.stack([values, markers], axis=1)
    Y = (values * markers).sum(axis=0, keepdims=True)
    return X, Y


def sequence_parity(m: int, T: int, seed: int = 0) -> tuple[Array, Array]:
    """Parity of a bit sequence: the target is 1 when an odd number of the ``T`` bits are 1.

    Returns
    -------
    X : ndarray, shape (T, 1, m)
        Bits 0.0 or 1.0, one per step.
    Y : ndarray, shape (1, m)
    """
    m, T = _sequence_args(m, T)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(T, 1, m)).astype(float)
    return bits, (bits.sum(axis=0) % 2)
