"""Chapter 9, "Activation functions": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ....network import Network
from ..registry import (
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-activations"


def _tanh_derivative(kind: str = "right"):
    import sympy as sp

    z = sp.symbols("z", real=True)
    s2 = 1 / (1 + sp.exp(-2 * z))
    if kind == "no-inner-2":  # d/dz sigma(2z) taken as sigma'(2z), without the factor 2
        return 2 * s2 * (1 - s2)
    if kind == "sign":
        return sp.tanh(z) ** 2 - 1
    if kind == "sigma-prime":
        s = 1 / (1 + sp.exp(-z))
        return s * (1 - s)
    return 1 - sp.tanh(z) ** 2


register(ExpressionExercise(
    label="ex-activations-1", title="tanh from the logistic", chapter=CHAPTER,
    name="tanh'(z)", expected=_tanh_derivative,
    hints=["Differentiate 2 sigma(2z) - 1 with the chain rule: the inner function 2z "
           "contributes a factor 2.",
           "d/dz [2 sigma(2z) - 1] = 4 sigma(2z) (1 - sigma(2z)).",
           "Substitute sigma(2z) = (1 + tanh z) / 2 and multiply out (1 + tanh z)(1 - tanh z)."],
    misconceptions=[
        Misconception("no-inner-factor-2", "You left out the inner derivative of sigma(2z): "
                      "d/dz sigma(2z) = 2 sigma'(2z), so the result is twice yours.",
                      answer=lambda: _tanh_derivative("no-inner-2")),
        Misconception("sign-flipped", "The sign is flipped: tanh is increasing, so its "
                      "derivative 1 - tanh^2 is positive.",
                      answer=lambda: _tanh_derivative("sign")),
        Misconception("logistic-derivative", "That is the logistic's derivative sigma(z)(1 - "
                      "sigma(z)) at z; tanh(z) = 2 sigma(2z) - 1 needs it at 2z, times 4.",
                      answer=lambda: _tanh_derivative("sigma-prime")),
    ]))


def _dead_bias_gradient(fprime_at_zero: float) -> np.ndarray:
    net = Network([2, 3, 1], ["relu", "identity"], init="he", seed=0)
    x, y = np.zeros((2, 1)), np.ones((1, 1))
    delta2 = net.predict(x) - y              # identity output, half squared error
    return (fprime_at_zero * (net.W[1].T @ delta2)).ravel()


register(NumberExercise(
    label="ex-activations-2", title="A dead start", chapter=CHAPTER,
    name="dC/db^1", expected=lambda: _dead_bias_gradient(0.0),
    hints=["dC/db^1 = delta^1 = f'(z^1) * (W^2)^T delta^2: which z^1 do a zero input and zero "
           "biases give?",
           "z^1 = W^1 x + b^1 = 0 for every hidden unit; the library takes relu'(0) = 0.",
           "Every entry of delta^1 is relu'(0) times something: multiply out."],
    misconceptions=[
        Misconception("slope-one-at-zero", "That is (W^2)^T delta^2 without the factor "
                      "f'(z^1): either f'(z) was left out of delta^1, or relu'(0) = 1 (the "
                      "right-hand slope) was used; the library uses relu'(0) = 0.",
                      answer=lambda: _dead_bias_gradient(1.0)),
        Misconception("slope-half-at-zero", "That is delta^1 with relu'(0) = 1/2, what a central "
                      "difference sees at the kink; the library uses relu'(0) = 0.",
                      answer=lambda: _dead_bias_gradient(0.5)),
    ]))

register(NumberExercise(
    label="ex-activations-3", title="Predict the bound", chapter=CHAPTER,
    name="the largest ratio ||delta^1|| / ||delta^10||", rtol=5e-3,   # 3.81e-6 as printed
    expected=lambda: (0.5 * (1 - 0.5)) ** 9,  # sigma(0) = 1/2: sigma'(0) = 1/4, nine times
    hints=["sigma'(z) = sigma(z)(1 - sigma(z)) is a product p(1 - p) of two numbers that add to 1.",
           "p(1 - p) is largest at p = 1/2, that is at z = 0, where sigma'(0) = 1/4.",
           "Orthogonal weights keep the norm, so only the nine factors sigma'(z^l) <= 1/4 remain."],
    misconceptions=[
        Misconception("inverted", "That is 4^9 = 262144, the least factor by which the norm "
                      "shrinks; the question asks for the largest ratio ||delta^1|| / "
                      "||delta^10||, its inverse.", answer=lambda: 4.0 ** 9),
        Misconception("ten-factors", "You counted ten derivatives; from layer 10 down to layer "
                      "1 the error takes nine steps, one factor each.",
                      answer=lambda: 0.25 ** 10),
        Misconception("eight-factors", "You counted eight derivatives; from layer 10 down to "
                      "layer 1 the error takes nine steps (10 to 9, ..., 2 to 1), one factor "
                      "each.", answer=lambda: 0.25 ** 8),
        Misconception("value-not-slope", "You used sigma(0) = 1/2, the value of the logistic; "
                      "the factor per layer is its slope sigma'(0) = 1/4.",
                      answer=lambda: 0.5 ** 9),
    ]))


def _leaky_prime(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, 0.01)


def _leaky_cases() -> list[tuple]:
    r = np.random.default_rng(9)
    mixed = r.normal(size=(3, 5))
    mixed[0, 0] = mixed[2, 3] = 0.0
    return [(np.array([-3.0, -0.5, 0.0, 0.25, 4.0]),),
            (np.zeros((2, 3)),),                  # every entry at the kink
            (mixed,),
            (np.array([0.0]),)]


register(FunctionExercise(
    label="ex-activations-4", title="Leaky ReLU", chapter=CHAPTER,
    reference=_leaky_prime, cases=_leaky_cases,
    hints=["Differentiate each piece: z for z > 0, 0.01 z otherwise.",
           "The slopes are 1 and 0.01; at z = 0 the library's convention takes the left-hand "
           "slope, as relu'(0) = 0 does.",
           "np.where(z > 0, 1.0, 0.01): the strict > sends z = 0 to the left-hand value."],
    misconceptions=[
        Misconception("right-at-zero", "At z = 0 your function returns 1, the right-hand slope; "
                      "the library's convention is the left-hand value, 0.01 (use z > 0, not "
                      "z >= 0).", function=lambda z: np.where(np.asarray(z) >= 0, 1.0, 0.01)),
        Misconception("plain-relu", "That is the derivative of the plain rectifier (0 for z <= "
                      "0); the leaky one has slope 0.01 there.",
                      function=lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0)),
        Misconception("function-not-derivative", "That is the leaky rectifier f(z) itself "
                      "(z for z > 0, 0.01 z otherwise); its derivative is the slope of each "
                      "piece, 1 and 0.01.",
                      function=lambda z: np.where(np.asarray(z) > 0, np.asarray(z, dtype=float),
                                                  0.01 * np.asarray(z, dtype=float))),
        Misconception("slope-times-z", "For z <= 0 you returned 0.01 z, the function itself; "
                      "its derivative there is the constant 0.01.",
                      function=lambda z: np.where(np.asarray(z) > 0, 1.0,
                                                  0.01 * np.asarray(z, dtype=float))),
    ]))


def _swish_prime(z: float) -> float:
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 + z * (1.0 - s))


def _swish_minimum() -> float:
    lo, hi = -3.0, 0.0  # swish' < 0 at -3, > 0 at 0: bisect
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _swish_prime(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)


def _mish_minimum() -> float:
    def prime(z: float, h: float = 1e-6) -> float:
        f = lambda t: t * np.tanh(np.log1p(np.exp(t)))  # noqa: E731
        return (f(z + h) - f(z - h)) / (2 * h)
    lo, hi = -3.0, 0.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if prime(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)


register(NumberExercise(
    label="ex-activations-5", title="Explain the plot: where swish dips", chapter=CHAPTER,
    name="z_min", expected=_swish_minimum, rtol=2e-3,   # -1.278 as printed
    hints=["The minimum of swish is where its derivative sigma(z)(1 + z(1 - sigma(z))) is zero.",
           "sigma(z) > 0 always, so solve 1 + z(1 - sigma(z)) = 0; the left panel puts the "
           "root between -2 and -1.",
           "sp.nsolve(sp.diff(z / (1 + sp.exp(-z)), z), z, -1.0) finds it."],
    misconceptions=[
        Misconception("value-not-position", "That is the smallest value f(z_min) of swish; the "
                      "question asks for the position z_min.",
                      answer=lambda: _swish_minimum() * (1 / (1 + np.exp(-_swish_minimum())))),
        Misconception("mish-minimum", "That is where mish, z tanh(softplus(z)), is smallest; "
                      "swish is z sigma(z).", answer=_mish_minimum),
        Misconception("zero-of-f", "z = 0 is where swish itself is zero; the minimum is where "
                      "its derivative is zero.", answer=lambda: 0.0),
    ]))
