"""Chapter 18, "Deep networks: vanishing, exploding, rescued": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....architectures import batch_norm as BN
from ..registry import ChoiceExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-deep-networks"
FAN_IN, FAN_OUT = 100, 50

register(NumberExercise(
    label="ex-deep-networks-1", title="Glorot's half-width", chapter=CHAPTER,
    name="the half-width r", expected=lambda: np.sqrt(6.0 / (FAN_IN + FAN_OUT)),
    hints=["Glorot and Bengio's compromise: Var(W) = 2 / (n_in + n_out).",
           "For these sizes Var(W) = 2/150 = 0.01333; a uniform distribution on [-r, r] has "
           "variance r^2 / 3.",
           "Solve r^2 / 3 = 2 / (n_in + n_out) for r."],
    misconceptions=[
        Misconception("variance-not-width", "That is the variance Var(W) = 2/(n_in + n_out); the "
                      "half-width of the uniform distribution is r = sqrt(3 Var(W)).",
                      answer=lambda: 2.0 / (FAN_IN + FAN_OUT)),
        Misconception("std-not-width", "That is the standard deviation sqrt(Var(W)); a uniform "
                      "distribution on [-r, r] has variance r^2/3, so r = sqrt(3) times it.",
                      answer=lambda: np.sqrt(2.0 / (FAN_IN + FAN_OUT))),
        Misconception("fan-in-only", "That keeps the forward variance only (Var(W) = 1/n_in); "
                      "Glorot's rule averages fan-in and fan-out: 2/(n_in + n_out).",
                      answer=lambda: np.sqrt(3.0 / FAN_IN)),
        Misconception("he-rule", "That is He's variance 2/n_in, meant for ReLU units; Glorot's "
                      "uses 2/(n_in + n_out).", answer=lambda: np.sqrt(6.0 / FAN_IN)),
    ]))

GRADIENT = np.array([3.0, 4.0, 12.0])
MAX_NORM = 5.0

register(NumberExercise(
    label="ex-deep-networks-2", title="Clip a gradient", chapter=CHAPTER,
    name="the clipped gradient",
    expected=lambda: GRADIENT * min(1.0, MAX_NORM / np.linalg.norm(GRADIENT)),
    hints=["Clipping by the norm keeps the direction and shortens the vector to length max_norm.",
           "||g|| = sqrt(9 + 16 + 144) = 13 > 5, so the gradient is scaled by 5/13.",
           "Multiply every entry by max_norm / ||g||."],
    misconceptions=[
        Misconception("clip-entries", "You clipped every entry to [-5, 5]: that changes the "
                      "direction of the gradient. Clipping by the norm scales the whole vector.",
                      answer=lambda: np.clip(GRADIENT, -MAX_NORM, MAX_NORM)),
        Misconception("normalised", "You divided by the norm only: the result has length 1, not "
                      "max_norm. Multiply by max_norm / ||g||.",
                      answer=lambda: GRADIENT / np.linalg.norm(GRADIENT)),
        Misconception("squared-norm", "You divided by the squared norm ||g||^2 = 169; the scale "
                      "is max_norm / ||g||.",
                      answer=lambda: GRADIENT * MAX_NORM / np.sum(GRADIENT ** 2)),
    ]))


def _bn_dz(G: np.ndarray, Z: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    _, cache = BN.batch_norm_forward(Z, gamma, np.zeros_like(gamma))
    return BN.batch_norm_backward(G, cache)[0]


def _inv_std(Z: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(Z.var(axis=1, keepdims=True) + 1e-5)


def _per_example(G: np.ndarray, Z: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    return gamma[:, None] * G * _inv_std(Z)


def _no_variance_term(G: np.ndarray, Z: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    Gh = gamma[:, None] * G
    return (Gh - Gh.mean(axis=1, keepdims=True)) * _inv_std(Z)


def _no_mean_term(G: np.ndarray, Z: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    Gh = gamma[:, None] * G
    z_hat = (Z - Z.mean(axis=1, keepdims=True)) * _inv_std(Z)
    return (Gh - z_hat * (Gh * z_hat).mean(axis=1, keepdims=True)) * _inv_std(Z)


def _bn_cases() -> list[tuple]:
    r = np.random.default_rng(18)
    cases = []
    for n, m in [(1, 2), (3, 5), (4, 16)]:  # m = 2: the smallest batch
        cases.append((r.normal(size=(n, m)), 2.0 * r.normal(size=(n, m)) + 1.0,
                      r.uniform(0.5, 2.0, size=n)))
    return cases


register(FunctionExercise(
    label="ex-deep-networks-3", title="The backward pass of batch normalisation", chapter=CHAPTER,
    reference=_bn_dz, cases=_bn_cases, rtol=1e-8,
    hints=["Every Zhat_ji depends on Z_ji directly and through the batch's mean mu_j and variance "
           "var_j: three paths, so dC/dZ has three terms.",
           "Through mu: -mean_i(Gh_i) / sigma; through var: -Zhat mean_i(Gh_i Zhat_i) / sigma, with "
           "Gh = gamma G and sigma = sqrt(var + eps).",
           "dZ = (Gh - Gh.mean(axis=1, keepdims=True) - Zhat * (Gh * Zhat).mean(axis=1, "
           "keepdims=True)) / sigma, with eps = 1e-5 and the means over the batch axis."],
    misconceptions=[
        Misconception("per-example", "You treated the batch mean and variance as constants, as if "
                      "each example's loss depended on that example alone (chapter 8's "
                      "assumption); batch normalisation couples the examples, and both "
                      "statistics depend on Z.", function=_per_example),
        Misconception("no-variance-term", "You kept the path through the mean but not the one "
                      "through the variance: the term -Zhat mean(Gh Zhat) is missing.",
                      function=_no_variance_term),
        Misconception("no-mean-term", "You kept the path through the variance but not the one "
                      "through the mean: the term -mean(Gh) is missing.",
                      function=_no_mean_term),
    ]))

register(ChoiceExercise(
    label="ex-deep-networks-4", title="Why logistic units lose the gradient", chapter=CHAPTER,
    question="With Glorot's initialisation, a plain stack of tanh units still passes more than a "
             "twentieth of the output layer's error down to layer 1 at depth 50, but a stack of "
             "logistic units loses a factor of a million by depth 10. Which property of the "
             "logistic function explains most of the difference?",
    options={"a": "Its slope is at most 1/4 (at z = 0), so every layer multiplies the error by "
                  "a factor of about 1/4 or less.",
             "b": "It is not differentiable at z = 0.",
             "c": "Its outputs are bounded, between 0 and 1.",
             "d": "It needs more floating-point operations than tanh."},
    answer="a",
    why={"b": "The logistic function is smooth everywhere; it is ReLU that has a kink at 0.",
         "c": "tanh is bounded too (between -1 and 1) and keeps its gradient; boundedness is not "
              "the difference.",
         "d": "The cost of evaluating f changes the time, not the size of the gradient."},
    explanation="Right: delta^{l-1} = f'(z^{l-1}) * (W^l)^T delta^l, and with weights that preserve "
                "the variance the factor f' <= 1/4 of the logistic is left over at every layer; "
                "tanh's slope is 1 at z = 0, where Glorot's initialisation keeps its inputs.",
    hints=["Write down the recursion for delta^{l-1} and ask what each layer multiplies by.",
           "Compare the largest slopes: the logistic's at z = 0, and tanh's at z = 0."],
))
