"""Exercises of chapter 19, backpropagation through time (``ch-recurrent``)."""

from __future__ import annotations

import math

import numpy as np

from ...exercises.registry import (
    ChoiceExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    ShapeExercise,
    register,
)

CHAPTER = "ch-recurrent"

# ---------------------------------------------------------------- 1: BPTT by hand
# A scalar RNN, T = 2: u = 1, w = 0.5, b = 0, v = 1, c = 0; x = (1, -1); target y = 1.
U1, W1, V1, X1, Y1 = 1.0, 0.5, 1.0, (1.0, -1.0), 1.0


def _scalar_run(fprime: bool = True, through_w: bool = True, sign: float = 1.0
                ) -> tuple[list[float], list[float]]:
    """The states and deltas of the scalar RNN, optionally with a mistake."""
    h1 = math.tanh(U1 * X1[0])
    h2 = math.tanh(W1 * h1 + U1 * X1[1])
    e = sign * (V1 * h2 - Y1)
    d2 = (1 - h2 ** 2 if fprime else 1.0) * V1 * e
    d1 = (1 - h1 ** 2 if fprime else 1.0) * (W1 if through_w else 1.0) * d2
    return [0.0, h1, h2], [d1, d2]


def _du(steps: tuple[int, ...] = (0, 1), **mistake: float) -> float:
    _, d = _scalar_run(**mistake)
    return sum(d[t] * X1[t] for t in steps)


register(NumberExercise(
    label="ex-recurrent-1", title="BPTT by hand", chapter=CHAPTER,
    expected=lambda: _du(),
    name="dC/du",
    misconceptions=[
        Misconception("last-step-only", "you kept only the last step's term delta_2 x_2: u is "
                      "used at both steps, so its gradient is the sum delta_1 x_1 + delta_2 x_2",
                      answer=lambda: _du(steps=(1,))),
        Misconception("no-fprime", "your deltas leave out f'(z_t) = 1 - h_t^2: every step back "
                      "multiplies by the slope of tanh", answer=lambda: _du(fprime=False)),
        Misconception("no-W-in-recursion", "your delta_1 skips the recurrent weight: the error "
                      "reaches step 1 through z_2 = w h_1 + ..., so delta_1 = f'(z_1) w delta_2",
                      answer=lambda: _du(through_w=False)),
        Misconception("target-minus-output", "your output error is y - a_2; the half squared "
                      "error gives dC/da = a_2 - y", answer=lambda: _du(sign=-1.0)),
    ],
    hints=["The BPTT recursion: delta_2 = f'(z_2) v (a_2 - y), delta_1 = f'(z_1) w delta_2; then "
           "dC/du sums delta_t x_t over both steps.",
           lambda: "h_1 = tanh(1) = {:.4f}, h_2 = {:.4f}".format(*_scalar_run()[0][1:]),
           lambda: "delta_1 = {:.4f}, delta_2 = {:.4f}: now add delta_1 x_1 and delta_2 x_2"
           .format(*_scalar_run()[1])]))

# ---------------------------------------------------------------- 2: shapes
N_IN, N_H, N_OUT, T2, M2 = 3, 5, 2, 7, 4
register(ShapeExercise(
    label="ex-recurrent-2", title="The shapes of BPTT", chapter=CHAPTER,
    names=["X", "delta", "dC/dW", "dC/dU", "dC/dV"],
    expected=lambda: [(T2, N_IN, M2), (T2, N_H, M2), (N_H, N_H), (N_H, N_IN), (N_OUT, N_H)],
    misconceptions=[
        Misconception("dU-transposed", "dC/dU has the shape of U, (n_hidden, n_in): rows are "
                      "the units it feeds, columns the inputs",
                      answer=lambda: [(T2, N_IN, M2), (T2, N_H, M2), (N_H, N_H), (N_IN, N_H),
                                      (N_OUT, N_H)]),
        Misconception("per-step-gradients", "a shared weight has one gradient: the steps' "
                      "contributions are summed, so dC/dW has no time axis",
                      answer=lambda: [(T2, N_IN, M2), (T2, N_H, M2), (T2, N_H, N_H),
                                      (T2, N_H, N_IN), (T2, N_OUT, N_H)]),
        Misconception("examples-as-rows", "examples are the last axis (columns), as everywhere "
                      "in the book: X is (T, n_in, m)",
                      answer=lambda: [(T2, M2, N_IN), (T2, M2, N_H), (N_H, N_H), (N_H, N_IN),
                                      (N_OUT, N_H)]),
    ],
    hints=["Each gradient has its parameter's shape; delta_t has the shape of z_t, one column "
           "per example, for each of the T steps.",
           "U maps x_t (n_in) to z_t (n_hidden), so U is (n_hidden, n_in).",
           "X and delta carry a time axis first; the weights' gradients do not."]))

