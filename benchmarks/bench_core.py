"""How close is backproplib's forward+backward step to the matrix products it cannot avoid?

One training step's gradient for sizes [784, 512, 512, 10] at batch 256 (ReLU hidden layers, softmax
output with cross-entropy), measured against two baselines timed in the same run:

* the floor: the same eight matrix products alone in NumPy (3 forward, 3 weight gradients, 2 deltas);
* the same step written out by hand in plain NumPy (no validation, no cache objects): what any
  NumPy implementation pays for the elementwise work (bias, ReLU, f', softmax) that NumPy cannot fuse
  into the matrix products;
* the textbook per-example loop (``backproplib.experiments.per_example``): the same network called
  on one column at a time;
* when PyTorch is importable (an optional benchmark dependency, never needed by the book: ``pip install
  torch``), the same step in PyTorch's CPU eager mode, float64, one thread: autograd's forward and
  backward of the same loss.

BLAS runs on one thread. Run with ``make bench`` or ``python -m benchmarks.bench_core``.
Target: backproplib within 1.15 x the floor.
"""

from __future__ import annotations

import time

import numpy as np

import backproplib as bp
from backproplib.experiments.per_example import gradient_per_example

SIZES = [784, 512, 512, 10]
BATCH = 256


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def eight_products(W, D, X) -> None:
    """The matrix products of one forward and backward pass of a 3-layer network, alone: three
    forward, three weight gradients, two deltas (NumPy arrays or PyTorch tensors)."""
    A1 = W[0] @ X
    A2 = W[1] @ A1
    W[2] @ A2
    D[2] @ A2.T
    W[2].T @ D[2]
    D[1] @ A1.T
    W[1].T @ D[1]
    D[0] @ X.T


def interleaved(fns: dict, repeats: int) -> dict[str, np.ndarray]:
    """Time each function once per round, rounds back to back, so all see the same machine load."""
    for fn in fns.values():  # warm up
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {name: np.array(t) for name, t in times.items()}


def main() -> dict[str, float]:
    # One BLAS thread: on a 2-core machine shared with anything else, a second OpenBLAS thread makes
    # timings swing tenfold; with one thread the ratios measure the arithmetic.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _main()


