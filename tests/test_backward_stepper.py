"""The backward-pass stepper of chapter 17 (state, drawing, widget) and the chapter's engine
exercises (the reader's class or function run through probes)."""

from __future__ import annotations

import numpy as np
import pytest

import backproplib as bp
from backproplib.autodiff import scalar as S
from backproplib.teaching import backward_stepper as B
from backproplib.teaching.exercises import get
from backproplib.teaching.exercises.chapters import own_engine


@pytest.fixture
def stepper():
    net = bp.Network([2, 2, 1], activations="tanh", init="uniform", scale=1.0, seed=0)
    return B.BackwardStepper(net, [1.0, -0.5], [0.8]), net


def test_stepping_reaches_the_network_gradient(stepper):
    st, net = stepper
    assert st.total == 18 and st.steps == 0 and st.current is None
    assert "Step 0 of 18" in st.status()
    nodes = [st.step() for _ in range(st.total)]
    assert st.step() is None and nodes[0] is st.graph.loss
    want = net.backward(net.forward(np.array([[1.0], [-0.5]])), np.array([[0.8]])).flat()
    np.testing.assert_allclose(st.gradient(), want, rtol=1e-12, atol=1e-15)
    assert "complete" in st.status()


def test_goto_and_final_adjoints(stepper):
    st, _ = stepper
    st.goto(7)
    done = st.ops[:7]
    assert st.current is done[-1] and all(st.final(n) for n in done)
    x1 = st.graph.a[0][0][0]  # used by two products: final only after both
    assert not st.final(x1)
    st.goto(st.total)
    assert st.final(x1)
    st.goto(0)
    assert st.steps == 0 and st.graph.loss.grad == 1.0
    with pytest.raises(ValueError, match="step must be an int in 0..18"):
        st.goto(19)


def test_the_status_names_the_gate(stepper):
    st, _ = stepper
    st.goto(5)
    assert "Add distributes" in st.status() and "z²₁" in st.status()
    st.goto(7)
    assert "Multiply swaps" in st.status() and "w²₁₂ += " in st.status()
    assert B.pretty("W1[0,1]") == "w¹₁₂" and B.pretty("x2") == "x₂" and B.pretty(None) == ""


def test_drawing_and_widget(stepper):
    st, _ = stepper
    png = B.png(st)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    fig = B.draw(st)
    assert fig.get_figwidth() * fig.dpi <= 688
    ui = B.make_widget(st, draw_now=False)
    assert repr(ui) == "Backward-pass stepper; live with a running kernel"
    ui.buttons["next"].click()
    assert st.steps == 1 and ui.image.value[:4] == b"\x89PNG"
    ui.buttons["all"].click()
    assert st.steps == st.total
    ui.buttons["back"].click()
    assert st.steps == st.total - 1
    ui.buttons["reset"].click()
    assert st.steps == 0 and "Step 0" in ui.status_label.value


def test_gate_adjoints():
    assert B.gate_adjoints("+", 3.0, -2.0, 2.0) == (1.0, 2.0, 2.0)
    assert B.gate_adjoints("*", 3.0, -2.0, 2.0) == (-6.0, -4.0, 6.0)
    assert B.gate_adjoints("max", 3.0, -2.0, 2.0) == (3.0, 2.0, 0.0)


def test_engine_exercises_accept_the_library_and_name_the_mistakes():
    assert get("ex-own-engine-1").check(S.Scalar).correct
    assert get("ex-own-engine-3").check(S.topological_order).correct
    assert get("ex-own-engine-4").check(S.backward).correct
    r = get("ex-own-engine-3").check(own_engine.recursive_order)
    assert r.misconception == "recursive" and "RecursionError" in r.message
    assert "should be a class or a function" in get("ex-own-engine-1").check(3.0).message


def test_an_unregistered_mistake_is_described_by_its_probe():
    def half_backward(output):
        S.backward(output)
        for n in S.topological_order(output):
            n.grad *= 0.5

    r = get("ex-own-engine-4").check(half_backward)
    assert not r.correct and r.misconception is None
    assert "differs on the probe 'a * b + a: the adjoints of a and b'" in r.message
    assert "Hint 1 of 3" in r.message

    class Broken:  # raises inside the reader's code: reported, not raised
        def __init__(self, data):
            raise RuntimeError("not written yet")

    r = get("ex-own-engine-1").check(Broken)
    assert not r.correct and "RuntimeError: not written yet" in r.message
