"""Exercises of chapter 24, Could a brain backpropagate? (``ch-biological``)."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ChoiceExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-biological"

# ---------------------------------------------------------------------------- 1
X1 = np.array([[1.0], [-1.0]])
W1 = np.array([[0.5, -0.3], [0.8, 0.2]])
W2 = np.array([[1.0, -0.5], [0.3, 0.7]])
B2 = np.array([[0.2, -0.6], [0.9, 0.4]])
Y1 = np.array([[0.5], [-0.5]])


def _update(feedback: np.ndarray, forward: np.ndarray = W2, fprime: bool = True) -> np.ndarray:
    """delta^1 x^T with the error sent back through ``feedback``; ``forward`` is the output layer's
    weight matrix in the forward pass."""
    a1 = np.tanh(W1 @ X1)
    delta2 = forward @ a1 - Y1
    back = feedback @ delta2
    return ((1 - a1**2) * back if fprime else back) @ X1.T


def _fa_update() -> np.ndarray:
    from backproplib.architectures.feedback_alignment import FeedbackAlignmentNetwork

    net = FeedbackAlignmentNetwork([2, 2, 2], ["tanh", "identity"])
    net.set_params(np.concatenate([W1.ravel(), [0.0, 0.0], W2.ravel(), [0.0, 0.0]]))
    net.B = [B2.copy()]
    return net.loss_and_gradient(X1, Y1)[1].dW[0]


register(NumberExercise(
    label="ex-biological-1",
    title="Feedback alignment's update, by hand",
    chapter=CHAPTER,
    expected=_fa_update,
    name="the estimate of dC/dW^1",
    hints=[
        "Eq. (eq-biological-fa): delta^1 = f'(z^1) * B^2 delta^2, then the update is "
        "delta^1 x^T; the forward pass is the ordinary one.",
        lambda: "delta^2 = a^2 - y = "
                f"{np.round(W2 @ np.tanh(W1 @ X1) - Y1, 4).ravel().tolist()} (linear outputs).",
        "f'(z^1) = 1 - tanh(z^1)^2 = 1 - (a^1)^2, elementwise; multiply B2 @ delta2 by it.",
    ],
    misconceptions=[
        Misconception("used-W-transposed", "That is backpropagation's gradient: you sent the "
                      "error back through (W^2)^T. Feedback alignment uses the fixed B^2.",
                      answer=lambda: _update(W2.T)),
        Misconception("B-transposed", "You multiplied by (B^2)^T; B^2 already has the shape of "
                      "(W^2)^T, (n_1, n_2): delta^1 = f' * (B^2 delta^2).",
                      answer=lambda: _update(B2.T)),
        Misconception("B-in-the-forward-pass", "You used B in the forward pass: the network "
                      "computes its output with W^2 as always; B^2 appears only in the backward "
                      "pass.", answer=lambda: _update(B2, forward=B2.T)),
        Misconception("no-fprime", "You left out f'(z^1) = 1 - tanh^2: the feedback replaces "
                      "(W^2)^T only, the derivative of the hidden units stays.",
                      answer=lambda: _update(B2, fprime=False)),
    ],
))

# ---------------------------------------------------------------------------- 2
U2, V2 = np.array([1.0, 2.0, 2.0]), np.array([3.0, 0.0, 4.0])
COS2 = float(U2 @ V2 / (np.linalg.norm(U2) * np.linalg.norm(V2)))

register(NumberExercise(
    label="ex-biological-2",
    title="Is it a descent direction?",
    chapter=CHAPTER,
    expected=lambda: np.degrees(np.arccos(COS2)),
    name="the angle in degrees",
    hints=[
        "cos(theta) = u . v / (|u| |v|).",
        lambda: f"u . v = {U2 @ V2:g}, |u| = {np.linalg.norm(U2):g}, |v| = "
                f"{np.linalg.norm(V2):g}.",
        "np.degrees(np.arccos(11 / 15)).",
    ],
    misconceptions=[
        Misconception("radians", "That is the angle in radians; the question asks for degrees "
                      "(np.degrees).", answer=lambda: np.arccos(COS2)),
        Misconception("cosine", "That is cos(theta), not the angle: take np.arccos.",
                      answer=lambda: COS2),
        Misconception("supplement", "That is 180 degrees minus the angle, the angle between u "
                      "and -v: the dot product u . v = 11 is positive, so the angle is below 90.",
                      answer=lambda: 180.0 - np.degrees(np.arccos(COS2))),
    ],
))

# ---------------------------------------------------------------------------- 3


def _ste_cases() -> list[tuple]:
    r = np.random.default_rng(24)
    return [(np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0]), np.array([0.5, -1.0, 2.0, 0.25, -3.0])),
            (r.normal(size=(3, 4)), r.normal(size=(3, 4))),
            (np.array([[0.7]]), np.array([[-0.2]]))]


register(FunctionExercise(
    label="ex-biological-3",
    title="Write the straight-through backward pass",
    chapter=CHAPTER,
    reference=lambda z, grad_a: np.array(grad_a, dtype=float),
    cases=_ste_cases,
    hints=[
        "Eq. (eq-biological-ste): in the backward pass the unit is treated as the identity.",
        "The identity's derivative is 1 everywhere, whatever z is.",
        "return a copy of grad_a: np.array(grad_a, dtype=float, copy=True)",
    ],
    misconceptions=[
        Misconception("true-derivative", "That is the threshold's true derivative, zero "
                      "everywhere: no error would pass. The estimator copies dC/da instead.",
                      function=lambda z, grad_a: np.zeros_like(np.asarray(grad_a, dtype=float))),
        Misconception("gated-by-output", "You multiplied by the unit's output (1 where z > 0): "
                      "that is the rectifier's derivative. The straight-through estimator passes "
                      "the gradient for every z.",
                      function=lambda z, grad_a: np.asarray(grad_a) * (np.asarray(z) > 0)),
        Misconception("returned-z", "You returned the weighted input z; the backward pass returns "
                      "a gradient: dC/dz := dC/da.",
                      function=lambda z, grad_a: np.array(z, dtype=float)),
    ],
))

# ---------------------------------------------------------------------------- 4
register(ChoiceExercise(
    label="ex-biological-4",
    title="What feedback alignment removes",
    chapter=CHAPTER,
    question="Which of backpropagation's demands does feedback alignment remove?",
    options={
        "a": "Weight transport: the backward pathway no longer needs the forward weights.",
        "b": "The backward pathway itself: errors no longer travel backwards.",
        "c": "The exact output error delta^L.",
        "d": "The derivative f' of the hidden units in the backward pass.",
    },
    answer="a",
    why={
        "b": "The errors still travel backwards, layer by layer, through B^l: only the matrix "
             "they pass through changed.",
        "c": "delta^L is computed exactly as in backpropagation; the output layer's update is the "
             "true gradient.",
        "d": "delta^{l-1} = f'(z^{l-1}) * B^l delta^l keeps the derivative.",
    },
    explanation="Right: only (W^l)^T is replaced, by a fixed random B^l; the backward pass, the "
                "output error and f' remain.",
    hints=[
        "Compare eq. (eq-biological-bp) with eq. (eq-biological-fa) symbol by symbol.",
        "Exactly one symbol differs between the two equations.",
    ],
))

# ---------------------------------------------------------------------------- 5
register(ChoiceExercise(
    label="ex-biological-5",
    title="What did the frozen layer learn?",
    chapter=CHAPTER,
    question="Threshold hidden units with their true derivative read about 87% of the test "
             "digits. What did their hidden layer learn?",
    options={
        "a": "Slowly: its gradient is small but not zero.",
        "b": "Nothing: every delta^1 is zero, so W^1 and b^1 keep their random initial values; "
             "only the softmax layer learns.",
        "c": "It learned through the softmax, whose derivative is not zero.",
        "d": "The same features as a tanh network, only coarser.",
    },
    answer="b",
    why={
        "a": "The derivative of the threshold is exactly zero wherever it exists, so delta^1 is "
             "exactly zero, not small.",
        "c": "The softmax's derivative reaches delta^2; the step from delta^2 to delta^1 "
             "multiplies by the threshold's f' = 0.",
        "d": "The hidden weights never change, so the features are those of the random initial "
             "weights.",
    },
    explanation="Right: the output layer learns on the binary features that the random initial "
                "weights compute; 87% is what such random features allow on these digits.",
    hints=[
        "Eq. (eq-biological-threshold): what is delta^1 when f' = 0?",
        "The weight gradient of layer 1 is delta^1 x^T.",
    ],
))