def _main() -> dict[str, float]:
    rng = np.random.default_rng(0)
    net = bp.Network(SIZES, activations=["relu", "relu", "softmax"], loss="cross_entropy", init="he")
    X = rng.normal(size=(SIZES[0], BATCH))
    y = rng.integers(0, SIZES[-1], size=BATCH)
    W = net.W
    D = [rng.normal(size=(n, BATCH)) for n in SIZES[1:]]

    def floor():
        eight_products(W, D, X)

    def library():
        net.loss_and_gradient(X, y)

    b = net.b
    onehot = np.zeros((SIZES[-1], BATCH))
    onehot[y, np.arange(BATCH)] = 1.0

    def by_hand():
        Z1 = W[0] @ X + b[0][:, None]
        A1, F1 = np.maximum(Z1, 0.0), (Z1 > 0).astype(float)
        Z2 = W[1] @ A1 + b[1][:, None]
        A2, F2 = np.maximum(Z2, 0.0), (Z2 > 0).astype(float)
        Z3 = W[2] @ A2 + b[2][:, None]
        E = np.exp(Z3 - Z3.max(axis=0))
        d3 = E / E.sum(axis=0) - onehot
        (d3 @ A2.T) / BATCH
        d2 = (W[2].T @ d3) * F2
        (d2 @ A1.T) / BATCH
        d1 = (W[1].T @ d2) * F1
        (d1 @ X.T) / BATCH

    m_small = 32  # the per-example loop is slow: time it on 32 columns and scale to the batch

    def loop():
        gradient_per_example(net, X[:, :m_small], y[:m_small])

    fns = {"floor": floor, "by_hand": by_hand, "library": library, "loop": loop}
    torch_fns = _torch_fns(net, X, y, D)
    if torch_fns is not None:
        fns["torch"], fns["torch_floor"] = torch_fns
    t = interleaved(fns, repeats=21)
    t["loop"] = t["loop"] * BATCH / m_small
    results = {
        "floor_ms": 1e3 * float(np.median(t["floor"])),
        "backproplib_ms": 1e3 * float(np.median(t["library"])),
        "per_example_ms": 1e3 * float(np.median(t["loop"])),
        # medians of the per-round ratios: each ratio compares runs made moments apart
        "by_hand_ms": 1e3 * float(np.median(t["by_hand"])),
        "backproplib_over_floor": float(np.median(t["library"] / t["floor"])),
        "by_hand_over_floor": float(np.median(t["by_hand"] / t["floor"])),
        "backproplib_over_by_hand": float(np.median(t["library"] / t["by_hand"])),
        "per_example_over_backproplib": float(np.median(t["loop"] / t["library"])),
    }
    print(f"forward+backward, sizes {SIZES}, batch {BATCH} (medians of 21 interleaved rounds)")
    print(f"  floor (8 matrix products alone) {results['floor_ms']:8.2f} ms")
    print(f"  the same step by hand in NumPy  {results['by_hand_ms']:8.2f} ms"
          f"   = {results['by_hand_over_floor']:.2f} x the floor")
    print(f"  backproplib loss_and_gradient   {results['backproplib_ms']:8.2f} ms"
          f"   = {results['backproplib_over_floor']:.2f} x the floor (target <= 1.15), "
          f"{results['backproplib_over_by_hand']:.2f} x by hand")
    print(f"  per-example loop (scaled)       {results['per_example_ms']:8.2f} ms"
          f"   = {results['per_example_over_backproplib']:.1f} x backproplib")
    if "torch" in t:
        results["torch_ms"] = 1e3 * float(np.median(t["torch"]))
        results["torch_floor_ms"] = 1e3 * float(np.median(t["torch_floor"]))
        results["backproplib_over_torch"] = float(np.median(t["library"] / t["torch"]))
        results["torch_over_torch_floor"] = float(np.median(t["torch"] / t["torch_floor"]))
        print(f"  PyTorch {_torch_version()} CPU eager        {results['torch_ms']:8.2f} ms"
              f"   backproplib = {results['backproplib_over_torch']:.2f} x PyTorch")
        # PyTorch ships its own BLAS: its floor says how much of the difference is the BLAS
        print(f"  PyTorch's 8 matrix products     {results['torch_floor_ms']:8.2f} ms"
              f"   PyTorch = {results['torch_over_torch_floor']:.2f} x its own floor")
    else:
        print("  (PyTorch not importable: no comparison with it)")
    return results


def _torch_version() -> str:
    import torch

    return torch.__version__.split("+")[0]


def _torch_fns(net: bp.Network, X: np.ndarray, y: np.ndarray, D: list[np.ndarray]):
    """The same loss and gradient in PyTorch (float64, one thread), and the same eight matrix
    products in PyTorch (its own BLAS), or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    Ws = [torch.tensor(W, requires_grad=True) for W in net.W]
    bs = [torch.tensor(b, requires_grad=True) for b in net.b]
    Xt = torch.tensor(X)
    yt = torch.tensor(y)
    Wf = [torch.tensor(W) for W in net.W]
    Df = [torch.tensor(d) for d in D]

    @torch.no_grad()
    def floor():
        eight_products(Wf, Df, Xt)

    def step():
        A = Xt
        for l, (W, b) in enumerate(zip(Ws, bs)):
            Z = W @ A + b[:, None]
            A = torch.relu(Z) if l < len(Ws) - 1 else Z
        loss = torch.nn.functional.cross_entropy(A.T, yt)
        for p in Ws + bs:
            p.grad = None
        loss.backward()

    return step, floor


if __name__ == "__main__":
    main()
