"""What second derivatives and checkpointing cost in time: the chapters on second derivatives (21)
and on memory (22) quote these ratios.

1. A Hessian-vector product against a gradient, on networks ``[h, h, h, 1]`` (tanh, m = 128): the
   matrix-form gradient ``Network.loss_and_gradient`` against Pearlmutter's R-operator
   ``hvp.network_hvp`` (which computes the gradient on the way), and the graph engine's gradient
   against its forward-over-reverse product ``hvp.graph_gradient_and_hvp``; the counted multiply-adds
   of the graph engine beside them.
2. Checkpointing's recompute overhead on a network of ``L = 64`` tanh layers of width 128 (m = 256):
   the time of ``checkpoint.checkpointed_gradients`` for segments of ``k = 1, 2, 4, 8, 16, 32, 64``
   layers (``k = 8 = sqrt(L)``; ``k = L`` is one segment, no recomputation) against the plain
   ``Network.loss_and_gradient``, with the peak memory each call allocated (``tracemalloc``).

Every ratio is a median over rounds in which the compared calls are timed back to back (so both see
the same load of the machine), in CPU time with one BLAS thread (see ``bench_cost``), and the stored
ratio is the median over ``PROCESSES`` fresh Python processes, with the spread between them
(``spread``: the smallest and largest of the processes' ratios).

The allocator matters for part 2. With glibc's defaults, memory freed at the end of a call that held
tens of megabytes goes back to the system, and the next call page-faults it in again, 4 KB at a time:
the plain gradient, which holds the whole cache, pays that on every call and the checkpointed one
much less, so checkpointing can come out *faster* than the plain gradient. The main measurements
therefore run with malloc told to keep its memory (``KEEP_MEMORY``), so that they time the
arithmetic; the same sweep with the default allocator is stored beside them (``default_malloc``).

    python -m benchmarks.bench_hvp_checkpoint            # print the ratios
    python -m benchmarks.bench_hvp_checkpoint --write    # and store benchmarks/results/hvp_checkpoint.json

The two chapters read the stored file (re-execute them after ``--write``: their outputs quote it).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

import backproplib as bp
from backproplib.autodiff import checkpoint as ck
from backproplib.autodiff import hvp
from backproplib.autodiff.networks import network_gradient
from backproplib.experiments.hvp_cost import hvp_costs

from .bench_cost import interleaved_times, one_blas_thread

RESULTS = Path(__file__).resolve().parent / "results" / "hvp_checkpoint.json"
HVP_WIDTHS = [8, 32, 128, 512]
HVP_BATCH = 128
DEPTH, WIDTH, BATCH = 64, 128, 256
SEGMENTS = [1, 2, 4, 8, 16, 32, 64]
ROUNDS = 9
PROCESSES = 3


def hvp_case(h: int, m: int = HVP_BATCH) -> tuple[bp.Network, np.ndarray, np.ndarray, np.ndarray]:
    """The network ``[h, h, h, 1]`` (tanh), a batch and a direction ``v``, all from seed 0."""
    net = bp.Network([h, h, h, 1], activations="tanh", seed=0)
    rng = np.random.default_rng(0)
    return (net, rng.normal(size=(h, m)), rng.normal(size=(1, m)),
            rng.normal(size=net.n_params))


def hvp_counts(h: int, m: int = HVP_BATCH) -> dict[str, float]:
    """Counted multiply-adds on the graph engine (:func:`hvp_costs`): the forward pass, the backward
    pass, and the tangent pass through the gradient's graph that turns the gradient into ``H v``."""
    return hvp_costs([h, h, h, 1], m)


def hvp_row(h: int, m: int = HVP_BATCH) -> dict:
    """Times of a gradient and of a Hessian-vector product, both in matrix form and on the graph."""
    net, X, Y, v = hvp_case(h, m)
    fns = [lambda: net.loss_and_gradient(X, Y), lambda: hvp.network_hvp(net, X, Y, v),
           lambda: network_gradient(net, X, Y), lambda: hvp.graph_gradient_and_hvp(net, X, Y, v)]
    t = [np.array(x) for x in interleaved_times(fns, ROUNDS)]
    c = hvp_counts(h, m)
    return {"sizes": [h, h, h, 1], "n_params": net.n_params, "m": m,
            "seconds": {"gradient": float(np.median(t[0])), "rop_hvp": float(np.median(t[1])),
                        "graph_gradient": float(np.median(t[2])),
                        "graph_hvp": float(np.median(t[3]))},
            "ratio_rop": float(np.median(t[1] / t[0])),
            "ratio_graph": float(np.median(t[3] / t[2])),
            "counts": c, "counted_ratio": c["ratio"]}


