"""Chapter 4, "Backpropagation in matrix form": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    ShapeExercise,
    register,
)

CHAPTER = "ch-matrix-form"
SIZES, M = [4, 5, 3, 2], 7  # the network and the batch of the chapter's numeric check

register(ShapeExercise(
    label="ex-matrix-form-1", title="Predict the shapes", chapter=CHAPTER,
    names=["A^1", "Delta^2", "dC/dW^2"],
    expected=lambda: [(SIZES[1], M), (SIZES[2], M), (SIZES[2], SIZES[1])],
    hints=["Examples are columns: every activation and every error vector of a batch has one "
           "column per example; a gradient has the shape of what it differentiates.",
           "A^1 and Delta^2 have n_1 = 5 and n_2 = 3 rows; W^2 has shape (n_2, n_1).",
           "Delta^2 has the shape of Z^2 = W^2 A^1 + b^2, and dC/dW^2 that of W^2: the batch "
           "mean sums the m columns away."],
    misconceptions=[
        Misconception("examples-as-rows", "You put the examples in rows: in backproplib a batch "
                      "of m examples is m columns, so A^1 and Delta^2 have shape (n_l, m).",
                      answer=lambda: [(M, SIZES[1]), (M, SIZES[2]), (SIZES[2], SIZES[1])]),
        Misconception("gradient-transposed", "Your dC/dW^2 has the shape of (W^2)^T: the gradient "
                      "of a matrix has the shape of the matrix, (n_2, n_1) = (3, 5).",
                      answer=lambda: [(SIZES[1], M), (SIZES[2], M), (SIZES[1], SIZES[2])]),
        Misconception("gradient-per-example", "Your dC/dW^2 keeps the batch axis: the batch "
                      "gradient (1/m) Delta^2 (A^1)^T sums over the examples, so it has the shape "
                      "of W^2 whatever m is.",
                      answer=lambda: [(SIZES[1], M), (SIZES[2], M), (SIZES[2], SIZES[1], M)]),
        Misconception("layer-off-by-one", "You took Delta^2 from layer 1 (5 units): grads.delta[1] "
                      "is Delta^2, the error of layer 2, with n_2 = 3 rows.",
                      answer=lambda: [(SIZES[1], M), (SIZES[1], M), (SIZES[2], SIZES[1])]),
    ]))


def _weight_gradient(delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    return np.mean([np.outer(delta[:, i], A_prev[:, i]) for i in range(delta.shape[1])], axis=0)


def _gradient_cases() -> list[tuple]:
    r = np.random.default_rng(4)
    return [(r.normal(size=(n, m)), r.normal(size=(k, m)))
            for n, k, m in [(3, 5, 7), (2, 3, 1), (1, 4, 9), (4, 4, 2)]]


register(FunctionExercise(
    label="ex-matrix-form-2", title="Implement the batch weight gradient", chapter=CHAPTER,
    reference=_weight_gradient, cases=_gradient_cases, rtol=1e-10,
    hints=["The batch gradient: dC/dW^l = (1/m) Delta^l (A^{l-1})^T.",
           "delta has shape (n_l, m) and A_prev (n_{l-1}, m); the product delta @ A_prev.T has "
           "shape (n_l, n_{l-1}) and adds up the m outer products.",
           "Divide that product by m = delta.shape[1]."],
    misconceptions=[
        Misconception("sum-not-mean", "You summed the per-example gradients: the library's loss "
                      "is the mean over the batch, so divide by m = delta.shape[1].",
                      function=lambda d, A: d @ A.T),
        Misconception("transposed", "You returned A_prev @ delta.T, the transpose: dC/dW^l has "
                      "the shape of W^l, (n_l, n_{l-1}), so delta comes first.",
                      function=lambda d, A: A @ d.T / d.shape[1]),
        Misconception("divided-by-units", "You divided by the number of units n_l "
                      "(delta.shape[0]); the mean is over the m examples, delta.shape[1].",
                      function=lambda d, A: d @ A.T / d.shape[0]),
        Misconception("input-forgotten", "You returned the mean of the error columns, which "
                      "is the bias gradient: a weight w_jk also carries its input, so each "
                      "example's delta_j is multiplied by a_k of the layer below, "
                      "delta @ A_prev.T / m.", function=lambda d, A: d.mean(axis=1)),
        Misconception("A-prev-not-transposed", "delta @ A_prev does not fit: both have one "
                      "column per example, so the product that sums over the examples is "
                      "delta @ A_prev.T, (n_l, m) times (m, n_{l-1}).",
                      function=lambda d, A: d @ A / d.shape[1]),
        Misconception("delta-transposed", "delta.T @ A_prev does not fit: it would sum over the "
                      "units, not the examples; the outer products add up in "
                      "delta @ A_prev.T, (n_l, m) times (m, n_{l-1}).",
                      function=lambda d, A: d.T @ A / d.shape[1]),
    ]))

_SYM: dict[str, object] = {}


def _linear_network():  # noqa: ANN202 (SymPy objects)
    if "lin" not in _SYM:
        from .... import symbolic

        _SYM["lin"] = symbolic.symbolic_network([2, 2, 2, 1], activation="identity", bias=False)
    return _SYM["lin"]


def _linear_gradient(sign: int = 1, error: bool = True, factor: int = 1):  # noqa: ANN202
    lin = _linear_network()
    product = lin.W[2] * lin.W[1] * lin.W[0]
    err = sign * (lin.a[-1][0] - lin.t[0]) if error else 1
    return factor * err * product[0, 0]


register(ExpressionExercise(
    label="ex-matrix-form-3", title="Linear layers", chapter=CHAPTER,
    name="your dC/dx_1", expected=lambda: _linear_gradient(),
    hints=["With D^l = I, the chain of Jacobians is dC/dx = (dC/da^3) W^3 W^2 W^1.",
           "dC/da^3 = a^3 - y (the target is lin.t[0] in SymPy), and a^3 = W^3 W^2 W^1 x, a "
           "1 x 1 matrix.",
           "Take entry [0, 0] of (lin.a[-1] - lin.t) * lin.W[2] * lin.W[1] * lin.W[0], the "
           "first entry of the row dC/dx."],
    misconceptions=[
        Misconception("target-minus-output", "Your error has the wrong sign: for "
                      "C = 1/2 (a - y)^2 the derivative is (a - y), not (y - a).",
                      answer=lambda: _linear_gradient(sign=-1)),
        Misconception("no-error-factor", "You left out dC/da^3 = a^3 - y: W^3 W^2 W^1 is the "
                      "Jacobian of the output, not the gradient of the loss.",
                      answer=lambda: _linear_gradient(error=False)),
        Misconception("half-dropped", "Your answer is twice the gradient: the derivative of "
                      "1/2 (a - y)^2 is (a - y); the 2 of the square cancels the 1/2.",
                      answer=lambda: _linear_gradient(factor=2)),
    ]))


def backward_cost(sizes: list[int]) -> int:
    """Multiply-adds of the backward order to delta^1 (the chapter's cost formula)."""
    n = sizes[1:]
    return sum(n[i] * n[i - 1] for i in range(1, len(n)))


def forward_cost(sizes: list[int]) -> int:
    """Multiply-adds of the forward order to delta^1 (the chapter's cost formula)."""
    n = sizes[1:]
    return n[1] * n[0] + sum(n[i] * n[i - 1] * n[0] for i in range(2, len(n))) + n[-1] * n[0]


DEEPER = [784, 512, 512, 512, 512, 10]

register(NumberExercise(
    label="ex-matrix-form-4", title="Read the bar chart", chapter=CHAPTER,
    name="the ratio forward / backward",
    expected=lambda: forward_cost(DEEPER) / backward_cost(DEEPER), rtol=0.1,
    hints=["The cost formula: a step costs n_l n_{l-1} backwards and n_1 times that "
           "forwards, except the first and the last.",
           "With four hidden layers of 512, the forward order has two terms 512^2 * 512 and the "
           "backward order three terms 512^2.",
           "The ratio is about 2 * 512^3 / (3 * 512^2) = 2 * 512 / 3."],
    misconceptions=[
        Misconception("one-layer-less", "About 256 = 512/2 (the table's 259.0) is the ratio "
                      "of the network with three hidden layers; one more hidden layer adds a "
                      "512^3 term forwards and only a 512^2 term backwards.", answer=lambda: 512 / 2),
        Misconception("backward-terms-miscounted", "You counted two 512^2 terms backwards: with "
                      "four hidden layers of 512 there are three (W^2, W^3 and W^4), against "
                      "two 512^3 terms forwards.",
                      answer=lambda: 2 * 512 / 2),
        Misconception("forward-terms-miscounted", "You counted one 512^3 term forwards: the "
                      "forward order pays n_1 = 512 on every step after the second, so two steps "
                      "of 512 x 512 pay it.", answer=lambda: 512 / 3),
    ]))


def _backward_step(W: np.ndarray, delta: np.ndarray, fprime: np.ndarray) -> np.ndarray:
    return fprime * (W.T @ delta)


def _step_cases() -> list[tuple]:
    r = np.random.default_rng(44)
    cases = []
    for n_l, n_prev, m in [(3, 5, 1), (2, 4, 6), (1, 3, 2), (4, 4, 3)]:  # non-square, m = 1
        fprime = r.uniform(0.0, 0.25, size=(n_prev, m))
        fprime[0, 0] = 0.0  # a saturated unit passes nothing back
        cases.append((r.normal(size=(n_l, n_prev)), r.normal(size=(n_l, m)), fprime))
    return cases


register(FunctionExercise(
    label="ex-matrix-form-5", title="One step of the backward recursion", chapter=CHAPTER,
    reference=_backward_step, cases=_step_cases, rtol=1e-10,
    hints=["The recursion: delta^{l-1} = f'(z^{l-1}) * ((W^l)^T delta^l).",
           "W has shape (n_l, n_{l-1}) and delta (n_l, m): only W.T @ delta fits, and gives "
           "(n_{l-1}, m), the shape of fprime.",
           "Multiply W.T @ delta elementwise by fprime (the * of NumPy, not @)."],
    misconceptions=[
        Misconception("no-fprime", "You left out f'(z^{l-1}): (W^l)^T delta^l is the gradient "
                      "with respect to a^{l-1}; delta^{l-1} is with respect to z^{l-1}, one "
                      "factor f' more.", function=lambda W, d, fp: W.T @ d),
        Misconception("W-not-transposed", "W @ delta does not fit: W^l has shape "
                      "(n_l, n_{l-1}) and delta (n_l, m), so the error travels back through the "
                      "transpose, W.T @ delta, row k summing w_jk delta_j over the units j.",
                      function=lambda W, d, fp: fp * (W @ d)),
        Misconception("fprime-matmul", "fprime @ (...) does not fit: f'(z^{l-1}) multiplies "
                      "each entry of (W^l)^T delta^l by its own unit's slope, an elementwise "
                      "product, fprime * (W.T @ delta).",
                      function=lambda W, d, fp: fp @ (W.T @ d)),
    ]))
