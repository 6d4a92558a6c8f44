"""The validation split, early stopping on it, the learning-rule runs, and the stored benchmark
results that chapters 23 and 24 read (a small subset re-run, compared with stated tolerances)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures.feedback_alignment import FeedbackAlignmentNetwork
from backproplib.experiments.holdout import fit_with_validation, validation_split
from backproplib.experiments.learning_rules import RULES, make_network, run_rule

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def test_validation_split_is_stratified_and_disjoint():
    X = np.arange(40.0).reshape(2, 20)
    y = np.repeat(np.arange(4), 5)
    h = validation_split(X, y, fraction=0.4, seed=3)
    assert h.X_fit.shape == (2, 12) and h.X_val.shape == (2, 8)
    assert np.bincount(h.y_val).tolist() == [2, 2, 2, 2]
    seen = np.concatenate([h.X_fit[0], h.X_val[0]])
    assert sorted(seen.tolist()) == X[0].tolist()  # every example once
    np.testing.assert_array_equal(h.y_fit, y[np.isin(X[0], h.X_fit[0])])
    assert not np.array_equal(validation_split(X, y, 0.4, seed=4).X_val, h.X_val)


@pytest.mark.parametrize("args, msg", [((np.zeros(3), np.zeros(3, int)), "2-D"),
                                       ((np.zeros((2, 3)), np.zeros(2, int)), r"shape \(3,\)"),
                                       ((np.zeros((2, 3)), np.zeros(3)), "integer labels"),
                                       ((np.zeros((2, 3)), np.zeros(3, int), 1.5), r"\(0, 1\)"),
                                       ((np.zeros((2, 3)), np.zeros(3, int), 0.01), "empty")])
def test_validation_split_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        validation_split(*args)


def test_fit_with_validation_keeps_the_best_epoch_and_records_measures():
    r = np.random.default_rng(0)
    X, y = r.normal(size=(4, 60)), r.integers(0, 3, size=60)
    data = validation_split(X, y, 0.3, seed=0)
    net = bp.Network([4, 8, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)
    run = fit_with_validation(net, data, 8, bp.SGD(2.0), 8, seed=0,
                              measure=lambda n: {"norm": float(np.linalg.norm(n.W[0]))})
    assert len(run.val_accuracy) == 9 and len(run.measures["norm"]) == 9
    assert run.best_epoch == int(np.argmax(run.val_accuracy))
    kept = float(np.mean(net.predict(data.X_val).argmax(axis=0) == data.y_val))
    assert kept == run.val_accuracy[run.best_epoch]
    assert run.measures["norm"][run.best_epoch] == pytest.approx(np.linalg.norm(net.W[0]))
    with pytest.raises(TypeError, match="Holdout"):
        fit_with_validation(net, (X, y), 1, bp.SGD(0.1))


def test_make_network_builds_each_rule():
    kinds = {rule: make_network(rule, [4, 3, 2], seed=0) for rule in RULES}
    assert isinstance(kinds["feedback_alignment"], FeedbackAlignmentNetwork)
    assert [f.name for f in kinds["straight_through"].activations] == ["straight_through", "softmax"]
    assert [f.name for f in kinds["threshold"].activations] == ["threshold", "softmax"]
    for rule in RULES:  # the same initial forward weights for every rule
        np.testing.assert_array_equal(kinds[rule].W[0], kinds["backpropagation"].W[0])
    with pytest.raises(ValueError, match="unknown learning rule 'hebb'; valid rules are"):
        make_network("hebb")


@pytest.fixture(scope="module")
def digits_holdout():
    d = bp.datasets.digits()
    return d, validation_split(d.X_train, d.y_train, fraction=0.2, seed=0)


def test_stored_learning_rule_runs_are_reproduced(digits_holdout):
    """Re-run the first three epochs of seed 0 at the chosen learning rate (every rule's
    curve starts the same way whatever the number of epochs) and compare with the file."""
    d, data = digits_holdout
    stored = json.loads((RESULTS / "biological.json").read_text())
    assert (stored["validation"], stored["sizes"]) == ({"fraction": 0.2, "seed": 0}, [64, 64, 10])
    for rule in ("backpropagation", "feedback_alignment"):
        eta = stored["chosen_eta"][rule]
        want = next(r for r in stored["runs"]
                    if r["rule"] == rule and r["eta"] == eta and r["seed"] == 0)
        got = run_rule(rule, data, d.X_test, d.y_test, 3, eta, stored["sizes"],
                       stored["batch_size"], seed=0)
        # accuracies within 3 of 269 validation images, angles within half a degree
        np.testing.assert_allclose(got.val_accuracy, want["val_accuracy"][:4], atol=0.012)
        np.testing.assert_allclose(got.update_angle, want["update_angle"][:4], atol=0.5)
        np.testing.assert_allclose(got.feedback_angle, want["feedback_angle"][:4], atol=0.5)
    fa = [r for r in stored["runs"] if r["rule"] == "feedback_alignment"]
    assert all(r["update_angle"][-1] < 90 for r in fa)  # the robust claim: a descent direction


def test_stored_fgsm_curve_of_seed_0_is_reproduced():
    from backproplib.experiments import input_gradients as ig
    from benchmarks.bench_input_gradients import EPSILONS, trained_network

    stored = json.loads((RESULTS / "input_gradients.json").read_text())
    want = next(r for r in stored["seeds"] if r["seed"] == 0)
    assert stored["epsilons"] == EPSILONS
    net, info = trained_network(0, stored["epochs"])
    d = bp.datasets.digits()
    c = ig.attack_curve(net, d.X_test, d.y_test, EPSILONS, seed=0)
    # within 4 of the 450 test images at every epsilon; the kept epoch may move by one
    np.testing.assert_allclose(c.fgsm, want["fgsm"], atol=0.009)
    np.testing.assert_allclose(c.random, want["random"], atol=0.009)
    assert abs(info["best_epoch"] - want["best_epoch"]) <= 1
    if info["best_epoch"] == want["best_epoch"]:  # the weights chapter 23 starts from
        np.testing.assert_allclose(net.get_params(), stored["params_seed_0"], atol=1e-7)
    assert all(f <= r for f, r in zip(c.fgsm, c.random))  # the gradient's signs hurt more
