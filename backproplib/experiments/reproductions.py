"""Re-running two experiments of 1986: the *Nature* paper's symmetry detector with the settings the
paper states, and the PDP chapter's XOR network with settings that are this book's choices
(chapters 13 and 14 list which is which).

Two conversions connect the papers to this library:

* **Loss scale.** The papers minimise ``E = sum_c 1/2 ||a_c - y_c||^2``, a *sum* over the ``m`` cases;
  the library minimises the *mean* ``C = E / m``. So ``dE/dw = m dC/dw``, and the paper's step
  ``-epsilon dE/dw`` is the library's step ``-(m epsilon) dC/dw``: use ``eta = m * epsilon``.
* **Sweeps.** One sweep (an epoch) presents every case once; the weights change once per sweep, from
  the gradient accumulated over all cases (full-batch descent).

"Learned" needs a criterion, and the sweep count depends on it; we record two:
``"correct"`` (every output on the right side of 0.5) and ``"within_0.1"`` (every output within 0.1
of its target).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .. import datasets
from ..architectures.skip_network import SkipNetwork
from ..network import Network
from ..optim import SGD, Momentum, Optimizer
from ..training import History, train

Array = np.ndarray

CRITERIA = ("correct", "within_0.1")


@dataclass
class Run:
    """The outcome of one training run.

    Attributes
    ----------
    seed : int
        Seed of the initial weights.
    sweeps : dict of str to int or None
        First sweep after which each criterion of :data:`CRITERIA` held (``None``: not within budget).
    final_loss : float
        The library's loss (mean of ``1/2 ||a - y||^2``) after the last sweep.
    """

    seed: int
    sweeps: dict[str, int | None]
    final_loss: float

    def to_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return asdict(self)


def criteria_met(net: Network, X: Array, Y: Array) -> dict[str, bool]:
    """Which learning criteria hold now.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), targets 0 or 1
    """
    err = np.abs(net.predict(X) - Y)
    return {"correct": bool(np.all(err < 0.5)), "within_0.1": bool(np.all(err < 0.1))}


def run_until_learned(net: Network, X: Array, Y: Array,
                      optimizer: Optimizer, max_sweeps: int,
                      seed: int) -> Run:
    """Full-batch training until every output is within 0.1 of its target, or ``max_sweeps``.

    Parameters
    ----------
    net : Network
        Trained in place.
    X, Y : ndarray
        All the cases, as columns.
    optimizer : Optimizer
    max_sweeps : int
        The budget; a run that has not learned by then counts as stuck.
    seed : int
        Recorded in the result.
    """
    sweeps: dict[str, int | None] = {c: None for c in CRITERIA}

    def stop(net: Network, history: History) -> bool:
        for name, ok in criteria_met(net, X, Y).items():
            if ok and sweeps[name] is None:
                sweeps[name] = history.epochs
        return sweeps["within_0.1"] is not None

    history = train(net, X, Y, epochs=max_sweeps, optimizer=optimizer,
                    stop_when=stop)
    final = round(float(history.loss[-1]), 12)
    return Run(seed=seed, sweeps=sweeps, final_loss=final)


def xor_network(kind: str, seed: int) -> Network:
    """The two XOR networks of chapter 13, logistic units, weights uniform in [-0.3, 0.3].

    Parameters
    ----------
    kind : {"skip", "2-2-1"}
        ``"skip"``: one hidden unit plus direct input-to-output connections (a 2-1-1 network with the
        skip ``(0, 2)``); ``"2-2-1"``: two hidden units, no direct connections.
    seed : int
    """
    if kind == "skip":
        return SkipNetwork([2, 1, 1], skips=[(0, 2)], init="uniform", scale=0.3, seed=seed)
    if kind == "2-2-1":
        return Network([2, 2, 1], init="uniform", scale=0.3, seed=seed)
    raise ValueError(f"unknown XOR network {kind!r}; valid kinds are: 'skip', '2-2-1'")


def run_xor(kind: str, seed: int, epsilon: float = 0.5, alpha: float = 0.0,
            max_sweeps: int = 5000) -> Run:
    """One XOR run with the learning rate ``epsilon`` (on the summed loss) and momentum ``alpha``.

    The library's rate is ``eta = 4 * epsilon`` (four cases, see the module docstring).
    """
    X, Y = datasets.xor()
    m = X.shape[1]
    opt = Momentum(m * epsilon, alpha) if alpha > 0 else SGD(m * epsilon)
    return run_until_learned(xor_network(kind, seed), X, Y, opt, max_sweeps, seed)


def symmetry_network(seed: int) -> Network:
    """The 6-2-1 logistic network of the symmetry experiment, weights uniform in [-0.3, 0.3]."""
    return Network([6, 2, 1], init="uniform", scale=0.3, seed=seed)


def run_symmetry(seed: int, epsilon: float = 0.1, alpha: float = 0.9,
                 max_sweeps: int = 20000) -> tuple[Run, Network]:
    """One symmetry run: 64 cases, full batch, the momentum rule with the paper's ``epsilon, alpha``.

    The library's rate is ``eta = 64 * epsilon``. Returns the run and the trained network.
    """
    X, Y = datasets.symmetry(6)
    net = symmetry_network(seed)
    run = run_until_learned(net, X, Y, Momentum(X.shape[1] * epsilon, alpha), max_sweeps, seed)
    return run, net


def summarise(sweeps: list[int | None]) -> dict[str, float | int]:
    """Median, quartiles, minimum and maximum of the runs that learned, and how many did not.

    Parameters
    ----------
    sweeps : list of int or None
        ``None`` marks a run that did not learn within its budget.
    """
    done = np.array([s for s in sweeps if s is not None], dtype=float)
    out: dict[str, float | int] = {"runs": len(sweeps), "stuck": len(sweeps) - done.size}
    if done.size:
        q1, med, q3 = np.percentile(done, [25, 50, 75])
        out.update(min=int(done.min()), q1=float(q1), median=float(med), q3=float(q3),
                   max=int(done.max()))
    return out


def hinton(ax: object, W: Array, max_weight: float | None = None, title: str = "") -> None:
    """A Hinton diagram: one square per weight, area proportional to its magnitude, white if positive
    and black if negative, on a grey background.

    Parameters
    ----------
    ax : matplotlib Axes
    W : ndarray, shape (rows, cols)
    max_weight : float, optional
        The magnitude drawn as a full cell (defaults to the largest ``|W|``).
    """
    from matplotlib.patches import Rectangle

    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"hinton needs a 2-D weight matrix, got shape {W.shape}")
    top = max_weight or float(np.abs(W).max()) or 1.0
    ax.set_facecolor("0.6")
    for (i, j), w in np.ndenumerate(W):
        side = np.sqrt(min(abs(w) / top, 1.0)) * 0.9
        ax.add_patch(Rectangle((j - side / 2, i - side / 2), side, side,
                               facecolor="white" if w > 0 else "black", edgecolor="0.3"))
    ax.set_xlim(-0.5, W.shape[1] - 0.5)
    ax.set_ylim(W.shape[0] - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_title(title)


def load_results(name: str) -> dict:
    """The stored multi-seed runs ``benchmarks/results/<name>.json`` (written by
    ``benchmarks/bench_reproductions.py --results``).

    Parameters
    ----------
    name : {"xor", "symmetry"}
    """
    import json
    from pathlib import Path

    if name not in ("xor", "symmetry"):
        raise ValueError(f"unknown results {name!r}; valid names are: 'symmetry', 'xor'")
    # beside the package in a checkout; or beside the chapters' folder, where a chapter runs (an
    # installed wheel, as in the browser's live mode, has no checkout around it)
    candidates = [Path(__file__).resolve().parents[2] / "benchmarks" / "results" / f"{name}.json",
                  Path.cwd().parent / "benchmarks" / "results" / f"{name}.json"]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        raise FileNotFoundError(f"{candidates[0]} is missing: run `python benchmarks/bench_reproductions.py "
                                "--results` from the repository root")
    return json.loads(path.read_text())


def symmetry_pattern(W1: Array, b1: Array, W2: Array, b2: Array) -> dict[str, float | bool]:
    """Measure how closely a trained 6-2-1 network follows the solution described in the paper.

    Parameters
    ----------
    W1 : ndarray, shape (2, 6)
    b1 : ndarray, shape (2,)
    W2 : ndarray, shape (1, 2)
    b2 : ndarray, shape (1,)

    Returns
    -------
    dict
        ``mirror``: largest ``|w_i + w_{7-i}|`` over both hidden units, relative to the largest weight
        (0 for exact mirror antisymmetry); ``opposite``: largest ``|W1[0] + W1[1]|``, relative (0 when
        the two hidden units have exactly opposite weights); ``ratio_mid``, ``ratio_big``: the three
        pair magnitudes divided by the smallest, sorted (``2`` and ``4`` for the 1:2:4 pattern);
        ``hidden_bias_negative``, ``output_bias_positive``, ``output_weights_negative`` (bools) and
        ``bias_gap``: ``|b1[0] - b1[1]|``.
    """
    W1, b1 = np.asarray(W1, dtype=float), np.asarray(b1, dtype=float)
    W2, b2 = np.asarray(W2, dtype=float), np.asarray(b2, dtype=float)
    if W1.shape != (2, 6) or b1.shape != (2,) or W2.shape != (1, 2) or b2.shape != (1,):
        raise ValueError(f"expected shapes (2, 6), (2,), (1, 2), (1,) for W1, b1, W2, b2; got "
                         f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}")
    top = np.abs(W1).max()
    pairs = np.sort(np.abs(W1[:, :3]).mean(axis=0))
    return {
        "mirror": float(np.abs(W1 + W1[:, ::-1]).max() / top),
        "opposite": float(np.abs(W1[0] + W1[1]).max() / top),
        "ratio_mid": float(pairs[1] / pairs[0]),
        "ratio_big": float(pairs[2] / pairs[0]),
        "hidden_bias_negative": bool(np.all(b1 < 0)),
        "output_bias_positive": bool(b2[0] > 0),
        "output_weights_negative": bool(np.all(W2 < 0)),
        "bias_gap": float(abs(b1[0] - b1[1])),
    }
