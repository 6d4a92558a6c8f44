"""How much of the output's error reaches the first layer, for depths 2 to 50 (chapter 18).

For each activation (logistic and tanh with Glorot's initialisation, ReLU with He's) and each
architecture (a plain stack, a residual network, a residual network whose branches are scaled by
``1/sqrt(depth)``), a network of constant width is built at every depth and seed, and
:func:`~backproplib.experiments.error_sizes.gradient_ratio` measures ``||delta^1|| / ||delta^L||``
at initialisation. ``benchmarks/bench_deep_networks.py --write`` runs every seed and stores the result
in ``benchmarks/results/deep_networks.json``; the chapter reads it and a unit test re-runs a few
entries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..architectures.residual import ResidualNetwork
from ..network import Network
from .error_sizes import gradient_ratio

SETTINGS: dict[str, Any] = {
    "width": 32, "batch": 64, "seeds": 20, "depths": [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18,
                                                       20, 25, 30, 35, 40, 45, 50],
    "threshold": 1e-6, "init": {"logistic": "xavier", "tanh": "xavier", "relu": "he"},
    "architectures": ["plain", "residual", "scaled"], "output": "identity",
    "targets": "the network's own output + 1 (every output error is -1)",
}
"""The sweep's settings (the book's choices): width, batch size, seeds, depths, the threshold below
which the first layer is said to have lost the gradient, the initialisation of each activation."""


def make_network(activation: str, architecture: str, depth: int, seed: int) -> Network:
    """The network of the sweep: ``depth`` hidden layers of the sweep's width and a linear output.

    Parameters
    ----------
    activation : {"logistic", "tanh", "relu"}
    architecture : {"plain", "residual", "scaled"}
        ``scaled`` is residual with ``branch_scale = 1 / sqrt(depth)``.
    depth : int
    seed : int
    """
    if activation not in SETTINGS["init"]:
        raise ValueError(f"unknown activation {activation!r} for the sweep; it uses "
                         f"{', '.join(SETTINGS['init'])}")
    n = SETTINGS["width"]
    sizes = [n] * (depth + 1) + [1]
    acts = [activation] * depth + [SETTINGS["output"]]
    init = SETTINGS["init"][activation]
    if architecture == "plain":
        return Network(sizes, activations=acts, init=init, seed=seed)
    if architecture in ("residual", "scaled"):
        s = 1.0 if architecture == "residual" else 1.0 / np.sqrt(depth)
        return ResidualNetwork(sizes, activations=acts, init=init, seed=seed, branch_scale=s)
    raise ValueError(f"unknown architecture {architecture!r}; valid: "
                     f"{', '.join(SETTINGS['architectures'])}")


def ratio(activation: str, architecture: str, depth: int, seed: int) -> float:
    """``||delta^1|| / ||delta^L||`` of one network of the sweep on its batch (inputs drawn with
    ``seed``; targets its own outputs + 1)."""
    net = make_network(activation, architecture, depth, seed)
    X = np.random.default_rng(seed).normal(size=(SETTINGS["width"], SETTINGS["batch"]))
    return gradient_ratio(net, X, net.predict(X) + 1.0)


def sweep(seeds: int | None = None) -> dict[str, Any]:
    """Every ratio of the sweep: ``ratios["tanh/plain"][seed][i]`` at ``depths[i]``."""
    seeds = SETTINGS["seeds"] if seeds is None else seeds
    out: dict[str, Any] = {"settings": SETTINGS, "depths": SETTINGS["depths"],
                           "threshold": SETTINGS["threshold"], "ratios": {}}
    for act in SETTINGS["init"]:
        for arch in SETTINGS["architectures"]:
            out["ratios"][f"{act}/{arch}"] = [[ratio(act, arch, d, s) for d in SETTINGS["depths"]]
                                              for s in range(seeds)]
    return out


def lost_depths(results: dict[str, Any]) -> dict[str, int | None]:
    """For each curve, the smallest depth at which the median ratio over the seeds is below the
    threshold (``None``: never, up to the largest depth)."""
    out: dict[str, int | None] = {}
    for key, runs in results["ratios"].items():
        median = np.median(np.array(runs), axis=0)
        below = [d for d, r in zip(results["depths"], median) if r < results["threshold"]]
        out[key] = below[0] if below else None
    return out


def load_results() -> dict[str, Any]:
    """The stored sweep, ``benchmarks/results/deep_networks.json`` (in a checkout, or beside the
    chapters' folder when the package is installed elsewhere)."""
    name = Path("benchmarks") / "results" / "deep_networks.json"
    for root in (Path(__file__).resolve().parents[2], Path.cwd().parent, Path.cwd()):
        if (root / name).exists():
            return json.loads((root / name).read_text())
    raise FileNotFoundError(f"{name} is missing: run `python -m benchmarks.bench_deep_networks "
                            "--write` from the repository root")
