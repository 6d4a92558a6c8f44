"""A small ConvNet against the dense network of chapter 15 on the 8x8 digits, over seeds.

Each model of :data:`backproplib.experiments.digits_models.MODELS` is trained from :data:`SEEDS`
seeds on the training part less a validation set; the validation accuracy after every epoch
chooses each model's number of epochs, and the test accuracy is read at that epoch only. With
``--write`` the runs are stored in ``benchmarks/results/convnet_digits.json``, which chapter 20
reads (re-execute it afterwards); ``tests/test_architecture_results.py`` re-runs a few epochs.

    python -m benchmarks.bench_convnet_digits            # run and print the summary
    python -m benchmarks.bench_convnet_digits --write    # and rewrite the stored results
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from backproplib.datasets import digits
from backproplib.experiments.digits_models import MODELS, N_VALIDATION, chosen_epochs, run_digits

RESULTS = Path(__file__).resolve().parent / "results" / "convnet_digits.json"
SEEDS = 5


def main(write: bool = False) -> None:
    split = digits()
    runs: dict[str, list] = {}
    with threadpool_limits(limits=1):
        for name in MODELS:
            runs[name] = [run_digits(name, seed, split=split) for seed in range(SEEDS)]
            E = chosen_epochs(runs[name])
            test = [r["test_acc"][E - 1] for r in runs[name]]
            print(f"{name:<16} {runs[name][0]['n_params']:>5} parameters, {E:>2} epochs chosen on "
                  f"validation, test accuracy {np.mean(test):.4f} (per seed "
                  f"{np.round(test, 4).tolist()})", flush=True)
    if write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"models": MODELS, "n_validation": N_VALIDATION,
                                       "seeds": SEEDS, "runs": runs}, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(write="--write" in sys.argv[1:])
