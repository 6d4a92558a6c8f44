"""What a gradient costs: counted multiply-adds and wall time of reverse mode, forward mode and finite
differences, and the backward/forward ratios quoted by the book.

    python -m benchmarks.bench_cost            # print the ratios
    python -m benchmarks.bench_cost --write    # also re-measure benchmarks/results/cost.json

Every ratio is measured against a baseline timed in the same run on the same machine. Wall times of
forward mode and finite differences above ``FULL_LIMIT`` parameters are extrapolated (marked so in the
file): the time of one pass, measured for every parameter array, times the array's size.

Times are the CPU time of this process (``time.process_time``) with BLAS on one thread, which is what
the wall time would be on an idle machine. On a shared machine the wall time measures the load as much
as the algorithm: waiting for a core is not counted by the CPU clock, and multithreaded OpenBLAS can spin
1000 times longer than it computes on thin products such as ``(256, 8) @ (8, 256)``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # effective when this module is run before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib.autodiff import forward_mode as fm  # noqa: E402
from backproplib.autodiff.graph import backward, evaluate  # noqa: E402
from backproplib.autodiff.networks import network_gradient, network_graph  # noqa: E402
from backproplib.experiments.gradient_cost import gradient_costs  # noqa: E402


def one_blas_thread():
    """A context limiting BLAS to one thread (threadpoolctl when installed, else the variables above)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1)

RESULTS = Path(__file__).resolve().parent / "results" / "cost.json"
WIDTHS = [2, 4, 8, 16, 32, 64, 128, 256, 512, 724]  # networks [h, h, h, 1]: 15 to 1,050,525 parameters
BATCH = 8
FULL_LIMIT = 10_000  # above this many parameters, one-pass-per-parameter methods are extrapolated
PROCESSES = 3  # independent measurements of every size; the stored time is their median
METHODS = ("forward", "reverse", "forward_mode", "finite_differences")


def _loops(fn: Callable[[], object], min_seconds: float) -> int:
    """How many calls of ``fn`` make a loop of at least ``min_seconds`` (after one warm-up call)."""
    fn()
    loops = 1
    while True:
        start = time.process_time()
        for _ in range(loops):
            fn()
        if time.process_time() - start >= min_seconds:
            return loops
        loops *= 2


def _per_call(fn: Callable[[], object], loops: int) -> float:
    start = time.process_time()
    for _ in range(loops):
        fn()
    return (time.process_time() - start) / loops


def typical_time(fn: Callable[[], object], repeats: int = 5, min_seconds: float = 0.02) -> float:
    """The median over ``repeats`` loops of the time per call."""
    loops = _loops(fn, min_seconds)
    return float(np.median([_per_call(fn, loops) for _ in range(repeats)]))


def interleaved_times(fns: list[Callable[[], object]], repeats: int = 9,
                      min_seconds: float = 0.02) -> list[list[float]]:
    """Per-call times of each function in ``repeats`` rounds; in every round the functions are timed
    back to back, so that all of them see the same load of the machine."""
    loops = [_loops(fn, min_seconds) for fn in fns]
    rounds = [[_per_call(fn, k) for fn, k in zip(fns, loops)] for _ in range(repeats)]
    return [list(t) for t in zip(*rounds)]


def median_ratio(fn: Callable[[], object], base: Callable[[], object], repeats: int = 9) -> float:
    """Median over rounds of time(fn) / time(base), the two timed back to back in each round."""
    t_fn, t_base = interleaved_times([fn, base], repeats, 0.05)
    return float(np.median(np.array(t_fn) / np.array(t_base)))


def count_row(sizes: list[int], batch: int) -> dict[str, int]:
    """The counted multiply-adds of the four methods (see :func:`backproplib.opcount.gradient_costs`)."""
    c = gradient_costs(sizes, batch)
    return {k: int(c[k]) for k in METHODS}


def time_row(sizes: list[int], batch: int) -> tuple[dict[str, float], dict[str, bool]]:
    """Wall times in seconds of one forward pass and of a whole gradient by each method."""
    net = bp.Network(sizes, activations="tanh", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(sizes[0], batch)), rng.normal(size=(sizes[-1], batch))
    g = network_graph(net, X, Y)
    t_forward, t_reverse = interleaved_times([lambda: network_graph(net, X, Y),
                                              lambda: backward(network_graph(net, X, Y).loss)], 15)
    seconds = {"forward": float(np.median(t_forward)), "reverse": float(np.median(t_reverse))}
    n = net.n_params
    full = n <= FULL_LIMIT
    if full:
        seconds["forward_mode"] = seconds["forward"] + typical_time(lambda: fm.gradient(g.loss, g.params), 3)
        seconds["finite_differences"] = typical_time(lambda: fm.finite_differences(g.loss, g.params), 3)
    else:
        per_pass = 0.0
        for p in g.params:
            seed = np.zeros(p.shape)
            seed.flat[0] = 1.0
            per_pass += p.value.size * typical_time(lambda p=p, s=seed: fm.jvp(g.loss, {p: s}))
        seconds["forward_mode"] = seconds["forward"] + per_pass
        seconds["finite_differences"] = 2 * n * typical_time(lambda: evaluate(g.loss))
    extrapolated = {"forward": False, "reverse": False, "forward_mode": not full,
                    "finite_differences": not full}
    return seconds, extrapolated


def measure_row(h: int, batch: int = BATCH) -> dict:
    """Counts and times of the network ``[h, h, h, 1]``."""
    sizes = [h, h, h, 1]
    with one_blas_thread():
        seconds, extrapolated = time_row(sizes, batch)
    return {"sizes": sizes, "n_params": bp.Network(sizes, seed=0).n_params,
            "counts": count_row(sizes, batch), "seconds": seconds, "extrapolated": extrapolated}


