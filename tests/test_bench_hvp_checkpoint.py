"""The stored results of benchmarks/bench_hvp_checkpoint.py, which chapters 21 and 22 quote: their
structure, the counts and bytes re-computed now (exactly), and the measured times against the models
(with stated tolerances: they are timings of one machine)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import backproplib as bp
from backproplib.autodiff import checkpoint as ck
from backproplib.experiments.hvp_cost import hvp_costs

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads((ROOT / "benchmarks" / "results" / "hvp_checkpoint.json").read_text())


def test_structure():
    assert set(DATA) >= {"description", "env", "hvp", "checkpoint"}
    assert DATA["env"]["blas_threads"] == 1 and DATA["env"]["processes"] >= 3
    params = [row["n_params"] for row in DATA["hvp"]]
    assert params == sorted(params) and params[-1] > 500_000
    cp = DATA["checkpoint"]
    assert [r["segment"] for r in cp["rows"]] == [1, 2, 4, 8, 16, 32, 64] == [
        r["segment"] for r in cp["default_malloc"]["rows"]]
    assert cp["depth"] == 64 and 0 < cp["forward_share"] < 1


def test_hvp_counts_are_reproduced_and_the_timed_ratios_are_a_small_constant():
    small = DATA["hvp"][0]
    again = hvp_costs(small["sizes"], small["m"])
    assert again == small["counts"] and again["ratio"] == small["counted_ratio"]
    for row in DATA["hvp"]:
        assert 2.5 < row["counted_ratio"] < 3.0
        lo, hi = row["ratio_rop_spread"]
        assert lo <= row["ratio_rop"] <= hi
        assert 1.5 < row["ratio_rop"] < 4.0  # a constant number of gradients, at every size
        assert row["ratio_graph"] > 1.5


def test_checkpoint_bytes_are_reproduced_and_fall_as_predicted():
    cp = DATA["checkpoint"]
    L, n, m = cp["depth"], cp["width"], cp["m"]
    sizes = [n] * (L + 1)
    for row in cp["rows"]:
        k = row["segment"]
        assert row["stored_peak_bytes"] == ck.predicted_peak_bytes(sizes, m, k)
        assert row["recomputed_layers"] == ck.segment_bounds(L, k)[-2]
        model = ck.predicted_peak_bytes(sizes, m, k, working=True)
        assert abs(row["traced_peak_bytes"] - model) < 0.05 * model, k
    traced = {r["segment"]: r["traced_peak_bytes"] for r in cp["rows"]}
    assert traced[8] < traced[64] / 4 and min(traced, key=traced.get) in (2, 4)
    # one measurement again, now: tracemalloc's bytes do not depend on the machine's load
    net = bp.Network(sizes, activations="tanh", seed=0)
    r = np.random.default_rng(0)
    X, Y = r.normal(size=(n, m)), r.normal(size=(n, m))
    (_, stats), now = ck.traced_peak_bytes(ck.checkpointed_gradients, net, X, Y, 32)
    assert abs(now - traced[32]) < 0.01 * traced[32]


def test_checkpoint_times_follow_the_recompute_model():
    cp = DATA["checkpoint"]
    share, L = cp["forward_share"], cp["depth"]
    for row in cp["rows"]:
        model = 1 + share * row["recomputed_layers"] / L
        assert abs(row["time_ratio"] - model) < 0.15, row["segment"]
    by_k = {r["segment"]: r["time_ratio"] for r in cp["rows"]}
    assert abs(by_k[64] - 1) < 0.1 and by_k[1] > by_k[32] > by_k[64]
