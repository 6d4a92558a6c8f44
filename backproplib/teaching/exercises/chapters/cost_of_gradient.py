"""Chapter 7, "What a gradient costs": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import ChoiceExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-cost-of-gradient"
N, K, M = 5, 4, 3  # one dense layer: n units, k inputs, a batch of m


def _counts(activation: bool = True, input_adjoint: bool = True, bias_saving: bool = True,
            activation_adjoint: int = 2) -> list[int]:
    F = N * K * M + (2 if activation else 1) * N * M
    B = 2 * N * K * M + (1 + activation_adjoint) * N * M - N
    if not input_adjoint:
        B -= N * K * M
    if not bias_saving:
        B += N
    return [F, B]


register(NumberExercise(
    label="ex-cost-of-gradient-1", title="Where the bound of 3 comes from", chapter=CHAPTER,
    name="(F, B)", expected=_counts,
    hints=["The rules of backproplib.autodiff.opcount: one unit per scalar multiply-add, per "
           "lone addition or multiplication, per evaluation of f or f'.",
           "Forwards W A costs n k m, the bias n m and the activation n m: F = 90 here. "
           "Backwards the activation costs 2 n m (f' and a product per entry).",
           "Add the bias's sum over the batch (n m - n additions) and the two products "
           "Z-bar A^T and W^T Z-bar, n k m each."],
    misconceptions=[
        Misconception("bias-sum-miscounted", "You counted n m additions for the bias's "
                      "adjoint: summing m columns into one takes m - 1 additions per unit, "
                      "n m - n in all.", answer=lambda: _counts(bias_saving=False)),
        Misconception("no-input-adjoint", "You left out A-bar = W^T Z-bar: the exercise counts "
                      "the layer when its input's adjoint is needed, two products of n k m "
                      "each.", answer=lambda: _counts(input_adjoint=False)),
        Misconception("no-activation-forward", "Your F leaves out the activation: evaluating f "
                      "costs one unit per entry, n m.",
                      answer=lambda: _counts(activation=False)),
        Misconception("bound-not-count", "B = 2F is the chapter's bound B <= 2F, not the "
                      "count: count the backward operations one by one.",
                      answer=lambda: [_counts()[0], 2 * _counts()[0]]),
        Misconception("activation-adjoint-one-unit", "You counted one unit per entry for the "
                      "activation's adjoint: f'(z) * a-bar evaluates f' and multiplies, two "
                      "units per entry, 2 n m.",
                      answer=lambda: _counts(activation_adjoint=1)),
        Misconception("order-swapped", "Your two counts are in the other order: the check takes "
                      "[F, B], the forward count first.", answer=lambda: _counts()[::-1]),
    ]))

DIGITS = [784, 512, 512, 10]


def _n_params(weights_only: bool = False) -> int:
    return sum(a * b + (0 if weights_only else b) for a, b in zip(DIGITS[:-1], DIGITS[1:]))


def _passes(n: int, per_difference: int = 2, differences: int = 2, extra: int = 2,
            central_extra: int = 0) -> list[int]:
    return [differences * per_difference * n + extra, per_difference * n + central_extra]


register(NumberExercise(
    label="ex-cost-of-gradient-2", title="Predict, then compute: gradient checks of the "
                                         "digits network",
    chapter=CHAPTER, name="(gradcheck's forward passes, one central difference each)",
    expected=lambda: _passes(_n_params()), rtol=1e-9,
    hints=["Each central difference evaluates the loss twice, at theta + eps e_i and "
           "theta - eps e_i; Richardson's combination needs two of them per parameter.",
           "n = 784*512 + 512 + 512*512 + 512 + 512*10 + 10 = 669,706 (weights and biases). "
           "On small networks gradcheck calls net.forward 4 n + 2 times.",
           "The 2 extra passes are backpropagation's own forward pass and the one that looks "
           "for ReLU inputs on a kink; a single central difference per parameter needs 2 n."],
    misconceptions=[
        Misconception("differences-only", "You counted the differences only: gradcheck also "
                      "runs one forward pass for backpropagation's gradient and one that looks "
                      "for inputs on a kink, 4 n + 2 in all.",
                      answer=lambda: _passes(_n_params(), extra=0)),
        Misconception("weights-only", "You counted the weights but not the biases: n includes "
                      "512 + 512 + 10 biases, 669,706 parameters.",
                      answer=lambda: _passes(_n_params(weights_only=True))),
        Misconception("one-pass-per-difference", "You counted one pass per central difference: "
                      "it evaluates the loss twice, at theta + eps e_i and at theta - eps e_i.",
                      answer=lambda: _passes(_n_params(), per_difference=1)),
        Misconception("no-richardson", "You counted one central difference per parameter for "
                      "gradcheck: Richardson extrapolation combines two (steps eps and 2 eps).",
                      answer=lambda: _passes(_n_params(), differences=1)),
        Misconception("central-with-base-point", "A central difference needs no pass at theta "
                      "itself: (C(theta + eps e_i) - C(theta - eps e_i)) / (2 eps) evaluates "
                      "only the two nudged points, 2 n passes in all (the n + 1 belongs to the "
                      "one-sided quotient).", answer=lambda: _passes(_n_params(), central_extra=1)),
        Misconception("extras-in-central", "The 2 extra passes are gradcheck's own (its "
                      "backpropagation and its kink test); a plain central difference per "
                      "parameter needs exactly 2 n.",
                      answer=lambda: _passes(_n_params(), central_extra=2)),
    ]))


def _engine_products(sizes: list[int], m: int) -> int:
    from ....autodiff.graph import Node, backward, constant
    from ....autodiff.opcount import counting

    A = constant(np.ones((sizes[0], m)))
    for l in range(1, len(sizes)):
        A = Node(np.ones((sizes[l], sizes[l - 1]))) @ A
    with counting() as t:
        backward(A.sum())
    return t.backward


def _layers(sizes: list[int], m: int) -> list[int]:
    return [sizes[l] * sizes[l - 1] * m for l in range(1, len(sizes))]


def _product_cases() -> list[tuple]:
    return [([2, 2, 1], 1), ([3, 5, 4, 2], 7), ([10, 1, 10], 3), ([6, 6, 6, 6, 6], 2),
            ([4, 3], 5)]  # one layer: no a-bar at all


register(FunctionExercise(
    label="ex-cost-of-gradient-3", title="Implement the product count of a backward pass",
    chapter=CHAPTER, reference=_engine_products, cases=_product_cases,
    hints=["Every layer's product W^l A^{l-1} has two adjoint products, W-bar^l = Z-bar "
           "(A^{l-1})^T and A-bar^{l-1} = (W^l)^T Z-bar, each of the forward product's size.",
           "The forward product costs n_l n_{l-1} m multiply-adds.",
           "Twice the sum over the layers, minus the first layer's A-bar^0, which nobody "
           "needs."],
    misconceptions=[
        Misconception("input-adjoint-counted", "You counted A-bar^0, the adjoint of the input: "
                      "nothing needs it, so the engine skips it (subtract the first layer's "
                      "product once).", function=lambda s, m: 2 * sum(_layers(s, m))),
        Misconception("batch-forgotten", "Your count leaves out the batch: each product "
                      "multiplies by m examples, n_l n_{l-1} m.",
                      function=lambda s, m: (2 * sum(_layers(s, m)) - _layers(s, m)[0]) // m),
        Misconception("weight-gradients-only", "You counted only the weight gradients "
                      "W-bar^l: the error must also travel back, A-bar^{l-1} = (W^l)^T Z-bar, "
                      "for every layer but the first.",
                      function=lambda s, m: sum(_layers(s, m))),
    ]))

register(ChoiceExercise(
    label="ex-cost-of-gradient-4", title="Explain a plot: flat curves at the small end",
    chapter=CHAPTER,
    question="In the stored timings, the curves of one forward pass and of reverse accumulation "
             "are nearly flat for the smallest networks, although their counted multiply-adds "
             "grow in proportion to n. Why?",
    options={"a": "Every graph operation costs a fixed few microseconds of Python work; for "
                  "small arrays that overhead, proportional to the number of nodes, dwarfs the "
                  "arithmetic.",
             "b": "The clock cannot resolve times that short, so it reports a constant.",
             "c": "BLAS uses several threads for small matrices.",
             "d": "Small networks need fewer layers, so the graph has fewer nodes."},
    answer="a",
    why={"b": "The times are CPU times of repeated runs, well above the clock's resolution; "
              "and they rise as soon as the arithmetic dominates.",
         "c": "The benchmark runs with one BLAS thread; and threads would make large matrices "
              "faster, not small ones flat.",
         "d": "Every network of the sweep is [h, h, h, 1]: the same layers and nodes at every "
              "width."},
    explanation="Right: the time measures the number of nodes, which does not depend on the "
                "width; the backward pass visits the same nodes once more at a comparable "
                "fixed cost, so the ratio stays a small constant there too.",
    hints=["What does the engine do per operation besides the arithmetic?",
           "The networks [h, h, h, 1] have the same number of nodes at every width h."],
))

N_IN, N_OUT = 3, 1000  # a function with few inputs and many outputs

register(NumberExercise(
    label="ex-cost-of-gradient-5", title="A Jacobian with few inputs", chapter=CHAPTER,
    name="(forward-mode passes, reverse passes)", expected=lambda: [N_IN, N_OUT],
    hints=["One forward-mode pass pushes one tangent direction through the graph and gives one "
           "column of the Jacobian; one reverse pass pulls back one adjoint seed and gives one "
           "row.",
           "The Jacobian of f: R^3 -> R^1000 has 1000 rows and 3 columns.",
           "Forward mode needs one pass per input, reverse one per output."],
    misconceptions=[
        Misconception("modes-swapped", "You swapped the modes: a forward-mode pass gives one "
                      "column of the Jacobian (one input direction), a reverse pass one row (one "
                      "output's gradient).", answer=lambda: [N_OUT, N_IN]),
        Misconception("one-reverse-pass", "One backward pass gives the gradient of one scalar "
                      "output; this Jacobian has 1000 rows, one reverse pass each.",
                      answer=lambda: [N_IN, 1]),
        Misconception("forward-per-entry", "Forward mode needs one pass per input direction, "
                      "not per Jacobian entry: each pass gives a whole column of 1000 entries.",
                      answer=lambda: [N_IN * N_OUT, N_OUT]),
    ]))
