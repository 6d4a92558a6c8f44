"""Exercises of the chapter on second derivatives by backpropagation (``ch-second-derivatives``).

Every wrong answer registered here is computed by doing the mistake, not typed in.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ....autodiff import hvp
from ....experiments.hvp_cost import hvp_costs
from ....network import Network
from ..registry import (
    ChoiceExercise,
    ExpressionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-second-derivatives"


# ---------------------------------------------------------------- 1: H v by differences
def tiny_case() -> tuple[Network, np.ndarray, np.ndarray, np.ndarray]:
    """Chapter 11's network (one logistic hidden unit, a linear output) at its point, and v."""
    net = Network([1, 1, 1], activations=["logistic", "identity"], seed=0)
    net.set_params(np.array([0.5, -0.3, 1.2, 0.1]))
    X, Y = np.array([[-1.0, 0.5, 2.0]]), np.array([[0.2, 0.9, 0.4]])
    return net, X, Y, np.array([1.0, -2.0, 0.5, 3.0])


def _gradient_at(theta: np.ndarray) -> np.ndarray:
    net, X, Y, _ = tiny_case()
    net.set_params(theta)
    return net.loss_and_gradient(X, Y)[1].flat()


def _difference(kind: str, eps: float = 1e-4) -> np.ndarray:
    net, X, Y, v = tiny_case()
    theta = net.get_params()
    up, down = _gradient_at(theta + eps * v), _gradient_at(theta - eps * v)
    if kind == "eps-not-2eps":
        return (up - down) / eps
    return (up - _gradient_at(theta)) / eps  # one-sided


def _exact_tiny() -> np.ndarray:
    net, X, Y, v = tiny_case()
    return hvp.network_hvp(net, X, Y, v)


register(NumberExercise(
    label="ex-second-derivatives-1", title="H v by differences of two gradients",
    chapter=CHAPTER, name="H v", expected=_exact_tiny, rtol=1e-6,
    misconceptions=[
        Misconception("eps-not-2eps", "The two gradients are 2 eps apart (theta + eps v and theta - eps "
                      "v): divide their difference by 2 eps, not by eps. Your answer is 2 H v.",
                      answer=lambda: _difference("eps-not-2eps")),
        Misconception("one-sided", "This is the one-sided quotient (g(theta + eps v) - g(theta)) / eps: "
                      "its error is of order eps (about 1e-4 here), a million times the central "
                      "difference's eps^2. Use g(theta + eps v) and g(theta - eps v).",
                      answer=lambda: _difference("one-sided")),
    ],
    hints=["H v is the derivative of the gradient along v, "
           "d/dr grad C(theta + r v) at r = 0: approximate it by a central difference.",
           lambda: "The gradient at theta + eps v, eps = 1e-4, starts with "
                   f"{_gradient_at(tiny_case()[0].get_params() + 1e-4 * tiny_case()[3])[0]:.6f}.",
           "Set the parameters to theta + eps v and to theta - eps v, take the two gradients "
           "(loss_and_gradient(...)[1].flat()) and divide their difference by 2 eps."],
))


# ---------------------------------------------------------------- 2: products per layer
def added_products(keep_wt_delta: bool = True, product_rule: bool = True,
                   gradients: bool = True) -> int:
    """Matrix products the R-operator adds for a middle layer, counted from its three equations."""
    forward = 2 if product_rule else 1  # R{W} a + W R{a}
    back = (2 if product_rule else 1) + (0 if keep_wt_delta else 1)  # R{W}^T d + W^T R{d} (+ W^T d)
    grads = (2 if product_rule else 1) if gradients else 0  # R{d} a^T + d R{a}^T
    return forward + back + grads


def engine_tangent_products(n: int = 64, m: int = 16) -> float:
    """The graph engine's tangent count for ``H v`` added by one more layer of width ``n``
    (identity activations), in units of ``n^2 m``: the products the R-operator adds per layer."""
    def tangent(L: int) -> int:
        return hvp_costs([n] * (L + 1), m, activation="identity")["tangent"]
    return (tangent(4) - tangent(3)) / (n * n * m)


