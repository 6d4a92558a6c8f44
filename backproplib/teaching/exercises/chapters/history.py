"""Chapter 16, "A short history of backpropagation": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ... import timeline
from ..registry import (
    ChoiceExercise,
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-history"
NAMES = ("Kelley", "Bryson", "Dreyfus", "Rosenblatt", "Amari", "Linnainmaa", "Werbos", "Parker",
         "TD-Gammon")


def _years(later: str | None = None) -> np.ndarray:
    """The first year of each name on the timeline; for ``later``, its second event instead."""
    out = []
    for who in NAMES:
        years = sorted(e.year for e in timeline.EVENTS if e.who == who)
        out.append(years[1] if who == later else years[0])
    return np.array(out, dtype=float)


def _later(who: str, message: str) -> Misconception:
    return Misconception(f"later-{who.lower()}", message, answer=lambda: _years(later=who))


register(NumberExercise(
    label="ex-history-1", title="Who, and when?", chapter=CHAPTER,
    name="the nine years", expected=lambda: _years(),
    hints=["Each name's first event: the optimal-control section gives Kelley, Bryson and "
           "Dreyfus; the section on neural networks before 1970 Rosenblatt and Amari.",
           "Linnainmaa's master's thesis is 1970, Parker's report 1985, TD-Gammon 1992.",
           "Werbos's first event is his Harvard PhD thesis, not his 1982 paper."],
    misconceptions=[
        _later("Werbos", "Werbos's year is his 1982 paper on multilayer perceptrons; his first "
                         "event is his 1974 Harvard thesis, Beyond Regression."),
        _later("Linnainmaa", "Linnainmaa's year is the 1976 paper in BIT; his first event is his "
                             "1970 master's thesis."),
        _later("Dreyfus", "Dreyfus's year is his 1973 work on controllers; his first event is "
                          "the 1962 derivation by the chain rule."),
    ]))


def _dreyfus(kind: str = "right"):
    import sympy as sp

    w, b, x, y = sp.symbols("w b x y")
    a = 1 / (1 + sp.exp(-(w * x + b)))
    return {"right": (a - y) * a * (1 - a) * x, "bias": (a - y) * a * (1 - a),
            "no-fprime": (a - y) * x, "sign": (y - a) * a * (1 - a) * x}[kind]


register(ExpressionExercise(
    label="ex-history-2", title="Dreyfus's derivation, by hand and by SymPy", chapter=CHAPTER,
    name="dC/dw", expected=lambda: _dreyfus(),
    hints=["The chain rule: dC/dw = (dC/da)(da/dz)(dz/dw).",
           "dC/da = a - y and da/dz = a (1 - a) for the logistic.",
           "The last factor is dz/dw = x. Write a = 1 / (1 + sp.exp(-(w*x + b))) with "
           "w, b, x, y = sp.symbols('w b x y')."],
    misconceptions=[
        Misconception("bias-not-weight", "That is dC/db: the last factor of dC/dw is "
                      "dz/dw = x, not dz/db = 1.", answer=lambda: _dreyfus("bias")),
        Misconception("no-fprime", "You left out the logistic's derivative "
                      "da/dz = a (1 - a).", answer=lambda: _dreyfus("no-fprime")),
        Misconception("t-minus-o", "The sign is flipped: dC/da = a - y for C = (a - y)^2 / 2.",
                      answer=lambda: _dreyfus("sign")),
    ]))


def _runs(per_parameter: int = 2, biases: bool = True) -> int:
    sizes = (64, 32, 10)
    n = sum(a * b + (b if biases else 0) for a, b in zip(sizes[:-1], sizes[1:]))
    return per_parameter * n


register(NumberExercise(
    label="ex-history-3", title="Predict what the reverse mode saves", chapter=CHAPTER,
    name="network runs", expected=lambda: _runs(),
    hints=["A central difference perturbs one parameter by +eps and by -eps: two runs of the "
           "network per parameter.",
           "The network has 64 x 32 + 32 parameters in layer 1 and 32 x 10 + 10 in layer 2.",
           "That is 2,410 parameters: multiply by the runs per parameter."],
    misconceptions=[
        Misconception("one-per-parameter", "That is one run per parameter, as for a forward "
                      "difference; a central difference evaluates f(theta + eps) and "
                      "f(theta - eps): two runs per parameter.", answer=lambda: _runs(1)),
        Misconception("no-biases", "You counted the weights only; the biases (32 + 10) are "
                      "perturbed too.", answer=lambda: _runs(biases=False)),
        Misconception("backprop-count", "That is the cost of backpropagation (one forward and "
                      "one backward pass); the question asks about central differences.",
                      answer=lambda: 2),
    ]))


def _forward_mode(x, fs, dfs):
    v, dv = x, 1.0
    for f, df in zip(fs, dfs):
        v, dv = f(v), df(v) * dv
    return dv


def _at_input(x, fs, dfs):
    out = 1.0
    for df in dfs:
        out *= df(x)
    return out


def _at_output(x, fs, dfs):
    v, out = x, 1.0
    for f, df in zip(fs, dfs):
        v = f(v)
        out *= df(v)
    return out


def _summed(x, fs, dfs):
    v, out = x, 0.0
    for f, df in zip(fs, dfs):
        out += df(v)
        v = f(v)
    return out if fs else 1.0


def _chain_cases() -> list[tuple]:
    fs = (np.sin, np.exp, np.tanh)
    dfs = (np.cos, np.exp, lambda t: 1 - np.tanh(t) ** 2)
    sq = (lambda t: t ** 2, lambda t: 3 * t)
    dsq = (lambda t: 2 * t, lambda t: 3.0)
    return ([(x0, fs, dfs) for x0 in (-1.0, 0.0, 0.3, 2.0)]
            + [(0.5, fs[:1], dfs[:1]), (1.5, sq, dsq), (0.7, (), ())])


register(FunctionExercise(
    label="ex-history-4", title="The reverse mode for a chain of functions", chapter=CHAPTER,
    reference=_forward_mode, cases=_chain_cases, rtol=1e-12,
    hints=["Two sweeps: forward, store v_0 = x, v_1 = f_1(v_0), ..., v_n; backward, carry the "
           "adjoint v_bar_k = df/dv_k, starting from v_bar_n = 1.",
           "Each backward step multiplies by one local derivative: v_bar_{k-1} = v_bar_k "
           "f_k'(v_{k-1}); f_k' is evaluated at the input of f_k.",
           "for k in reversed(range(len(fs))): adjoint *= dfs[k](values[k]); an empty chain "
           "returns 1."],
    misconceptions=[
        Misconception("derivative-at-x", "You evaluated every local derivative at the input x; "
                      "f_k' must be evaluated at v_{k-1}, the value that enters f_k (the forward "
                      "sweep stores them).", function=_at_input),
        Misconception("derivative-at-output", "You evaluated f_k' at its output v_k; the local "
                      "derivative is taken at its input v_{k-1} (an index off by one).",
                      function=_at_output),
        Misconception("summed", "You added the local derivatives; the chain rule multiplies "
                      "them.", function=_summed),
    ]))

register(ChoiceExercise(
    label="ex-history-5", title="Explain a plot: why discrete neurons have no gradient",
    chapter=CHAPTER,
    question="At w = -1, what does a step of gradient descent do to the weight of the step "
             "neuron, and to the weight of the logistic one?",
    options={"a": "The step neuron's weight does not move (its slope there is 0); the logistic "
                  "neuron's weight increases, towards lower cost.",
             "b": "Both weights increase: the cost is lower to the right in both curves.",
             "c": "The step neuron's weight jumps to w = 0.5, where its cost falls to 0; the "
                  "logistic one creeps towards it.",
             "d": "The step neuron's weight decreases, the logistic one's increases."},
    answer="a",
    why={"b": "Gradient descent sees only the slope at the current point, and the step neuron's "
              "cost is flat at w = -1: its slope is exactly 0.",
         "c": "Gradient descent does not know where the jump is; a flat cost gives a zero step.",
         "d": "A zero slope gives a zero step, in neither direction."},
    explanation="Right: the step neuron's cost is piecewise constant, so its derivative is 0 "
                "wherever it exists; the logistic cost slopes down towards larger w.",
    hints=["A step of gradient descent is -eta dC/dw: read the slope of each curve at w = -1.",
           "The step neuron's curve is flat at 0.5 until w = 0.5; the logistic curve falls "
           "everywhere."],
))
