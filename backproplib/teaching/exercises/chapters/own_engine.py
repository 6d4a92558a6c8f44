"""Chapter 17, "Write your own engine": the reader's engine, checked piece by piece.

The pieces the reader writes (a value class, a topological order, a backward pass, more operations)
are judged by :class:`EngineExercise`: each is run through a few probes (small graphs, a graph that
reuses a node, a chain deeper than Python's recursion limit) and compared with the library's own
scalar engine, :mod:`backproplib.autodiff.scalar`. Each registered mistake is a small engine that
makes it, so its probe results are the wrong answers that mistake produces.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....autodiff import scalar as S
from ..checks import Feedback, close
from ..registry import (
    ChoiceExercise,
    Exercise,
    Misconception,
    NumberExercise,
    _matching,
    register,
)

CHAPTER = "ch-own-engine"
Case = tuple[str, Callable[[Any], Any]]


def _outcome(case: Case, answer: Any) -> Any:
    """What one probe gives: a float array, or the name of the exception it raised."""
    label, run = case
    try:
        return np.asarray(run(answer), dtype=float)
    except RecursionError:
        return "RecursionError"
    except Exception as err:  # the reader's code: report, never crash the notebook
        return f"{type(err).__name__}: {err}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a.split(":")[0] == b.split(":")[0]
    return close(a, b, 1e-9)


@dataclass(repr=False)
class EngineExercise(Exercise):
    """An answer that is a piece of an engine (a class or a function), run through probes and
    compared with the library's scalar engine.

    Attributes
    ----------
    cases : callable
        Returns the probes, ``[(label, run)]``; ``run(answer)`` builds a small graph with the answer
        and returns numbers.
    reference : callable
        Returns the library's version of the piece (the expected outcomes come from it).
    what : str
        What the answer is, for messages ("your Value class").
    """

    cases: Callable[[], list[Case]] = lambda: []
    reference: Callable[[], Any] = lambda: None
    what: str = "your answer"

    def _check(self, answer: Any) -> Feedback:
        if not callable(answer):
            return Feedback(False, f"{self.what} should be a class or a function, got "
                                   f"{type(answer).__name__} {answer!r}")
        cases = self.cases()
        got = [_outcome(c, answer) for c in cases]
        want = [_outcome(c, self.reference()) for c in cases]
        if all(_same(g, w) for g, w in zip(got, want)):
            return Feedback(True, f"{self.what} passes all {len(cases)} probes.")

        def same_as(m: Misconception) -> bool:
            return m.function is not None and all(
                _same(g, _outcome(c, m.function)) for g, c in zip(got, cases))

        hit = _matching(self.misconceptions, same_as)
        if hit is not None:
            return hit
        for (label, _), g, w in zip(cases, got, want):
            if not _same(g, w):
                shown = g if isinstance(g, str) else np.round(g, 6).tolist()
                expected = w if isinstance(w, str) else np.round(w, 6).tolist()
                return Feedback(False, f"{self.what} differs on the probe '{label}': got {shown}, "
                                       f"expected {expected}")
        return Feedback(False, f"{self.what} differs from the reference")


def deep() -> int:
    """A chain length well past Python's recursion limit."""
    return 3 * sys.getrecursionlimit()


# ------------------------------------------------------------------ step 1: a value that remembers
def _arithmetic_cases() -> list[Case]:
    def ab(V: Any) -> tuple[Any, Any]:
        return V(2.0), V(-3.0)

    return [
        ("a * b + a (a = 2, b = -3): its value", lambda V: (lambda a, b: (a * b + a).data)(*ab(V))),
        ("the locals of a * b", lambda V: (lambda a, b: (a * b).local)(*ab(V))),
        ("the locals of a + b", lambda V: (lambda a, b: (a + b).local)(*ab(V))),
        ("the parents of a * b are (a, b)",
         lambda V: (lambda a, b: [(a * b).parents[0] is a, (a * b).parents[1] is b])(*ab(V))),
        ("2 * a + 1: numbers on the left", lambda V: (lambda a, b: (2 * a + 1).data)(*ab(V))),
        ("the locals of 3 + a", lambda V: (lambda a, b: (3 + a).local)(*ab(V))),
    ]


