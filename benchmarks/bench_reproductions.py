"""Reproductions: the precomputed multi-seed runs the chapters load, and the speed of the matrix form.

    python benchmarks/bench_reproductions.py            # speed: per-example loop vs matrix form
    python benchmarks/bench_reproductions.py --results  # re-run every seed, rewrite results/*.json

The XOR (100 seeds, two networks, two momentum settings) and symmetry (30 seeds) runs take minutes, far
beyond a chapter's 30 s budget, so they are computed here with the library's own training loop and
stored in ``benchmarks/results/``; ``tests/test_reproductions.py`` re-runs a few seeds and checks that
they match the stored numbers exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import backproplib as bp
from backproplib.experiments import reproductions as R
from backproplib.experiments.per_example import sgd_epoch_per_example

RESULTS = Path(__file__).resolve().parent / "results"
XOR_SEEDS = 100
XOR_MAX_SWEEPS = 5000
SYMMETRY_SEEDS = 30
SYMMETRY_MAX_SWEEPS = 20000

# the digits network of chapter 15 (kept equal to the chapter's settings)
DIGITS_SIZES = [64, 64, 10]
DIGITS_ETA = 0.5
DIGITS_BATCH = 32


def xor_results() -> dict:
    out: dict = {"max_sweeps": XOR_MAX_SWEEPS, "epsilon": 0.5, "init": "uniform(-0.3, 0.3)",
                 "runs": {}}
    for alpha in (0.9, 0.0):
        for kind in ("skip", "2-2-1"):
            key = f"{kind}/alpha={alpha}"
            out["runs"][key] = [R.run_xor(kind, s, alpha=alpha, max_sweeps=XOR_MAX_SWEEPS).to_dict()
                                for s in range(XOR_SEEDS)]
            print(key, R.summarise([r["sweeps"]["within_0.1"] for r in out["runs"][key]]), flush=True)
    return out


def symmetry_results() -> dict:
    runs = []
    for s in range(SYMMETRY_SEEDS):
        run, net = R.run_symmetry(s, max_sweeps=SYMMETRY_MAX_SWEEPS)
        d = run.to_dict()
        d["W1"], d["b1"] = net.W[0].tolist(), net.b[0].tolist()
        d["W2"], d["b2"] = net.W[1].tolist(), net.b[1].tolist()
        runs.append(d)
    print("symmetry", R.summarise([r["sweeps"]["within_0.1"] for r in runs]), flush=True)
    return {"max_sweeps": SYMMETRY_MAX_SWEEPS, "epsilon": 0.1, "alpha": 0.9,
            "init": "uniform(-0.3, 0.3)", "runs": runs}


def write_results() -> None:
    RESULTS.mkdir(exist_ok=True)
    for name, make in (("symmetry", symmetry_results), ("xor", xor_results)):
        start = time.perf_counter()
        data = make()
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote results/{name}.json in {time.perf_counter() - start:.0f} s", flush=True)


def best_time(make, run, repeat: int = 7) -> float:
    """The fastest of ``repeat`` runs of ``run(make())`` (only ``run`` is timed)."""
    best = np.inf
    for _ in range(repeat):
        net = make()
        start = time.perf_counter()
        run(net)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Time one epoch of mini-batch SGD on the digits: the matrix form against the per-example loop.

    BLAS is limited to one thread so that the ratio measures the arithmetic, not how many idle cores
    the machine happens to have.
    """
    from threadpoolctl import threadpool_limits

    d = bp.datasets.digits()
    m = d.X_train.shape[1]
    order = np.random.default_rng(0).permutation(m)

    def make() -> bp.Network:
        return bp.Network(DIGITS_SIZES, activations=["tanh", "softmax"], loss="cross_entropy", seed=0)

    def matrix_epoch(net: bp.Network) -> None:  # includes bp.train's end-of-epoch loss evaluation
        bp.train(net, d.X_train, d.y_train, epochs=1, optimizer=bp.SGD(DIGITS_ETA),
                 batch_size=DIGITS_BATCH, seed=0)

    def loop_epoch(net: bp.Network) -> None:
        sgd_epoch_per_example(net, d.X_train, d.y_train, DIGITS_ETA, DIGITS_BATCH, order)

    with threadpool_limits(limits=1):
        t_matrix = best_time(make, matrix_epoch)
        t_loop = best_time(make, loop_epoch)
    print(f"digits, one epoch of SGD ({m} examples, batch {DIGITS_BATCH}, sizes {DIGITS_SIZES}), "
          "BLAS on 1 thread, best of 7")
    print(f"  matrix form (bp.train)      : {t_matrix * 1e3:8.1f} ms  (baseline)")
    print(f"  per-example loop            : {t_loop * 1e3:8.1f} ms  ratio {t_loop / t_matrix:5.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", action="store_true", help="re-run the seeds, rewrite the JSON")
    if parser.parse_args().results:
        write_results()
    else:
        main()
    sys.exit(0)
