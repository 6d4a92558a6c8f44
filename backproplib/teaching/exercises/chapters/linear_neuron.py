"""Chapter 2, "A single linear neuron": the exercises, their mistakes and hints.

The chapter's loss is the seed article's squared error ``E = (t - o)^2`` (no 1/2), with ``o`` the
neuron's output and ``t`` the target; the mistakes below are computed from it.
"""

from __future__ import annotations

import numpy as np

from ....surfaces import LinearNeuron
from ..registry import ExpressionExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-linear-neuron"


# ---------------------------------------------------------------- 1: another trough, by hand
def _trough(kind: str = "right"):
    import sympy as sp

    w1, w2 = sp.symbols("w_1 w_2", real=True)
    x1, x2, t = 2, -1, 1
    if kind == "x2-sign":
        x2 = 1
    o = w1 * x1 + w2 * x2
    if kind == "plus":
        return (t + o) ** 2
    if kind == "half":
        return sp.Rational(1, 2) * (t - o) ** 2
    return sp.expand((t - o) ** 2)


register(ExpressionExercise(
    label="ex-linear-neuron-1", title="Another trough, by hand", chapter=CHAPTER,
    name="E(w_1, w_2)", expected=lambda: _trough(),
    hints=["Substitute the case into o = w_1 x_1 + w_2 x_2, then into E = (t - o)^2.",
           "With (x_1, x_2) = (2, -1) the output is o = 2 w_1 - w_2.",
           "E = (1 - 2 w_1 + w_2)^2: expand the square of a trinomial term by term."],
    misconceptions=[
        Misconception("plus", "The target enters with a minus sign: E = (t - o)^2, and you "
                      "wrote (t + o)^2.", answer=lambda: _trough("plus")),
        Misconception("x2-sign", "x_2 = -1, so o = 2 w_1 - w_2: the sign of w_2 is flipped in "
                      "yours.", answer=lambda: _trough("x2-sign")),
        Misconception("half", "That is the library's half squared error; this chapter's E = "
                      "(t - o)^2 has no 1/2.", answer=lambda: _trough("half")),
    ]))


# ---------------------------------------------------------------- 2: the error after one step
START, ETA2 = np.array([1.0, 2.0]), 0.05


def _after_one_step(gradient_scale: float = 2.0, sign: float = -1.0) -> float:
    s = START.sum()
    g = gradient_scale * s * np.ones(2)    # dE/dw = 2 (w_1 + w_2) (1, 1)
    w = START + sign * ETA2 * g
    return float(w.sum() ** 2)


register(NumberExercise(
    label="ex-linear-neuron-2", title="Predict the error after one step", chapter=CHAPTER,
    name="E after one step", expected=_after_one_step,
    hints=["On the cylinder E = (w_1 + w_2)^2 the gradient is 2 (w_1 + w_2) (1, 1).",
           "At (1, 2) the gradient is (6, 6), so the step -eta grad is (-0.3, -0.3).",
           "Add the step to (1, 2) and square the sum of the new weights."],
    misconceptions=[
        Misconception("no-factor-2", "Your gradient is (w_1 + w_2)(1, 1), without the factor "
                      "2 that the derivative of the square brings: that is the gradient of "
                      "(1/2) E, the library's half squared error.",
                      answer=lambda: _after_one_step(gradient_scale=1.0)),
        Misconception("ascent", "You stepped along the gradient, uphill: gradient descent "
                      "moves by -eta times the gradient, and E grew instead of falling.",
                      answer=lambda: _after_one_step(sign=+1.0)),
        Misconception("no-step", "9 is the error at the start, (1 + 2)^2: the question asks for "
                      "the error after the step, at the new weights.",
                      answer=lambda: float(START.sum() ** 2)),
        Misconception("sum-not-square", "2.4 is w_1 + w_2 after the step; the error is its "
                      "square.", answer=lambda: float(np.sqrt(_after_one_step()))),
    ]))


# ---------------------------------------------------------------- 3: the gradient as a function
def _reference(w, x, t):
    return LinearNeuron([(*x, t)], loss="squared_error").gradient(w)


def _half(w, x, t):
    return -(t - w @ x) * x


def _sign(w, x, t):
    return 2.0 * (t - w @ x) * x


def _no_input(w, x, t):
    return -2.0 * (t - w @ x) * np.ones_like(x)


