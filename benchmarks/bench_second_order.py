"""How the cost of one Levenberg–Marquardt step grows with the number of weights.

One LM step builds the residual Jacobian ``J`` (``n_L * m`` backpropagated rows), forms ``J^T J``
(``n x n``, work ``~ m n^2``) and solves an ``n x n`` system (work ``~ n^3``). One gradient-descent step
is one forward and one backward pass (work ``~ m n``). This script times both on networks
``[8, h, 1]`` with ``m = 64`` examples, prints the ratio LM step / gradient step measured in the same
run and fits the growth exponent. With ``--write`` it also stores everything in
``benchmarks/results/second_order.json``, which the second-order chapter plots (re-execute that chapter
afterwards: its stored outputs quote the file). BLAS runs on one thread so that the numbers do not depend on
what else the machine is doing.

    python -m benchmarks.bench_second_order            # print the ratios
    python -m benchmarks.bench_second_order --write    # and re-measure the stored results
"""

from __future__ import annotations

import json
import platform
import sys
import timeit
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import backproplib as bp
from backproplib.curvature.hessian import residual_jacobian
from backproplib.curvature.levenberg_marquardt import lm_step

RESULTS = Path(__file__).resolve().parent / "results" / "second_order.json"
HIDDEN = [2, 4, 8, 16, 32, 64, 128, 192]


def best_time(fn, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``fn``, each averaged over enough calls to last ~0.05 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number // 4)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def measure(h: int, m: int = 64, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, m))
    Y = rng.uniform(size=(1, m))
    net = bp.Network([8, h, 1], activations=["tanh", "logistic"], seed=seed)

    def lm() -> None:
        e, J = residual_jacobian(net, X, Y)
        lm_step(J, e, 1e-2)

    def gd() -> None:
        net.loss_and_gradient(X, Y)

    e, J = residual_jacobian(net, X, Y)
    A = J.T @ J + 1e-2 * np.eye(net.n_params)
    parts = {"jacobian_s": best_time(lambda: residual_jacobian(net, X, Y)),
             "normal_matrix_s": best_time(lambda: J.T @ J),
             "solve_s": best_time(lambda: np.linalg.solve(A, J.T @ e))}
    t_lm, t_gd = best_time(lm), best_time(gd)
    return {"hidden": h, "n_params": net.n_params, "m": m, "lm_step_s": t_lm, "gradient_s": t_gd,
            "ratio": t_lm / t_gd, **parts}


def main(write: bool = False) -> None:
    with threadpool_limits(limits=1):  # one BLAS thread: the machine is shared, and counts are fair
        rows = [measure(h) for h in HIDDEN]
    print(f"{'n_params':>9} {'LM step / gradient step':>24}")
    for r in rows:
        print(f"{r['n_params']:>9} {r['ratio']:>24.1f}")
    n = np.array([r["n_params"] for r in rows], dtype=float)
    t = np.array([r["lm_step_s"] for r in rows])
    big = n >= 300  # the asymptotic regime, where the n x n algebra dominates the Python overhead
    slope = float(np.polyfit(np.log(n[big]), np.log(t[big]), 1)[0])
    print(f"LM step time grows like n_params^{slope:.2f} for n_params >= 300")
    if not write:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "description": "time of one Levenberg-Marquardt step (Jacobian + J^T J + solve) and of one "
                       "gradient evaluation, networks [8, h, 1], m = 64 examples",
        "machine": f"{platform.machine()}, numpy {np.__version__}, one BLAS thread",
        "slope_large_n": slope,
        "rows": rows,
    }, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
