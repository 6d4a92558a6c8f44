"""Exercises of chapter 20, convolutions and pooling (``ch-convolutions``)."""

from __future__ import annotations

import numpy as np

from ...exercises.registry import (
    FunctionExercise,
    Misconception,
    NumberExercise,
    ShapeExercise,
    register,
)

CHAPTER = "ch-convolutions"


def _out(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


# ---------------------------------------------------------------- 1: shapes with stride and padding
C_IN, C_OUT, N1, K1, S1, P1, M1 = 3, 4, 9, 3, 2, 2, 5


def _shapes(n_out: int) -> list[tuple[int, ...]]:
    return [(C_OUT, n_out, n_out, M1), (C_OUT, C_IN, K1, K1), (C_IN, N1, N1, M1)]


register(ShapeExercise(
    label="ex-convolutions-1", title="Shapes with stride and padding", chapter=CHAPTER,
    names=["y", "dC/dK", "dC/dx"],
    expected=lambda: _shapes(_out(N1, K1, S1, P1)),
    misconceptions=[
        Misconception("no-padding", "the padding adds p zeros on both sides: the output size "
                      "is (n + 2p - k) // s + 1", answer=lambda: _shapes(_out(N1, K1, S1, 0))),
        Misconception("no-plus-one", "(n + 2p - k) // s counts the steps between the first and "
                      "the last window; the number of windows is one more",
                      answer=lambda: _shapes((N1 + 2 * P1 - K1) // S1)),
        Misconception("no-stride", "with stride s the kernel moves s pixels at a time: divide "
                      "(n + 2p - k) by s", answer=lambda: _shapes(_out(N1, K1, 1, P1))),
    ],
    hints=["Along each spatial axis the output has (n + 2p - k) // s + 1 entries; the "
           "gradients have the shapes of what they differentiate.",
           lambda: f"n + 2p - k = {N1 + 2 * P1 - K1}, divided by s = {S1} and rounded down: "
                   f"{(N1 + 2 * P1 - K1) // S1}",
           "dC/dK has the kernel's shape (C_out, C_in, k, k) and dC/dx the input's."]))

# ---------------------------------------------------------------- 2: the input gradient by hand
X2, K2, G2 = [1.0, 2.0, -1.0, 3.0], [2.0, -1.0], [1.0, 0.0, -1.0]


def _correlate(a: list[float], k: list[float]) -> list[float]:
    return [sum(a[i + j] * k[j] for j in range(len(k))) for i in range(len(a) - len(k) + 1)]


def _full(g: list[float]) -> list[float]:
    pad = [0.0] * (len(K2) - 1)
    return pad + list(g) + pad


register(NumberExercise(
    label="ex-convolutions-2", title="The input gradient by hand", chapter=CHAPTER,
    expected=lambda: _correlate(_full(G2), K2[::-1]), name="dC/dx", rtol=1e-12,
    misconceptions=[
        Misconception("kernel-not-flipped", "you correlated the padded gradient with K itself: "
                      "the input gradient uses the flipped kernel (x_q meets K_j at output "
                      "q - j, so the kernel runs backwards)",
                      answer=lambda: _correlate(_full(G2), K2)),
        Misconception("valid-not-full", "a valid correlation of g gives only len(g) - k + 1 "
                      "entries: pad g with k - 1 zeros on both sides (a full correlation), one "
                      "entry per input", answer=lambda: _correlate(G2, K2[::-1])),
        Misconception("kernel-gradient", "this is dC/dK (the correlation of x with g); the "
                      "question asks for dC/dx", answer=lambda: _correlate(X2, G2)),
    ],
    hints=["dC/dx_q = sum_i g_i K_{q-i}: the full correlation of g with the flipped kernel.",
           "Pad g = (1, 0, -1) with one zero on each side: (0, 1, 0, -1, 0); the flipped "
           "kernel is (-1, 2).",
           "Slide (-1, 2) over (0, 1, 0, -1, 0): the first entry is 0 * (-1) + 1 * 2 = 2."]))

# ---------------------------------------------------------------- 3: pooling routes the gradient
X3 = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 2.0, 7.0, 1.0], [0.0, 4.0, 1.0, 1.5],
               [6.0, 2.0, 3.0, 2.0]])
G3 = np.array([[1.0, -2.0], [0.5, 3.0]])


