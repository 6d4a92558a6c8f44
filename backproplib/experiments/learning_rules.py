"""Backpropagation against the rules a brain might use instead, on the same task (chapter 24).

One function trains a classifier by one *learning rule* and records, epoch by epoch, its validation
accuracy and (for feedback alignment) how far its updates are from the gradient:

``"backpropagation"``
    :class:`backproplib.Network`, tanh hidden units: the baseline.
``"feedback_alignment"``
    :class:`~backproplib.architectures.feedback_alignment.FeedbackAlignmentNetwork`, tanh hidden
    units, errors sent back through fixed random matrices.
``"straight_through"``
    threshold hidden units trained with the straight-through estimator
    (:data:`~backproplib.architectures.straight_through.STRAIGHT_THROUGH`).
``"threshold"``
    threshold hidden units with their true derivative (zero): only the output layer learns.

Every rule uses the same sizes, initial weights (for one seed), mini-batches and optimiser; the epoch
kept is chosen on a validation split (:func:`backproplib.experiments.holdout.fit_with_validation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..architectures.feedback_alignment import (
    FeedbackAlignmentNetwork,
    feedback_angles,
    update_angles,
)
from ..architectures.straight_through import STRAIGHT_THROUGH, THRESHOLD
from ..network import Network
from ..optim import SGD
from .holdout import Holdout, fit_with_validation

Array = np.ndarray

RULES = ("backpropagation", "feedback_alignment", "straight_through", "threshold")
FEEDBACK_SEED_OFFSET = 1000
"""Network ``seed`` draws the forward weights; ``seed + FEEDBACK_SEED_OFFSET`` draws ``B``."""


def make_network(rule: str, sizes: Sequence[int] = (64, 64, 10), seed: int = 0) -> Network:
    """A softmax classifier (cross-entropy) whose hidden layers learn by ``rule``.

    Parameters
    ----------
    rule : str
        One of :data:`RULES`.
    sizes : sequence of int
        ``[n_0, ..., n_L]``; every hidden layer gets the rule's units.
    seed : int
        Seed of the initial weights (the same for every rule).

    Returns
    -------
    Network
    """
    if rule not in RULES:
        raise ValueError(f"unknown learning rule {rule!r}; valid rules are: {', '.join(RULES)}")
    sizes = list(sizes)
    hidden = {"straight_through": STRAIGHT_THROUGH, "threshold": THRESHOLD}.get(rule, "tanh")
    acts = [hidden] * (len(sizes) - 2) + ["softmax"]
    if rule == "feedback_alignment":
        return FeedbackAlignmentNetwork(sizes, activations=acts, loss="cross_entropy", seed=seed,
                                        feedback_seed=seed + FEEDBACK_SEED_OFFSET)
    return Network(sizes, activations=acts, loss="cross_entropy", seed=seed)


@dataclass
class RuleRun:
    """One training run of :func:`run_rule`.

    Attributes
    ----------
    rule : str
    seed : int
    eta : float
    val_accuracy : list of float
        After each epoch (index 0: before training).
    best_epoch : int
        The epoch kept (best validation accuracy).
    test_accuracy : float
        Of the kept weights, on the test set (looked at once, after training).
    update_angle : list of float
        Feedback alignment only: the angle in degrees between its update of ``W^1`` and the true
        gradient on the training part, after each epoch.
    feedback_angle : list of float
        Feedback alignment only: the angle between ``W^2`` and ``(B^2)^T`` after each epoch.
    """

    rule: str
    seed: int
    eta: float
    val_accuracy: list[float]
    best_epoch: int
    test_accuracy: float
    update_angle: list[float] = field(default_factory=list)
    feedback_angle: list[float] = field(default_factory=list)


def run_rule(rule: str, data: Holdout, X_test: Array, y_test: Array, epochs: int, eta: float,
             sizes: Sequence[int] = (64, 64, 10), batch_size: int = 32, seed: int = 0,
             progress: bool = False) -> RuleRun:
    """Train a classifier by ``rule`` with mini-batch SGD and record what chapter 24 plots.

    Parameters
    ----------
    rule : str
        One of :data:`RULES`.
    data : Holdout
        The training part (``X_fit``) and the validation part the kept epoch is chosen on.
    X_test : ndarray, shape (n_0, m_test)
    y_test : ndarray of int, shape (m_test,)
    epochs : int
    eta : float
        Learning rate of :class:`backproplib.SGD`.
    sizes : sequence of int
    batch_size : int
    seed : int
        Seed of the initial weights and of the mini-batch order.
    progress : bool
        Show :func:`backproplib.training.train`'s progress bar.

    Returns
    -------
    RuleRun
    """
    net = make_network(rule, sizes, seed)
    measure = None
    if rule == "feedback_alignment":
        def measure(n: Network) -> dict[str, float]:
            return {"update": update_angles(n, data.X_fit, data.y_fit)[0],
                    "feedback": feedback_angles(n)[0]}
    run = fit_with_validation(net, data, epochs, SGD(eta), batch_size, seed, progress, measure)
    test = float(np.mean(net.predict(X_test).argmax(axis=0) == np.asarray(y_test)))
    return RuleRun(rule=rule, seed=seed, eta=float(eta), val_accuracy=run.val_accuracy,
                   best_epoch=run.best_epoch, test_accuracy=test,
                   update_angle=run.measures.get("update", []),
                   feedback_angle=run.measures.get("feedback", []))