class _MulNotSwapped(S.Scalar):
    def __mul__(self, other: Any) -> S.Scalar:
        other = S._scalar(other)
        return S._make("*", self.data * other.data, (self, other), (self.data, other.data))


class _NoReflected(S.Scalar):
    __radd__ = None  # type: ignore[assignment]
    __rmul__ = None  # type: ignore[assignment]


register(EngineExercise(
    label="ex-own-engine-1", title="Step 1: a value that remembers", chapter=CHAPTER,
    what="your Value class", cases=_arithmetic_cases, reference=lambda: S.Scalar,
    hints=["Each operation returns a new Value whose parents are its operands and whose local "
           "derivatives are d(result)/d(operand): 1 and 1 for a + b, and for a * b ...",
           "For a = 2, b = -3: (a * b).local should be (-3.0, 2.0): towards a, the value of b.",
           "Wrap a plain number in a Value first (other = other if isinstance(other, Value) "
           "else Value(other)), and define __radd__ and __rmul__ to call __add__ and __mul__."],
    misconceptions=[
        Misconception("mul-not-swapped", "Your a * b stores the local derivatives (a, b), but "
                      "d(ab)/da = b: multiply swaps its operands, so the locals are (b, a).",
                      function=_MulNotSwapped),
        Misconception("no-reflected-operators", "2 * a raised a TypeError: Python first asks the "
                      "number 2, and when int cannot multiply by a Value it calls a.__rmul__(2). "
                      "Define __radd__ and __rmul__.", function=_NoReflected),
    ]))


# ------------------------------------------------------------------ step 3: an order
def _chain(n: int) -> tuple[S.Scalar, S.Scalar]:
    x = S.Scalar(0.3)
    y = x
    for _ in range(n):
        y = y.tanh()
    return x, y


def _order_cases() -> list[Case]:
    def diamond() -> tuple[S.Scalar, list[S.Scalar]]:
        x = S.Scalar(1.5)
        y = x * x
        z = y + x
        return z * y, [x, y, z]

    def after_parents(topo: Any) -> float:
        out, _ = diamond()
        order = list(topo(out))
        where = {id(n): i for i, n in enumerate(order)}
        return float(all(where[id(p)] < where[id(n)] for n in order for p in n.parents))

    return [
        ("(x*x + x) * (x*x): how many nodes", lambda topo: len(list(topo(diamond()[0])))),
        ("every node after its parents", after_parents),
        ("the output last", lambda topo: (lambda o: float(list(topo(o))[-1] is o))(diamond()[0])),
        ("a chain of tanh three times the recursion limit",
         lambda topo: len(list(topo(_chain(deep())[1])))),
    ]


def recursive_order(output: Any) -> list:
    """The natural first attempt: a recursive depth-first search (fails on deep graphs)."""
    order, seen = [], set()

    def visit(node: Any) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for p in node.parents:
                visit(p)
            order.append(node)

    visit(output)
    return order


