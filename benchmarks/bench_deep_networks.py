"""Deep networks (chapter 18): what the residual path and the fused batch-norm rule cost, and the
stored depth sweep.

Speed, as ratios against a baseline timed in the same run (BLAS on one thread):

* one forward and backward pass of a residual network against the plain network of the same sizes
  (depth 50, width 32, batch 64): the identity path adds an addition per layer each way;
* the batch-norm layer's backward by the graph engine: the fused operation with the derived rule
  against the same layer built from primitive operations, and the derived rule in plain NumPy.

With ``--write`` it also re-runs the depth sweep of :mod:`backproplib.experiments.depth_sweep` (20
seeds, depths 2 to 50, three activations, three architectures) and stores it in
``benchmarks/results/deep_networks.json``, which chapter 18 reads (re-execute the chapter afterwards).

    python -m benchmarks.bench_deep_networks            # print the ratios
    python -m benchmarks.bench_deep_networks --write    # and re-run the stored sweep
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import backproplib as bp
from backproplib.architectures import batch_norm as BN
from backproplib.architectures.residual import ResidualNetwork
from backproplib.autodiff import graph as G
from backproplib.experiments import depth_sweep

RESULTS = Path(__file__).resolve().parent / "results" / "deep_networks.json"


def best_time(fn, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``fn``, each averaged over enough calls to last ~0.05 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number // 4)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def residual_ratio() -> float:
    sizes = [32] * 51 + [1]
    plain = bp.Network(sizes, activations="tanh", seed=0)
    res = ResidualNetwork(sizes, activations="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(32, 64))
    Y = np.zeros((1, 64))
    t_plain = best_time(lambda: plain.loss_and_gradient(X, Y))
    t_res = best_time(lambda: res.loss_and_gradient(X, Y))
    print(f"  plain network, depth 50, one forward+backward : {t_plain * 1e3:7.2f} ms (baseline)")
    print(f"  residual network, same sizes                  : {t_res * 1e3:7.2f} ms "
          f"ratio {t_res / t_plain:4.2f}x")
    return t_res / t_plain


def batch_norm_ratios() -> tuple[float, float]:
    r = np.random.default_rng(0)
    Z, gamma, beta, V = r.normal(size=(64, 256)), r.normal(size=64), r.normal(size=64), \
        r.normal(size=(64, 256))

    def through(build):
        nodes = [G.Node(Z), G.Node(gamma), G.Node(beta)]
        G.backward((build(*nodes) * G.constant(V)).sum())

    def numpy_rule():
        _, cache = BN.batch_norm_forward(Z, gamma, beta)
        BN.batch_norm_backward(V, cache)

    t_np = best_time(numpy_rule)
    t_fused = best_time(lambda: through(BN.batch_norm))
    t_prim = best_time(lambda: through(BN.batch_norm_graph))
    print(f"  batch norm (64 units, batch 256), NumPy rule  : {t_np * 1e3:7.3f} ms (baseline)")
    print(f"  graph engine, fused op with the derived VJPs  : {t_fused * 1e3:7.3f} ms "
          f"ratio {t_fused / t_np:4.2f}x")
    print(f"  graph engine, built from primitive operations : {t_prim * 1e3:7.3f} ms "
          f"ratio {t_prim / t_np:4.2f}x")
    return t_fused / t_np, t_prim / t_np


def main(write: bool = False) -> None:
    with threadpool_limits(limits=1):
        residual_ratio()
        batch_norm_ratios()
    if not write:
        return
    start = time.perf_counter()
    data = depth_sweep.sweep()
    RESULTS.write_text(json.dumps(data, indent=1) + "\n")
    lost = depth_sweep.lost_depths(data)
    print(f"wrote {RESULTS.name} in {time.perf_counter() - start:.0f} s; first depth below "
          f"{data['threshold']:g}: {lost}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
