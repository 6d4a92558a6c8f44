"""backproplib: backpropagation as the book derives it.

The core, at the top of the package (read these to know the algorithm): :mod:`~backproplib.activations`,
:mod:`~backproplib.losses` and :mod:`~backproplib.network` (the forward pass and the one backward
recursion), with :mod:`~backproplib.init`, :mod:`~backproplib.optim`, :mod:`~backproplib.training` and
:mod:`~backproplib.gradcheck`. Beside it, the derivation chapters' :mod:`~backproplib.symbolic` and
:mod:`~backproplib.surfaces`, and the small data sets of :mod:`~backproplib.datasets`.

One subpackage per part of the book: :mod:`~backproplib.autodiff`, :mod:`~backproplib.curvature`,
:mod:`~backproplib.architectures`, :mod:`~backproplib.experiments`; and :mod:`~backproplib.teaching`,
the figures, widgets and exercises the chapters use. Subpackages are imported when first used, so
``import backproplib`` loads NumPy and the core only.

Convention: a batch of ``m`` examples is stored as columns, ``X`` of shape ``(n_0, m)``.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import datasets
from .activations import ACTIVATIONS, Activation, get_activation
from .gradcheck import GradcheckResult, gradcheck, numerical_gradient, relative_error
from .init import init_params
from .losses import LOSSES, Loss, get_loss
from .network import Cache, Gradients, Network
from .optim import SGD, Adam, Momentum, Optimizer
from .training import History, train

__version__ = "0.2.0"

SUBPACKAGES = ("autodiff", "curvature", "architectures", "experiments", "teaching")
# A few teaching names every chapter uses, reachable from the root (bp.plots.use_book_style(), ...).
SHORTCUTS = {"plots": "teaching.plots", "exercises": "teaching.exercises",
             "show_source": "teaching.source:show_source"}

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation",
    "LOSSES", "Loss", "get_loss",
    "Network", "Cache", "Gradients",
    "gradcheck", "GradcheckResult", "numerical_gradient", "relative_error",
    "init_params",
    "Optimizer", "SGD", "Momentum", "Adam",
    "train", "History",
    "datasets", *SUBPACKAGES, *SHORTCUTS,
]


def __getattr__(name: str) -> Any:
    """Import a subpackage or a teaching shortcut on first use (PEP 562)."""
    if name in SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    if name in SHORTCUTS:
        module, _, attr = SHORTCUTS[name].partition(":")
        value = importlib.import_module(f".{module}", __name__)
        return getattr(value, attr) if attr else value
    raise AttributeError(f"module 'backproplib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBPACKAGES) | set(SHORTCUTS))
