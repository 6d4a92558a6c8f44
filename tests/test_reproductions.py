"""The stored multi-seed results match fresh runs, and the reproduction helpers behave.

A fresh run on another CPU differs from the stored one in the last bits (the BLAS picks its kernels
per CPU), so a run "matches" when the decisions agree exactly where they are robust (learned or not)
and the numbers agree within stated tolerances: sweep counts within SWEEP_BAND, the final loss to
LOSS_RTOL, the trained weights to WEIGHT_RTOL.
"""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.experiments import reproductions as R

SWEEP_BAND = 2       # sweeps: a crossing of the criterion can move by a sweep or two
LOSS_RTOL = 1e-6     # the stored final loss is rounded to 10 significant digits
WEIGHT_RTOL = 1e-10  # after 20,000 sweeps, seen to differ by 1 ulp across CPUs


def assert_run_matches(run: R.Run, stored: dict) -> None:
    assert run.seed == stored["seed"]
    for criterion, sweeps in stored["sweeps"].items():
        fresh = run.sweeps[criterion]
        assert (fresh is None) == (sweeps is None), f"{criterion}: learned {fresh}, stored {sweeps}"
        if sweeps is not None:
            assert abs(fresh - sweeps) <= SWEEP_BAND, f"{criterion}: {fresh} sweeps, stored {sweeps}"
    assert run.final_loss == pytest.approx(stored["final_loss"], rel=LOSS_RTOL)


@pytest.fixture(scope="module")
def xor_results():
    return R.load_results("xor")


@pytest.fixture(scope="module")
def symmetry_results():
    return R.load_results("symmetry")


@pytest.mark.parametrize("key, seed", [("skip/alpha=0.9", 0), ("skip/alpha=0.9", 17),
                                       ("2-2-1/alpha=0.9", 3), ("skip/alpha=0.0", 1)])
def test_xor_seeds_match_stored(xor_results, key, seed):
    kind, alpha = key.split("/alpha=")
    stored = xor_results["runs"][key][seed]
    run = R.run_xor(kind, seed, epsilon=xor_results["epsilon"], alpha=float(alpha),
                    max_sweeps=xor_results["max_sweeps"])
    assert_run_matches(run, stored)


def test_xor_results_cover_100_seeds(xor_results):
    assert set(xor_results["runs"]) == {"skip/alpha=0.9", "2-2-1/alpha=0.9", "skip/alpha=0.0",
                                        "2-2-1/alpha=0.0"}
    for runs in xor_results["runs"].values():
        assert [r["seed"] for r in runs] == list(range(100))


@pytest.mark.parametrize("seed", [1, 5])
def test_symmetry_seeds_match_stored(symmetry_results, seed):
    stored = symmetry_results["runs"][seed]
    run, net = R.run_symmetry(seed, max_sweeps=symmetry_results["max_sweeps"])
    assert_run_matches(run, stored)
    np.testing.assert_allclose(net.W[0], np.array(stored["W1"]), rtol=WEIGHT_RTOL, atol=1e-12)
    np.testing.assert_allclose(net.b[1], np.array(stored["b2"]), rtol=WEIGHT_RTOL, atol=1e-12)


def test_a_run_that_differs_does_not_match(symmetry_results):
    """The tolerant comparison still fails a run that learned differently."""
    stored = symmetry_results["runs"][1]
    sweeps = stored["sweeps"]["correct"]
    moved = R.Run(seed=1, sweeps={**stored["sweeps"], "correct": sweeps + SWEEP_BAND + 1},
                  final_loss=stored["final_loss"])
    with pytest.raises(AssertionError, match="correct"):
        assert_run_matches(moved, stored)
    stuck = R.Run(seed=1, sweeps={k: None for k in stored["sweeps"]}, final_loss=stored["final_loss"])
    with pytest.raises(AssertionError, match="learned None"):
        assert_run_matches(stuck, stored)
    off = R.Run(seed=1, sweeps=stored["sweeps"], final_loss=stored["final_loss"] * (1 + 1e-5))
    with pytest.raises(AssertionError):
        assert_run_matches(off, stored)


