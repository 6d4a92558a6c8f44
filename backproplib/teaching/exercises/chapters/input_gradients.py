"""Exercises of chapter 23, Gradients of the input (``ch-input-gradients``)."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ChoiceExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-input-gradients"

# ---------------------------------------------------------------------------- 1
W1 = np.array([[1.0, -2.0, 0.0], [0.5, 1.0, -1.0], [-1.0, 0.0, 2.0]])
X1 = np.array([0.2, 0.4, 0.6])
Y1 = np.array([0.0, 1.0, 0.0])


def _delta1() -> np.ndarray:
    z = W1 @ X1
    a = np.exp(z - z.max())
    return a / a.sum() - Y1


def _input_gradient_1() -> np.ndarray:
    import backproplib as bp
    from backproplib.experiments.input_gradients import input_gradient

    net = bp.Network([3, 3], activations="softmax", loss="cross_entropy")
    net.W[0][...], net.b[0][...] = W1, 0.0
    return input_gradient(net, X1.reshape(3, 1), np.array([1]))[:, 0]


register(NumberExercise(
    label="ex-input-gradients-1",
    title="The input gradient of a softmax layer, by hand",
    chapter=CHAPTER,
    expected=_input_gradient_1,
    name="dC/dx",
    hints=[
        "Eq. (eq-input-gradient): dC_x/dx = (W^1)^T delta^1, and with softmax and cross-entropy "
        "delta^1 = a - y (here L = 1).",
        lambda: f"delta^1 = a - y = {np.round(_delta1(), 4).tolist()}.",
        "Multiply by the transpose: W.T @ delta.",
    ],
    misconceptions=[
        Misconception("W-not-transposed", "You multiplied delta by W, not by its transpose: the "
                      "error travels back along the connections, dC/dx = W^T delta.",
                      answer=lambda: W1 @ _delta1()),
        Misconception("stopped-at-delta", "That is delta^1 = a - y, the error of the weighted "
                      "input z; one more step, the last transpose, gives the input's: W^T delta.",
                      answer=_delta1),
        Misconception("sign-forgotten", "Every sign is flipped: delta^1 = a - y (output minus "
                      "target), not y - a.", answer=lambda: -(W1.T @ _delta1())),
    ],
))

# ---------------------------------------------------------------------------- 2


def _fgsm_step(x: np.ndarray, g: np.ndarray, eps: float) -> np.ndarray:
    return np.clip(x + eps * np.sign(g), 0.0, 1.0)


def _fgsm_cases() -> list[tuple]:
    r = np.random.default_rng(23)
    x = np.array([0.0, 0.1, 0.5, 0.95, 1.0, 0.3])
    g = np.array([-2.0, 0.4, 0.0, 3.0, 1e-9, -0.2])
    return [(x, g, 0.1), (x, -g, 0.25), (r.uniform(size=(4, 3)), r.normal(size=(4, 3)), 0.05),
            (np.zeros(3), np.array([1.0, -1.0, 0.0]), 0.0)]


register(FunctionExercise(
    label="ex-input-gradients-2",
    title="Write the attack",
    chapter=CHAPTER,
    reference=_fgsm_step,
    cases=_fgsm_cases,
    hints=[
        "Eq. (eq-fgsm): x + eps * sign(dC/dx); then keep every pixel in [0, 1].",
        "np.sign(g) is +1, -1 or 0 in every entry; np.clip(v, 0.0, 1.0) clips and returns a new "
        "array.",
        "return np.clip(x + eps * np.sign(g), 0.0, 1.0)",
    ],
    misconceptions=[
        Misconception("against-the-gradient", "Your step goes against the gradient: that lowers "
                      "the loss (gradient descent on the input); the attack goes along it, "
                      "x + eps * sign(g).",
                      function=lambda x, g, eps: np.clip(x - eps * np.sign(g), 0.0, 1.0)),
        Misconception("no-clip", "Pixels leave [0, 1]: clip the perturbed image back to the "
                      "valid range (the book's choice for images).",
                      function=lambda x, g, eps: x + eps * np.sign(g)),
        Misconception("gradient-not-sign", "You stepped by eps times the gradient itself; FGSM "
                      "moves every pixel by exactly eps, the sign of its gradient entry.",
                      function=lambda x, g, eps: np.clip(x + eps * g, 0.0, 1.0)),
    ],
))

# ---------------------------------------------------------------------------- 3
G3, EPS3 = np.array([0.3, -0.15, 0.0, 0.5, -0.25]), 0.05

register(NumberExercise(
    label="ex-input-gradients-3",
    title="How much can one step raise the loss?",
    chapter=CHAPTER,
    expected=lambda: EPS3 * np.abs(G3).sum(),
    name="the largest first-order rise",
    hints=[
        "To first order the loss rises by g^T eta = sum_i g_i eta_i, with every |eta_i| <= eps.",
        "Each term g_i eta_i is at most eps |g_i|, reached at eta_i = eps sign(g_i).",
        lambda: f"The sizes of the entries add up to {np.abs(G3).sum():.2f}; multiply by eps.",
    ],
    misconceptions=[
        Misconception("l2-norm", "That is eps ||g||_2, the largest rise over a ball of radius eps "
                      "in length; the box |eta_i| <= eps allows eps ||g||_1.",
                      answer=lambda: EPS3 * np.linalg.norm(G3)),
        Misconception("no-absolute-values", "You added the entries with their signs: with "
                      "eta = eps sign(g) every term g_i eta_i = eps |g_i| is positive.",
                      answer=lambda: EPS3 * G3.sum()),
        Misconception("largest-entry-only", "You moved only the largest entry; every pixel may "
                      "move by eps, so all the |g_i| count.",
                      answer=lambda: EPS3 * np.abs(G3).max()),
        Misconception("sign-forgotten", "That is the largest fall of the loss (a step against the "
                      "gradient); the attack raises it.",
                      answer=lambda: -EPS3 * np.abs(G3).sum()),
    ],
))

# ---------------------------------------------------------------------------- 4
FORWARD4 = 450 * (64 * 64 + 10 * 64)

register(NumberExercise(
    label="ex-input-gradients-4",
    title="What an input gradient costs",
    chapter=CHAPTER,
    expected=lambda: 2 * FORWARD4,
    name="the number of multiply-adds",
    rtol=1e-12,
    hints=[
        "A product of an (a x b) and a (b x c) matrix takes a b c multiply-adds.",
        lambda: f"The forward pass: W^1 X and W^2 A^1, {FORWARD4:,} multiply-adds.",
        "The backward pass to the input multiplies (W^2)^T Delta^2 and (W^1)^T Delta^1: the same "
        "shapes transposed.",
    ],
    misconceptions=[
        Misconception("with-weight-gradients", "You added the weight gradients Delta^l (A^{l-1})^T: "
                      "the input gradient does not need them.", answer=lambda: 3 * FORWARD4),
        Misconception("forward-only", "That is the forward pass alone; the backward pass to the "
                      "input costs as much again.", answer=lambda: FORWARD4),
        Misconception("finite-differences", "That is central differences: two forward passes per "
                      "pixel. Backpropagation needs one forward and one backward pass.",
                      answer=lambda: 2 * 64 * FORWARD4),
        Misconception("stopped-at-delta", "You stopped at Delta^1: the last product "
                      "(W^1)^T Delta^1 belongs to the input gradient too.",
                      answer=lambda: FORWARD4 + 450 * 10 * 64),
    ],
))

# ---------------------------------------------------------------------------- 5
register(ChoiceExercise(
    label="ex-input-gradients-5",
    title="Why random signs barely hurt",
    chapter=CHAPTER,
    question="Random signs of the same size as FGSM's barely change the accuracy up to "
             "epsilon = 0.1. Why?",
    options={
        "a": "The random perturbation is smaller than FGSM's.",
        "b": "To first order the loss changes by g^T eta: the gradient's signs make every term "
             "positive (eps ||g||_1 in all), random signs make the terms cancel (about "
             "eps ||g||_2 either way).",
        "c": "The network was trained on noisy images, so it ignores noise.",
        "d": "Clipping to [0, 1] removes most of a random perturbation.",
    },
    answer="b",
    why={
        "a": "Both change every pixel by exactly epsilon (before clipping): the sizes are equal, "
             "the directions differ.",
        "c": "The training images were not perturbed at all.",
        "d": "Clipping affects only pixels at 0 or 1, and it affects both perturbations alike.",
    },
    explanation="Right: the same size in every pixel, but only the gradient's signs add up; with "
                "64 pixels ||g||_1 can be up to 8 times ||g||_2.",
    hints=[
        "Compare the two perturbations' sizes pixel by pixel, then their first-order effects "
        "g^T eta.",
        "Sum of n terms of random sign: it grows like sqrt(n), not like n.",
    ],
))