def _pool_routes(rule: str) -> np.ndarray:
    out = np.zeros((4, 4))
    for i in range(2):
        for j in range(2):
            win = X3[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            if rule == "mean":
                out[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = G3[i, j] / 4
            elif rule == "all":
                out[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = G3[i, j]
            else:
                r, c = np.unravel_index(np.argmax(win) if rule == "max" else np.argmin(win),
                                        (2, 2))
                out[2 * i + r, 2 * j + c] = G3[i, j]
    return out


register(NumberExercise(
    label="ex-convolutions-3", title="Where does max-pooling send the gradient?",
    chapter=CHAPTER, expected=lambda: _pool_routes("max"), name="dC/dx", rtol=1e-12,
    misconceptions=[
        Misconception("spread-evenly", "dividing each window's gradient among its four entries "
                      "is the gradient of average pooling; the max depends on one entry only",
                      answer=lambda: _pool_routes("mean")),
        Misconception("copied-to-all", "the maximum does not change when a non-maximal entry "
                      "moves a little: only the winning entry receives the gradient",
                      answer=lambda: _pool_routes("all")),
        Misconception("routed-to-min", "the gradient goes to the largest entry of each window, "
                      "not the smallest", answer=lambda: _pool_routes("min")),
    ],
    hints=["The output of a window is its largest entry: d max / dx is 1 for that entry and 0 "
           "for the others.",
           "The winners of the four 2 x 2 windows are 5, 7, 6 and 3.",
           "Put each window's gradient (1, -2, 0.5, 3) where its winner is; zeros elsewhere."]))


# ---------------------------------------------------------------- 4: the kernel gradient
def _dK_reference(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    from ....architectures.convolution import conv_backward

    k = len(x) - len(g) + 1
    _, dK, _ = conv_backward(g.reshape(1, -1, 1), x.reshape(1, -1, 1), np.zeros((1, 1, k)))
    return dK.ravel()


def _dK_cases() -> list[tuple]:
    r = np.random.default_rng(20)
    return [(r.normal(size=n), r.normal(size=n - k + 1)) for n, k in [(5, 3), (6, 1), (7, 2),
                                                                      (4, 4), (8, 3)]]


def _dK_first_position(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    k = len(x) - len(g) + 1
    return g[0] * x[:k]


def _dK_flipped(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    return _dK_reference(x, g)[::-1]


register(FunctionExercise(
    label="ex-convolutions-4", title="The kernel gradient sums over positions",
    chapter=CHAPTER, reference=_dK_reference, cases=_dK_cases, rtol=1e-12,
    misconceptions=[
        Misconception("first-position-only", "a kernel weight is used at every position: its "
                      "gradient is the sum over all positions, dK_j = sum_i g_i x_{i+j}",
                      function=_dK_first_position),
        Misconception("flipped", "dK_j pairs g_i with x_{i+j}, the input the weight K_j met in "
                      "the forward pass: no flip here (the flip belongs to dC/dx)",
                      function=_dK_flipped),
    ],
    hints=["Each use of K_j, at output position i, contributes g_i x_{i+j}.",
           "dK is the valid correlation of x with g: it has len(x) - len(g) + 1 entries.",
           "np.array([g @ x[j : j + len(g)] for j in range(k)]) with k = len(x) - len(g) + 1."]))

# ---------------------------------------------------------------- 5: multiply-adds
CH5, SIDE5, K5, CLASSES5 = 8, 8, 3, 10


def _macs(positions: int = SIDE5 * SIDE5, channels: int = CH5) -> int:
    conv = channels * positions * K5 * K5          # each output value: 9 multiply-adds
    head = CH5 * (SIDE5 // 2) ** 2 * CLASSES5       # the softmax layer on the pooled maps
    return conv + head


register(NumberExercise(
    label="ex-convolutions-5", title="Count the multiply-adds", chapter=CHAPTER,
    expected=lambda: _macs(), name="multiply-adds per image", rtol=1e-12,
    misconceptions=[
        Misconception("weights-once", "you counted each kernel weight once; every weight is "
                      "used at each of the 64 positions", answer=lambda: _macs(positions=1)),
        Misconception("one-channel", "there are 8 output channels, each with its own 3 x 3 "
                      "kernel", answer=lambda: _macs(channels=1)),
        Misconception("parameters", "that is the number of parameters (1,370); the question "
                      "counts the multiply-adds of one forward pass", answer=lambda: 1370),
    ],
    hints=["One output value of the convolution costs C_in k^2 = 9 multiply-adds; there are "
           "8 channels x 64 positions of them.",
           "The convolution costs 8 x 64 x 9 = 4,608; the pooled maps are 8 x 4 x 4 = 128 "
           "values.",
           "Add the softmax layer's 128 x 10 multiply-adds."]))
