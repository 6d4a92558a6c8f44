"""Chapter 3, "Deriving the generalised delta rule": the exercises, their mistakes and hints.

The chapter uses per-neuron names: ``o`` for an output, ``t`` for a target, ``w_ij`` from unit ``i``
to unit ``j`` (the seed article's order), and ``E = 1/2 (t - o)^2``; its ``delta_j = dE/dnet_j`` (so
an output neuron's delta is ``(o_j - t_j) f'(net_j)``, the negative of the 1986 PDP chapter's
``(t_j - o_j) f'(net_j)``).
"""

from __future__ import annotations

import numpy as np

from ..registry import ExpressionExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-delta-rule"


# ---------------------------------------------------------------- 1: a tanh output neuron
def _tanh_delta(kind: str = "right"):
    import sympy as sp

    o, t = sp.symbols("o t", real=True)
    slope = 1 - o**2
    if kind == "t-minus-o":
        return (t - o) * slope
    if kind == "no-fprime":
        return o - t
    if kind == "logistic-slope":
        return (o - t) * o * (1 - o)
    if kind == "no-half":
        return 2 * (o - t) * slope
    return (o - t) * slope


register(ExpressionExercise(
    label="ex-delta-rule-1", title="The delta of a tanh output neuron", chapter=CHAPTER,
    name="delta_j", expected=lambda: _tanh_delta(),
    hints=["delta_j = dE/dnet_j = dE/do_j times do_j/dnet_j (Eq. 3.1 without its last "
           "factor).",
           "tanh'(z) = 1 - tanh(z)^2, so with o_j = tanh(net_j) the slope is 1 - o_j^2.",
           "Multiply the output factor of Eq. 3.4, o - t, by 1 - o^2."],
    misconceptions=[
        Misconception("t-minus-o", "The sign is flipped: dE/do = o - t for E = 1/2 (t - o)^2. "
                      "(t - o) f'(net) is the delta of the 1986 PDP chapter, the negative of this chapter's "
                      "dE/dnet.", answer=lambda: _tanh_delta("t-minus-o")),
        Misconception("no-fprime", "The activation's derivative f'(net_j) = 1 - o_j^2 is "
                      "missing: delta is taken with respect to the net input, through the "
                      "tanh.", answer=lambda: _tanh_delta("no-fprime")),
        Misconception("logistic-slope", "That is the logistic neuron's slope o (1 - o); a tanh "
                      "neuron's is 1 - o^2.", answer=lambda: _tanh_delta("logistic-slope")),
        Misconception("no-half", "The factor 2 belongs to (t - o)^2 without the 1/2; with "
                      "E = 1/2 (t - o)^2 the 2 of the square cancels.",
                      answer=lambda: _tanh_delta("no-half")),
    ]))


# ---------------------------------------------------------------- 2: one update by hand
O_J, T_J, O_I, ETA = 0.8, 1.0, 0.5, 0.5


def _update(kind: str = "right") -> np.ndarray:
    slope = O_J * (1 - O_J)
    delta = (O_J - T_J) * slope
    if kind == "no-fprime":
        delta = O_J - T_J
    if kind in ("t-minus-o", "paper-sign"):
        delta = (T_J - O_J) * slope
    if kind == "no-half":
        delta = 2 * (O_J - T_J) * slope
    step = -ETA * O_I * delta
    if kind == "no-o_i":
        step = -ETA * delta
    if kind in ("ascent", "paper-sign"):
        step = +ETA * O_I * delta
    return np.array([delta, step])


