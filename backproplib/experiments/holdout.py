"""A validation split carved from a training set, so that no choice is made on the test set.

The digits of :func:`backproplib.datasets.digits` come as a training and a test part. Every choice a
chapter makes (the number of epochs, a learning rate) is made on a *validation* part taken from the
training images; the test images are looked at once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..network import Network
from ..optim import Optimizer
from ..training import train

Array = np.ndarray


@dataclass
class Holdout:
    """A training set split in two; inputs are columns, labels integer classes.

    Attributes
    ----------
    X_fit : ndarray, shape (n_0, m_fit)
        The images the network is trained on.
    y_fit : ndarray, shape (m_fit,)
    X_val : ndarray, shape (n_0, m_val)
        The images every choice is made on.
    y_val : ndarray, shape (m_val,)
    """

    X_fit: Array
    y_fit: Array
    X_val: Array
    y_val: Array


def validation_split(X: Array, y: Array, fraction: float = 0.2, seed: int = 0) -> Holdout:
    """Hold out ``fraction`` of the examples of every class for validation.

    Parameters
    ----------
    X : ndarray, shape (n_0, m)
        One example per column.
    y : ndarray of int, shape (m,)
        Class labels.
    fraction : float
        In ``(0, 1)``: the share of each class that goes to the validation part (rounded).
    seed : int
        Seed of the choice of the held-out examples.

    Returns
    -------
    Holdout

    Examples
    --------
    >>> X, y = np.zeros((2, 10)), np.array([0] * 5 + [1] * 5)
    >>> h = validation_split(X, y, fraction=0.4)
    >>> h.X_fit.shape, np.bincount(h.y_val).tolist()
    ((2, 6), [2, 2])
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with one example per column, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[1] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer labels of shape ({X.shape[1]},), one per column of "
                         f"X; got {y.dtype} of shape {y.shape}")
    if isinstance(fraction, bool) or not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
    rng = np.random.default_rng(seed)
    val = np.zeros(y.shape[0], dtype=bool)
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        val[rng.choice(idx, size=int(round(fraction * len(idx))), replace=False)] = True
    if val.all() or not val.any():
        raise ValueError(f"fraction {fraction} leaves one of the two parts empty for "
                         f"{y.shape[0]} examples")
    return Holdout(X[:, ~val], y[~val], X[:, val], y[val])


@dataclass
class ValidatedRun:
    """What :func:`fit_with_validation` saw, epoch by epoch (index 0: before training).

    Attributes
    ----------
    val_accuracy : list of float
        Accuracy on the validation part after each epoch.
    best_epoch : int
        The epoch whose weights the network keeps: the first with the highest validation accuracy.
    measures : dict of str to list of float
        The values of each ``measure`` after each epoch (empty without ``measure``).
    diverged : bool
        True when training stopped because the loss blew up (:class:`backproplib.training.History`).
    """

    val_accuracy: list[float]
    best_epoch: int
    measures: dict[str, list[float]]
    diverged: bool = False


def fit_with_validation(net: Network, data: Holdout, epochs: int, optimizer: Optimizer,
                        batch_size: int | None = None, seed: int = 0, progress: bool = False,
                        measure: Callable[[Network], dict[str, float]] | None = None
                        ) -> ValidatedRun:
    """Train ``net`` on ``data.X_fit`` with :func:`backproplib.training.train`, and keep the weights of the
    epoch with the best validation accuracy (early stopping chosen on ``data.X_val``, never on
    the test set).

    Parameters
    ----------
    net : Network
        A classifier (the largest output is the predicted class); trained in place.
    data : Holdout
    epochs : int
    optimizer : Optimizer
    batch_size, seed, progress
        As for :func:`backproplib.training.train`.
    measure : callable, optional
        ``measure(net) -> {name: value}``, recorded before training and after every epoch (the
        angle between two updates, say).

    Returns
    -------
    ValidatedRun
    """
    if not isinstance(data, Holdout):
        raise TypeError(f"data must be a Holdout (validation_split), got {type(data).__name__}")
    run = ValidatedRun(val_accuracy=[], best_epoch=0, measures={})
    best = [net.get_params()]

    def record(n: Network, _history: object = None) -> bool:
        acc = float(np.mean(n.predict(data.X_val).argmax(axis=0) == data.y_val))
        if not run.val_accuracy or acc > max(run.val_accuracy):
            run.best_epoch, best[0] = len(run.val_accuracy), n.get_params()
        run.val_accuracy.append(acc)
        for name, value in (measure(n) if measure is not None else {}).items():
            run.measures.setdefault(name, []).append(float(value))
        return False

    record(net)
    history = train(net, data.X_fit, data.y_fit, epochs, optimizer, batch_size, seed, progress,
                    stop_when=record)
    run.diverged = history.diverged
    net.set_params(best[0])
    return run
