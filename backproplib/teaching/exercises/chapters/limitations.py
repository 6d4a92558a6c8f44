"""Chapter 12, "The limits of backpropagation": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ChoiceExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-limitations"
LAYERS = 5  # the depth of exercise 1's bound


def _logistic_prime(z: float) -> float:
    p = 1.0 / (1.0 + np.exp(-z))
    return float(p * (1.0 - p))


register(NumberExercise(
    label="ex-limitations-1", title="How small is a logistic derivative?", chapter=CHAPTER,
    name="the bound on the derivatives' factor",
    expected=lambda: _logistic_prime(0.0) ** LAYERS,
    hints=["phi'(z) = phi(z)(1 - phi(z)) = p(1 - p) with p = phi(z) in (0, 1): a parabola in p.",
           "Its top is at p = 1/2, that is at z = 0, where phi'(0) = 1/4.",
           "Each of the L = 5 logistic layers, the output layer included, contributes one factor "
           "f'(z^l) <= 1/4 between dC/da^L and delta^1: multiply them."],
    misconceptions=[
        Misconception("one-layer", "That is the largest derivative of one layer, 1/4; the bound "
                      "multiplies one such factor per layer: (1/4)^L.",
                      answer=lambda: _logistic_prime(0.0)),
        Misconception("n-minus-1-factors", "You counted L - 1 derivatives, the factors between "
                      "delta^L and delta^1; measured from dC/da^L the output layer's f'(z^L) is "
                      "a factor too, so there are L of them.",
                      answer=lambda: _logistic_prime(0.0) ** (LAYERS - 1)),
        Misconception("phi-not-phiprime", "You used phi(0) = 1/2, the value of the logistic at "
                      "z = 0, instead of its derivative phi'(0) = 1/4.",
                      answer=lambda: 0.5 ** LAYERS),
        Misconception("shrinkage-inverted", "That is 4^L, how many times smaller the error "
                      "becomes; the factor the derivatives multiply it by is its inverse, (1/4)^L.",
                      answer=lambda: 4.0 ** LAYERS),
    ]))

Z_SATURATED = 10.0

register(NumberExercise(
    label="ex-limitations-2", title="A saturated unit", chapter=CHAPTER,
    # 5e-3: a prediction to two significant figures, 5,500, is accepted
    name="the reduction factor phi'(0) / phi'(10)", rtol=5e-3,
    expected=lambda: _logistic_prime(0.0) / _logistic_prime(Z_SATURATED),
    hints=["For large z, phi(z) is nearly 1 and 1 - phi(z) = e^{-z} / (1 + e^{-z}) is nearly "
           "e^{-z}.",
           "So phi'(10) = phi(10)(1 - phi(10)) is about e^{-10} = 4.54e-05, and phi'(0) = 1/4.",
           "Divide phi'(0) by phi'(10)."],
    misconceptions=[
        Misconception("derivative-not-factor", "That is phi'(10) itself; the question then asks "
                      "by what factor the error is reduced compared with a unit at z = 0: "
                      "phi'(0) / phi'(10).", answer=lambda: _logistic_prime(Z_SATURATED)),
        Misconception("compared-with-one", "You divided 1 by phi'(10): a unit at z = 0 passes "
                      "the error on multiplied by phi'(0) = 1/4, not by 1.",
                      answer=lambda: 1.0 / _logistic_prime(Z_SATURATED)),
        Misconception("phi-not-phiprime", "You compared with phi(0) = 1/2, the logistic's value at "
                      "z = 0; its derivative there is phi'(0) = 1/4.",
                      answer=lambda: 0.5 / _logistic_prime(Z_SATURATED)),
        Misconception("phi-of-10", "You used phi(10), which is almost 1, instead of phi'(10): "
                      "the factor that multiplies the error is the derivative.",
                      answer=lambda: _logistic_prime(0.0) / (1.0 / (1.0 + np.exp(-Z_SATURATED)))),
    ]))


def _standardise(X: np.ndarray) -> np.ndarray:
    return np.stack([(row - row.mean()) / row.std() for row in X])


def _per_example(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0, keepdims=True)) / X.std(axis=0, keepdims=True)


def _centred_only(X: np.ndarray) -> np.ndarray:
    return X - X.mean(axis=1, keepdims=True)


def _sample_std(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, ddof=1, keepdims=True)


def _scaled_only(X: np.ndarray) -> np.ndarray:
    return X / X.std(axis=1, keepdims=True)


def _standardise_cases() -> list[tuple]:
    r = np.random.default_rng(12)
    cases = []
    for n, m in [(2, 2), (3, 8), (4, 5)]:  # the smallest batch, then non-square ones
        scales = 10.0 ** r.integers(-3, 4, size=(n, 1))
        cases.append((r.normal(size=(n, m)) * scales + r.normal(size=(n, 1)) * 50,))
    cases.append((np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 10.0, 0.0, 10.0],
                            [500.0, 600.0, 600.0, 500.0]]),))  # recorded in awkward units
    return cases


def _one_std(X):
    X = np.asarray(X, dtype=float)
    return (X - X.mean(axis=1, keepdims=True)) / X.std()


register(FunctionExercise(
    label="ex-limitations-3", title="Standardise the inputs", chapter=CHAPTER,
    reference=_standardise, cases=_standardise_cases, rtol=1e-10,
    hints=["Examples are columns: each input is a row, and its mean and standard deviation are "
           "taken over the examples, along axis 1.",
           "X.mean(axis=1, keepdims=True) has shape (n_0, 1), so it broadcasts over the m columns.",
           "Return (X - mean) / std with both statistics of shape (n_0, 1), the population "
           "standard deviation (NumPy's default, ddof=0)."],
    misconceptions=[
        Misconception("per-example", "You standardised each example (each column, axis 0); "
                      "examples are columns, so each input is a row and its statistics are "
                      "taken along axis 1.", function=_per_example),
        Misconception("centred-only", "You subtracted the mean but did not divide by the "
                      "standard deviation: the inputs still have their different scales.",
                      function=_centred_only),
        Misconception("sample-std", "You divided by the sample standard deviation (ddof=1); "
                      "standardising over the training set uses the population one, NumPy's "
                      "default ddof=0.", function=_sample_std),
        Misconception("not-centred", "You divided by the standard deviation but did not subtract "
                      "the mean: the third input still sits far from zero.",
                      function=_scaled_only),
        Misconception("one-std-for-all", "You divided every input by one standard deviation, "
                      "that of all the numbers together (X.std() without an axis); each input "
                      "(row) needs its own, X.std(axis=1, keepdims=True), or the scales stay "
                      "different.", function=_one_std),
    ]))

register(ChoiceExercise(
    label="ex-limitations-4", title="Read the histogram", chapter=CHAPTER,
    question="The stuck runs end in a narrow group just to the right of log10(1/16). Why to the "
             "right of it, rather than on it?",
    options={"a": "Their two 'correct' outputs still have a small error and their two undecided "
                  "outputs are not exactly 1/2, so each loss is slightly above 1/16 and creeps "
                  "towards it as the weights grow.",
             "b": "Rounding error in the loss pushes every run slightly upwards.",
             "c": "The floor of that valley is 1/8, not 1/16, and the runs have gone past it.",
             "d": "The loss is summed over the four cases, so the floor is four times 1/16."},
    answer="a",
    why={"b": "Rounding errors sit in the last digits of a float and have either sign; the gaps "
              "above 1/16 are a ten-thousandth or more, and every stuck run is above.",
         "c": "1/8 is the loss of four outputs of 1/2 (the plateau at the start); the valley of "
              "two right and two undecided cases has the floor 1/16 (the chapter's SymPy cell).",
         "d": "The library's loss is the mean over the cases; a summed loss would move the "
              "whole group, not place it just above 1/16."},
    explanation="Right: the pattern's loss 1/16 is reached only in the limit of infinite weights; "
                "at any finite point the outputs are not exact, so every stuck loss is above it.",
    hints=["The chapter computed the loss of the exact pattern (two right, two at 1/2): 1/16.",
           "At a finite point the outputs are only close to 0, 1 and 1/2: does that make the loss "
           "larger or smaller than the pattern's?"],
))


def _softsign_prime(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.abs(z)) ** 2


def _softsign_cases() -> list[tuple]:
    r = np.random.default_rng(5)
    return [(np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),), (np.array(0.0),),
            (r.normal(scale=4.0, size=(3, 4)),)]


register(FunctionExercise(
    label="ex-limitations-5", title="Supply a derivative", chapter=CHAPTER,
    reference=_softsign_prime, cases=_softsign_cases, rtol=1e-12,
    hints=["Differentiate f(z) = z / (1 + |z|) separately for z > 0 and z < 0, where |z| is "
           "z or -z.",
           "For z > 0, f = z/(1+z) and f' = 1/(1+z)^2; for z < 0, f = z/(1-z) and "
           "f' = 1/(1-z)^2.",
           "Both cases are one formula in |z|: 1 / (1 + |z|)^2, written with np.abs."],
    misconceptions=[
        Misconception("abs-as-constant", "You differentiated as if |z| were a constant (giving "
                      "1/(1 + |z|)); the quotient rule needs d|z|/dz = sign(z) too, and then "
                      "the result is 1/(1 + |z|)^2.",
                      function=lambda z: 1.0 / (1.0 + np.abs(z))),
        Misconception("positive-branch-only", "That is the derivative for z > 0, 1/(1 + z)^2, "
                      "used for every z; for z < 0 it is 1/(1 - z)^2, so the formula needs |z|.",
                      function=lambda z: 1.0 / (1.0 + z) ** 2),
        Misconception("quotient-rule-sign", "The quotient rule subtracts: "
                      "((1 + |z|) - z sign(z)) / (1 + |z|)^2; you added the second term.",
                      function=lambda z: (1.0 + 2.0 * np.abs(z)) / (1.0 + np.abs(z)) ** 2),
    ]))