def _gradient_cases() -> list[tuple]:
    r = np.random.default_rng(2)
    cases = [(r.normal(size=2), r.normal(size=2), float(r.normal())) for _ in range(4)]
    cases.append((np.array([-1.0, 3.0]), np.array([0.0, -2.0]), -4.0))  # x_1 = 0
    cases.append((np.array([1.0, 1.0]), np.array([2.0, 3.0]), 5.0))     # o = t: gradient 0
    return cases


register(FunctionExercise(
    label="ex-linear-neuron-3", title="Implement the gradient", chapter=CHAPTER,
    reference=_reference, cases=_gradient_cases,
    hints=["Eq. 2.6: dE/dw_i = -2 (t - o) x_i with o = w . x.",
           "For w = (1, 1), x = (2, 3), t = 4: o = 5 and the gradient is -2 (4 - 5) (2, 3) = "
           "(4, 6).",
           "Compute o = w @ x, then return -2.0 * (t - o) * x (an array of shape (2,))."],
    misconceptions=[
        Misconception("half-loss", "Every entry is half the gradient: that is the derivative of "
                      "the library's (1/2)(t - o)^2. This chapter's E = (t - o)^2 keeps the "
                      "factor 2.", function=_half),
        Misconception("t-minus-o-sign", "The sign is flipped: dE/do = -2 (t - o) = 2 (o - t). "
                      "You returned 2 (t - o) x, which is the descent direction, minus the "
                      "gradient.", function=_sign),
        Misconception("no-input", "The factor x_i is missing: do/dw_i = x_i, so each weight's "
                      "derivative is scaled by its own input.", function=_no_input),
    ]))


# ---------------------------------------------------------------- 4: the curved path
BOWL = [(1.0, 1.0, 0.0), (1.0, 0.0, 1.0)]
BOWL_START, BOWL_MIN = np.array([-1.5, 1.5]), np.array([1.0, -1.0])


def _angle(kind: str = "step") -> float:
    g = LinearNeuron(BOWL, loss="squared_error").gradient(BOWL_START)
    d = g if kind == "gradient" else -g
    to_min = BOWL_MIN - BOWL_START
    cos = d @ to_min / (np.linalg.norm(d) * np.linalg.norm(to_min))
    return float(np.arccos(np.clip(cos, -1.0, 1.0)))


register(NumberExercise(
    label="ex-linear-neuron-4", title="Explain the curved path", chapter=CHAPTER,
    name="the angle in degrees", expected=lambda: np.degrees(_angle()),
    hints=["The first step is -eta times the gradient at the start; it is perpendicular to the "
           "contour line there, not aimed at the minimum.",
           "At (-1.5, 1.5) the first case's error (w_1 + w_2)^2 is zero and flat across, so the "
           "gradient comes from the second case alone: it is parallel to (1, 0).",
           "The line to the minimum runs along (2.5, -2.5): take the angle between (1, 0) and "
           "(1, -1)."],
    misconceptions=[
        Misconception("radians", "That is the angle in radians; the question asks for degrees "
                      "(np.degrees).", answer=lambda: _angle()),
        Misconception("gradient-not-step", "That is the angle between the gradient and the line "
                      "to the minimum; the step goes the other way, along minus the gradient.",
                      answer=lambda: np.degrees(_angle("gradient"))),
    ]))


# ---------------------------------------------------------------- 5: the library's learning rate
ETA5 = 0.1

register(NumberExercise(
    label="ex-linear-neuron-5", title="The library's learning rate", chapter=CHAPTER,
    name="the library's learning rate", expected=lambda: 2 * ETA5,
    hints=["Compare the two losses: C = (1/2)(o - t)^2 and E = (t - o)^2 = 2 C.",
           "So dC/dw = (1/2) dE/dw: the library's gradient is half as long.",
           "A step -eta_C dC/dw equals -eta dE/dw when eta_C (1/2) = eta."],
    misconceptions=[
        Misconception("halved", "The half squared error has half the gradient, so it needs "
                      "twice the learning rate for the same step, not half.",
                      answer=lambda: ETA5 / 2),
        Misconception("same-eta", "With the same eta the library's steps are half as long: its "
                      "loss C = E/2 has half the gradient.", answer=lambda: ETA5),
    ]))
