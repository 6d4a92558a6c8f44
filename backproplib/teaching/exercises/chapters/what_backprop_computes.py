"""Chapter 1, "What backpropagation computes": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....gradcheck import numerical_gradient
from ..registry import ExpressionExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-what-backprop-computes"

# ---------------------------------------------------------------- 1: count the forward passes
SIZES = (4, 3, 2)


def _n_weights(sizes=SIZES) -> int:
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def _n_biases(sizes=SIZES) -> int:
    return sum(sizes[1:])


register(NumberExercise(
    label="ex-what-1", title="Count the forward passes", chapter=CHAPTER,
    name="the number of calls of net.loss",
    expected=lambda: 4 * (_n_weights() + _n_biases()),
    hints=["bp.gradcheck uses Richardson's refinement: four loss evaluations per parameter, at "
           "theta +- eps and theta +- 2 eps.",
           lambda: f"A [4, 3, 2] network has {_n_weights()} weights and {_n_biases()} biases.",
           "Multiply the number of parameters by the evaluations each one needs."],
    misconceptions=[
        Misconception("central-only", "That is the count of plain central differences, two "
                      "evaluations per parameter; bp.gradcheck's Richardson extrapolation takes "
                      "four (theta +- eps and theta +- 2 eps).",
                      answer=lambda: 2 * (_n_weights() + _n_biases())),
        Misconception("no-biases", "You counted the weights only: the biases b^1 (3) and b^2 (2) "
                      "are parameters too, and each is checked like a weight.",
                      answer=lambda: 4 * _n_weights()),
        Misconception("extra-passes", "You added the forward pass of backpropagation's own "
                      "gradient and the pass that looks for kinks: they run the network, but not "
                      "through net.loss, so the counter does not see them (94 forward passes in "
                      "all, 92 calls of net.loss).",
                      answer=lambda: 4 * (_n_weights() + _n_biases()) + 2),
        Misconception("one-per-parameter", "That is one evaluation per parameter, but a "
                      "difference needs at least two values of the loss; bp.gradcheck's "
                      "Richardson extrapolation uses four per parameter.",
                      answer=lambda: _n_weights() + _n_biases()),
        Misconception("input-biases", "You gave the input layer biases too: only the units that "
                      "compute have one, the 3 hidden units and the 2 outputs, so there are "
                      "3 + 2 = 5 biases (23 parameters, four calls each).",
                      answer=lambda: 4 * (_n_weights() + sum(SIZES))),
    ]))


# ---------------------------------------------------------------- 2: the logistic derivative
def _phi():
    import sympy as sp

    z = sp.Symbol("z")
    return z, 1 / (1 + sp.exp(-z))


register(ExpressionExercise(
    label="ex-what-2", title="The logistic derivative by hand", chapter=CHAPTER,
    name="phi'(z)", expected=lambda: (lambda z, p: p * (1 - p))(*_phi()),
    hints=["Write phi(z) = (1 + e^{-z})^{-1} and use the chain rule: the outer power, then the "
           "inner exponential.",
           "The chain rule gives phi'(z) = e^{-z} / (1 + e^{-z})^2: two minus signs cancel.",
           "Split e^{-z}/(1 + e^{-z})^2 into 1/(1 + e^{-z}) times e^{-z}/(1 + e^{-z}), and write "
           "the second factor with phi."],
    misconceptions=[
        Misconception("no-square", "The square of (1 + e^{-z}) is missing: the derivative of "
                      "u^{-1} is -u^{-2} u'. What you wrote, e^{-z}/(1 + e^{-z}), is 1 - phi(z).",
                      answer=lambda: (lambda z, p: 1 - p)(*_phi())),
        Misconception("lost-a-minus", "The sign is flipped: the derivative of u^{-1} brings one "
                      "minus sign and the derivative of e^{-z} another, and the two cancel. "
                      "phi is increasing, so phi' > 0.",
                      answer=lambda: (lambda z, p: -p * (1 - p))(*_phi())),
        Misconception("forgot-1-minus", "phi'(z) is phi(z) times (1 - phi(z)), not phi(z) "
                      "alone: e^{-z}/(1 + e^{-z}) = 1 - phi(z) is the second factor.",
                      answer=lambda: _phi()[1]),
    ]))


# ---------------------------------------------------------------- 3: a central difference
def f_sin(x: np.ndarray) -> float:
    """The exercise's function, f(x) = sum_i sin(x_i) x_i^2."""
    return float(np.sum(np.sin(x) * x**2))