def checkpoint_case() -> tuple[bp.Network, np.ndarray, np.ndarray]:
    """``L = 64`` tanh layers of width 64, a batch of 256 (seed 0)."""
    net = bp.Network([WIDTH] * (DEPTH + 1), activations="tanh", seed=0)
    rng = np.random.default_rng(0)
    return net, rng.normal(size=(WIDTH, BATCH)), rng.normal(size=(WIDTH, BATCH))


class FaultCounter:
    """Wraps a function and counts the page faults (minor: fresh memory mapped in) of its calls."""

    def __init__(self, fn) -> None:
        self.fn, self.calls, self.faults = fn, 0, 0

    def __call__(self):
        import resource

        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        out = self.fn()
        self.faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        self.calls += 1
        return out

    @property
    def per_call(self) -> float:
        return self.faults / max(self.calls, 1)


def checkpoint_rows() -> dict:
    """For every segment length: the time ratio to the plain gradient, the page faults per call of
    both while they were timed, the recomputed layers, the stored and the traced peak bytes; and the
    forward pass's share of a plain gradient's time."""
    net, X, Y = checkpoint_case()
    _, plain_peak = ck.traced_peak_bytes(net.loss_and_gradient, X, Y)
    t_grad, t_fwd = (np.array(x) for x in interleaved_times(
        [lambda: net.loss_and_gradient(X, Y), lambda: net.forward(X)], ROUNDS, 0.1))
    rows = []
    for k in SEGMENTS:
        ours = FaultCounter(lambda k=k: ck.checkpointed_gradients(net, X, Y, k))
        plain = FaultCounter(lambda: net.loss_and_gradient(X, Y))
        t_k, t_plain = (np.array(x) for x in interleaved_times([ours, plain], ROUNDS, 0.1))
        (_, stats), traced = ck.traced_peak_bytes(ck.checkpointed_gradients, net, X, Y, k)
        rows.append({"segment": k, "time_ratio": float(np.median(t_k / t_plain)),
                     "faults_per_call": ours.per_call, "plain_faults_per_call": plain.per_call,
                     "recomputed_layers": stats.recomputed_layers, "stored_peak_bytes": stats.peak_bytes,
                     "traced_peak_bytes": traced})
    return {"sizes": f"[{WIDTH}] * {DEPTH + 1}, tanh, half squared error", "depth": DEPTH,
            "width": WIDTH, "m": BATCH, "plain_traced_peak_bytes": plain_peak,
            "forward_share": float(np.median(t_fwd / t_grad)), "rows": rows}


# glibc's malloc returns freed memory above these sizes to the system and maps big arrays afresh, so a
# call that holds tens of megabytes can pay a page fault per 4 KB page (the rows record how many).
# Raised, the allocator keeps its memory and the times measure the arithmetic.
KEEP_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(2**30), "MALLOC_TRIM_THRESHOLD_": str(2**30)}


def measure(part: str) -> dict:
    """One process's measurements of ``part`` (``hvp`` or ``checkpoint``), as ``--child`` prints."""
    with one_blas_thread():
        if part == "hvp":
            return {"hvp": [hvp_row(h) for h in HVP_WIDTHS]}
        return {"checkpoint": checkpoint_rows()}


def _median_spread(values: list[float]) -> tuple[float, list[float]]:
    return float(np.median(values)), [float(min(values)), float(max(values))]


def combine_hvp(runs: list[dict]) -> list[dict]:
    """Medians over processes of the HVP ratios and times (counts are equal in every process)."""
    out = runs[0]["hvp"]
    for i, row in enumerate(out):
        rows = [r["hvp"][i] for r in runs]
        assert all(r["counts"] == row["counts"] for r in rows)
        for key in ("ratio_rop", "ratio_graph"):
            row[key], row[key + "_spread"] = _median_spread([r[key] for r in rows])
        row["seconds"] = {k: float(np.median([r["seconds"][k] for r in rows])) for k in row["seconds"]}
    return out


