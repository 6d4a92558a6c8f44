"""Gradients of the input on the digits: the FGSM accuracy curve over several seeds, and what an
input gradient costs against a forward pass.

For each of ``SEEDS`` the 64-64-10 digits network of chapter 15 (eta 0.5, mini-batches of 32) is
trained for up to ``EPOCHS`` epochs, keeping the epoch with the best accuracy on a validation split of
the training part, and its test accuracy is measured under the fast gradient sign method and under
random signs of the same size, for every ``epsilon`` of ``EPSILONS``; the kept weights of seed 0 are
stored too, so that chapter 23 can start from them. Then, on the 450 test images,
the times of a forward pass, of the input gradient (one forward and one backward pass) and of central
differences (two forward passes per pixel) are compared: each ratio is the median over rounds in which
the two are timed back to back.
With ``--write`` everything is stored in ``benchmarks/results/input_gradients.json``, which chapter 23
reads (re-execute the chapter afterwards).

    python -m benchmarks.bench_input_gradients            # print the summary
    python -m benchmarks.bench_input_gradients --write    # and rewrite the stored results
"""

from __future__ import annotations

import json
import platform
import sys
import timeit
from pathlib import Path

import numpy as np

import backproplib as bp
from backproplib.experiments import input_gradients as ig
from backproplib.experiments.holdout import fit_with_validation, validation_split

RESULTS = Path(__file__).resolve().parent / "results" / "input_gradients.json"
SIZES = [64, 64, 10]
SEEDS = [0, 1, 2, 3, 4]
EPOCHS = 30
ETA = 0.5
BATCH = 32
EPSILONS = [0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3]
VALIDATION = {"fraction": 0.2, "seed": 0}


def trained_network(seed: int, epochs: int = EPOCHS) -> tuple[bp.Network, dict]:
    """The digits network of one seed, its kept epoch chosen on the validation split."""
    d = bp.datasets.digits()
    data = validation_split(d.X_train, d.y_train, **VALIDATION)
    net = bp.Network(SIZES, activations=["tanh", "softmax"], loss="cross_entropy", seed=seed)
    run = fit_with_validation(net, data, epochs, bp.SGD(ETA), BATCH, seed)
    return net, {"best_epoch": run.best_epoch, "val_accuracy": run.val_accuracy[run.best_epoch]}


def curves(seeds=SEEDS, epochs: int = EPOCHS) -> list[dict]:
    d = bp.datasets.digits()
    rows = []
    for seed in seeds:
        net, info = trained_network(seed, epochs)
        c = ig.attack_curve(net, d.X_test, d.y_test, EPSILONS, seed=seed)
        rows.append({"seed": seed, **info, "fgsm": c.fgsm.tolist(), "random": c.random.tolist()})
    return rows


def per_call(fn, number: int) -> float:
    return timeit.timeit(fn, number=number) / number


def median_ratio(fa, fb, rounds: int = 21) -> tuple[float, float, float]:
    """Median over ``rounds`` of time(fa) / time(fb), the two timed back to back in each round (so
    that a busy moment of a shared machine slows both), and the median times themselves."""
    na = max(1, timeit.Timer(fa).autorange()[0] // 4)
    nb = max(1, timeit.Timer(fb).autorange()[0] // 4)
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(min(per_call(fa, na) for _ in range(3)))
        tb.append(min(per_call(fb, nb) for _ in range(3)))
    ratios = np.array(ta) / np.array(tb)
    return float(np.median(ratios)), float(np.median(ta)), float(np.median(tb))


def costs(net: bp.Network) -> dict:
    d = bp.datasets.digits()
    X, y = d.X_test, d.y_test

    def by_differences() -> None:
        h = 1e-5
        for i in range(X.shape[0]):  # two forward passes of the whole batch per pixel
            E = np.zeros_like(X)
            E[i] = h
            net.forward(X + E)
            net.forward(X - E)

    grad_fwd, t_grad, t_fwd = median_ratio(lambda: ig.input_gradient(net, X, y),
                                           lambda: net.forward(X))
    fd_grad, t_fd, _ = median_ratio(by_differences, lambda: ig.input_gradient(net, X, y),
                                    rounds=7)
    return {"m": X.shape[1], "forward_s": t_fwd, "input_gradient_s": t_grad,
            "differences_s": t_fd, "gradient_over_forward": grad_fwd,
            "differences_over_gradient": fd_grad}


def main(write: bool = False) -> None:
    from threadpoolctl import threadpool_limits  # here: the tests import this module

    with threadpool_limits(limits=1):  # one BLAS thread: the machine is shared
        rows = curves()
        net = trained_network(0)[0]
        cost = costs(net)
    fgsm = np.array([r["fgsm"] for r in rows])
    rand = np.array([r["random"] for r in rows])
    print(f"{'epsilon':>8} {'FGSM accuracy (min..max)':>26} {'random signs':>16}")
    for k, e in enumerate(EPSILONS):
        print(f"{e:>8.3f} {fgsm[:, k].min():>12.3f}..{fgsm[:, k].max():.3f} "
              f"{rand[:, k].min():>9.3f}..{rand[:, k].max():.3f}")
    print(f"input gradient / forward pass: {cost['gradient_over_forward']:.1f}; central "
          f"differences / input gradient: {cost['differences_over_gradient']:.0f}")
    if not write:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "description": "digits network 64-64-10 (tanh, softmax, cross-entropy), SGD eta 0.5, "
                       "mini-batches of 32, kept epoch chosen on a validation split; test accuracy "
                       "under FGSM and random signs (inputs clipped to [0, 1]); times on the 450 "
                       "test images",
        "machine": f"{platform.machine()}, numpy {np.__version__}, one BLAS thread",
        "sizes": SIZES, "epochs": EPOCHS, "eta": ETA, "batch_size": BATCH,
        "validation": VALIDATION, "epsilons": EPSILONS, "seeds": rows, "cost": cost,
        "params_seed_0": net.get_params().tolist(),
    }, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