register(NumberExercise(
    label="ex-delta-rule-2", title="One update by hand", chapter=CHAPTER,
    name="(delta_j, Delta w_ij)", expected=_update,
    hints=["Eq. 3.6 for an output neuron: delta_j = (o_j - t_j) o_j (1 - o_j); then "
           "Eq. 3.7: Delta w_ij = -eta o_i delta_j.",
           "The slope is o_j (1 - o_j) = 0.8 x 0.2 = 0.16, and o_j - t_j = -0.2.",
           "delta_j = -0.2 x 0.16; multiply it by -eta o_i = -0.25 for the step."],
    misconceptions=[
        # eta = o_i = 0.5 here, so leaving out either factor gives the same 0.016
        Misconception("no-o_i", "Delta w_ij is missing a factor 0.5: either o_i (a weight's "
                      "derivative is its input times the delta of the neuron it feeds, "
                      "dE/dw_ij = o_i delta_j) or eta; Delta w_ij = -eta o_i delta_j has both.",
                      answer=lambda: _update("no-o_i")),
        Misconception("no-fprime", "delta_j is missing the slope of the logistic, "
                      "o_j (1 - o_j) = 0.16: you used o_j - t_j alone.",
                      answer=lambda: _update("no-fprime")),
        Misconception("t-minus-o", "You wrote delta_j with (t_j - o_j) and then took "
                      "Delta w_ij = -eta o_i delta_j: the minus sign is used twice, and the step "
                      "would move the output away from its target. This chapter's "
                      "delta_j = dE/dnet_j has (o_j - t_j).",
                      answer=lambda: _update("t-minus-o")),
        Misconception("paper-sign", "Delta w_ij is right, but your delta_j has the 1986 PDP chapter's "
                      "sign, (t_j - o_j) f'(net_j); this chapter's delta_j = dE/dnet_j is its "
                      "negative, (o_j - t_j) f'(net_j).", answer=lambda: _update("paper-sign")),
        Misconception("ascent", "Delta w_ij has the wrong sign: descent moves against the "
                      "derivative, Delta w_ij = -eta o_i delta_j.",
                      answer=lambda: _update("ascent")),
        Misconception("no-half", "delta_j is twice too large: that is the derivative of "
                      "(t - o)^2 without the 1/2, whose 2 the half squared error cancels.",
                      answer=lambda: _update("no-half")),
    ]))


# ---------------------------------------------------------------- 3: the inner delta
def _reference(o, W_next, delta_next):
    back = np.einsum("lj,l->j", W_next, delta_next)   # sum over the next layer
    return o * (1 - o) * back


def _no_fprime(o, W_next, delta_next):
    return W_next.T @ delta_next


def _not_transposed(o, W_next, delta_next):
    return o * (1 - o) * (W_next @ delta_next)


def _rows_in_a_loop(o, W_next, delta_next):
    out = np.zeros_like(o)
    for j in range(len(o)):
        back = sum(W_next[j, l] * delta_next[l] for l in range(len(delta_next)))
        out[j] = back * o[j] * (1 - o[j])
    return out


def _tanh_slope(o, W_next, delta_next):
    return (1 - o**2) * (W_next.T @ delta_next)


def _inner_cases() -> list[tuple]:
    r = np.random.default_rng(3)
    cases = [(r.uniform(0.05, 0.95, size=n), r.normal(size=(k, n)), r.normal(size=k))
             for n, k in [(3, 2), (2, 1), (5, 4)]]              # non-square W_next
    cases.append((np.array([0.5, 0.0, 1.0]), r.normal(size=(3, 3)),   # slope 1/4, 0 and 0
                  r.normal(size=3)))
    return cases


