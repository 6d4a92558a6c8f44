"""Loss surfaces, their gradients and the explorer's descent, checked against independent references.

Warnings are errors in this module: divergence must be reported in words, never as a NumPy warning.
"""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib import surfaces as S
from backproplib.teaching.explorer import MAX_STEPS, Explorer, describe

pytestmark = pytest.mark.filterwarnings("error")

LOSSES = ["half_squared_error", "squared_error"]


# ------------------------------------------------------------------ surfaces and gradients
def problems():
    return [
        S.Parabola(t=0.7, loss="half_squared_error"),
        S.Parabola(t=-1.3, loss="squared_error"),
        S.parabolic_cylinder(),
        S.parabolic_cylinder(loss="squared_error"),
        S.parabolic_cylinder(-0.5, 2.0, -1.5),
        S.bowl(),
        S.bowl([(1.0, 2.0, -1.0), (-3.0, 0.5, 2.0), (0.2, -0.4, 0.0)], loss="squared_error"),
        S.NetworkSlice(),
        S.NetworkSlice(i="W^1[0, 0]", j="b^2[0]", loss="squared_error"),
    ]


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_gradient_matches_central_differences(problem):
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = rng.uniform(-2, 2, size=problem.n_params)
        numeric = bp.numerical_gradient(lambda v: problem.loss_at(v), w)
        np.testing.assert_allclose(problem.gradient(w), numeric, rtol=1e-7, atol=1e-9)


