"""The recurrent chapter's experiment: an RNN on the adding problem, by full and truncated BPTT,
over sequence lengths and seeds (chapter 19; stored by ``benchmarks/bench_adding.py``).

Every setting of the run is in :data:`ADDING`, so the benchmark, the chapter and the test that
re-runs a stored seed use the same numbers. Always answering 1, the mean target, gives a half
squared error of 1/12: :func:`run_adding` reports the test loss as a fraction of that baseline.
"""

from __future__ import annotations

from typing import Any

from ..architectures.fitting import fit
from ..architectures.recurrent import RNN
from ..datasets import adding_problem
from ..optim import Adam

ADDING: dict[str, Any] = {"m_train": 1000, "m_test": 1000, "n_hidden": 16, "epochs": 25,
                          "eta": 0.01, "batch_size": 50, "clip": 1.0, "spectral_radius": 0.9}
"""The settings of every adding-problem run (this book's choices)."""

BASELINE = 1.0 / 12.0
"""The half squared error of always answering the mean target 1 (the variance of a sum of two
uniform values, halved)."""


def run_adding(T: int, seed: int, truncate: int | None = None, epochs: int | None = None,
               clip: float | None = ADDING["clip"], progress: bool = False) -> dict[str, Any]:
    """Train one RNN on the adding problem with sequences of length ``T``.

    The training and test sets are fixed per ``T`` (data seeds 0 and 1); ``seed`` sets the initial
    weights and the mini-batch order.

    Returns
    -------
    dict
        ``T``, ``seed``, ``truncate``, ``clip``, ``epochs``, ``train_loss`` (after every epoch,
        the first before training), ``test_loss`` and ``test_ratio`` (test loss / :data:`BASELINE`).
    """
    s = ADDING
    epochs = s["epochs"] if epochs is None else epochs
    X, Y = adding_problem(s["m_train"], T, seed=0)
    X_test, Y_test = adding_problem(s["m_test"], T, seed=1)
    rnn = RNN(2, s["n_hidden"], 1, spectral_radius=s["spectral_radius"], seed=seed)
    history = fit(rnn, X, Y, epochs, Adam(s["eta"]), batch_size=s["batch_size"], clip=clip,
                  seed=seed, progress=progress, truncate=truncate)
    test = rnn.loss(X_test, Y_test)
    return {"T": T, "seed": seed, "truncate": truncate, "clip": clip, "epochs": epochs,
            "train_loss": [float(v) for v in history.loss], "test_loss": float(test),
            "test_ratio": float(test / BASELINE), "diverged": history.diverged}
