"""The learning loop: gradient descent on a network, full batch or mini-batch.

Backpropagation only computes the gradient; this module uses it. One *epoch* (a *sweep* in the 1986
papers) visits every example once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .network import Network
from .optim import SGD, Optimizer

Array = np.ndarray


@dataclass
class History:
    """What happened during :func:`train`.

    Attributes
    ----------
    loss : list of float
        The full training-set loss after each epoch (``loss[0]`` is before training).
    epochs : int
        The number of epochs run.
    stopped_early : bool
        True when ``stop_when`` returned True.
    diverged : bool
        True when the loss became non-finite or grew by :data:`DIVERGENCE_FACTOR` over its starting
        value (training stops there instead of producing NaN).
    diverged_at : int or None
        When it diverged, the epoch at which the loss started its final rise (after which it never
        came back below its starting value).
    """

    loss: list[float] = field(default_factory=list)
    epochs: int = 0
    stopped_early: bool = False
    diverged: bool = False
    diverged_at: int | None = None


DIVERGENCE_FACTOR = 1e6
"""A loss this many times its starting value counts as diverging (the steps overshoot ever more)."""


def train(
    net: Network,
    X: Array,
    Y: Array,
    epochs: int,
    optimizer: Optimizer | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = False,
    stop_when: Callable[[Network, History], bool] | None = None,
) -> History:
    """Train ``net`` in place by gradient descent.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
        Inputs, one example per column.
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy
    epochs : int
        Maximum number of passes over the data.
    optimizer : Optimizer, optional
        Defaults to ``SGD(0.5)``.
    batch_size : int, optional
        ``None`` for full-batch descent; otherwise mini-batches of this many examples, reshuffled
        every epoch by a generator seeded with ``seed``.
    seed : int
        Seed for the mini-batch order.
    progress : bool
        Show a progress bar (tqdm) with the current loss.
    stop_when : callable, optional
        ``stop_when(net, history) -> bool`` is called after every epoch; True stops training.

    Returns
    -------
    History
    """
    if optimizer is None:
        optimizer = SGD(0.5)
    _check_optimizer(optimizer)
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    bad = net.nonfinite_params()
    if bad is not None:
        raise ValueError(f"the network's parameters are not finite before training ({bad}): "
                         "re-initialise it (or set_params) before calling train")
    X = net.check_input(X)
    m = X.shape[1]
    net.loss_fn.targets(Y, net.sizes[-1], m)  # validate once, before any work
    Y = np.asarray(Y)
    if batch_size is not None and not (isinstance(batch_size, (int, np.integer)) and batch_size > 0):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    params = [p for pair in zip(net.W, net.b) for p in pair]
    history = History(loss=[net.loss(X, Y)])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="training", unit="epoch")
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            if batch_size is None or batch_size >= m:
                batches = [slice(None)]
            else:
                order = rng.permutation(m)
                batches = [order[i : i + batch_size] for i in range(0, m, batch_size)]
            for idx in batches:
                Yb = Y[idx] if Y.ndim == 1 else Y[:, idx]
                _, grads = net.loss_and_gradient(X[:, idx], Yb)
                optimizer.step(params, [g for pair in zip(grads.dW, grads.db) for g in pair])
            history.epochs += 1
            loss = net.loss(X, Y) if np.all([np.isfinite(p).all() for p in params]) else np.inf
            history.loss.append(loss)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}")
            if not np.isfinite(loss) or loss > DIVERGENCE_FACTOR * history.loss[0]:
                history.diverged = True
                history.diverged_at = _start_of_rise(history.loss)
                break
            if stop_when is not None and stop_when(net, history):
                history.stopped_early = True
                break
    if bar is not None:
        bar.close()
    return history


def _check_optimizer(optimizer: object) -> None:
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an instance such as bp.{optimizer.__name__}(0.5), "
                        f"not the class bp.{optimizer.__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer instance such as bp.SGD(0.5), got "
                        f"{type(optimizer).__name__} {optimizer!r}")


def _start_of_rise(loss: list[float]) -> int:
    """The first epoch after which the loss stayed above its starting value."""
    above = [not (v <= loss[0]) for v in loss]  # NaN counts as above
    t = len(loss) - 1
    while t > 0 and above[t - 1]:
        t -= 1
    return t
