"""Backpropagation, feedback alignment and threshold units on the digits, over several seeds.

For every learning rule of :mod:`backproplib.experiments.learning_rules` and every learning rate of
``ETAS``, train the 64-64-10 digits network for ``EPOCHS`` epochs from ``SEEDS`` (initial weights,
feedback matrices and mini-batch order), keeping the epoch with the best validation accuracy. The
learning rate of each rule is chosen on the mean validation accuracy of the kept epochs; the test
accuracy of that choice is reported. Feedback alignment's runs also record, after every epoch, the
angle between its update of ``W^1`` and the true gradient, and the angle between ``W^2`` and
``(B^2)^T``. With ``--write`` everything is stored in ``benchmarks/results/biological.json``, which
chapter 24 reads (re-execute the chapter afterwards).

    python -m benchmarks.bench_biological            # print the summary
    python -m benchmarks.bench_biological --write    # and rewrite the stored results
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

import backproplib as bp
from backproplib.experiments.holdout import validation_split
from backproplib.experiments.learning_rules import RULES, run_rule

RESULTS = Path(__file__).resolve().parent / "results" / "biological.json"
SIZES = [64, 64, 10]
SEEDS = [0, 1, 2, 3, 4]
ETAS = [0.1, 0.2, 0.5, 1.0, 2.0]
EPOCHS = 30
BATCH = 32
VALIDATION = {"fraction": 0.2, "seed": 0}


def run_all(rules=RULES, seeds=SEEDS, etas=ETAS, epochs=EPOCHS) -> dict:
    """Every run, and each rule's learning rate chosen on validation accuracy."""
    d = bp.datasets.digits()
    data = validation_split(d.X_train, d.y_train, **VALIDATION)
    runs = [asdict(run_rule(rule, data, d.X_test, d.y_test, epochs, eta, SIZES, BATCH, seed))
            for rule in rules for eta in etas for seed in seeds]
    chosen = {}
    for rule in rules:
        def score(eta: float, rule: str = rule) -> float:
            return float(np.mean([max(r["val_accuracy"]) for r in runs
                                  if r["rule"] == rule and r["eta"] == eta]))
        chosen[rule] = max(etas, key=score)  # the first of equal scores: the smallest eta
    return {"runs": runs, "chosen_eta": chosen}


def main(write: bool = False) -> None:
    from threadpoolctl import threadpool_limits  # here: the tests import this module

    with threadpool_limits(limits=1):  # one BLAS thread: the machine is shared
        out = run_all()
    runs, chosen = out["runs"], out["chosen_eta"]
    print(f"{'rule':>20} {'eta':>5} {'test accuracy per seed':>40}")
    for rule, eta in chosen.items():
        acc = [r["test_accuracy"] for r in runs if r["rule"] == rule and r["eta"] == eta]
        print(f"{rule:>20} {eta:>5} {' '.join(f'{a:.3f}' for a in acc):>40}")
    if not write:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "description": "digits network 64-64-10 (softmax, cross-entropy) trained by each learning "
                       "rule with mini-batch SGD; the kept epoch and each rule's learning rate are "
                       "chosen on a validation split of the training part",
        "machine": f"{platform.machine()}, numpy {np.__version__}, one BLAS thread",
        "sizes": SIZES, "seeds": SEEDS, "etas": ETAS, "epochs": EPOCHS, "batch_size": BATCH,
        "validation": VALIDATION, **out,
    }, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
