"""Chapter 13, "XOR: the network with a shortcut": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....datasets import xor
from ....experiments import reproductions as R
from ..registry import FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-xor"
_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])


def _step(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(float)


def _net_input(hidden: np.ndarray, weight: float = -2.0, bias: float = -0.5) -> np.ndarray:
    return _X[0] + _X[1] + weight * hidden + bias


_AND = _step(_X[0] + _X[1] - 1.5)

register(NumberExercise(
    label="ex-xor-1", title="A solution by hand", chapter=CHAPTER,
    name="the output unit's net inputs", expected=lambda: _net_input(_AND),
    hints=["First the hidden unit: h = 1 only when x_1 + x_2 - 1.5 > 0, that is for (1, 1) alone.",
           "So h = 0, 0, 0, 1 for (0,0), (0,1), (1,0), (1,1); the output's net input is "
           "x_1 + x_2 - 2h - 0.5.",
           "Evaluate x_1 + x_2 - 2h - 0.5 for the four cases, in that order."],
    misconceptions=[
        Misconception("no-hidden-path", "You left out the hidden unit's contribution -2h: "
                      "without it the output computes OR, and (1, 1) gets +1.5.",
                      answer=lambda: _net_input(np.zeros(4))),
        Misconception("hidden-weight-1", "You gave the hidden unit the weight -1 instead of -2: "
                      "(1, 1) then gets +0.5 and the output says 1.",
                      answer=lambda: _net_input(_AND, weight=-1.0)),
        Misconception("no-bias", "You left out the output's bias -0.5 (these numbers equal the "
                      "outputs, but the question asks for the net input x_1 + x_2 - 2h - 0.5).",
                      answer=lambda: _net_input(_AND, bias=0.0)),
        Misconception("hidden-is-or", "Your hidden unit computes OR (threshold 0.5); its "
                      "threshold is 1.5, so it is on for (1, 1) only: AND.",
                      answer=lambda: _net_input(_step(_X[0] + _X[1] - 0.5))),
    ]))


def _seed0_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, Y = xor()
    net = R.xor_network("skip", seed=0)
    a2 = net.predict(X)
    return X, Y, a2


def _dW20(fprime: bool = True, mean: bool = True, sign: float = 1.0) -> np.ndarray:
    X, Y, a2 = _seed0_parts()
    delta = sign * (a2 - Y) * (a2 * (1 - a2) if fprime else 1.0)
    return delta @ X.T / (X.shape[1] if mean else 1)


register(NumberExercise(
    label="ex-xor-2", title="Predict a gradient block", chapter=CHAPTER,
    name="dC/dW^{2,0}", expected=lambda: _dW20(),
    hints=["The direct block W^{2,0} is a layer whose input is x: its gradient is delta^2 x^T, "
           "averaged over the batch.",
           "delta^2 = sigma'(z^2) (a^2 - y) = a^2 (1 - a^2) (a^2 - y), one column per case; "
           "m = 4.",
           "Compute delta2 = a2 * (1 - a2) * (a2 - Y) from net.predict(X), then delta2 @ X.T / 4."],
    misconceptions=[
        Misconception("sum-not-mean", "You summed over the four cases; the library's loss is "
                      "the mean over the batch, so divide delta^2 X^T by m = 4.",
                      answer=lambda: _dW20(mean=False)),
        Misconception("no-fprime", "Your delta^2 is a^2 - y without the output unit's "
                      "derivative sigma'(z^2) = a^2 (1 - a^2).",
                      answer=lambda: _dW20(fprime=False)),
        Misconception("t-minus-o", "The sign is flipped: you used (y - a^2), the direction of "
                      "descent, instead of dC/da^2 = a^2 - y.",
                      answer=lambda: _dW20(sign=-1.0)),
    ]))


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _forward_reference(W1, b1, W2, b2, X):
    net = R.xor_network("skip", seed=0)
    net.W[0][...], net.b[0][...], net.W[1][...], net.b[1][...] = W1, b1, W2, b2
    return net.predict(X)


def _hidden_first(W1, b1, W2, b2, X):
    h = _sig(W1 @ X + b1[:, None])
    return _sig(W2 @ np.vstack([h, X]) + b2[:, None])


def _no_skip(W1, b1, W2, b2, X):
    h = _sig(W1 @ X + b1[:, None])
    return _sig(W2[:, 2:] @ h + b2[:, None])


def _no_output_logistic(W1, b1, W2, b2, X):
    h = _sig(W1 @ X + b1[:, None])
    return W2 @ np.vstack([X, h]) + b2[:, None]


def _no_output_bias(W1, b1, W2, b2, X):
    h = _sig(W1 @ X + b1[:, None])
    return _sig(W2 @ np.vstack([X, h]))


def _no_hidden_bias(W1, b1, W2, b2, X):
    h = _sig(W1 @ X)
    return _sig(W2 @ np.vstack([X, h]) + b2[:, None])


def _forward_cases() -> list[tuple]:
    r = np.random.default_rng(13)
    cases = []
    for seed, X in [(0, _X), (1, _X[:, 3:]), (2, r.uniform(size=(2, 5)))]:  # m = 4, 1, 5
        n = R.xor_network("skip", seed)
        cases.append((n.W[0].copy(), n.b[0].copy(), n.W[1].copy(), n.b[1].copy(), X))
    cases.append((r.normal(size=(1, 2)), r.normal(size=1), r.normal(size=(1, 3)),
                  r.normal(size=1), _X))  # larger weights
    return cases


register(FunctionExercise(
    label="ex-xor-3", title="Implement the shortcut's forward pass", chapter=CHAPTER,
    reference=_forward_reference, cases=_forward_cases, rtol=1e-12,
    hints=["Two layers: the hidden unit reads x; the output reads x and the hidden unit.",
           "h = sigma(W1 @ X + b1[:, None]) has shape (1, m); the output's sources are "
           "np.vstack([X, h]), shape (3, m), in W2's column order.",
           "Return sigma(W2 @ np.vstack([X, h]) + b2[:, None])."],
    misconceptions=[
        Misconception("hidden-first", "You stacked the hidden unit before the inputs; W2's "
                      "columns are the two inputs first, then the hidden unit.",
                      function=_hidden_first),
        Misconception("no-skip", "Your output reads only the hidden unit (W2[:, 2:]); the "
                      "shortcut means it also reads the inputs through W2[:, :2].",
                      function=_no_skip),
        Misconception("no-output-logistic", "You returned the output's net input z^2; the "
                      "output unit is logistic too: a^2 = sigma(z^2).",
                      function=_no_output_logistic),
        Misconception("no-output-bias", "You left out the output's bias b2.",
                      function=_no_output_bias),
        Misconception("no-hidden-bias", "You left out the hidden unit's bias b1: "
                      "h = sigma(W1 @ X + b1[:, None]).", function=_no_hidden_bias),
    ]))


def _spreads(measure: str = "ratio", criterion: str = "within_0.1") -> np.ndarray:
    stored = R.load_results("xor")
    out = []
    for runs in stored["runs"].values():
        s = R.summarise([r["sweeps"][criterion] for r in runs])
        out.append(s["max"] / s["min"] if measure == "ratio" else
                   s["min"] / s["max"] if measure == "inverted" else s["q3"] / s["q1"])
    return np.array(out, dtype=float)


register(NumberExercise(
    label="ex-xor-4", title="Read the box plot", chapter=CHAPTER,
    # 5e-3: the ratios as the solution prints them (16.8, 17.3, 2.1, 2.1) are accepted
    name="max/min of the learned runs, per setting", rtol=5e-3,
    expected=lambda: _spreads(),
    hints=["Use the stored runs, R.load_results('xor')['runs'], one list of 100 runs per "
           "setting; a learned run has a sweep count, a stuck one None.",
           "R.summarise(counts) gives the 'min' and 'max' of the learned runs of one setting "
           "(criterion 'within_0.1').",
           "For each setting, in the stored order, divide its max by its min."],
    misconceptions=[
        Misconception("min-over-max", "You divided the minimum by the maximum: the spread is "
                      "max/min, a number of at least 1.", answer=lambda: _spreads("inverted")),
        Misconception("quartiles", "That is the ratio of the quartiles q3/q1, the spread of the "
                      "middle half; the question asks for the slowest over the fastest run.",
                      answer=lambda: _spreads("quartiles")),
        Misconception("other-criterion", "You used the sweeps to the correct side of 0.5; the "
                      "box plot shows the sweeps until every output is within 0.1.",
                      answer=lambda: _spreads(criterion="correct")),
    ]))