def combine_checkpoint(runs: list[dict]) -> dict:
    """Medians over processes of the time ratios (bytes are equal in every process)."""
    out = runs[0]["checkpoint"]
    out["forward_share"], out["forward_share_spread"] = _median_spread(
        [r["checkpoint"]["forward_share"] for r in runs])
    for i, row in enumerate(out["rows"]):
        rows = [r["checkpoint"]["rows"][i] for r in runs]
        assert all(r["stored_peak_bytes"] == row["stored_peak_bytes"] for r in rows)
        row["time_ratio"], row["time_ratio_spread"] = _median_spread([r["time_ratio"] for r in rows])
        row["traced_peak_bytes"] = int(np.median([r["traced_peak_bytes"] for r in rows]))
        for key in ("faults_per_call", "plain_faults_per_call"):
            row[key] = float(np.median([r[key] for r in rows]))
    return out


def children(part: str, env: dict[str, str]) -> list[dict]:
    """``PROCESSES`` fresh processes (no run inherits another's allocator state), with the malloc
    settings ``env`` (``{}``: glibc's defaults)."""
    base = {k: v for k, v in os.environ.items() if k not in KEEP_MEMORY}
    runs = []
    for _ in range(PROCESSES):
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_hvp_checkpoint", "--child", part],
                             capture_output=True, text=True, check=True, env={**base, **env},
                             cwd=Path(__file__).resolve().parent.parent)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def main(write: bool = False) -> None:
    hvp_rows = combine_hvp(children("hvp", KEEP_MEMORY))
    checkpoint = combine_checkpoint(children("checkpoint", KEEP_MEMORY))
    default = combine_checkpoint(children("checkpoint", {}))
    checkpoint["default_malloc"] = {
        "forward_share": default["forward_share"],
        "rows": [{k: r[k] for k in ("segment", "time_ratio", "faults_per_call",
                                    "plain_faults_per_call")} for r in default["rows"]]}
    print(f"{'n_params':>9} {'R-op HVP / gradient':>20} {'graph HVP / gradient':>21} {'counted':>8}")
    for r in hvp_rows:
        print(f"{r['n_params']:>9,d} {r['ratio_rop']:>20.2f} {r['ratio_graph']:>21.2f} "
              f"{r['counted_ratio']:>8.2f}")
    print(f"\ncheckpointing, L = {DEPTH}, width {WIDTH}, m = {BATCH}: forward / gradient time "
          f"{checkpoint['forward_share']:.2f}")
    print(f"{'k':>3} {'time / plain':>13} {'spread':>12} {'recomputed':>11} {'traced peak MB':>15}"
          f" {'default malloc: time / plain':>29} {'faults per call, plain':>23}")
    for r, d in zip(checkpoint["rows"], checkpoint["default_malloc"]["rows"]):
        lo, hi = r["time_ratio_spread"]
        print(f"{r['segment']:>3} {r['time_ratio']:>13.2f} {lo:>6.2f}-{hi:<5.2f} "
              f"{r['recomputed_layers']:>11} {r['traced_peak_bytes'] / 1e6:>15.1f} "
              f"{d['time_ratio']:>29.2f} {d['faults_per_call']:>11.0f}, {d['plain_faults_per_call']:.0f}")
    print(f"plain gradient: traced peak {checkpoint['plain_traced_peak_bytes'] / 1e6:.1f} MB")
    if not write:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "description": "Hessian-vector product time / gradient time, and checkpointing's recompute "
                       "overhead; CPU time, one BLAS thread, medians of interleaved rounds and of "
                       f"{PROCESSES} processes; malloc keeps its memory ({KEEP_MEMORY}) except in "
                       "checkpoint.default_malloc",
        "env": {"numpy": np.__version__, "python": platform.python_version(),
                "machine": platform.machine(), "blas_threads": 1, "rounds": ROUNDS,
                "processes": PROCESSES, "malloc": KEEP_MEMORY},
        "hvp": hvp_rows, "checkpoint": checkpoint}, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    if "--child" in sys.argv[1:]:
        print(json.dumps(measure(sys.argv[sys.argv.index("--child") + 1])))
    else:
        main(write="--write" in sys.argv[1:])