def _autograd_loss(problem):
    """The same loss written again, independently, in autograd.numpy."""
    if isinstance(problem, S.Parabola):
        return lambda w: problem.c * (problem.t - w[0]) ** 2
    if isinstance(problem, S.LinearNeuron):
        return lambda w: problem.c * anp.mean((problem.T - (w[0] * problem.X[0] + w[1] * problem.X[1])) ** 2)

    def xor_loss(w):
        theta = anp.array([w[list(problem.index).index(k)] if k in problem.index else problem.theta[k]
                           for k in range(problem.theta.size)])
        W1, b1, W2, b2 = theta[:4].reshape(2, 2), theta[4:6], theta[6:8].reshape(1, 2), theta[8:]
        sig = lambda z: 1 / (1 + anp.exp(-z))  # noqa: E731
        y = sig(anp.dot(W2, sig(anp.dot(W1, problem.X) + b1[:, None])) + b2[:, None])
        return problem.c * anp.mean(anp.sum((y - problem.Y) ** 2, axis=0))

    return xor_loss


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_loss_and_gradient_match_autograd(problem):
    f = _autograd_loss(problem)
    rng = np.random.default_rng(2)
    for _ in range(5):
        w = rng.uniform(-3, 3, size=problem.n_params)
        assert problem.loss_at(w) == pytest.approx(float(f(w)), rel=1e-12, abs=1e-15)
        np.testing.assert_allclose(problem.gradient(w), autograd.grad(f)(w), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_grid_is_the_pointwise_loss(problem):
    out = problem.grid(size=7)
    E = out[-1]
    assert E.shape == ((7, 7) if problem.n_params == 2 else (7,))
    points = np.stack([a.ravel() for a in out[:-1]], axis=1)
    pointwise = np.array([problem.loss_at(p) for p in points])
    np.testing.assert_allclose(E.ravel(), pointwise, rtol=1e-13, atol=1e-15)


def test_network_slice_agrees_with_the_library_network():
    p = S.NetworkSlice()
    net = bp.Network([2, 2, 1], activations="logistic")
    net.set_params(S.XOR_WEIGHTS)
    X, Y = bp.datasets.xor()
    assert p.loss_at(S.XOR_WEIGHTS[[6, 7]]) == pytest.approx(net.loss(X, Y), rel=1e-14)
    _, grads = net.loss_and_gradient(X, Y)
    np.testing.assert_allclose(p.gradient(S.XOR_WEIGHTS[[6, 7]]), grads.flat()[[6, 7]], rtol=1e-14)
    assert net.loss(X, Y) < 0.01  # the fixed weights really solve XOR


def test_cylinder_is_w1_plus_w2_squared():
    W1, W2, E = S.parabolic_cylinder(loss="squared_error").grid(size=9)
    np.testing.assert_allclose(E, (W1 + W2) ** 2, rtol=1e-14, atol=1e-15)
    W1, W2, E = S.parabolic_cylinder().grid(size=9)
    np.testing.assert_allclose(E, 0.5 * (W1 + W2) ** 2, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("x1, x2", [(1.0, 1.0), (2.0, -0.5), (-1.0, 3.0)])
def test_stability_bound_of_one_case(x1, x2):
    half = S.parabolic_cylinder(x1, x2, 0.0).stability_bound()
    full = S.parabolic_cylinder(x1, x2, 0.0, loss="squared_error").stability_bound()
    assert half == pytest.approx(2 / (x1**2 + x2**2), rel=1e-12)
    assert full == pytest.approx(1 / (x1**2 + x2**2), rel=1e-12)


def test_hessian_matches_differences_of_the_gradient():
    p = S.bowl([(1.0, 2.0, -1.0), (-3.0, 0.5, 2.0)])
    H = np.stack([bp.numerical_gradient(lambda v, i=i: p.gradient(v)[i], np.array([0.3, -0.2]))
                  for i in range(2)])
    np.testing.assert_allclose(p.hessian(), H, rtol=1e-7)
    assert S.NetworkSlice().stability_bound() is None


# ------------------------------------------------------------------ the explorer's descent
def test_small_learning_rate_converges_to_the_line_w1_equals_minus_w2():
    e = Explorer("cylinder", start=(1.5, 0.5), eta=0.1, steps=MAX_STEPS)
    w = e.position
    assert w[0] + w[1] == pytest.approx(0.0, abs=1e-12)
    # the gradient is parallel to (1, 1), so w1 - w2 never changes: the foot of the perpendicular
    np.testing.assert_allclose(w, [0.5, -0.5], atol=1e-12)
    assert e.losses[-1] < 1e-20
    assert np.all(np.diff(e.losses) <= 0)
    assert e.status.startswith("Converged")


@pytest.mark.parametrize("loss, bound", [("half_squared_error", 1.0), ("squared_error", 0.5)])
def test_at_the_bound_it_oscillates_without_converging(loss, bound):
    e = Explorer("cylinder", start=(1.5, 0.5), eta=bound, steps=40, loss=loss)
    assert e.surface.stability_bound() == bound
    np.testing.assert_allclose(e.trajectory[::2], np.tile([1.5, 0.5], (21, 1)), atol=1e-12)
    np.testing.assert_allclose(e.trajectory[1::2], np.tile([-0.5, -1.5], (20, 1)), atol=1e-12)
    np.testing.assert_allclose(e.losses, e.losses[0], rtol=1e-12)
    assert e.status.startswith("Oscillating")


@pytest.mark.parametrize("loss, bound", [("half_squared_error", 1.0), ("squared_error", 0.5)])
def test_just_below_and_above_the_bound(loss, bound):
    below = Explorer("cylinder", start=(1.5, 0.5), eta=0.95 * bound, steps=MAX_STEPS, loss=loss)
    assert below.losses[-1] < 1e-12 * below.losses[0]
    above = Explorer("cylinder", start=(1.5, 0.5), eta=1.05 * bound, steps=40, loss=loss)
    growth = 1.1**2  # |1 - eta lambda| = 1.1 per step, squared in the loss
    assert above.losses[-1] == pytest.approx(above.losses[0] * growth**40, rel=1e-9)
    assert above.status.startswith("Diverging")


@pytest.mark.parametrize("eta", [3.0, 1e3, 1e100, 1e300])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_divergence_is_reported_not_raised(eta, optimizer):
    e = Explorer("cylinder", eta=eta, steps=MAX_STEPS, optimizer=optimizer)
    assert e.status.startswith("Diverg")
    assert "too large" in e.status or "overshoot" in e.status
    assert np.all(np.isfinite(e.trajectory)) and np.all(np.isfinite(e.losses))
    e.step()  # nothing happens after an overflow, and nothing is raised
    assert e.status.startswith("Diverg")
    data = e.figure_data()
    assert np.all(np.isfinite(data["trajectory"]))


def test_huge_learning_rate_overflows_at_a_reported_step():
    e = Explorer("cylinder", eta=1e300, steps=10)  # the first step already leaves the float range
    assert e.diverged_at == 1 and len(e.losses) == 1 and "step 1" in e.status
    e = Explorer("cylinder", eta=1e100, steps=10)  # |w| ~ 4e100 after one step, ~1e201 after two
    assert e.diverged_at == 2 and len(e.losses) == 2 and "step 2" in e.status


def test_learning_rate_zero_moves_nothing():
    for name in S.PROBLEMS:
        e = Explorer(name, eta=0.0, steps=MAX_STEPS)
        assert np.all(e.trajectory == e.trajectory[0])
        assert e.status.startswith("Nothing moves")


def test_negative_entries_and_slider_maximum():
    e = Explorer("bowl", start=(-2.0, -1.5), eta=0.2, steps=MAX_STEPS,
                   cases=[(-1.0, 2.0, -3.0), (2.5, -0.5, 1.0)])
    w_star = np.linalg.solve(np.array([[-1.0, 2.0], [2.5, -0.5]]), np.array([-3.0, 1.0]))
    np.testing.assert_allclose(e.position, w_star, atol=1e-10)
    assert e.trajectory.shape == (MAX_STEPS + 1, 2)
    p = Explorer("parabola", start=[-2.5], eta=1.0, cases=[(0.0, 0.0, -1.25)], steps=1)
    np.testing.assert_allclose(p.position, [-1.25])  # eta = 1/(2c) = 1 jumps straight to y = t


def test_step_by_step_equals_a_full_run():
    for optimizer in ["sgd", "momentum", "adam"]:
        full = Explorer("bowl", eta=0.2, steps=15, optimizer=optimizer)
        stepped = Explorer("bowl", eta=0.2, steps=0, optimizer=optimizer)
        for _ in range(15):
            stepped.step()
        np.testing.assert_allclose(stepped.trajectory, full.trajectory, rtol=1e-15)
        np.testing.assert_allclose(stepped.losses, full.losses, rtol=1e-15)


def test_momentum_follows_the_1986_rule():
    e = Explorer("bowl", start=(1.5, 0.5), eta=0.1, alpha=0.8, steps=10, optimizer="momentum")
    w, dw = np.array([1.5, 0.5]), np.zeros(2)
    for k in range(10):
        dw = -0.1 * e.surface.gradient(w) + 0.8 * dw  # Delta w(t) = -eta dE/dw + alpha Delta w(t-1)
        w = w + dw
        np.testing.assert_allclose(e.trajectory[k + 1], w, rtol=1e-14)


def test_adam_first_step_has_length_eta_per_coordinate():
    e = Explorer("bowl", start=(1.5, 0.5), eta=0.05, steps=1, optimizer="adam")
    g = e.surface.gradient(np.array([1.5, 0.5]))
    np.testing.assert_allclose(e.trajectory[1] - e.trajectory[0], -0.05 * np.sign(g), rtol=1e-6)


def test_step_changes_trajectory_loss_and_figure_data_as_the_equations_say():
    e = Explorer("cylinder", start=(1.0, 2.0), eta=0.25, steps=0)
    before = e.figure_data()
    assert before["trajectory"].shape == (1, 2)
    np.testing.assert_allclose(before["arrow"], -0.25 * np.array([3.0, 3.0]))  # -eta (w1 + w2)(1, 1)
    e.step()
    after = e.figure_data()
    np.testing.assert_allclose(after["point"], [1.0 - 0.75, 2.0 - 0.75])
    assert after["losses"][-1] == pytest.approx(0.5 * 1.5**2)
    assert after["losses"][0] == pytest.approx(0.5 * 3.0**2)
    np.testing.assert_allclose(after["gradient"], [1.5, 1.5])
    assert "step 1:" in e.readout()
    e.reset()
    assert e.trajectory.shape == (1, 2) and e.status.startswith("Start")


def test_changing_controls_reruns():
    e = Explorer("cylinder", eta=0.1, steps=5)
    first = e.losses.copy()
    e.eta = 0.3
    assert not np.allclose(e.losses, first)
    e.cases = [(2.0, 0.0, 1.0)]
    assert e.surface.X[0, 0] == 2.0 and e.surface.T[0] == 1.0
    e.problem = "parabola"  # a problem with one parameter: the two-number start is dropped
    assert e.trajectory.shape[1] == 1 and e.surface.t == 1.0
    e.set(problem="xor", optimizer="adam", eta=0.5, steps=3)
    assert e.trajectory.shape == (4, 2)
    assert e.figure_data()["grid"][0].shape == (e.grid_size, e.grid_size)


@pytest.mark.parametrize("controls, error, match", [
    ({"eta": -0.1}, ValueError, "eta must be >= 0"),
    ({"eta": float("nan")}, ValueError, "eta must be finite"),
    ({"eta": "fast"}, TypeError, "eta must be a number"),
    ({"steps": MAX_STEPS + 1}, ValueError, "steps must be in 0..200"),
    ({"steps": 2.5}, TypeError, "steps must be an int"),
    ({"optimizer": "lbfgs"}, ValueError, "unknown optimizer 'lbfgs'"),
    ({"problem": "saddle"}, ValueError, "unknown problem 'saddle'"),
    ({"alpha": 1.0}, ValueError, r"alpha must be in \[0, 1\)"),
    ({"start": (1.0, 2.0, 3.0)}, ValueError, "start has 3 numbers"),
    ({"start": (1.0, float("inf"))}, ValueError, "finite"),
    ({"cases": [(1.0, 2.0)]}, ValueError, r"case 0 must be a triple \(x1, x2, t\)"),
    ({"cases": []}, ValueError, "at least one"),
    ({"cases": [(1.0, "a", 0.0)]}, TypeError, "case 0, x2 must be a number"),
    ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
    ({"speed": 3}, ValueError, r"unknown controls \['speed'\]"),
])
def test_bad_controls_raise_clear_errors(controls, error, match):
    e = Explorer("cylinder")
    with pytest.raises(error, match=match):
        e.set(**controls)


def test_bad_problem_arguments():
    with pytest.raises(ValueError, match="the bowl needs at least two cases"):
        S.make_problem("bowl", cases=[(1.0, 1.0, 0.0)])
    with pytest.raises(ValueError, match="unknown parameter 'W\\^3\\[0, 0\\]'"):
        S.NetworkSlice(i="W^3[0, 0]")
    with pytest.raises(ValueError, match="must differ"):
        S.NetworkSlice(i=6, j="W^2[0, 0]")
    with pytest.raises(ValueError, match=r"has shape \(2,\) \(w_1, w_2\), got shape \(3,\)"):
        S.parabolic_cylinder().gradient(np.zeros(3))
    with pytest.raises(ValueError, match="grid size must be an int >= 2"):
        S.bowl().grid(size=1)


def test_status_shows_rounding_level_numbers_as_bounds():
    """A loss of 5e-9 after 20 steps differs in its digits from CPU to CPU: the status says 'below'."""

    losses = np.array([4.0, 1.0, 5.347e-9])
    traj = np.array([[1.5, 0.5], [1.0, 0.0], [0.5, -0.5]])
    status = describe(losses, traj, grad_norm=1e-4, eta=0.1, diverged_at=None)
    assert status == "Descending: the loss fell from 4 to below 1e-08 in 2 steps."
    converged = describe(losses, traj, grad_norm=3e-10, eta=0.1, diverged_at=None)
    assert "below 1e-08" in converged and "e-09" not in converged and "e-10" not in converged


def test_status_states_the_curvature_facts_of_a_quadratic_surface():
    e = Explorer("bowl", eta=0.3, steps=12)
    lam = np.linalg.eigvalsh(e.surface.hessian())
    assert f"λ_max = {lam.max():.3g}" in e.status
    assert f"2/λ_max = {2 / lam.max():.3g}" in e.status
    for v in lam:
        assert f"{abs(1 - 0.3 * v):.3g} (λ = {v:.3g})" in e.status
    flat = Explorer("cylinder", eta=0.1, steps=20)
    assert "1 (λ = 0)" in flat.status  # the flat direction is 0, not a rounding-level 1e-17


def test_status_on_the_xor_plateau_blames_saturation_not_the_learning_rate():
    e = Explorer("xor", start=(-4, -4), eta=20.0, steps=50)
    assert e.status.startswith("On a plateau") and "saturated" in e.status
    assert "larger learning rate would help" not in e.status and "more steps would help" not in e.status


def test_status_counts_one_step_in_the_singular():
    e = Explorer("parabola", eta=0.5, steps=1)
    assert "in 1 step." in e.status and "1 steps" not in e.status
