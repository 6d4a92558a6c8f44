"""What the derivation chapters' claims cost in time.

1. The symbolic gradient of chapter 03/04, compiled by ``symbolic.lambdify_gradient``, against
   ``Network.backward`` on the same [4, 5, 3, 2] logistic network (baseline: ``Network.backward``).
2. Chapter 04's argument that backwards is cheap: ``delta^1`` for one example of a
   [784, 512, 512, 512, 10] network, by the backward recursion (vector times matrix, the baseline) and by
   forward accumulation of ``T^l = dz^l/dz^1`` (matrix times matrix). The measured time ratio is printed
   next to the ratio of multiply-adds the chapter counts.

Run with ``make bench`` or ``python -m benchmarks.bench_symbolic``. Reports medians and ratios.
"""

from __future__ import annotations

import time

import numpy as np

import backproplib as bp
from backproplib import symbolic


def median_time(fn, repeats: int = 9, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def symbolic_vs_backward() -> None:
    sizes = [4, 5, 3, 2]
    net = bp.Network(sizes, activations="logistic", seed=0)
    snet = symbolic.symbolic_network(sizes, "logistic")
    start = time.perf_counter()
    grad = symbolic.lambdify_gradient(snet, symbolic.matrix_gradient(snet))
    compile_s = time.perf_counter() - start
    rng = np.random.default_rng(0)
    for m in (7, 256):
        X, Y = rng.normal(size=(sizes[0], m)), rng.uniform(size=(sizes[-1], m))
        base = median_time(lambda X=X, Y=Y: net.backward(net.forward(X), Y))
        sym = median_time(lambda X=X, Y=Y: grad(net, X, Y))
        print(f"  batch {m:>3}: lambdified symbolic / Network.backward = {sym / base:6.1f}x")
    one_step = median_time(lambda: net.backward(net.forward(X), Y))
    print(f"  building + compiling the symbolic gradient = {compile_s / one_step:,.0f} backward steps")


def forward_vs_backward() -> None:
    sizes = [784, 512, 512, 512, 10]
    net = bp.Network(sizes, activations="tanh", seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(sizes[0], 1)), rng.normal(size=(sizes[-1], 1))
    cache = net.forward(x)
    fp = cache.fprime
    delta_L = fp[-1] * (cache.a[-1] - y)

    def backward() -> np.ndarray:
        delta = delta_L
        for l in range(net.L - 1, 0, -1):
            delta = fp[l - 1] * (net.W[l].T @ delta)
        return delta

    def forward() -> np.ndarray:
        T = net.W[1] * fp[0].T
        for l in range(2, net.L):
            T = net.W[l] @ (fp[l - 1] * T)
        return T.T @ delta_L

    assert np.allclose(backward(), forward(), rtol=1e-9, atol=1e-14)
    n = sizes[1:]
    ops_b = sum(n[i] * n[i - 1] for i in range(1, len(n)))
    ops_f = n[1] * n[0] + sum(n[i] * n[i - 1] * n[0] for i in range(2, len(n))) + n[-1] * n[0]
    ratio = median_time(forward, repeats=5) / median_time(backward, repeats=50)
    print(f"  delta^1 for {sizes}: forward / backward time = {ratio:6.0f}x "
          f"(multiply-add ratio {ops_f / ops_b:.0f}x)")


def main() -> None:
    symbolic_vs_backward()
    forward_vs_backward()


if __name__ == "__main__":
    main()
