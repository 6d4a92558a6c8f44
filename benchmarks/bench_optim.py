"""What does the optimiser cost next to the gradient it uses?

For the parameters of a [784, 512, 512, 10] network (about 670,000 numbers), one ``step`` of
``bp.SGD``, ``bp.Momentum`` and ``bp.Adam`` is timed against two baselines measured in the same run:

* plain SGD's step (the cheapest update: one multiply-subtract per parameter);
* one forward and backward pass on a mini-batch of 256 (what produced the gradient).

Run with ``make bench`` or ``python -m benchmarks.bench_optim``. Reports medians and ratios.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import backproplib as bp

SIZES = [784, 512, 512, 10]
BATCH = 256


def median_time(fn: Callable[[], object], repeats: int = 21, warmup: int = 3) -> float:
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
    params = [p for pair in zip(net.W, net.b) for p in pair]
    # tiny gradients so that thousands of timed steps leave the weights essentially unchanged
    grads = [1e-9 * rng.normal(size=p.shape) for p in params]

    t_grad = median_time(lambda: net.loss_and_gradient(X, y), repeats=11)
    times = {}
    for name, opt in (("SGD", bp.SGD(0.1)), ("Momentum", bp.Momentum(0.1, 0.9)), ("Adam", bp.Adam(1e-3))):
        times[name] = median_time(lambda opt=opt: opt.step(params, grads))

    n = sum(p.size for p in params)
    print(f"{n} parameters; forward+backward on a batch of {BATCH}: {t_grad * 1e3:.2f} ms")
    print(f"{'optimiser':>10} {'step (ms)':>10} {'/ SGD step':>11} {'/ gradient':>11}")
    ratios = {}
    for name, t in times.items():
        ratios[f"{name}/SGD"] = t / times["SGD"]
        ratios[f"{name}/gradient"] = t / t_grad
        print(f"{name:>10} {t * 1e3:10.3f} {t / times['SGD']:11.2f} {t / t_grad:11.3f}")
    return ratios


if __name__ == "__main__":
    main()
