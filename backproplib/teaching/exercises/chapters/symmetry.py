"""Chapter 14, "Symmetry detection: re-running the 1986 Nature experiment": the exercises, their
mistakes and hints."""

from __future__ import annotations

import itertools

import numpy as np

from ....experiments import reproductions as R
from ..registry import (
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-symmetry"


def _symbols():
    import sympy as sp

    return sp.symbols("w1 w2 w3"), sp.symbols("x1 x2 x3 x4 x5 x6")


def _palindrome() -> dict:
    _, x = _symbols()
    return {x[3]: x[2], x[4]: x[1], x[5]: x[0]}


def _net_input(weights: str = "mirror", pairing: str = "mirror"):
    (w1, w2, w3), x = _symbols()
    left = [w1, w2, w3]
    right = [-w3, -w2, -w1] if weights == "mirror" else [w3, w2, w1]
    if pairing == "shift":  # x_i paired with x_{i+3}
        right = [-w1, -w2, -w3]
    return sum(w * xi for w, xi in zip(left + right, x))


register(ExpressionExercise(
    label="ex-symmetry-1", title="Why a palindrome cancels", chapter=CHAPTER,
    name="the net input", expected=lambda: _net_input(),
    hints=["The net input is the dot product of the weights (w1, w2, w3, -w3, -w2, -w1) with the "
           "input (x1, ..., x6).",
           "Group the terms by mirror pairs: positions 1 and 6, 2 and 5, 3 and 4.",
           "The net input is w1 (x1 - x6) + w2 (x2 - x5) + w3 (x3 - x4); a palindrome has "
           "x6 = x1, x5 = x2, x4 = x3."],
    misconceptions=[
        Misconception("equal-mirror-weights", "You gave mirror positions equal weights "
                      "(w3, w2, w1 on the right); the unit's weights are opposite there: -w3, -w2, "
                      "-w1, which is what makes a palindrome cancel.",
                      answer=lambda: _net_input(weights="same")),
        Misconception("shift-not-mirror", "You paired x_i with x_{i+3}, a shift; the mirror "
                      "image of position i is position 7 - i (x1 with x6, x2 with x5, x3 with x4).",
                      answer=lambda: _net_input(pairing="shift")),
        Misconception("sign-flipped", "The sign is flipped: the first three weights are +w1, "
                      "+w2, +w3 and the last three are negative.",
                      answer=lambda: -_net_input()),
        Misconception("palindrome-substituted", "That is the net input for a palindrome, 0; the "
                      "question asks first for the net input of any input (x1, ..., x6), "
                      "grouped by mirror pairs, and only then for its value on a palindrome.",
                      answer=lambda: _net_input().subs(_palindrome())),
    ]))

register(NumberExercise(
    label="ex-symmetry-2", title="Predict the learning rate", chapter=CHAPTER,
    name="eta", expected=lambda: 4 * 0.5,
    hints=["By the chapter's equation, a rate epsilon on the summed error E = m C is the rate "
           "eta = m epsilon on the library's mean loss C.",
           "XOR has m = 4 cases, and the rate on the summed error is epsilon = 0.5.",
           "Multiply: eta = 4 x 0.5."],
    misconceptions=[
        Misconception("divided-by-m", "You divided epsilon by m; since dE/dw = m dC/dw, the "
                      "library's rate is m times larger: eta = m epsilon.",
                      answer=lambda: 0.5 / 4),
        Misconception("kept-epsilon", "You kept epsilon = 0.5; it applies to the summed error, "
                      "and the library minimises the mean, so eta = m epsilon.",
                      answer=lambda: 0.5),
        Misconception("symmetry-m", "You used m = 64, the number of cases of the symmetry "
                      "problem; XOR has 4 cases.", answer=lambda: 64 * 0.5),
        Misconception("symmetry-eta", "That is the symmetry experiment's rate, eta = 64 x 0.1 "
                      "= 6.4; the question is about XOR: m = 4 cases and epsilon = 0.5.",
                      answer=lambda: 64 * 0.1),
    ]))

_DIFFS = [d for d in itertools.product([-1, 0, 1], repeat=3) if any(d)]


def _separates(p, q, r):
    D = np.array(_DIFFS, dtype=float)
    return float(np.all(D @ np.array([p, q, r], dtype=float) != 0))


def _nonnegative_only(p, q, r):
    return float(all(p * a + q * b + r * c != 0
                     for a, b, c in itertools.product([0, 1], repeat=3) if a or b or c))


def _zero_included(p, q, r):
    return float(all(p * a + q * b + r * c != 0
                     for a, b, c in itertools.product([-1, 0, 1], repeat=3)))


def _distinct_only(p, q, r):
    return float(len({p, q, r}) == 3)


register(FunctionExercise(
    label="ex-symmetry-3", title="Which sizes work?", chapter=CHAPTER,
    reference=_separates,
    cases=lambda: [(1, 2, 4), (1, 1, 2), (4.5, 6.9, 9.2), (1, 2, 3), (0, 1, 2), (1, -1, 3),
                   (2, 5, 9)],
    hints=["A non-palindrome has a nonzero difference vector d = u - v with entries in "
           "{-1, 0, 1}: 26 vectors in all.",
           "(p, q, r) separates when p d1 + q d2 + r d3 != 0 for all 26 of them; "
           "itertools.product([-1, 0, 1], repeat=3) lists the 27 vectors, zero included.",
           "Skip the zero vector and return float(all(...)), 1.0 or 0.0."],
    misconceptions=[
        Misconception("nonnegative-differences", "You tried only differences 0 or 1; the halves "
                      "of a non-palindrome can also differ by -1, as in 1 + 1 - 2 = 0 for "
                      "(1, 1, 2).", function=_nonnegative_only),
        Misconception("zero-included", "You included the zero difference vector, the "
                      "palindromes themselves, for which the net input is always 0; only the 26 "
                      "nonzero differences must give a nonzero sum.", function=_zero_included),
        Misconception("distinct-is-enough", "Three different sizes are not enough: 1 + 2 - 3 = 0, "
                      "so (1, 2, 3) does not separate. Check every signed combination.",
                      function=_distinct_only),
    ]))


def _learned(criterion: str = "within_0.1") -> list[int]:
    stored = R.load_results("symmetry")
    return [r["sweeps"][criterion] for r in stored["runs"] if r["sweeps"][criterion] is not None]


def _budget() -> int:
    return int(R.load_results("symmetry")["max_sweeps"])


register(NumberExercise(
    label="ex-symmetry-4", title="Read the histogram", chapter=CHAPTER,
    # 5e-3: the ratio as the solution prints it (23.6) is accepted
    name="slowest / fastest learned run", rtol=5e-3,
    expected=lambda: max(_learned()) / min(_learned()),
    hints=["The stored runs are R.load_results('symmetry')['runs']; a run that did not learn "
           "has None as its sweep count.",
           "Keep the sweeps until every output is within 0.1 (criterion 'within_0.1') of the "
           "runs that learned.",
           "Divide the largest of those counts by the smallest."],
    misconceptions=[
        Misconception("min-over-max", "You divided the fastest by the slowest run: the ratio "
                      "asked for is slowest / fastest, at least 1.",
                      answer=lambda: min(_learned()) / max(_learned())),
        Misconception("stuck-at-budget", "You counted the stuck runs as if they had learned at "
                      "the budget; they did not learn at all, and are left out.",
                      answer=lambda: _budget() / min(_learned())),
        Misconception("other-criterion", "You used the sweeps to the correct side of 0.5; the "
                      "histogram shows the sweeps until every output is within 0.1.",
                      answer=lambda: max(_learned("correct")) / min(_learned("correct"))),
    ]))