register(NumberExercise(
    label="ex-second-derivatives-2", title="Count the products the R-operator adds",
    chapter=CHAPTER, name="products per layer", expected=lambda: added_products(), rtol=1e-9,
    misconceptions=[
        Misconception("no-product-rule", "Both factors of every product move along v: R{W a} = R{W} a + "
                      "W R{a}, and so on. You counted one term per equation.",
                      answer=lambda: added_products(product_rule=False)),
        Misconception("recomputed-wt-delta", "(W^l)^T delta^l is already computed by the backward pass "
                      "(the question keeps it); the R-operator adds only the products with R{.}.",
                      answer=lambda: added_products(keep_wt_delta=False)),
        Misconception("no-gradient-products", "H v is R{dC/dW}, which needs the two products "
                      "R{delta} a^T and delta R{a}^T as well: you stopped at R{delta}.",
                      answer=lambda: added_products(gradients=False)),
    ],
    hints=["Apply R{.} = d/dr to each line of a middle layer: z = W a + b, delta^{l-1} = f' (W^T "
           "delta), dC/dW = delta a^T / m; in a product, both factors move.",
           "R{z^l} = R{W^l} a^{l-1} + W^l R{a^{l-1}} + R{b^l} alone has two matrix products.",
           "Count two products in R{z}, two new ones in R{delta} (R{W}^T delta and W^T R{delta}), "
           "and two in R{dC/dW}."],
))


# ---------------------------------------------------------------- 3: the largest stable eta
@cache
def _linear_case() -> tuple[Network, np.ndarray, np.ndarray]:
    r = np.random.default_rng(5)
    X = r.normal(size=(3, 50)) * np.array([[1.0], [3.0], [0.5]])
    Y = np.array([[0.5, -1.0, 2.0]]) @ X + 0.1 * r.normal(size=(1, 50))
    return Network([3, 1], activations="identity", seed=0), X, Y


def linear_case() -> tuple[Network, np.ndarray, np.ndarray]:
    """A linear neuron with three inputs of different scales (and a bias), 50 examples."""
    net, X, Y = _linear_case()
    return net, X.copy(), Y.copy()


def _eigenvalues() -> np.ndarray:
    net, X, Y = linear_case()
    H = np.array([hvp.network_hvp(net, X, Y, e) for e in np.eye(net.n_params)])
    return np.linalg.eigvalsh((H + H.T) / 2)


register(NumberExercise(
    label="ex-second-derivatives-3", title="The largest stable learning rate of a linear neuron",
    chapter=CHAPTER, name="eta_max", expected=lambda: 2 / _eigenvalues()[-1], rtol=1e-6,
    misconceptions=[
        Misconception("forgot-the-2", "The bound is eta < 2 / lambda_max: at eta = 1 / lambda_max the "
                      "steepest direction converges in one step, but the edge is twice as far.",
                      answer=lambda: 1 / _eigenvalues()[-1]),
        Misconception("smallest-eigenvalue", "The smallest eigenvalue sets how slowly the flattest "
                      "direction converges; the bound comes from the largest, the first to "
                      "oscillate.", answer=lambda: 2 / _eigenvalues()[0]),
        Misconception("inverted", "lambda_max / 2 has the units of a curvature, not of a learning rate: "
                      "the bound is 2 / lambda_max.", answer=lambda: _eigenvalues()[-1] / 2),
    ],
    hints=["Chapter 5: gradient descent converges near a minimum when eta < 2 / lambda_max, with "
           "lambda_max the largest eigenvalue of the Hessian; power iteration on H v finds it.",
           lambda: f"lambda_max is about {_eigenvalues()[-1]:.3g}.",
           "Run hvp.lambda_max(net, X, Y) and take 2 / result.value."],
))


# ---------------------------------------------------------------- 4: Omega of a linear neuron
def _omega_symbols():
    import sympy as sp

    w1, w2, b, x1, x2, t = sp.symbols("w_1 w_2 b x_1 x_2 t", real=True)
    return w1, w2, b, x1, x2, t


def _omega(kind: str = "right"):
    import sympy as sp

    w1, w2, b, x1, x2, t = _omega_symbols()
    residual = w1 * x1 + w2 * x2 + b - t
    if kind == "weights":  # the gradient with respect to the weights and the bias
        return sp.Rational(1, 2) * residual**2 * (x1**2 + x2**2 + 1)
    if kind == "no-residual":
        return sp.Rational(1, 2) * (w1**2 + w2**2)
    if kind == "no-half":
        return residual**2 * (w1**2 + w2**2)
    return sp.Rational(1, 2) * residual**2 * (w1**2 + w2**2)