def f_quadratic(x: np.ndarray) -> float:
    """A second test function, f(x) = sum_i (i + 1) x_i^2 + x_0 x_{-1}, whose partial
    derivatives differ from entry to entry."""
    k = np.arange(1, x.size + 1)
    return float(np.sum(k * x**2) + x[0] * x[-1])


def _reference(f, x, eps=1e-6):
    return numerical_gradient(f, np.array(x, dtype=float), eps)


def _cd_cases() -> list[tuple]:
    r = np.random.default_rng(1)
    return [(f_sin, r.normal(size=4)),
            (f_sin, np.linspace(-2.0, 2.0, 5)),     # x_i = 0 included
            (f_quadratic, np.zeros(3)),             # the gradient is 0 at x = 0
            (f_quadratic, np.array([0.5, -1.5])),
            (f_sin, np.array([1.0]))]               # a single entry


def _eps_not_2eps(f, x, eps=1e-6):
    return 2 * _reference(f, x, eps)


def _wrong_order(f, x, eps=1e-6):
    return -_reference(f, x, eps)


def _forward(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x)) / eps
    return grad


def _all_at_once(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    d = (f(x + eps) - f(x - eps)) / (2 * eps)   # every entry moved together
    return np.full_like(x, d)


register(FunctionExercise(
    label="ex-what-3", title="Write a central difference", chapter=CHAPTER,
    reference=_reference, cases=_cd_cases, rtol=1e-6,
    hints=["Move one entry at a time: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), with e_i the "
           "i-th unit vector.",
           "For f(x) = sum_i sin(x_i) x_i^2 the exact partial derivative is "
           "cos(x_i) x_i^2 + 2 x_i sin(x_i); at x = (1,) it is 2.2232.",
           "Build the step on a copy (step = np.zeros_like(x); step[i] = eps) so x itself never "
           "changes."],
    misconceptions=[
        Misconception("eps-not-2eps", "Every entry is twice the derivative: the two evaluations "
                      "are 2 eps apart, so the difference is divided by 2 eps, not eps.",
                      function=_eps_not_2eps),
        Misconception("wrong-order", "The sign is flipped: the central difference is "
                      "f(x + eps) - f(x - eps), the forward value first.",
                      function=_wrong_order),
        Misconception("all-entries-at-once", "You moved every entry of x by eps at once: that "
                      "measures the slope along (1, 1, ..., 1), the sum of the partial "
                      "derivatives. Move one entry at a time.", function=_all_at_once),
        Misconception("forward-difference", "That is a forward difference, (f(x + eps) - "
                      "f(x))/eps, whose error is of order eps (about 1e-6 here); the central "
                      "difference (f(x + eps) - f(x - eps))/(2 eps) cancels that term.",
                      function=_forward),
    ]))


# ---------------------------------------------------------------- 4: the slopes of the V
register(NumberExercise(
    label="ex-what-4", title="Read the V", chapter=CHAPTER,
    # a fitted slope scatters around 2: accept it unrounded within 0.3; the registered mistakes
    # (1, -1, 4) are further away
    name="the slope of the right branch", expected=lambda: 2.0, rtol=0.15,
    hints=["On log-log axes an error proportional to eps^p is a straight line of slope p.",
           "The Taylor expansion of C(theta + eps) - C(theta - eps) has only odd powers of eps: "
           "2 eps C' + eps^3 C'''/3 + ...",
           "Divide by 2 eps and read off the power of eps in the leading error term."],
    misconceptions=[
        Misconception("one-sided", "Slope 1 is the truncation error of a one-sided difference "
                      "(C(theta + eps) - C(theta))/eps; in the central difference the eps term "
                      "cancels.", answer=lambda: 1.0),
        Misconception("left-branch", "Slope -1 belongs to the left branch, where rounding error "
                      "(about 1e-16 / eps) dominates; the right branch is truncation.",
                      answer=lambda: -1.0),
        Misconception("richardson", "Slope 4 is the right branch of Richardson's extrapolation "
                      "(bp.gradcheck's default), which cancels the eps^2 term; the plain central "
                      "difference keeps it.", answer=lambda: 4.0),
    ]))
