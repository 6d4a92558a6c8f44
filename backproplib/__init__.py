"""backproplib: backpropagation as the book derives it.

The core (read these three to know the algorithm): :mod:`backproplib.activations`,
:mod:`backproplib.losses`, :mod:`backproplib.network`. Around it: :mod:`~backproplib.gradcheck`,
:mod:`~backproplib.init`, :mod:`~backproplib.optim`, :mod:`~backproplib.training`; and the teaching aids
(:mod:`~backproplib.datasets`, :mod:`~backproplib.exercises`, :mod:`~backproplib.plots`), which import
the core and never the other way round.

Convention: a batch of ``m`` examples is stored as columns, ``X`` of shape ``(n_0, m)``.
"""

from . import datasets, exercises, plots
from .activations import ACTIVATIONS, Activation, get_activation
from .gradcheck import GradcheckResult, gradcheck, numerical_gradient, relative_error
from .init import init_params
from .losses import LOSSES, Loss, get_loss
from .network import Cache, Gradients, Network
from .optim import SGD, Adam, Momentum, Optimizer
from .source import show_source
from .training import History, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation",
    "LOSSES", "Loss", "get_loss",
    "Network", "Cache", "Gradients",
    "gradcheck", "GradcheckResult", "numerical_gradient", "relative_error",
    "init_params",
    "Optimizer", "SGD", "Momentum", "Adam",
    "train", "History",
    "show_source",
    "datasets", "exercises", "plots",
]
