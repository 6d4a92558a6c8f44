"""Chapter 6, "The adjoint graph": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import ChoiceExercise, FunctionExercise, Misconception, NumberExercise, register

CHAPTER = "ch-adjoint-graph"
A0, B0 = 2.0, 3.0  # c = a b + a^2 at a = 2, b = 3

register(NumberExercise(
    label="ex-adjoint-graph-1", title="Adjoints by hand", chapter=CHAPTER,
    name="(a-bar, b-bar)", expected=lambda: [B0 + 2 * A0, A0],
    hints=["The adjoint rule: a node's adjoint is the sum over its consumers of the "
           "consumer's adjoint times the local derivative.",
           "c-bar = 1 and the sum passes it on: p-bar = q-bar = 1. The product p = a b sends "
           "p-bar * b = 3 to a and p-bar * a = 2 to b.",
           "q = a * a uses a on two edges, each sending q-bar * a = 2: add 3 + 2 + 2."],
    misconceptions=[
        Misconception("square-counted-once", "You counted a once in q = a * a: a is both "
                      "operands of the product, so it receives q-bar * a along each of the two "
                      "edges, 2 a in all.", answer=lambda: [B0 + A0, A0]),
        Misconception("own-factor", "Your product sends each operand its own value: the "
                      "derivative of a b with respect to a is b, so a receives p-bar * b and b "
                      "receives p-bar * a.", answer=lambda: [A0 + 2 * A0, B0]),
        Misconception("one-consumer", "You kept only the contribution of q = a^2: a also feeds "
                      "p = a b, and the adjoint rule sums over all consumers.",
                      answer=lambda: [2 * A0, A0]),
        Misconception("order-swapped", "Your two numbers are right but in the other order: the "
                      "check takes [a_bar, b_bar], a-bar first.",
                      answer=lambda: [A0, B0 + 2 * A0]),
    ]))

DOUBLINGS = 10

register(NumberExercise(
    label="ex-adjoint-graph-2", title="Predict, then compute: doubling ten times",
    chapter=CHAPTER, name="(d x_10 / d a, number of nodes)",
    expected=lambda: [2 ** DOUBLINGS, DOUBLINGS + 1],
    hints=["x + x consumes x twice, so each sum sends its adjoint back along two edges.",
           "After one doubling d x_1 / d a = 2; after k doublings the derivative is 2^k.",
           "The graph holds the leaf a and one sum per doubling."],
    misconceptions=[
        Misconception("leaf-not-counted", "You did not count the leaf a: the graph has the leaf "
                      "and ten sums, 11 nodes.", answer=lambda: [2 ** DOUBLINGS, DOUBLINGS]),
        Misconception("one-doubling-less", "You counted nine doublings: ten applications of "
                      "x = x + x multiply the derivative by 2 ten times (2^10) and make ten "
                      "sums, plus the leaf.",
                      answer=lambda: [2 ** (DOUBLINGS - 1), DOUBLINGS]),
        Misconception("added-not-multiplied", "You added 2 per doubling: the chain rule "
                      "multiplies the local derivatives along the chain, 2 * 2 * ... = 2^10.",
                      answer=lambda: [2 * DOUBLINGS, DOUBLINGS + 1]),
        Misconception("paths-not-nodes", "2^10 is the number of paths from a to x_10, not of "
                      "nodes: the topological order visits each of the 11 nodes once.",
                      answer=lambda: [2 ** DOUBLINGS, 2 ** DOUBLINGS]),
    ]))


def _engine_adjoint_A(A: np.ndarray, B: np.ndarray, Gbar: np.ndarray) -> np.ndarray:
    from ....autodiff.graph import Node, backward, constant

    A_node = Node(A)
    backward(A_node @ constant(B), seed=Gbar)
    return A_node.grad


def _matmul_cases() -> list[tuple]:
    r = np.random.default_rng(6)
    return [(r.normal(size=(n, k)), r.normal(size=(k, m)), r.normal(size=(n, m)))
            for n, k, m in [(1, 1, 1), (2, 3, 4), (5, 2, 1), (3, 3, 7)]]


register(FunctionExercise(
    label="ex-adjoint-graph-3", title="Implement the adjoint of a matrix product",
    chapter=CHAPTER, reference=_engine_adjoint_A, cases=_matmul_cases, rtol=1e-12,
    hints=["C_im = sum_k A_ik B_km, so dC_im / dA_ik = B_km: A_ik collects C-bar_im B_km over "
           "m.",
           "The result must have the shape of A, (n, k), from G of shape (n, m) and B of shape "
           "(k, m) once transposed.",
           "A-bar = G B^T: Gbar @ B.T."],
    misconceptions=[
        Misconception("adjoint-of-B", "You returned A^T G, which is the adjoint of B (shape "
                      "(k, m)); the adjoint of A is G B^T, of shape (n, k).",
                      function=lambda A, B, G: A.T @ G),
        Misconception("transposed-result", "You returned B G^T, the transpose of the adjoint: "
                      "A-bar has the shape of A, (n, k), and is G B^T.",
                      function=lambda A, B, G: B @ G.T),
        Misconception("B-not-transposed", "G @ B does not fit: G has shape (n, m) and B "
                      "(k, m), so A_ik collects G_im B_km over m through B^T: Gbar @ B.T.",
                      function=lambda A, B, G: G @ B),
    ]))

register(ChoiceExercise(
    label="ex-adjoint-graph-4", title="Explain a plot: greedy against topological",
    chapter=CHAPTER,
    question="For out = t + k t with t = x^2, the greedy breadth-first walk returns 2 at x = 1 "
             "for every k, while the exact derivative is 2(1 + k). Why is the greedy line flat?",
    options={"a": "The greedy walk reaches t directly from out and passes on t's adjoint (1) "
                  "before the path through k t has added its k; that later share arrives after "
                  "t was processed and never reaches x.",
             "b": "The greedy walk forgets that x is used twice in t = x * x.",
             "c": "The product k t has a local derivative of zero with respect to t.",
             "d": "Breadth-first order visits x before t."},
    answer="a",
    why={"b": "It does not: 2 = 2x is the derivative of x * x with both edges counted. What it "
              "loses is the share k of the second consumer of t.",
         "c": "The local derivative of k t with respect to t is k, which is zero only at k = 0, "
              "where the two lines meet.",
         "d": "x is a parent of t, so every walk back from out reaches t first; the question is "
              "whether t waits for all its consumers."},
    explanation="Right: t has two consumers, and its adjoint 1 + k is complete only after both "
                "have reported; the reverse of a topological order guarantees that, a "
                "breadth-first walk does not.",
    hints=["Which node has two consumers, and when does the greedy walk pass its adjoint on?",
           "The exact adjoint of t is 1 + k; compare with what t holds when the walk first "
           "reaches it."],
))

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


def _bias_gradient(columns: str = "sum") -> np.ndarray:
    from ....autodiff import networks
    from ....autodiff.graph import backward
    from ....network import Network

    net3 = Network([2, 3, 1], activations="tanh", seed=1)
    g3 = networks.network_graph(net3, XOR_X, XOR_Y)
    backward(g3.loss)
    zbar = g3.z[0].grad
    return {"sum": zbar.sum(axis=1), "mean": zbar.mean(axis=1), "first": zbar[:, 0],
            "units": zbar.sum(axis=0)}[columns]


register(NumberExercise(
    label="ex-adjoint-graph-5", title="A bias shared by a batch", chapter=CHAPTER,
    name="dC/db^1", expected=lambda: _bias_gradient("sum"),
    hints=["The broadcast rule: a broadcast operand collects one contribution "
           "per copy.",
           "The column b^1 was copied to the m = 4 examples, so its adjoint adds the 4 columns "
           "of z-bar^1 (shape (3, 4)).",
           "Sum z-bar^1 over the batch axis, axis=1: the 1/m of the mean is already inside "
           "z-bar^1."],
    misconceptions=[
        Misconception("mean-twice", "You averaged the columns: the 1/m of the batch mean is "
                      "already inside z-bar^1 (the loss node multiplies by 1/(2m)), so the "
                      "broadcast bias sums them.", answer=lambda: _bias_gradient("mean")),
        Misconception("one-example", "You took the first column only: the bias is shared by "
                      "all 4 examples and collects a contribution from each.",
                      answer=lambda: _bias_gradient("first")),
        Misconception("wrong-axis", "You summed over the units (axis 0): b^1 has one entry per "
                      "unit, and its copies run along the examples, axis 1.",
                      answer=lambda: _bias_gradient("units")),
    ]))