def test_paper_rate_equals_library_rate_times_m():
    """eta = m * epsilon: the library's step on the mean loss is the paper's step on the summed loss."""
    X, Y = bp.datasets.symmetry(6)
    net = R.symmetry_network(seed=0)
    m = X.shape[1]
    theta = net.get_params()

    def E(t):
        net.set_params(t)
        return m * net.loss(X, Y)

    dE = bp.numerical_gradient(E, theta.copy())
    net.set_params(theta)
    dC = net.loss_and_gradient(X, Y)[1].flat()
    np.testing.assert_allclose(m * dC, dE, rtol=1e-6, atol=1e-9)
    # one step of the paper's rule (epsilon on E) equals one Momentum step with eta = m epsilon
    opt = bp.Momentum(m * 0.1, 0.9)
    params = [p for pair in zip(net.W, net.b) for p in pair]
    grads = net.loss_and_gradient(X, Y)[1]
    opt.step(params, [g for pair in zip(grads.dW, grads.db) for g in pair])
    np.testing.assert_allclose(net.get_params(), theta - 0.1 * m * dC, rtol=0, atol=1e-13)


def test_criteria_met():
    X, Y = bp.datasets.xor()
    net = R.xor_network("2-2-1", seed=0)
    net.W[1][...] = 0.0
    net.b[1][...] = 0.0  # every output exactly 0.5: neither criterion
    assert R.criteria_met(net, X, Y) == {"correct": False, "within_0.1": False}


def test_summarise_counts_stuck_runs():
    s = R.summarise([10, None, 30, 20, None])
    assert s == {"runs": 5, "stuck": 2, "min": 10, "q1": 15.0, "median": 20.0, "q3": 25.0, "max": 30}
    assert R.summarise([None]) == {"runs": 1, "stuck": 1}


def test_symmetry_pattern_of_the_ideal_solution():
    w = np.array([1.0, 2.0, 4.0, -4.0, -2.0, -1.0])
    p = R.symmetry_pattern(np.vstack([w, -w]), np.array([-1.0, -1.0]), np.array([[-9.0, -9.0]]),
                           np.array([6.0]))
    assert p["mirror"] == 0 and p["opposite"] == 0 and p["bias_gap"] == 0
    assert p["ratio_mid"] == 2 and p["ratio_big"] == 4
    assert p["hidden_bias_negative"] and p["output_bias_positive"] and p["output_weights_negative"]
    q = R.symmetry_pattern(np.vstack([w, w]), np.array([-1.0, 1.0]), np.array([[1.0, -9.0]]),
                           np.array([-6.0]))
    assert q["opposite"] == pytest.approx(2.0) and not q["hidden_bias_negative"]


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown XOR network 'x'; valid kinds are"):
        R.xor_network("x", 0)
    with pytest.raises(ValueError, match="unknown results 'mnist'"):
        R.load_results("mnist")
    with pytest.raises(ValueError, match=r"expected shapes \(2, 6\)"):
        R.symmetry_pattern(np.zeros((6, 2)), np.zeros(2), np.zeros((1, 2)), np.zeros(1))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="2-D weight matrix"):
        R.hinton(ax, np.zeros(3))
    R.hinton(ax, np.array([[1.0, -0.5]]))
    assert len(ax.patches) == 2
    assert ax.patches[0].get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


def test_load_results_from_beside_the_chapters(tmp_path, monkeypatch):
    """An installed package has no checkout around it (live mode in the browser): the results are then
    found beside the chapters' folder, the working directory of a chapter."""
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "xor.json").write_text('{"from": "beside the chapters"}')
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    monkeypatch.setattr(R, "__file__", str(tmp_path / "site-packages" / "backproplib" / "reproductions.py"))
    assert R.load_results("xor") == {"from": "beside the chapters"}
    with pytest.raises(FileNotFoundError, match="symmetry.json is missing"):
        R.load_results("symmetry")