register(ExpressionExercise(
    label="ex-second-derivatives-4", title="The penalty of double backpropagation, by hand",
    chapter=CHAPTER, name="Omega_x", expected=lambda: _omega(),
    misconceptions=[
        Misconception("weights-not-inputs", "That is half the squared gradient with respect to the "
                      "weights and the bias. Double backpropagation penalises the gradient with "
                      "respect to the input x.", answer=lambda: _omega("weights")),
        Misconception("no-residual", "dC_x/dx_i = (y - t) w_i: the residual y - t is a factor of "
                      "every entry, so its square multiplies Omega.",
                      answer=lambda: _omega("no-residual")),
        Misconception("no-half", "Omega_x = 1/2 ||dC_x/dx||^2 keeps its own 1/2.",
                      answer=lambda: _omega("no-half")),
    ],
    hints=["Differentiate C_x = 1/2 (w_1 x_1 + w_2 x_2 + b - t)^2 with respect to x_1 and x_2 "
           "(not the weights).",
           "dC_x/dx_1 = (w_1 x_1 + w_2 x_2 + b - t) w_1.",
           "Square both entries, add them and halve: factor out (w_1 x_1 + w_2 x_2 + b - t)^2."],
))


# ---------------------------------------------------------------- 5: a negative eigenvalue
register(ChoiceExercise(
    label="ex-second-derivatives-5", title="Power iteration returns a negative number",
    chapter=CHAPTER,
    question="At a point of a network's loss, power iteration on H v converges to -3.2. What does "
             "this tell you?",
    options={"a": "The largest stable learning rate here is 2 / 3.2.",
             "b": "The eigenvalue of largest magnitude is -3.2: the point is not a minimum, and the "
                  "largest eigenvalue must be found by iterating on H + 3.2 I.",
             "c": "The Hessian-vector product has a sign error: a Hessian's eigenvalues are "
                  "positive.",
             "d": "The loss is concave everywhere, so gradient descent cannot work."},
    answer="b",
    why={"a": "Power iteration finds the eigenvalue of largest magnitude, here negative; the bound "
              "2 / lambda_max needs the largest positive one, which is smaller than 3.2 in size.",
         "c": "A Hessian is symmetric, not positive definite: away from a minimum (at a saddle) it "
              "has negative eigenvalues, and chapter 11 shows some.",
         "d": "A negative eigenvalue describes the curvature at this point and along one direction, "
              "not everywhere."},
    explanation="Right: a negative dominant eigenvalue means a direction of negative curvature (a "
                "saddle or a maximum along it). Shifting by it, H - (-3.2) I, makes every eigenvalue "
                "non-negative, and power iteration on the shifted operator then finds lambda_max + "
                "3.2 (what hvp.largest_eigenvalue does).",
    hints=["Power iteration converges to the eigenvalue of largest |lambda|.",
           "Only at a minimum are all eigenvalues of H non-negative."],
))


# ---------------------------------------------------------------- 6: the mixed product
def penalty_case() -> tuple[Network, np.ndarray, np.ndarray]:
    """A small tanh network, a batch of 7 and targets (seed 3)."""
    r = np.random.default_rng(3)
    net = Network([2, 4, 1], activations=["tanh", "identity"], init="normal", seed=3)
    return net, r.normal(size=(2, 7)), r.normal(size=(1, 7))


def _omega_gradient(factor: str = "m") -> np.ndarray:
    net, X, Y = penalty_case()
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    m = X.shape[1]
    dX = net.W[0].T @ deltas[0] / m
    mixed = hvp.network_hvp(net, X, Y, None, input_tangent=dX)
    return {"m": m, "1": 1, "m2": m * m}[factor] * mixed


register(NumberExercise(
    label="ex-second-derivatives-6", title="The weight gradient of the penalty as a mixed product",
    chapter=CHAPTER, name="dOmega/dtheta", expected=lambda: _omega_gradient("m"), rtol=1e-8,
    misconceptions=[
        Misconception("missing-m", "The columns of dC/dX are (1/m) dC_x/dx, so Omega = (m/2) "
                      "||dC/dX||^2 and its gradient carries a factor m. Yours is 1/m of it.",
                      answer=lambda: _omega_gradient("1")),
        Misconception("m-twice", "You scaled twice: with the tangent m dC/dX (the per-example "
                      "gradients) the factor in front is 1, not m.",
                      answer=lambda: _omega_gradient("m2")),
    ],
    hints=["Omega = (m/2) ||dC/dX||^2, so dOmega/dtheta = m (d^2 C / dtheta dX) applied to dC/dX: "
           "a Hessian-vector product whose direction is in input space.",
           "dC/dX = (W^1)^T delta^1 / m, with delta^1 from net.backpropagate.",
           "hvp.network_hvp(net, X, Y, None, input_tangent=dC_dX) times m."],
))