def _no_visited_set(output: Any) -> list:
    order: list = []
    stack = [(output, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    return order


def _preorder(output: Any) -> list:
    order, seen, stack = [], set(), [output]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(node.parents)
    return order


register(EngineExercise(
    label="ex-own-engine-3", title="Step 3: an order without recursion", chapter=CHAPTER,
    what="your topological_order", cases=_order_cases, reference=lambda: S.topological_order,
    hints=["Depth-first search, but with a list as your own stack instead of Python's call stack.",
           "Push (node, False) to mean 'visit its parents first' and (node, True) to mean 'its "
           "parents are done: append it'. The output goes in first.",
           "Pop an entry; if it is (node, True) append node; else, unless node was seen, mark it "
           "seen, push (node, True) and then (p, False) for every parent p."],
    misconceptions=[
        Misconception("recursive", "Right on small graphs, but the long chain raised "
                      "RecursionError: a recursive search holds one Python frame per node along a "
                      "path, and Python stops at sys.getrecursionlimit() frames. Keep the stack "
                      "yourself, as a list.", function=recursive_order),
        Misconception("no-visited-set", "A node used twice appears twice in your order (x in "
                      "x*x + x), so it would pass its adjoint on twice. Remember the nodes already "
                      "visited (a set of id(node)).", function=_no_visited_set),
        Misconception("pre-order", "Your order puts nodes before their parents (the output "
                      "first): that is pre-order. Append a node only after all its parents are in "
                      "the list (post-order).", function=_preorder),
    ]))


# ------------------------------------------------------------------ step 4: the backward pass
def _backward_cases() -> list[Case]:
    def grads(backward: Any, build: Callable[[], tuple]) -> list[float]:
        out, leaves = build()
        backward(out)
        return [v.grad for v in leaves]

    def fab() -> tuple:
        a, b = S.Scalar(2.0), S.Scalar(-3.0)
        return a * b + a, [a, b]

    def reuse() -> tuple:
        x = S.Scalar(3.0)
        return x * x + x, [x]

    def twice(backward: Any) -> list[float]:
        out, leaves = reuse()
        backward(out)
        backward(out)
        return [v.grad for v in leaves]

    def chain(backward: Any) -> float:
        x, y = _chain(deep())
        backward(y)
        return x.grad

    return [("a * b + a: the adjoints of a and b", lambda bw: grads(bw, fab)),
            ("x * x + x at x = 3: the adjoint of x", lambda bw: grads(bw, reuse)),
            ("the same graph, backward run twice", twice),
            ("a chain of tanh three times the recursion limit", chain)]


def _make_backward(overwrite: bool = False, forward_order: bool = False, reset: bool = True,
                   seed: bool = True) -> Callable[[Any], None]:
    def backward(output: Any) -> None:
        order = S.topological_order(output)
        if reset:
            for n in order:
                n.grad = 0.0
        if seed:
            output.grad = 1.0
        for node in order if forward_order else reversed(order):
            for p, local in zip(node.parents, node.local):
                if overwrite:
                    p.grad = local * node.grad
                else:
                    p.grad += local * node.grad
    return backward


register(EngineExercise(
    label="ex-own-engine-4", title="Step 4: adjoints that add up", chapter=CHAPTER,
    what="your backward", cases=_backward_cases, reference=lambda: S.backward,
    hints=["Reverse accumulation: the output's adjoint is 1; go through the topological order "
           "backwards and let every node pass local * its adjoint to each parent.",
           "For x * x + x at x = 3 the adjoint of x collects three terms: 3 and 3 from the product, "
           "1 from the sum: 7.",
           "Set every grad to 0, set output.grad = 1, then for node in reversed(order): for p, d in "
           "zip(node.parents, node.local): p.grad += d * node.grad."],
    misconceptions=[
        Misconception("overwrite-adjoint", "Your adjoints are overwritten instead of added: a node "
                      "with several consumers keeps only the last term it receives, not their sum "
                      "(7 for x in x*x + x at x = 3). The chain rule sums over every path: "
                      "p.grad += local * node.grad.",
                      function=_make_backward(overwrite=True)),
        Misconception("forward-order", "Your loop runs the order forwards, from the inputs: a "
                      "node passes its adjoint on before its consumers have sent theirs. Use "
                      "reversed(order).", function=_make_backward(forward_order=True)),
        Misconception("no-reset", "Running backward twice doubles the adjoints: they start from "
                      "the last run's. Set every node's grad to 0 before the pass.",
                      function=_make_backward(reset=False)),
        Misconception("no-seed", "Every adjoint is 0: the output's own adjoint, dC/dC = 1, was "
                      "never set before the loop.", function=_make_backward(seed=False)),
    ]))


# ------------------------------------------------------------------ step 2: tanh and exp
def _function_cases() -> list[Case]:
    def grads(V: Any) -> list[float]:
        a, b = V(0.7), V(-1.3)
        out = (a * b).tanh() + a.exp() * b
        S.backward(out)
        return [out.data, a.grad, b.grad]

    return [("tanh(0.5): value and local", lambda V: (lambda t: [t.data, *t.local])(V(0.5).tanh())),
            ("exp(-0.7): value and local", lambda V: (lambda e: [e.data, *e.local])(V(-0.7).exp())),
            ("tanh(a*b) + exp(a)*b: value, adjoints of a and b", grads)]


class _TanhAtInput(S.Scalar):
    def tanh(self) -> S.Scalar:
        return S._make("tanh", math.tanh(self.data), (self,), (1.0 - self.data ** 2,))


class _ExpPowerRule(S.Scalar):
    def exp(self) -> S.Scalar:
        return S._make("exp", math.exp(self.data), (self,), (self.data,))


register(EngineExercise(
    label="ex-own-engine-2", title="Step 2: tanh and exp", chapter=CHAPTER,
    what="your Value class", cases=_function_cases, reference=lambda: S.Scalar,
    hints=["A function of one operand has one local derivative: f'(x) at the forward value.",
           "tanh(0.5) = 0.4621, and its local derivative is 1 - 0.4621^2 = 0.7864; exp(-0.7) = "
           "0.4966 is its own local derivative.",
           "In tanh: t = math.tanh(self.data); the new Value has parents (self,) and local "
           "(1 - t * t,). In exp: e = math.exp(self.data); local (e,)."],
    misconceptions=[
        Misconception("tanh-derivative-at-input", "Your tanh stores 1 - x^2 of its input x; the "
                      "derivative is 1 - tanh(x)^2, computed from the output t = tanh(x).",
                      function=_TanhAtInput),
        Misconception("exp-power-rule", "Your exp stores its input x as the local derivative (the "
                      "power rule's habit); d e^x / dx = e^x, the output itself.",
                      function=_ExpPowerRule),
    ]))


# ------------------------------------------------------------------ exercises at the end
GATE_VALUES = {"x": 2.0, "y": -1.0, "z": -3.0}


def _gates(mistake: str | None = None) -> list[float]:
    """d f / d(x, y, z) for f = max(x * y, z) + x, by the gate rules (or with one mistake)."""
    x, y, z = GATE_VALUES.values()
    route = 1.0 if x * y >= z else 0.0  # max routes to the larger operand
    g_xy, g_z = (1.0, 1.0) if mistake == "max-both" else (route, 1.0 - route)
    gx_mul, gy = g_xy * (x if mistake == "mul-not-swapped" else y), \
        g_xy * (y if mistake == "mul-not-swapped" else x)
    gx = {"overwrite-mul": gx_mul, "overwrite-add": 1.0}.get(mistake or "", gx_mul + 1.0)
    return [gx, gy, g_z]


register(NumberExercise(
    label="ex-own-engine-5", title="Predict the adjoints through the gates", chapter=CHAPTER,
    name="the adjoints (df/dx, df/dy, df/dz)", expected=lambda: _gates(),
    hints=["Go backwards from f: the + distributes, the max routes, the * swaps; x is used twice.",
           "x * y = -2 is larger than z = -3, so the max sends its adjoint 1 to x * y and 0 to z.",
           "The product sends 1 * y = -1 to x and 1 * x = 2 to y; the + x sends 1 to x: add them."],
    misconceptions=[
        Misconception("max-to-both", "Your max gate sent the adjoint to both operands; it routes "
                      "it to the larger one only (z lost, so df/dz = 0).",
                      answer=lambda: _gates("max-both")),
        Misconception("mul-not-swapped", "Your product gave each operand its own value; multiply "
                      "swaps: x receives y and y receives x.",
                      answer=lambda: _gates("mul-not-swapped")),
        Misconception("overwrite-adjoint", "Your df/dx holds only one of x's two paths (through the "
                      "product, or through the + x); adjoints from several consumers add up.",
                      answer=lambda: _gates("overwrite-mul")),
        Misconception("overwrite-adjoint-add", "Your df/dx is 1, the + x path alone; the path "
                      "through the product adds y = -1.", answer=lambda: _gates("overwrite-add")),
    ]))


def _max_cases() -> list[Case]:
    def node(v: float) -> S.Scalar:
        return S.Scalar(v)

    def grads(maximum: Any) -> list[float]:
        a, b = node(1.5), node(-0.4)
        out = maximum(a * b, a + b) * a + maximum(b, node(-1.0))
        S.backward(out)
        return [out.data, a.grad, b.grad]

    def gate(x: float, y: float) -> Callable[[Any], list[float]]:
        return lambda maximum: (lambda m: [m.data, *m.local])(maximum(node(x), node(y)))

    return [("max(2, -1): value and locals", gate(2.0, -1.0)),
            ("max(-1, 2): value and locals", gate(-1.0, 2.0)),
            ("max(1, 1): a tie goes to the first operand", gate(1.0, 1.0)),
            ("max(a*b, a+b)*a + max(b, -1): value and adjoints", grads)]


def _max_gate(locals_of: Callable[[bool], tuple[float, float]]) -> Callable[[Any, Any], Any]:
    def maximum(a: Any, b: Any) -> S.Scalar:
        first = a.data >= b.data
        return S._make("max", a.data if first else b.data, (a, b), locals_of(first))
    return maximum


register(EngineExercise(
    label="ex-own-engine-6", title="A max gate", chapter=CHAPTER,
    what="your maximum", cases=_max_cases, reference=lambda: S.maximum,
    hints=["max(a, b) equals one of its operands: a small change of the other one does not move "
           "it at all.",
           "max(2, -1) has locals (1, 0) and max(-1, 2) has (0, 1): the adjoint is routed.",
           "out = Scalar(max(a.data, b.data)); out.parents = (a, b); out.local = (1.0, 0.0) if "
           "a.data >= b.data else (0.0, 1.0)."],
    misconceptions=[
        Misconception("max-to-both", "Your max gate passes the adjoint to both operands; it "
                      "routes it to the larger one only (the other one's local derivative is 0).",
                      function=_max_gate(lambda first: (1.0, 1.0))),
        Misconception("max-to-smaller", "Your max gate routes the adjoint to the smaller operand; "
                      "it belongs to the operand whose value came out.",
                      function=_max_gate(lambda first: (0.0, 1.0) if first else (1.0, 0.0))),
    ]))

register(ChoiceExercise(
    label="ex-own-engine-7", title="Why the recursive order fails", chapter=CHAPTER,
    question="The recursive topological order worked on the 2-2-1 network but raised "
             "RecursionError on a chain of 3000 tanh nodes. Why?",
    options={"a": "The chain contains a cycle, so the search never ends.",
             "b": "Each node on the path holds a Python frame until its parents are done; the "
                  "chain needs 3000 nested frames and Python allows about 1000.",
             "c": "The adjoints of a long tanh chain overflow.",
             "d": "The chain's gradient vanishes, and the sort stops at a zero."},
    answer="b",
    why={"a": "A chain built by y = y.tanh() has no cycle (every node is made from an older one); "
              "the search would end, given enough frames.",
         "c": "The topological order never looks at adjoints: it fails before the backward pass.",
         "d": "The order depends on the parents only, not on any value or derivative."},
    explanation="Right: the depth of recursion equals the length of the longest path, and Python "
                "stops at sys.getrecursionlimit() frames. An explicit stack has no such limit.",
    hints=["The error is raised while the order is built, before any adjoint is computed.",
           "How many calls of visit are active at once when the search reaches the chain's leaf?"],
))


def _edges(kind: str = "edges") -> int:
    """Counts in the scalar graph of the chapter's 2-2-1 network on one example."""
    from ....network import Network

    net = Network([2, 2, 1], activations="tanh", init="uniform", scale=1.0, seed=0)
    g = S.ScalarNetwork(net, np.array([[1.0], [-0.5]]), np.array([[0.8]]))
    order = S.topological_order(g.loss)
    ops = [n for n in order if n.parents]
    return {"edges": sum(len(n.parents) for n in ops), "ops": len(ops), "nodes": len(order)}[kind]


register(NumberExercise(
    label="ex-own-engine-8", title="What one backward pass costs", chapter=CHAPTER,
    name="the number of multiply-adds", expected=lambda: _edges("edges"),
    hints=["The backward pass runs parent.grad += local * node.grad once for every edge of the "
           "graph (every operand of every operation).",
           "A hidden unit of the 2-2-1 network has two products, two sums and a tanh: 2 + 2 + 2 + 2 "
           "+ 1 edges.",
           "Count: two hidden units, the output unit, then the loss's subtraction, square and "
           "factor 1/2 (two operands each)."],
    misconceptions=[
        Misconception("counted-operations", "You counted the operations; each operation does one "
                      "multiply-add per operand.", answer=lambda: _edges("ops")),
        Misconception("counted-nodes", "You counted the nodes, leaves included; the work is one "
                      "multiply-add per edge.", answer=lambda: _edges("nodes")),
    ]))
