"""The stored runs of chapters 19 and 20 (benchmarks/results/adding.json, convnet_digits.json)
match fresh runs of a few of their settings: decisions exactly, numbers within stated tolerances
(another CPU's BLAS rounds differently, and training amplifies the last bits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backproplib.experiments import digits_models as D
from backproplib.experiments import sequence_runs as S

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def stored(name):
    return json.loads((RESULTS / f"{name}.json").read_text())


def test_adding_settings_are_the_stored_ones():
    data = stored("adding")
    assert data["settings"] == S.ADDING and data["baseline"] == pytest.approx(1 / 12)
    assert len(data["runs"]) == len(data["lengths"]) * 2 * data["seeds"]


def test_an_adding_run_matches_the_stored_one():
    run = next(r for r in stored("adding")["runs"]
               if r["T"] == 10 and r["seed"] == 0 and r["truncate"] is None)
    fresh = S.run_adding(10, 0)
    assert (fresh["test_ratio"] < 0.2) == (run["test_ratio"] < 0.2)  # solved, well below 1/12
    assert fresh["test_ratio"] == pytest.approx(run["test_ratio"], rel=0.02)
    assert fresh["train_loss"][:3] == pytest.approx(run["train_loss"][:3], rel=1e-6)


def test_the_digits_comparison_is_stored_for_every_model_and_seed():
    data = stored("convnet_digits")
    assert data["models"] == D.MODELS and data["n_validation"] == D.N_VALIDATION
    for name, runs in data["runs"].items():
        assert [r["seed"] for r in runs] == list(range(data["seeds"]))
        assert all(len(r["val_acc"]) == D.MODELS[name]["epochs"] for r in runs)
        assert 1 <= D.chosen_epochs(runs) <= D.MODELS[name]["epochs"]


@pytest.mark.parametrize("name", ["dense 64-64-10", "conv 8 channels"])
def test_the_first_epoch_of_a_digits_run_matches_the_stored_one(name):
    run = stored("convnet_digits")["runs"][name][0]
    fresh = D.run_digits(name, 0, epochs=1)
    assert fresh["n_params"] == run["n_params"]
    # within two validation images (of 300) and two test images (of 450)
    assert fresh["val_acc"] == pytest.approx(run["val_acc"][:1], abs=2 / 300 + 1e-12)
    assert fresh["test_acc"] == pytest.approx(run["test_acc"][:1], abs=2 / 450 + 1e-12)


def test_validation_split_and_unknown_model():
    X, y, Xv, yv = D.validation_split()
    assert Xv.shape == (64, D.N_VALIDATION) and X.shape[1] + Xv.shape[1] == 1347
    with pytest.raises(ValueError, match="unknown model 'lenet'"):
        D.make_model("lenet", 0)
