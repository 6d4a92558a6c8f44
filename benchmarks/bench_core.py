"""How close is backproplib's forward+backward step to the matrix products it cannot avoid?

One training step's gradient for sizes [784, 512, 512, 10] at batch 256 (ReLU hidden layers, softmax
output with cross-entropy), measured against two baselines timed in the same run:

* the floor: the same eight matrix products alone in NumPy (3 forward, 3 weight gradients, 2 deltas);
* the textbook per-example loop (``backproplib.per_example``): the same arithmetic one column at a time.

Run with ``make bench`` or ``python -m benchmarks.bench_core``. Reports medians and ratios.
"""

from __future__ import annotations

import time

import numpy as np

import backproplib as bp
from backproplib.per_example import gradient_per_example

SIZES = [784, 512, 512, 10]
BATCH = 256


def median_time(fn, repeats: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> dict[str, float]:
    rng = np.random.default_rng(0)
    net = bp.Network(SIZES, activations=["relu", "relu", "softmax"], loss="cross_entropy", init="he")
    X = rng.normal(size=(SIZES[0], BATCH))
    y = rng.integers(0, SIZES[-1], size=BATCH)
    W = net.W
    D = [rng.normal(size=(n, BATCH)) for n in SIZES[1:]]

    def floor():
        A1 = W[0] @ X
        A2 = W[1] @ A1
        W[2] @ A2
        D[2] @ A2.T
        W[2].T @ D[2]
        D[1] @ A1.T
        W[1].T @ D[1]
        D[0] @ X.T

    def library():
        net.loss_and_gradient(X, y)

    t_floor = median_time(floor)
    t_lib = median_time(library)
    m_small = 32  # the per-example loop is slow: time it on 32 columns and scale to the batch
    t_loop = median_time(lambda: gradient_per_example(net, X[:, :m_small], y[:m_small]), repeats=5,
                         warmup=1) * BATCH / m_small
    results = {
        "floor_ms": 1e3 * t_floor,
        "backproplib_ms": 1e3 * t_lib,
        "per_example_ms": 1e3 * t_loop,
        "backproplib_over_floor": t_lib / t_floor,
        "per_example_over_backproplib": t_loop / t_lib,
    }
    print(f"forward+backward, sizes {SIZES}, batch {BATCH} (median of repeats)")
    print(f"  floor (8 matrix products alone) {results['floor_ms']:8.2f} ms")
    print(f"  backproplib loss_and_gradient   {results['backproplib_ms']:8.2f} ms"
          f"   = {results['backproplib_over_floor']:.2f} x the floor (target <= 1.3)")
    print(f"  per-example loop (scaled)       {results['per_example_ms']:8.2f} ms"
          f"   = {results['per_example_over_backproplib']:.1f} x backproplib (target >= 20)")
    return results


if __name__ == "__main__":
    main()
