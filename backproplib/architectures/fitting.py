"""Training any model of this subpackage with the core's optimisers, and gradient clipping.

A model here is anything with a list of parameter arrays ``params`` and a method
``loss_and_gradient(X, Y) -> (loss, grads)`` whose gradients come in the order of ``params``
(``grads.arrays``). Examples are always along the **last** axis of ``X`` (a batch of sequences
``(T, n_in, m)``, of images ``(C, H, W, m)``), so a mini-batch is ``X[..., idx]``.

Clipping rescales the whole gradient when its norm exceeds a threshold ``g_max``:

    g <- g * min(1, g_max / ||g||),

which keeps the direction and bounds the length of a step (the remedy for exploding gradients of
Pascanu, Mikolov and Bengio, 2013).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..optim import SGD, ClipNorm, Optimizer, clip_by_norm  # noqa: F401 (clip_by_norm: re-export)
from ..training import History

Array = np.ndarray


def fit(model: Any, X: Array, Y: Array, epochs: int, optimizer: Optimizer | None = None,
        batch_size: int | None = None, clip: float | None = None, seed: int = 0,
        progress: bool = False, **grad_options: Any) -> History:
    """Train ``model`` in place by (mini-batch) gradient descent with a core optimiser.

    Parameters
    ----------
    model
        Has ``params``, ``loss(X, Y)`` and ``loss_and_gradient(X, Y, **grad_options)``.
    X : ndarray, examples along the last axis
    Y : ndarray, examples along the last axis (or int labels of shape ``(m,)``)
    epochs : int
    optimizer : Optimizer, optional
        Defaults to ``SGD(0.5)``.
    batch_size : int, optional
        ``None`` for full-batch descent; otherwise shuffled mini-batches (seeded by ``seed``).
    clip : float, optional
        Clip every gradient to this norm (:class:`~backproplib.optim.ClipNorm`).
    progress : bool
        Show a tqdm bar.
    **grad_options
        Passed on to ``loss_and_gradient`` (``truncate=k`` for an RNN).

    Returns
    -------
    History
        The loss on the whole training set after every epoch (``loss[0]`` before training).
    """
    optimizer = SGD(0.5) if optimizer is None else optimizer
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer instance such as bp.SGD(0.5), got "
                        f"{type(optimizer).__name__}")
    if clip is not None:
        optimizer = ClipNorm(optimizer, clip)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    X, Y = np.asarray(X), np.asarray(Y)
    m = X.shape[-1]
    if Y.shape[-1] != m:
        raise ValueError(f"X holds {m} examples (last axis) but Y holds {Y.shape[-1]}: "
                         f"shapes {X.shape} and {Y.shape}")
    if batch_size is not None and not (isinstance(batch_size, (int, np.integer)) and batch_size > 0):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    history = History(loss=[model.loss(X, Y)])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="training", unit="epoch")
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding run ends as diverged
        _epochs(model, X, Y, epochs, optimizer, batch_size, rng, history, bar, grad_options)
    if bar is not None:
        bar.close()
    return history


def _epochs(model: Any, X: Array, Y: Array, epochs: int, optimizer: Optimizer,
            batch_size: int | None, rng: np.random.Generator,
            history: History, bar: Any, grad_options: dict) -> None:
    m = X.shape[-1]
    for _ in range(epochs):
        order = rng.permutation(m) if batch_size is not None and batch_size < m else None
        batches = ([slice(None)] if order is None else
                   [order[i : i + batch_size] for i in range(0, m, batch_size)])
        for idx in batches:
            _, grads = model.loss_and_gradient(X[..., idx], Y[..., idx], **grad_options)
            optimizer.step(model.params, grads.arrays)
        history.epochs += 1
        loss = model.loss(X, Y)
        history.loss.append(loss)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}")
        if not np.isfinite(loss):
            history.diverged = True
            history.diverged_at = history.epochs
            break
