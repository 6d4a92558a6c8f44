"""Chapter 10, "Using the gradient: optimisers": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....optim import Adam
from ..registry import (
    ChoiceExercise,
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-optimisers"
W0 = np.array([[0.5, -1.0], [2.0, 0.0]])
DW_PREV = np.array([[0.1, 0.0], [-0.2, 0.05]])
GRAD = np.array([[1.0, -2.0], [0.5, 0.0]])
ETA, ALPHA = 0.1, 0.9

register(NumberExercise(
    label="ex-optimisers-1", title="One momentum step by hand", chapter=CHAPTER,
    name="W after the momentum step", expected=lambda: W0 - ETA * GRAD + ALPHA * DW_PREV,
    hints=["Eq. 10.2: Delta W(t) = -eta dC/dW + alpha Delta W(t-1), then "
           "W <- W + Delta W(t).",
           "-eta dC/dW = [[-0.1, 0.2], [-0.05, 0]] and alpha Delta W(t-1) = [[0.09, 0], "
           "[-0.18, 0.045]].",
           "Delta W(t) = [[-0.01, 0.2], [-0.23, 0.045]]: add it to W."],
    misconceptions=[
        Misconception("no-momentum-term", "You took a plain gradient step: the momentum term "
                      "alpha Delta W(t-1) is missing.", answer=lambda: W0 - ETA * GRAD),
        Misconception("alpha-not-applied", "You added the whole previous change Delta W(t-1); "
                      "momentum carries on only the fraction alpha = 0.9 of it.",
                      answer=lambda: W0 - ETA * GRAD + DW_PREV),
        Misconception("gradient-sign", "You stepped up the gradient (+eta dC/dW): descent moves "
                      "against it.", answer=lambda: W0 + ETA * GRAD + ALPHA * DW_PREV),
        Misconception("previous-change-subtracted", "You subtracted alpha Delta W(t-1); the "
                      "previous change is added, so that consistent steps build up.",
                      answer=lambda: W0 - ETA * GRAD - ALPHA * DW_PREV),
        Misconception("change-not-weights", "That is the change Delta W(t) = -eta dC/dW + alpha "
                      "Delta W(t-1); the question asks for the new weights, W + Delta W(t).",
                      answer=lambda: -ETA * GRAD + ALPHA * DW_PREV),
    ]))


def _step_after(t: int, alpha: float = ALPHA, eta: float = ETA, g: float = 0.5) -> float:
    return eta * g * (1 - alpha ** t) / (1 - alpha)


register(NumberExercise(
    label="ex-optimisers-2", title="Predict the terminal step", chapter=CHAPTER,
    name="[step after 3 steps, step after many steps]",
    expected=lambda: [_step_after(3), ETA * 0.5 / (1 - ALPHA)],
    hints=["Unroll Eq. 10.2 with a constant gradient: Delta w(t) = -eta g (1 + alpha "
           "+ ... + alpha^(t-1)).",
           "A geometric series: 1 + alpha + ... + alpha^(t-1) = (1 - alpha^t) / (1 - alpha); "
           "eta g = 0.05.",
           "For t = 3 the sum is 1 + 0.9 + 0.81 = 2.71; for t -> infinity it is 1/(1 - alpha) "
           "= 10."],
    misconceptions=[
        Misconception("n-minus-1-steps", "Your first number is the step after 2 steps, not 3: "
                      "the step of step t sums t terms, 1 + alpha + ... + alpha^(t-1).",
                      answer=lambda: [_step_after(2), ETA * 0.5 / (1 - ALPHA)]),
        Misconception("n-plus-1-steps", "Your first number sums four terms (up to alpha^3); "
                      "after 3 steps the sum is 1 + alpha + alpha^2.",
                      answer=lambda: [_step_after(4), ETA * 0.5 / (1 - ALPHA)]),
        Misconception("alpha-not-applied", "Your first number adds the three steps in full, "
                      "3 x 0.05: momentum carries on only the fraction alpha of the previous "
                      "change, so the sum is 0.05 (1 + 0.9 + 0.81).",
                      answer=lambda: [3 * ETA * 0.5, ETA * 0.5 / (1 - ALPHA)]),
        Misconception("no-momentum", "Those are plain gradient steps eta g = 0.05: with momentum "
                      "the steps add up, towards eta g / (1 - alpha).",
                      answer=lambda: [ETA * 0.5, ETA * 0.5]),
    ]))


def _adam_symbols():
    import sympy as sp

    return sp.symbols("beta_1 beta_2 g eta epsilon", positive=True)


def _adam_first_step(kind: str = "right"):
    import sympy as sp

    b1, b2, g, eta, eps = _adam_symbols()
    m1, v1 = (1 - b1) * g, (1 - b2) * g ** 2
    if kind == "no-correction":
        return -eta * m1 / (sp.sqrt(v1) + eps)
    if kind == "no-sqrt":
        return -eta * g / (g ** 2 + eps)
    if kind == "sign":
        return eta * g / (g + eps)
    return -eta * g / (g + eps)


register(ExpressionExercise(
    label="ex-optimisers-3", title="Adam's first step, derived", chapter=CHAPTER,
    name="the first step", expected=_adam_first_step,
    hints=["From m_0 = v_0 = 0, Eq. 10.3 gives m_1 = (1 - beta_1) g and "
           "v_1 = (1 - beta_2) g^2.",
           "The bias correction divides by 1 - beta_1^1 and 1 - beta_2^1: m_hat_1 = g, "
           "v_hat_1 = g^2.",
           "Put them into Eq. 10.4; sqrt(g^2) = g for the positive g of the "
           "symbols."],
    misconceptions=[
        Misconception("no-bias-correction", "You used m_1 and v_1 without the bias correction: "
                      "divide by 1 - beta_1 and 1 - beta_2, which gives m_hat_1 = g and "
                      "v_hat_1 = g^2.", answer=lambda: _adam_first_step("no-correction")),
        Misconception("no-square-root", "You divided by v_hat_1 = g^2 instead of its square "
                      "root |g|.", answer=lambda: _adam_first_step("no-sqrt")),
        Misconception("sign-flipped", "The sign is flipped: Adam steps against the gradient, "
                      "w <- w - eta m_hat / (sqrt(v_hat) + eps).",
                      answer=lambda: _adam_first_step("sign")),
    ]))


def _adam_reference(grads, eta, beta1, beta2, eps):
    w, opt, out = np.zeros(1), Adam(eta, beta1, beta2, eps), []
    for g in grads:
        opt.step([w], [np.array([float(g)])])
        out.append(w[0])
    return np.array(out)


def _adam_variant(grads, eta, beta1, beta2, eps, correct_m=True, correct_v=True,
                  eps_inside=False):
    w, m, v, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t) if correct_m else m
        v_hat = v / (1 - beta2 ** t) if correct_v else v
        w -= eta * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
        out.append(w)
    return np.array(out)


def _adam_t_from_zero(grads, eta, beta1, beta2, eps):
    w, m, v, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads):          # t = 0 for the first gradient: 1 - beta^0 = 0
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w -= eta * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)) ** 0.5 + eps)
        out.append(w)
    return np.array(out)


def _adam_cases() -> list[tuple]:
    r = np.random.default_rng(10)
    return [([1.0, 1.0, 1.0], 0.1, 0.9, 0.999, 1e-8),
            ([2.0, -1.0, 0.5, 3.0], 0.05, 0.5, 0.9, 1e-3),
            (list(r.normal(size=8) * 1e-3), 0.01, 0.9, 0.999, 1e-8),
            ([0.0, 0.0, 1.0], 0.1, 0.9, 0.999, 1e-8),     # a zero gradient first
            ([-4.0], 0.2, 0.9, 0.99, 1e-2)]               # one step


register(FunctionExercise(
    label="ex-optimisers-4", title="Adam in a loop", chapter=CHAPTER,
    reference=_adam_reference, cases=_adam_cases,
    hints=["The state is m, v and the step counter t, which starts at 1 for the first gradient.",
           "Each step: m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2, then "
           "m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t).",
           "w -= eta * m_hat / (np.sqrt(v_hat) + eps); append w after every step."],
    misconceptions=[
        Misconception("no-bias-correction", "Your steps are those of Adam without the bias "
                      "correction: divide m by 1 - beta1^t and v by 1 - beta2^t.",
                      function=lambda *a: _adam_variant(*a, correct_m=False, correct_v=False)),
        Misconception("only-m-corrected", "You corrected m for its start at zero but not v: "
                      "v_hat = v / (1 - beta2^t) too.",
                      function=lambda *a: _adam_variant(*a, correct_v=False)),
        Misconception("eps-inside-sqrt", "You put eps inside the square root, sqrt(v_hat + eps); "
                      "Eq. 10.4 adds it after: sqrt(v_hat) + eps.",
                      function=lambda *a: _adam_variant(*a, eps_inside=True)),
        Misconception("t-from-zero", "Your step counter starts at t = 0, so the bias "
                      "correction divides by 1 - beta^0 = 0: the first gradient is step t = 1 "
                      "(enumerate(grads, start=1)).", function=_adam_t_from_zero),
    ]))

register(ChoiceExercise(
    label="ex-optimisers-5", title="Explain the plot: steps per epoch", chapter=CHAPTER,
    question="After the same 180 steps with eta = 0.2 (batch descent for 180 epochs, mini-batches "
             "of 20 for 20 epochs, single examples for 1 epoch), how do the three training "
             "losses compare?",
    options={"a": "Stochastic descent is lowest, as it is per epoch.",
             "b": "Batch and mini-batch descent are about equal (within 0.001 of each other); "
                  "stochastic descent is clearly highest.",
             "c": "All three are equal: they took the same number of steps.",
             "d": "Batch descent is far lowest; mini-batch descent lies halfway between it and "
                  "stochastic descent."},
    answer="b",
    why={"a": "Per epoch, yes, because it takes 180 steps per epoch; per step, each "
              "single-example gradient is a noisy estimate of the full one, and after 180 "
              "steps stochastic descent is well behind.",
         "c": "The same number of steps, but not the same directions: a single example's "
              "gradient is a noisy estimate of the full gradient.",
         "d": "An average over 20 examples is already close to the full gradient: after 180 "
              "steps the two losses differ in the fourth decimal."},
    explanation="Right: per step, a gradient averaged over 20 examples is almost as good a "
                "direction as the full gradient, at a ninth of the examples per step; a single "
                "example is not. Per epoch the order is reversed, because the small batches take "
                "more steps.",
    hints=["Count steps, not epochs: an epoch of mini-batches of 20 is 9 steps, an epoch of "
           "single examples 180.",
           "Run bp.train for 180, 20 and 1 epochs with batch_size None, 20 and 1, and compare "
           "the last losses."],
))
