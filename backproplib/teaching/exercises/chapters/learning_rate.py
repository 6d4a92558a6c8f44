"""Chapter 5, "Learning rates and gradient descent": the exercises, their mistakes and hints."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..registry import ChoiceExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-learning-rate"
X1, X2 = 2.0, 1.0  # exercise 1's case (x1, x2, y) = (2, 1, 1)
LAM1 = X1 ** 2 + X2 ** 2

register(NumberExercise(
    label="ex-learning-rate-1", title="Find the largest learning rate that still converges",
    chapter=CHAPTER, name="the largest learning rate", expected=lambda: 2.0 / LAM1,
    rtol=1e-2,  # a bisection on a few hundred steps stops a little short of the edge
    hints=["The stability bound: plain descent converges when eta < 2 / lambda_max.",
           "For one case and the half squared error the Hessian is x x^T, whose non-zero "
           "eigenvalue is x1^2 + x2^2 = 5 here.",
           "Bisect on eta between a rate that converges and one that does not; the edge is "
           "2 / 5 (a test on a few hundred steps stops a little below it: just under the edge "
           "the loss falls very slowly)."],
    misconceptions=[
        Misconception("one-over-lambda", "0.2 = 1/lambda is the rate that reaches the valley "
                      "floor in one step (and the bound of the loss (a - y)^2 without the 1/2, "
                      "whose lambda is twice as large); the edge of convergence for "
                      "E = 1/2 (a - y)^2 is 2/lambda.", answer=lambda: 1.0 / LAM1),
        Misconception("lambda-not-bound", "5 is lambda itself, x1^2 + x2^2; the largest stable "
                      "learning rate is 2 / lambda.", answer=lambda: LAM1),
        Misconception("inputs-not-squared", "You used x1 + x2 = 3 for the eigenvalue: the "
                      "Hessian x x^T has the eigenvalue x1^2 + x2^2 = 5.",
                      answer=lambda: 2.0 / (X1 + X2)),
        Misconception("bias-included", "1/3 = 2/(x1^2 + x2^2 + 1) is the bound of a neuron with "
                      "a bias (exercise 3); the explorer's cylinder has none.",
                      answer=lambda: 2.0 / (LAM1 + 1.0)),
    ]))

ETA2, LAM2 = 1.5, 2.0  # the cylinder E = 1/2 (w1 + w2)^2: lambda = 2

register(NumberExercise(
    label="ex-learning-rate-2", title="Predict the growth factor", chapter=CHAPTER,
    name="the growth of the loss per step", expected=lambda: (1 - ETA2 * LAM2) ** 2,
    hints=["The iteration e_{k+1} = (I - eta H) e_k: each step multiplies the error along an "
           "eigenvector by 1 - eta lambda.",
           "Here lambda = 2 (the Hessian of 1/2 (w1 + w2)^2 is [[1, 1], [1, 1]]), so "
           "w1 + w2 is multiplied by 1 - 1.5 * 2 = -2 per step.",
           "The loss is quadratic in w1 + w2: square the factor."],
    misconceptions=[
        Misconception("weights-not-loss", "2 = |1 - eta lambda| is the growth of the distance "
                      "to the minimum; the loss is quadratic in it, so it grows by the square.",
                      answer=lambda: abs(1 - ETA2 * LAM2)),
        Misconception("factor-not-squared", "-2 = 1 - eta lambda is the factor that multiplies "
                      "w1 + w2 (it flips sign every step); a loss cannot be negative: it grows "
                      "by (1 - eta lambda)^2.", answer=lambda: 1 - ETA2 * LAM2),
        Misconception("lambda-one", "You took lambda = 1: the Hessian of "
                      "1/2 (w1 + w2)^2 is [[1, 1], [1, 1]], whose largest eigenvalue is 2.",
                      answer=lambda: (1 - ETA2 * 1.0) ** 2),
    ]))

register(NumberExercise(
    label="ex-learning-rate-3", title="The bound with a bias, by hand", chapter=CHAPTER,
    name="the bound with a bias", expected=lambda: 2.0 / 3.0,
    hints=["The bias is a weight on the constant input 1: the parameters see "
           "x~ = (x1, x2, 1).",
           "dE/dtheta_i = (a - y) x~_i, so H = x~ x~^T, rank one, with eigenvalue "
           "||x~||^2 = x1^2 + x2^2 + 1.",
           "For (x1, x2) = (1, 1), lambda = 3; apply the bound eta < 2 / lambda."],
    misconceptions=[
        Misconception("bias-forgotten", "1 = 2/(x1^2 + x2^2) is the bound without the bias; the "
                      "bias adds a constant input 1 and the eigenvalue becomes "
                      "x1^2 + x2^2 + 1 = 3.", answer=lambda: 1.0),
        Misconception("one-over-lambda", "1/3 = 1/lambda is the one-step rate (or the bound of "
                      "(a - y)^2 without the 1/2); the bound for the half squared error is "
                      "2/lambda.", answer=lambda: 1.0 / 3.0),
        Misconception("lambda-not-bound", "3 is the eigenvalue lambda; the bound is "
                      "2 / lambda.", answer=lambda: 3.0),
    ]))


def _reference_momentum(grad: Callable, w0: tuple, eta: float, alpha: float, n: int
                        ) -> np.ndarray:
    from .... import optim

    w, opt = np.array(w0, dtype=float), optim.Momentum(eta, alpha)
    for _ in range(n):
        opt.step([w], [grad(w)])
    return w


def _path(grad: Callable, w0: tuple, eta: float, alpha: float, n: int, *, steps: int = 0,
          momentum: bool = True, sign: float = -1.0, on_gradient: bool = False,
          keep: float | None = None, change: bool = False) -> np.ndarray:
    w, dw, g_prev = np.array(w0, dtype=float), np.zeros(len(w0)), np.zeros(len(w0))
    for _ in range(n + steps):
        g = grad(w)
        if on_gradient:
            dw = -eta * (g + alpha * g_prev)
        else:
            kept = alpha if keep is None else keep
            dw = sign * eta * g + (kept * dw if momentum else 0.0)
        g_prev = g
        w = w + dw
    return dw if change else w


def _momentum_cases() -> list[tuple]:
    from .... import surfaces

    g = surfaces.bowl([(1.0, 1.0, 0.0), (1.0, 0.6, 0.8)]).gradient
    return [(g, (-1.5, 1.5), 0.3, 0.9, 25), (g, (2.0, 0.0), 0.1, 0.5, 40),
            (g, (0.0, 0.0), 1.0, 0.0, 5), (g, (1.0, -1.0), 0.2, 0.9, 1),
            (g, (0.5, 0.5), 0.2, 0.9, 0)]  # one step, and none


register(FunctionExercise(
    label="ex-learning-rate-4", title="Implement the 1986 momentum rule", chapter=CHAPTER,
    reference=_reference_momentum, cases=_momentum_cases, rtol=1e-12,
    hints=["The momentum rule: Delta w(t) = -eta dE/dw(t) + alpha Delta w(t-1), "
           "then w(t) = w(t-1) + Delta w(t).",
           "Keep the previous change dw (zeros at the start) between steps; with n = 1 the "
           "result is w0 - eta grad(w0), with n = 0 it is w0.",
           "Loop n times: dw = -eta * grad(w) + alpha * dw; w = w + dw."],
    misconceptions=[
        Misconception("n-minus-1-steps", "Your function makes n - 1 steps: n = 1 must return "
                      "w0 - eta grad(w0), n = 0 must return w0.",
                      function=lambda *a: _path(*a, steps=-1)),
        Misconception("n-plus-1-steps", "Your function makes n + 1 steps: n = 0 must return "
                      "w0 unchanged, n = 1 must return w0 - eta grad(w0).",
                      function=lambda *a: _path(*a, steps=1)),
        Misconception("alpha-forgotten", "You added the whole previous change, "
                      "dw = -eta grad + dw: the rule keeps only the fraction alpha of it, "
                      "alpha Delta w(t-1).", function=lambda *a: _path(*a, keep=1.0)),
        Misconception("returns-change", "Your function returns the last change Delta w(n), not "
                      "the weights: return w after the n steps.",
                      function=lambda *a: _path(*a, change=True)),
        Misconception("no-momentum", "Your function leaves out the alpha Delta w(t-1) term: that "
                      "is plain gradient descent, the same for every alpha.",
                      function=lambda *a: _path(*a, momentum=False)),
        Misconception("ascent", "Your steps go up the gradient: Delta w = -eta dE/dw, with the "
                      "minus sign.", function=lambda *a: _path(*a, sign=1.0)),
        Misconception("alpha-on-gradient", "You multiplied alpha by the previous gradient; the "
                      "1986 rule adds alpha times the previous change Delta w(t-1), which "
                      "itself holds all earlier steps.",
                      function=lambda *a: _path(*a, on_gradient=True)),
    ]))

register(ChoiceExercise(
    label="ex-learning-rate-5", title="Explain the flat loss curve", chapter=CHAPTER,
    question="Started at (-2, 2), the XOR explorer's loss curve stays almost flat for many steps "
             "although the loss is far from its minimum. Why?",
    options={"a": "The output unit is saturated: its logistic slope a(1 - a) is close to 0 for "
                  "every case, and every output-layer gradient carries that factor.",
             "b": "The learning rate eta = 5 is above the stability bound 2/lambda_max, so the "
                  "steps cancel out.",
             "c": "The start is a minimum of the loss, where the gradient is exactly zero.",
             "d": "The two output weights are equal, and equal weights receive equal gradients "
                  "that cancel."},
    answer="a",
    why={"b": "Above the bound the loss would grow or oscillate, not stay flat; and on this "
              "surface the curvature changes from place to place, so it has no single bound.",
         "c": "The loss there is about 0.25, far above the valley's; the gradient is small, "
              "not zero.",
         "d": "At (-2, 2) the two weights are not equal; a small gradient comes from saturation."},
    explanation="Right: dE/dw^2_{1k} = (a - y) a(1 - a) a^1_k, and on the plateau a(1 - a) is "
                "tiny, so every step -eta grad E is tiny too.",
    hints=["Write the gradient of an output weight with the delta rule, (a - y) f'(z) a^1_k: "
           "which factor can be close to zero even when the error a - y is large?",
           "The logistic slope is a(1 - a): near 0 when the output is near 0 or 1 for every "
           "case."],
))

VALLEY = [(1.0, 1.0, 0.0), (1.0, 0.6, 0.8)]


def _valley_hessian(sum_over_cases: bool = False) -> np.ndarray:
    xs = np.array([c[:2] for c in VALLEY])
    H = xs.T @ xs  # the sum of x x^T over the cases
    return H if sum_over_cases else H / len(VALLEY)


register(NumberExercise(
    label="ex-learning-rate-6", title="The bound of the two-case valley", chapter=CHAPTER,
    name="the bound 2 / lambda_max",
    expected=lambda: 2.0 / np.linalg.eigvalsh(_valley_hessian()).max(),
    hints=["The library's loss is the mean over the cases of 1/2 (a - y)^2, so its Hessian is "
           "the mean of the cases' x x^T.",
           "With x = (1, 1) and (1, 0.6), H = [[1, 0.8], [0.8, 0.68]]; its largest eigenvalue "
           "is about 1.656.",
           "Apply the bound 2 / lambda to the largest eigenvalue."],
    misconceptions=[
        Misconception("sum-not-mean", "That is the bound of the loss summed over the two cases "
                      "(its Hessian is twice the mean's; equally, 1/lambda_max instead of "
                      "2/lambda_max). The library averages over the cases.",
                      answer=lambda: 2.0 / np.linalg.eigvalsh(_valley_hessian(True)).max()),
        Misconception("smallest-eigenvalue", "You used the smallest eigenvalue: the steep "
                      "direction, the largest eigenvalue, is the one that diverges first.",
                      answer=lambda: 2.0 / np.linalg.eigvalsh(_valley_hessian()).min()),
        Misconception("lambda-not-bound", "About 1.656 is lambda_max itself; the learning-rate "
                      "bound is 2 / lambda_max.",
                      answer=lambda: np.linalg.eigvalsh(_valley_hessian()).max()),
        Misconception("one-case", "You used the Hessian of the first case alone, x x^T with "
                      "x = (1, 1); the loss averages both cases.",
                      answer=lambda: 2.0 / 2.0),
    ]))
