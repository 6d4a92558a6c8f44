"""Chapter 8, "Loss functions": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-loss-functions"


def _zy():
    import sympy as sp

    return sp.symbols("z y", real=True)


def _sigma(z):
    import sympy as sp

    return 1 / (1 + sp.exp(-z))


def _softplus_derivative(kind: str = "right"):
    import sympy as sp

    z, y = _zy()
    if kind == "no-y":
        return _sigma(z)
    if kind == "sign":
        return y - _sigma(z)
    if kind == "no-chain-rule":  # d log(u) = 1/u, without the factor u' = e^z
        return 1 / (1 + sp.exp(z)) - y
    return _sigma(z) - y


register(ExpressionExercise(
    label="ex-loss-functions-1", title="The derivative of softplus, by hand", chapter=CHAPTER,
    name="d/dz (softplus(z) - y z)", expected=_softplus_derivative,
    hints=["The chain rule on log(1 + e^z): the derivative of log(u) is u'/u, with u = 1 + e^z.",
           "d/dz log(1 + e^z) = e^z / (1 + e^z); divide numerator and denominator by e^z.",
           "e^z / (1 + e^z) = 1 / (1 + e^(-z)) = sigma(z); the term -y z contributes -y."],
    misconceptions=[
        Misconception("no-minus-y", "That is the derivative of softplus(z) alone: the term -y z "
                      "of the loss contributes -y.", answer=lambda: _softplus_derivative("no-y")),
        Misconception("sign-flipped", "The sign is flipped: you wrote y - sigma(z), the negative "
                      "of the gradient (y - a instead of a - y); the derivative is sigma(z) - y.",
                      answer=lambda: _softplus_derivative("sign")),
        Misconception("no-chain-rule", "You differentiated log(u) as 1/u and left out the inner "
                      "derivative u' = e^z: d/dz log(1 + e^z) = e^z / (1 + e^z).",
                      answer=lambda: _softplus_derivative("no-chain-rule")),
    ]))

Z6 = -6.0


def _a6() -> float:
    return 1.0 / (1.0 + np.exp(-Z6))


register(NumberExercise(
    label="ex-loss-functions-2", title="Predict the ratio", chapter=CHAPTER,
    name="the ratio dC_BCE/dz : dC_SE/dz", rtol=1e-3,   # 405.4 typed from the printout is right
    expected=lambda: 1.0 / (_a6() * (1.0 - _a6())),
    hints=["Both derivatives contain the error a - y; squared error multiplies it by sigma'(z).",
           "So the ratio is 1 / sigma'(z) = 1 / (a (1 - a)), with a = sigma(-6) = 0.002473.",
           "1 / (a (1 - a)) with a = 1 / (1 + e^6) simplifies to e^6 + 2 + e^-6."],
    misconceptions=[
        Misconception("inverted", "That is the ratio the other way round, squared error over "
                      "cross-entropy, sigma'(z); the question asks for cross-entropy over squared "
                      "error, 1 / sigma'(z).", answer=lambda: _a6() * (1.0 - _a6())),
        Misconception("approximation", "That is the estimate e^|z| = e^6; the exact ratio "
                      "1 / (a (1 - a)) is e^6 + 2 + e^-6.", answer=lambda: np.exp(6.0)),
        Misconception("no-sigma-prime", "A ratio of 1 means your squared-error derivative "
                      "left out sigma'(z): dC_SE/dz = (a - y) sigma'(z), the error times the "
                      "slope of the logistic.", answer=lambda: 1.0),
        Misconception("no-one-minus-a", "You used sigma'(z) = a and forgot the factor (1 - a): "
                      "sigma'(z) = a (1 - a).", answer=lambda: 1.0 / _a6()),
    ]))


def _logsumexp(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    M = Z.max(axis=axis, keepdims=True)
    return M + np.log(np.exp(Z - M).sum(axis=axis, keepdims=True))


def _log_softmax(Z):
    Z = np.asarray(Z, dtype=float)
    return Z - _logsumexp(Z, axis=0)


def _rows(Z):
    Z = np.asarray(Z, dtype=float)
    return Z - _logsumexp(Z, axis=1)


def _max_not_restored(Z):
    Z = np.asarray(Z, dtype=float)
    M = Z.max(axis=0, keepdims=True)
    return Z - np.log(np.exp(Z - M).sum(axis=0, keepdims=True))


def _softmax_not_log(Z):
    return np.exp(_log_softmax(Z))


def _log_softmax_cases() -> list[tuple]:
    r = np.random.default_rng(8)
    return [(r.normal(size=(3, 4)),),
            (np.array([[1000.0, -1000.0], [999.0, 0.0], [0.0, 5.0]]),),
            (r.normal(size=(4, 1)) * 50,),        # one column, m = 1
            (np.zeros((2, 3)),),                   # equal inputs: log(1/2)
            (r.normal(size=(5, 7)) * 3 + 700,)]    # exp(z) alone would overflow


register(FunctionExercise(
    label="ex-loss-functions-3", title="A stable log-softmax", chapter=CHAPTER,
    reference=_log_softmax, cases=_log_softmax_cases, rtol=1e-10,
    hints=["Use the identity log sum_k e^(z_k) = M + log sum_k e^(z_k - M) with M = max_k z_k.",
           "Per column: M = Z.max(axis=0, keepdims=True); every z_k - M is at most 0, so no "
           "exponential overflows.",
           "Return (Z - M) - np.log(np.exp(Z - M).sum(axis=0, keepdims=True))."],
    misconceptions=[
        Misconception("rows-not-columns", "You normalised over each row (axis=1); examples are "
                      "columns, so the sum runs over the classes of one column (axis=0).",
                      function=_rows),
        Misconception("max-not-restored", "You subtracted the maximum inside the exponential "
                      "but did not add it back: log sum e^z = M + log sum e^(z - M), so log a_k "
                      "= (z_k - M) - log sum e^(z - M).", function=_max_not_restored),
        Misconception("softmax-not-log", "That is the softmax a_k itself; the exercise asks for "
                      "its logarithm, log a_k = z_k - log sum_j e^(z_j).",
                      function=_softmax_not_log),
    ]))

Z_SOFT = np.array([[0.3], [-1.2], [2.0]])
Y_SOFT = np.array([[0.9], [0.05], [0.05]])


def _softmax(Z: np.ndarray) -> np.ndarray:
    return np.exp(_log_softmax(Z))


register(NumberExercise(
    label="ex-loss-functions-4", title="Soft targets", chapter=CHAPTER,
    name="delta^L", expected=lambda: _softmax(Z_SOFT) - Y_SOFT, rtol=1e-3,
    hints=["Look at the SymPy derivation: it used sum_k y_k = 1, and nothing else about y.",
           "These targets sum to 0.9 + 0.05 + 0.05 = 1, so dC_x/dz = a - y still holds; "
           "a = softmax(z).",
           "Compute a = exp(z - max z) / sum exp(z - max z) for the column z, then a - y."],
    misconceptions=[
        Misconception("one-hot-assumed", "You replaced the soft target by the one-hot vector of "
                      "its largest entry, (1, 0, 0); the formula a - y holds for the soft target "
                      "itself.", answer=lambda: _softmax(Z_SOFT) - np.array([[1.0], [0.0], [0.0]])),
        Misconception("sign-flipped", "The sign is flipped: y - a is the negative of "
                      "delta^L = a - y.", answer=lambda: Y_SOFT - _softmax(Z_SOFT)),
        Misconception("grad-a-not-delta", "That is dC_x/da = -y / a, the derivative with respect "
                      "to the output; delta^L is the derivative with respect to z, and the "
                      "softmax Jacobian turns -y/a into a - y.",
                      answer=lambda: -Y_SOFT / _softmax(Z_SOFT)),
    ]))


register(NumberExercise(
    label="ex-loss-functions-5", title="Explain the figure", chapter=CHAPTER,
    name="z*", expected=lambda: -np.log(2.0), rtol=1e-3,   # -0.693, read off a fine grid
    hints=["For y = 1 the squared-error derivative is |a - 1| sigma'(z) = a (1 - a)^2.",
           "d/da a (1 - a)^2 = (1 - a)(1 - 3a): zero at a* = 1/3 (a = 1 is the other end).",
           "Turn a* = 1/3 into z* = log(a* / (1 - a*)), the inverse of the logistic."],
    misconceptions=[
        Misconception("a-not-z", "That is the output a* = 1/3 where the derivative peaks; the "
                      "question asks for the weighted input z* = log(a* / (1 - a*)).",
                      answer=lambda: 1.0 / 3.0),
        Misconception("sigma-prime-peak", "z = 0 is where sigma'(z) alone is largest; the "
                      "squared-error derivative also has the factor (1 - a), which moves the "
                      "peak left.", answer=lambda: 0.0),
        Misconception("log-not-logit", "You took log(a*) = log(1/3); the inverse of the "
                      "logistic is z = log(a / (1 - a)).", answer=lambda: np.log(1.0 / 3.0)),
    ]))
