"""Chapter 11, "Second-order methods": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....curvature.levenberg_marquardt import lm_step
from ..registry import ChoiceExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-second-order"
XS = np.array([1.0, 2.0, 4.0])


def _linear_hessian(scale: float = 1.0, off_diagonal: bool = True) -> np.ndarray:
    m = XS.size
    H = np.array([[np.sum(XS ** 2), np.sum(XS)], [np.sum(XS), m]]) / m
    if not off_diagonal:
        H = np.diag(np.diag(H))
    return scale * H


register(NumberExercise(
    label="ex-second-order-1", title="The Hessian of a linear neuron", chapter=CHAPTER,
    name="the Hessian", expected=_linear_hessian, rtol=1e-3,   # 7/3 typed as 2.333
    hints=["Each residual e_i = w x_i + b - y_i is linear in (w, b): its own second derivatives "
           "are zero, so H = J^T J / m.",
           "The rows of J are (x_i, 1); with x = (1, 2, 4): sum x_i^2 = 21, sum x_i = 7, m = 3.",
           "H = (1/m) [[sum x_i^2, sum x_i], [sum x_i, m]]."],
    misconceptions=[
        Misconception("sum-not-mean", "That is the Hessian of the summed loss 1/2 sum e_i^2; the "
                      "loss of the exercise is the mean, so divide by m = 3.",
                      answer=lambda: _linear_hessian(XS.size)),
        Misconception("no-half", "That is twice the Hessian: it belongs to the mean of e_i^2 "
                      "without the factor 1/2 (the book's loss is 1/(2m) sum e_i^2).",
                      answer=lambda: _linear_hessian(2.0)),
        Misconception("no-cross-term", "The off-diagonal entry d^2C / dw db = (1/m) sum x_i is "
                      "missing: w and b appear in the same residual.",
                      answer=lambda: _linear_hessian(off_diagonal=False)),
    ]))

PARITY_ROWS, PARITY_PARAMS = 8, 3 * 3 + 3 + 3 * 1 + 1

register(NumberExercise(
    label="ex-second-order-2", title="Predict the rank of J^T J", chapter=CHAPTER,
    name="the largest possible rank of J^T J",
    expected=lambda: min(PARITY_ROWS, PARITY_PARAMS),
    hints=["J has one row per residual (outputs times examples) and one column per parameter.",
           "3-bit parity has 8 examples and one output: 8 rows; the 3-3-1 network has "
           "3*3 + 3 + 3*1 + 1 = 16 parameters.",
           "rank(J^T J) = rank(J), and a rank never exceeds the number of rows or of columns."],
    misconceptions=[
        Misconception("parameters-not-rows", "J^T J is 16 x 16, but its rank equals that of J, "
                      "which has only 8 rows: the rank is at most 8.",
                      answer=lambda: PARITY_PARAMS),
        Misconception("xor-rows", "4 is the number of residuals of XOR; 3-bit parity has 8 "
                      "examples, so J has 8 rows.", answer=lambda: 4),
    ]))


def _damped_cases() -> list[tuple]:
    r = np.random.default_rng(11)
    return [(r.normal(size=(rows, cols)), r.normal(size=rows), mu)
            for rows, cols, mu in [(4, 9, 1e-2), (12, 5, 1.0), (8, 8, 1e-6), (3, 3, 1e3),
                                   (1, 4, 0.5)]]


def _solve(J, e, mu, sign=-1.0, scaling="identity"):
    A = J.T @ J
    D = np.diag(np.diag(A)) if scaling == "diagonal" else np.eye(J.shape[1])
    return sign * np.linalg.solve(A + mu * D if scaling != "minus" else A - mu * D, J.T @ e)


register(FunctionExercise(
    label="ex-second-order-3", title="Write the damped step", chapter=CHAPTER,
    reference=lm_step, cases=_damped_cases, rtol=1e-8,
    hints=["Eq. 11.6: (J^T J + mu I) Delta = -J^T e, one linear system.",
           "The matrix is J.T @ J + mu * np.eye(n), n = J.shape[1] (the parameters), whatever "
           "the number of rows.",
           "return -np.linalg.solve(J.T @ J + mu * np.eye(J.shape[1]), J.T @ e)."],
    misconceptions=[
        Misconception("step-sign", "Your step has the wrong sign: it solves (J^T J + mu I) Delta "
                      "= +J^T e and climbs; the step is minus the solution.",
                      function=lambda J, e, mu: _solve(J, e, mu, sign=1.0)),
        Misconception("mu-subtracted", "You subtracted the damping: the matrix is J^T J + mu I "
                      "(large mu makes the step short, like gradient descent).",
                      function=lambda J, e, mu: _solve(J, e, mu, scaling="minus")),
        Misconception("J-not-transposed", "You multiplied J by e without the transpose: the "
                      "right-hand side is J^T e (J.T @ e), one entry per parameter.",
                      function=lambda J, e, mu: -np.linalg.solve(
                          J.T @ J + mu * np.eye(J.shape[1]), J @ e)),
        Misconception("mu-on-every-entry", "You added mu to every entry of J^T J (J.T @ J + mu "
                      "broadcasts); the damping goes on the diagonal only, mu * np.eye(n).",
                      function=lambda J, e, mu: -np.linalg.solve(J.T @ J + mu, J.T @ e)),
        Misconception("marquardt-scaling", "You damped with mu diag(J^T J), Marquardt's scaled "
                      "version; Eq. 11.6 and so.lm_step add mu I.",
                      function=lambda J, e, mu: _solve(J, e, mu, scaling="diagonal")),
    ]))

M_XOR, MU_BIG = 4, 1e6

register(NumberExercise(
    label="ex-second-order-4", title="Large damping is gradient descent", chapter=CHAPTER,
    name="eta", expected=lambda: M_XOR / MU_BIG,
    hints=["For mu much larger than the entries of J^T J, (J^T J + mu I)^(-1) is close to I / mu.",
           "So Delta is close to -J^T e / mu; the gradient of the mean loss is g = J^T e / m.",
           "Write -J^T e / mu as -(m / mu) g and read off eta; XOR has m = 4."],
    misconceptions=[
        Misconception("one-over-mu", "1/mu is the learning rate for the summed loss "
                      "1/2 sum e^2, whose gradient is J^T e; the chapter's mean loss has "
                      "g = J^T e / m, so eta = m / mu.",
                      answer=lambda: 1.0 / MU_BIG),
        Misconception("mu-over-m", "You inverted the ratio: the step -J^T e / mu is -(m / mu) g, "
                      "so eta = m / mu.", answer=lambda: MU_BIG / M_XOR),
        Misconception("gradient-without-the-2", "That is 2m / mu, which follows from "
                      "g = J^T e / (2m): the derivative of 1/(2m) sum e^2 keeps the 2 that the "
                      "square brings down, g = J^T e / m, so eta = m / mu.",
                      answer=lambda: 2 * M_XOR / MU_BIG),
        Misconception("no-half", "That is m / (2 mu), the learning rate for the loss "
                      "(1/m) sum e^2 without the 1/2, whose gradient is 2 J^T e / m; with the "
                      "book's 1/(2m) sum e^2, g = J^T e / m and eta = m / mu.",
                      answer=lambda: M_XOR / (2 * MU_BIG)),
    ]))

register(ChoiceExercise(
    label="ex-second-order-5", title="Read the cost plot", chapter=CHAPTER,
    question="At the largest network of the stored benchmark (1921 parameters, m = 64), which "
             "part of a Levenberg-Marquardt step takes the most time?",
    options={"a": "building the Jacobian J by backpropagation",
             "b": "multiplying out J^T J",
             "c": "solving the n x n system"},
    answer="c",
    why={"a": "J costs n_L batched backward passes, about m n operations: the cheapest part.",
         "b": "J^T J costs about m n^2 operations; with m = 64 and n in the thousands that is "
              "less than the n^3 / 3 of the solve."},
    explanation="Right: the solve costs about n^3 / 3 operations, the product m n^2 and the "
                "Jacobian about m n; with m = 64 and n = 1921, n^3 is far larger than m n^2.",
    hints=["Count operations: the Jacobian about m n, the product about m n^2, the solve about "
           "n^3 / 3.",
           "With m = 64 and n = 1921, compare m n^2 with n^3 / 3, or read the stored timings "
           "jacobian_s, normal_matrix_s and solve_s."],
))
