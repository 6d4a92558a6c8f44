"""Speed of the vectorised convolution against a naive loop, and of a ConvNet step against a
step of the dense digits network.

1. One 2-D convolution layer, forward and backward, on a batch of 8x8 images: the library's
   :func:`~backproplib.architectures.convolution.conv` / ``conv_backward`` (strided windows and one
   ``tensordot`` per sum) against the same sums as a Python loop over examples and output positions.
2. One training step (forward, backward, Adam update) on a mini-batch of 32 digits: the ConvNet of
   chapter 20 against the 64-64-10 dense network of chapter 15, which reaches a similar accuracy.

Ratios are measured in the same run, on one BLAS thread. With ``--write`` they are stored in
``benchmarks/results/conv_speed.json``, which chapter 20 quotes.

    python -m benchmarks.bench_conv            # print the ratios
    python -m benchmarks.bench_conv --write    # and rewrite the stored results
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
from backproplib.architectures import convolution as C
from backproplib.experiments.digits_models import make_model

RESULTS = Path(__file__).resolve().parent / "results" / "conv_speed.json"


def best_time(fn, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``fn``, each averaged over enough calls to last ~0.05 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number // 4)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def naive_conv(x, K, b, padding):
    """The definition as loops: one output pixel of one example at a time (stride 1)."""
    xp = C.pad(x, padding)
    c_out, _, kh, kw = K.shape
    H, W = xp.shape[1] - kh + 1, xp.shape[2] - kw + 1
    y = np.empty((c_out, H, W, x.shape[-1]))
    for n in range(x.shape[-1]):
        for i in range(H):
            for j in range(W):
                patch = xp[:, i : i + kh, j : j + kw, n]
                y[:, i, j, n] = np.tensordot(K, patch, axes=3) + b
    return y


def naive_conv_backward(g, x, K, padding):
    """The backward sums as loops over examples and output positions."""
    xp = C.pad(x, padding)
    _, _, kh, kw = K.shape
    dxp, dK = np.zeros_like(xp), np.zeros_like(K)
    for n in range(x.shape[-1]):
        for i in range(g.shape[1]):
            for j in range(g.shape[2]):
                patch = xp[:, i : i + kh, j : j + kw, n]
                dK += g[:, i, j, n][:, None, None, None] * patch
                dxp[:, i : i + kh, j : j + kw, n] += np.tensordot(g[:, i, j, n], K, axes=1)
    H, W = x.shape[1:3]
    return dxp[:, padding : padding + H, padding : padding + W], dK, g.sum(axis=(1, 2, 3))


def measure_conv(m: int = 32, c_in: int = 1, c_out: int = 8, size: int = 8) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(c_in, size, size, m))
    K, b = rng.normal(size=(c_out, c_in, 3, 3)), rng.normal(size=c_out)
    g = rng.normal(size=(c_out, size, size, m))
    for got, want in zip(C.conv_backward(g, x, K, padding=1), naive_conv_backward(g, x, K, 1)):
        assert np.allclose(got, want)
    assert np.allclose(C.conv(x, K, b, padding=1), naive_conv(x, K, b, 1))
    fast = best_time(lambda: (C.conv(x, K, b, padding=1), C.conv_backward(g, x, K, padding=1)))
    slow = best_time(lambda: (naive_conv(x, K, b, 1), naive_conv_backward(g, x, K, 1)), repeat=3)
    return {"m": m, "c_in": c_in, "c_out": c_out, "size": size, "vectorised_s": fast,
            "loop_s": slow, "loop_over_vectorised": slow / fast}


def measure_steps(m: int = 32) -> dict:
    d = bp.datasets.digits()
    X, y = d.X_train[:, :m], d.y_train[:m]
    out = {}
    for name in ("dense 64-64-10", "conv 8 channels"):
        model = make_model(name, 0)
        params = [p for pair in zip(model.W, model.b) for p in pair] if name.startswith("dense") \
            else model.params
        opt = bp.Adam(1e-3)

        def step(model=model, params=params, opt=opt):
            _, grads = model.loss_and_gradient(X, y)
            arrays = ([g for pair in zip(grads.dW, grads.db) for g in pair]
                      if hasattr(grads, "dW") else grads.arrays)
            opt.step(params, arrays)

        out[name] = best_time(step)
    return {"m": m, "step_s": out, "conv_over_dense": out["conv 8 channels"] / out["dense 64-64-10"]}


def main(write: bool = False) -> None:
    with threadpool_limits(limits=1):
        conv = measure_conv()
        steps = measure_steps()
    print(f"conv2d forward + backward, {conv['m']} images 8x8, {conv['c_out']} channels: the loop "
          f"takes {conv['loop_over_vectorised']:.0f} times as long as the vectorised layer")
    print(f"one training step on {steps['m']} digits: ConvNet / dense net = "
          f"{steps['conv_over_dense']:.1f}")
    if write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"conv": conv, "steps": steps,
                                       "machine": platform.machine(),
                                       "numpy": np.__version__}, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