# ---------------------------------------------------------------- 3: how far back
RHO3, TOL3 = 0.8, 1e-6
register(NumberExercise(
    label="ex-recurrent-3", title="How far back does the error reach?", chapter=CHAPTER,
    expected=lambda: math.ceil(math.log(TOL3) / math.log(RHO3)),
    name="the number of steps k", rtol=1e-12,
    misconceptions=[
        Misconception("one-short", "after that many steps the ratio 0.8^k is still above 1e-6: "
                      "you need the first k with 0.8^k < 1e-6 (round up, not down)",
                      answer=lambda: math.floor(math.log(TOL3) / math.log(RHO3))),
        Misconception("mixed-logs", "you divided a base-10 logarithm by a natural one: use the "
                      "same base for both", answer=lambda: math.ceil(
                          math.log10(TOL3) / math.log(RHO3))),
    ],
    hints=["For W = rho Q (Q orthogonal) and a linear network, ||delta_{T-k}|| = rho^k ||delta_T||.",
           "Solve 0.8^k < 1e-6: k > ln(1e-6) / ln(0.8).",
           lambda: f"ln(1e-6) / ln(0.8) = {math.log(TOL3) / math.log(RHO3):.2f}: the answer is "
                   "the next integer"]))


# ---------------------------------------------------------------- 4: clipping
def _clip_reference(g: np.ndarray, max_norm: float) -> np.ndarray:
    from ....optim import clip_by_norm

    return clip_by_norm([g], max_norm)[0][0]


def _clip_cases() -> list[tuple]:
    r = np.random.default_rng(19)
    return [(np.array([3.0, 4.0]), 1.0), (np.array([0.3, -0.4]), 1.0),
            (r.normal(size=(3, 2)) * 10, 2.5), (r.normal(size=4) * 0.01, 0.5),
            (np.array([[6.0, -8.0]]), 10.0)]


register(FunctionExercise(
    label="ex-recurrent-4", title="Clip a gradient", chapter=CHAPTER,
    reference=_clip_reference, cases=_clip_cases, rtol=1e-12,
    misconceptions=[
        Misconception("elementwise-clip", "np.clip limits each entry, which changes the "
                      "gradient's direction; clipping by norm rescales the whole vector",
                      function=lambda g, max_norm: np.clip(g, -max_norm, max_norm)),
        Misconception("always-rescale", "a gradient shorter than max_norm must stay as it is: "
                      "the factor is min(1, max_norm / ||g||)",
                      function=lambda g, max_norm: g * (max_norm / np.linalg.norm(g))),
    ],
    hints=["Clipping by norm: multiply g by min(1, g_max / ||g||).",
           "||g|| is np.linalg.norm(g) (over all entries, whatever the shape).",
           "Return g * min(1.0, max_norm / norm) as a new array (do not change g in place)."]))

# ---------------------------------------------------------------- 5: why truncation still learns
register(ChoiceExercise(
    label="ex-recurrent-5", title="Why does truncated BPTT still learn at T = 10?",
    chapter=CHAPTER,
    question="BPTT truncated to 5 steps solved the adding problem at T = 10 for every seed, "
             "although the first marker always lies in steps 1 to 5, outside the window of the "
             "last output's error; at T = 20 it solved it for none. Why?",
    options={
        "a": "The weights are shared: what the window teaches (add a marked value to the state, "
             "keep the state for a few steps) acts at every step, also outside the window; at "
             "T = 20 the state must be kept for up to 19 steps, which no 5-step window rewards.",
        "b": "Truncated BPTT gives the exact gradient whenever T is at most twice the window.",
        "c": "At T = 10 the first marker falls inside the last five steps.",
        "d": "Truncation changes only the gradients of the read-out V and c.",
    },
    answer="a",
    why={"b": "Truncation is exact only when the window covers every step (k >= T); at T = 10 "
              "and k = 5 the gradient misses the paths through steps 1 to 5.",
         "c": "The first marker is placed in the first half of the sequence, steps 1 to 5.",
         "d": "The read-out's gradient e h_T^T is exact; truncation changes those of W, U and b, "
              "which reach back in time."},
    explanation="Right: one set of weights serves every step, so a rule learned from the steps "
                "inside the window also runs outside it; only keeping information for longer "
                "than the window is never rewarded by the truncated gradient.",
    hints=["Which weights does the error reach inside a 5-step window, and where else are they "
           "used?", "Compare how long the state must hold the first value at T = 10 and at "
           "T = 20."]))
