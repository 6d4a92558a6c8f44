"""The adding problem over sequence lengths, by full and truncated BPTT, over several seeds.

Chapter 19 trains one RNN in front of the reader; this script runs every setting of
:data:`backproplib.experiments.sequence_runs.ADDING` for ``T`` in :data:`LENGTHS`, full BPTT and
BPTT truncated to :data:`TRUNCATE` steps, :data:`SEEDS` seeds each (a few minutes). With ``--write``
it stores them in ``benchmarks/results/adding.json``, which the chapter reads (re-execute the
chapter afterwards); ``tests/test_architecture_results.py`` re-runs one stored seed.

    python -m benchmarks.bench_adding            # run and print the summary
    python -m benchmarks.bench_adding --write    # and rewrite the stored results
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from backproplib.experiments.sequence_runs import ADDING, BASELINE, run_adding

RESULTS = Path(__file__).resolve().parent / "results" / "adding.json"
LENGTHS = (10, 20, 40)
TRUNCATE = 5
SEEDS = 5


def main(write: bool = False) -> None:
    runs = []
    with threadpool_limits(limits=1):  # one BLAS thread: results and time do not depend on load
        for T in LENGTHS:
            for truncate in (None, TRUNCATE):
                ratios = []
                for seed in range(SEEDS):
                    r = run_adding(T, seed, truncate=truncate)
                    runs.append(r)
                    ratios.append(r["test_ratio"])
                label = "full BPTT" if truncate is None else f"truncated to {truncate}"
                print(f"T = {T:>3}, {label:<16} test loss / baseline: median "
                      f"{np.median(ratios):.3f}, per seed {np.round(ratios, 3).tolist()}",
                      flush=True)
    if write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"settings": ADDING, "baseline": BASELINE,
                                       "lengths": list(LENGTHS), "truncate": TRUNCATE,
                                       "seeds": SEEDS, "runs": runs}, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