def sweep(widths: list[int] = WIDTHS, batch: int = BATCH) -> dict:
    """Counts and times for the networks ``[h, h, h, 1]``, as stored in ``cost.json``.

    Each size is measured in ``PROCESSES`` fresh Python processes (so that no size inherits the memory
    allocator's state from the sizes measured before it) and each time is the median over them.
    """
    rows = []
    for h in widths:
        runs = []
        for _ in range(PROCESSES):
            out = subprocess.run([sys.executable, "-m", "benchmarks.bench_cost", "--row", str(h),
                                  "--batch", str(batch)], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).resolve().parent.parent)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        row = runs[0]
        row["seconds"] = {k: float(np.median([r["seconds"][k] for r in runs])) for k in METHODS}
        rows.append(row)
        sec = row["seconds"]
        print(f"  [h,h,h,1] h={h:4d}  n={row['n_params']:9,d}  reverse/forward time "
              f"{sec['reverse'] / sec['forward']:.2f}", flush=True)
    return {"batch": batch, "sizes": "[h, h, h, 1], tanh, half squared error",
            "full_limit": FULL_LIMIT, "rows": rows,
            "env": {"numpy": np.__version__, "python": platform.python_version(),
                    "machine": platform.machine(), "blas_threads": 1,
                    "clock": "process CPU time, one BLAS thread; median of 3 fresh processes per size",
                    "timing": "median of 15 interleaved loops (forward, reverse), else of 5 (3 if full)"}}


def count_ratios() -> list[tuple[list[int], int, float]]:
    """(forward + backward) / forward in counted multiply-adds for a few dense networks."""
    out = []
    for sizes, m in [([2, 2, 1], 1), ([2, 30, 30, 1], 4), ([64, 64, 64, 1], 8),
                     ([784, 512, 512, 10], 256)]:
        c = gradient_costs(sizes, m)
        out.append((sizes, m, c["reverse"] / c["forward"]))
    return out


def network_ratio(sizes: list[int], m: int) -> dict[str, float]:
    """Wall time backward / forward with ``bp.Network`` (15 back-to-back rounds), and the
    matrix-product count of the same two passes."""
    net = bp.Network(sizes, activations="logistic", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(sizes[0], m)), rng.uniform(size=(sizes[-1], m))
    cache = net.forward(X)
    t_backward, t_forward = interleaved_times([lambda: net.backward(cache, Y), lambda: net.forward(X)],
                                              repeats=15, min_seconds=0.05)
    fwd = sum(a * b * m for a, b in zip(sizes[:-1], sizes[1:]))
    bwd = 2 * fwd - sizes[0] * sizes[1] * m  # no delta for the input layer
    return {"median_ratio": float(np.median(np.array(t_backward) / np.array(t_forward))),
            "ratio_of_fastest": min(t_backward) / min(t_forward), "count_ratio": bwd / fwd}


def engine_overhead(sizes: list[int], m: int) -> float:
    """Wall time of a gradient on the graph engine / with the matrix-form ``bp.Network`` (median)."""
    net = bp.Network(sizes, activations="tanh", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(sizes[0], m)), rng.normal(size=(sizes[-1], m))
    return median_ratio(lambda: network_gradient(net, X, Y), lambda: net.loss_and_gradient(X, Y))


def engine_training_seconds(steps: int = 2000) -> tuple[int, float, float, float]:
    """Train a [2, 30, 30, 1] network (1,051 parameters) on XOR with the graph engine's gradients."""
    net = bp.Network([2, 30, 30, 1], activations="tanh", seed=0)
    X, Y = bp.datasets.xor()
    opt = bp.SGD(0.1)
    first = net.loss(X, Y)
    start = time.process_time()
    for _ in range(steps):
        _, dW, db = network_gradient(net, X, Y)
        opt.step(net.W + net.b, dW + db)
    seconds = time.process_time() - start
    return net.n_params, seconds, first, net.loss(X, Y)


def main(write: bool = False) -> None:
    """Print the ratios; with ``write=True`` also re-measure and store ``cost.json``."""
    with one_blas_thread():
        _main(write)


def _main(write: bool) -> None:
    print("Counted multiply-adds, (forward + backward) / forward, graph engine:")
    for sizes, m, r in count_ratios():
        print(f"  {str(sizes):22s} batch {m:3d}: {r:.3f}")
    r = network_ratio([784, 512, 512, 10], 256)
    print("bp.Network [784, 512, 512, 10], batch 256, backward / forward:")
    print(f"  wall time: median of 15 back-to-back ratios {r['median_ratio']:.2f}, ratio of the "
          f"fastest runs {r['ratio_of_fastest']:.2f};  matrix-product count {r['count_ratio']:.2f}")
    print("Graph engine / matrix-form network, time of one gradient:")
    for sizes, m in [([784, 512, 512, 10], 256), ([2, 30, 30, 1], 4), ([2, 2, 1], 1)]:
        print(f"  {str(sizes):22s} batch {m:3d}: {engine_overhead(sizes, m):.2f}")
    n, seconds, first, last = engine_training_seconds()
    print(f"Graph engine: 2000 SGD steps of a {n}-parameter net on XOR in {seconds:.2f} s of CPU "
          f"(loss {first:.3f} -> {last:.4f})")
    if write:
        print(f"Sweep for {RESULTS.relative_to(RESULTS.parents[2])}:")
        data = sweep()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(data, indent=1) + "\n")
        print(f"  wrote {len(data['rows'])} rows")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="re-measure and store cost.json")
    parser.add_argument("--row", type=int, help="measure only the network [h, h, h, 1]; print JSON")
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    if args.row:
        print(json.dumps(measure_row(args.row, args.batch)))
    else:
        main(args.write)
