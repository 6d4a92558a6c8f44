"""The convolution chapter's comparison: a small ConvNet and the dense network of the digits
chapter on the bundled 8x8 digits, over seeds, with every choice made on a validation set carved
from the training part (chapter 20; stored by ``benchmarks/bench_convnet_digits.py``).

The test set is looked at once, at the number of epochs each model kind chose on validation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..architectures.convolution import ConvNet
from ..architectures.fitting import fit
from ..datasets import Split, digits
from ..network import Network
from ..optim import SGD, Adam
from ..training import train

Array = np.ndarray

N_VALIDATION = 300
"""Training images held out for validation (this book's choice)."""

MODELS: dict[str, dict[str, Any]] = {
    "dense 64-64-10": {"kind": "dense", "epochs": 35, "eta": 0.5, "batch_size": 32},
    "conv 4 channels": {"kind": "conv", "channels": [4], "epochs": 15, "eta": 0.01,
                        "batch_size": 32},
    "conv 8 channels": {"kind": "conv", "channels": [8], "epochs": 15, "eta": 0.01,
                        "batch_size": 32},
}
"""The models compared: the digits chapter's dense net (SGD, eta 0.5, batches of 32, as there) and
ConvNets of one 3x3 convolution block (Adam, eta 0.01), with their largest number of epochs."""


def validation_split(split: Split | None = None, seed: int = 0) -> tuple[Array, Array, Array, Array]:
    """The training part of ``split`` divided into training and validation sets.

    Returns
    -------
    X_train, y_train, X_val, y_val
        Columns of 64 pixels and integer labels; :data:`N_VALIDATION` images for validation.
    """
    split = digits() if split is None else split
    order = np.random.default_rng(seed).permutation(split.X_train.shape[1])
    val, tr = order[:N_VALIDATION], order[N_VALIDATION:]
    return split.X_train[:, tr], split.y_train[tr], split.X_train[:, val], split.y_train[val]


def make_model(name: str, seed: int) -> Any:
    """A fresh model of :data:`MODELS` with initial weights from ``seed``."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid names are: {', '.join(MODELS)}")
    spec = MODELS[name]
    if spec["kind"] == "dense":
        return Network([64, 64, 10], activations=["tanh", "softmax"], loss="cross_entropy",
                       seed=seed)
    return ConvNet((1, 8, 8), channels=spec["channels"], kernel=3, seed=seed)


def accuracy(model: Any, X: Array, y: Array) -> float:
    """The fraction of images whose most probable class is the label."""
    return float(np.mean(model.predict(X).argmax(axis=0) == y))


def run_digits(name: str, seed: int, epochs: int | None = None, split: Split | None = None,
               progress: bool = False) -> dict[str, Any]:
    """Train one model of :data:`MODELS`, recording the validation and test accuracy after every
    epoch (the test column is read only at the epoch chosen on validation).

    Returns
    -------
    dict
        ``name``, ``seed``, ``n_params``, ``val_acc`` and ``test_acc`` (one entry per epoch).
    """
    return train_digits(name, seed, epochs, split, progress)[1]


def train_digits(name: str, seed: int, epochs: int | None = None, split: Split | None = None,
                 progress: bool = False) -> tuple[Any, dict[str, Any]]:
    """:func:`run_digits`, returning the trained model as well: ``(model, record)``."""
    model = make_model(name, seed)  # checks the name
    spec = MODELS[name]
    split = digits() if split is None else split
    X, y, X_val, y_val = validation_split(split)
    epochs = spec["epochs"] if epochs is None else epochs
    out: dict[str, Any] = {"name": name, "seed": seed, "n_params": int(model.n_params),
                           "val_acc": [], "test_acc": []}
    opt = SGD(spec["eta"]) if spec["kind"] == "dense" else Adam(spec["eta"])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=name, unit="epoch")
    for epoch in range(epochs):
        if spec["kind"] == "dense":
            train(model, X, y, 1, opt, spec["batch_size"], seed=1000 * seed + epoch)
        else:
            fit(model, X, y, 1, opt, batch_size=spec["batch_size"], seed=1000 * seed + epoch)
        out["val_acc"].append(accuracy(model, X_val, y_val))
        out["test_acc"].append(accuracy(model, split.X_test, split.y_test))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return model, out


def chosen_epochs(runs: list[dict[str, Any]]) -> int:
    """The number of epochs with the best validation accuracy averaged over the runs (the
    earliest, on a tie)."""
    curves = np.array([r["val_acc"] for r in runs])
    return int(np.argmax(curves.mean(axis=0))) + 1