register(FunctionExercise(
    label="ex-delta-rule-3", title="Implement the inner delta", chapter=CHAPTER,
    reference=_reference, cases=_inner_cases,
    hints=["Eq. 3.6 for an inner neuron: delta_j = (sum over l of w_jl delta_l) "
           "o_j (1 - o_j), with the library's W_next[l, j] holding w_jl.",
           "For neuron j the sum runs down column j of W_next: "
           "sum(W_next[l, j] * delta_next[l] for l in range(len(delta_next))).",
           "Loop over j, compute that sum, multiply it by o[j] * (1 - o[j]) and store it in a "
           "new array (not in o)."],
    misconceptions=[
        Misconception("no-fprime", "The slope o_j (1 - o_j) is missing: the weighted sum of the "
                      "next layer's deltas is dE/do_j, and delta_j = dE/dnet_j needs the "
                      "logistic's derivative too.", function=_no_fprime),
        Misconception("W-not-transposed", "You summed along row j of W_next (W_next @ delta), "
                      "the weights *into* unit j of the next layer. Neuron j's outgoing weights "
                      "are column j: the sum is (W_next)^T delta_next (did you mean W.T?).",
                      function=_not_transposed),
        Misconception("row-not-column-in-loop", "Your loop reads W_next[j, l], row j: those are "
                      "the weights into unit j of the next layer, and for a non-square W_next the "
                      "index runs out of range. Neuron j's outgoing weights are column j, "
                      "W_next[l, j] (the transpose, did you mean W.T?).",
                      function=_rows_in_a_loop),
        Misconception("tanh-slope", "That is the tanh slope 1 - o^2; these neurons are "
                      "logistic, with slope o (1 - o).", function=_tanh_slope),
    ]))


# ---------------------------------------------------------------- 4: the largest slopes
register(NumberExercise(
    label="ex-delta-rule-4", title="Read the figure of the deltas", chapter=CHAPTER,
    name="(max logistic slope, max tanh slope)", expected=lambda: [0.25, 1.0],
    hints=["Each layer multiplies the error by the activation's slope; find where each slope is "
           "largest by setting its derivative to zero.",
           "Both slopes are even functions, largest at z = 0.",
           "Evaluate phi'(z) = phi (1 - phi) and tanh'(z) = 1 - tanh^2 at z = 0."],
    misconceptions=[
        Misconception("values-not-slopes", "Those are phi(0) = 1/2 and tanh(0) = 0, the values "
                      "of the functions at z = 0, not their slopes.",
                      answer=lambda: [0.5, 0.0]),
        Misconception("swapped", "The two are swapped: the logistic's slope is at most 1/4, "
                      "tanh's at most 1.", answer=lambda: [1.0, 0.25]),
        Misconception("logistic-value", "1/2 is phi(0), the logistic's value; its slope there "
                      "is phi(0) (1 - phi(0)) = 1/4.", answer=lambda: [0.5, 1.0]),
    ]))


# ---------------------------------------------------------------- 5: without the one half
def _no_half(kind: str = "right"):
    import sympy as sp

    o, t = sp.symbols("o t", real=True)
    if kind == "kept-half":
        return o - t
    if kind == "t-minus-o":
        return 2 * (t - o)
    if kind == "with-slope":
        return 2 * (o - t) * o * (1 - o)
    return 2 * (o - t)


register(ExpressionExercise(
    label="ex-delta-rule-5", title="Without the one half", chapter=CHAPTER,
    name="dE'/do", expected=lambda: _no_half(),
    hints=["Differentiate E' = (t - o)^2 with respect to o by the chain rule.",
           "The outer square gives 2 (t - o); the inner derivative of t - o with respect to o is "
           "-1.",
           "Multiply 2 (t - o) by -1."],
    misconceptions=[
        Misconception("kept-half", "That is the derivative of E = 1/2 (t - o)^2, with the 1/2; "
                      "without it the 2 of the square stays: 2 (o - t).",
                      answer=lambda: _no_half("kept-half")),
        Misconception("t-minus-o", "The sign is flipped: the inner derivative d(t - o)/do = -1 "
                      "turns 2 (t - o) into 2 (o - t).",
                      answer=lambda: _no_half("t-minus-o")),
        Misconception("with-slope", "That is dE'/dnet, the output neuron's delta, with the "
                      "logistic slope o (1 - o); the question asks for the first factor alone, "
                      "dE'/do.", answer=lambda: _no_half("with-slope")),
    ]))
