"""The exercise machinery: checks that describe what differs, misconceptions that name the mistake,
hints that climb, function checks with edge cases, and a registry that matches the book."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from backproplib.teaching import exercises as E
from backproplib.teaching.exercises import check, check_function

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- low-level comparisons
def test_correct_answer():
    r = check(np.array([1.0, 2.0]), [1.0, 2.0], name="the gradient")
    assert r.correct and bool(r) and r.ok and "the gradient matches" in r.message


def test_transposed_shape_is_described():
    A = np.arange(6.0).reshape(2, 3)
    r = check(A.T, A)
    assert not r.correct
    assert "shape (3, 2), expected (2, 3) and its transpose has the expected values" in r.message


def test_sign_and_constant_factor_are_described_not_explained():
    assert "the sign is flipped" in check(-np.ones(3), np.ones(3)).message
    msg = check(np.array([0.25, 0.5]), np.array([1.0, 2.0])).message
    assert "every entry is 0.25 times the expected one" in msg
    single = check(2.0, 1.0).message  # one number: no guess at a cause
    assert "2 is not the expected value" in single and "1/2" not in single and "learning rate" not in single


def test_tolerance_is_relative_to_the_expected_scale():
    assert not check(3e-12, 1e-12).correct      # an absolute 1e-10 would accept this
    assert check(1e-12 * (1 + 1e-8), 1e-12).correct
    assert not check(1e-9, 0.0).correct and check(0.0, 0.0).correct


@pytest.mark.parametrize("bad", [True, False, "1.0", b"1"])
def test_bool_and_str_are_not_numbers(bad):
    r = check(bad, 1.0)
    assert not r.correct and "expected a number" in r.message


def test_nan_and_none():
    assert "NaN or inf" in check(np.array([np.nan, 1.0]), np.array([1.0, 1.0])).message
    assert "forget to `return`" in check(None, 1.0).message


def test_first_wrong_entry_is_reported():
    r = check(np.array([1.0, 2.0, 7.0]), np.array([1.0, 2.0, 3.0]))
    assert "1 of 3 entries differ; the first at index (2,): got 7, expected 3" in r.message


def test_check_function_reports_the_failing_case_with_its_inputs():
    ok = check_function(lambda x: 2 * x, lambda x: x + x, [(1.0,), (np.arange(3.0),)])
    assert ok.correct and "all 2 cases" in ok.message
    bad = check_function(lambda x: x, lambda x: -x, [(0.0,), (2.0,)], name="f")
    assert not bad.correct and "f on case 1" in bad.message and "inputs (2.0)" in bad.message


def test_check_function_turns_a_matmul_shape_error_into_a_transpose_hint():
    W, d = np.ones((2, 3)), np.ones((2, 1))
    r = check_function(lambda W, d: W @ d, lambda W, d: W.T @ d, [(W, d)])
    assert not r.correct and "did you mean W.T?" in r.message and "Traceback" not in r.message


def test_check_function_fails_a_function_that_modifies_its_input():
    def doubles_in_place(x):
        x *= 2
        return x

    r = check_function(doubles_in_place, lambda x: 2 * x, [(np.arange(3.0),)])
    assert not r.correct and "in place" in r.message


# ---------------------------------------------------------------- exercises with misconceptions
def _number_exercise():
    return E.NumberExercise(
        label="ex-test-1", title="A test", chapter="ch-test",
        expected=lambda: 0.25 * 0.5,
        misconceptions=[E.Misconception("no-fprime", "you left out f'(z) = 0.25",
                                        answer=lambda: 0.5),
                        E.Misconception("eps-not-2eps", "you divided by eps, not 2 eps",
                                        answer=lambda: 2 * 0.125)],
        hints=["Eq. 3: delta = f'(z) (t - o)", lambda: f"f'(z) = {0.25}", "multiply the two"])


def test_a_registered_misconception_is_named():
    ex = _number_exercise()
    r = ex.check(0.5)
    assert not r.correct and r.misconception == "no-fprime" and "f'(z)" in r.message
    assert ex.check(0.25).misconception == "eps-not-2eps"
    assert ex.check(0.125).correct


def test_an_unregistered_mistake_gets_not_yet_and_the_first_hint():
    r = _number_exercise().check(0.7)
    assert not r.correct and r.misconception is None
    assert "Hint 1 of 3: Eq. 3" in r.message and "factor" not in r.message


def test_hints_climb():
    ex = _number_exercise()
    assert [ex.hint(k).split(":")[0] for k in (1, 2, 3)] == ["Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3"]
    assert "f'(z) = 0.25" in ex.hint(2)
    with pytest.raises(ValueError, match="hints 1..3"):
        ex.hint(4)


def test_function_exercise_edge_cases_misconceptions_and_input_mutation():
    def reference(z):
        return np.where(z > 0, 1.0, 0.01)

    ex = E.FunctionExercise(
        label="ex-test-2", title="leaky", chapter="ch-test", reference=reference,
        cases=lambda: [(np.array([-1.0, 0.0, 2.0]),), (np.zeros((2, 3)),)],
        misconceptions=[E.Misconception("one-at-zero", "at z = 0 the library's convention is the "
                                        "left slope", function=lambda z: np.where(z >= 0, 1.0, 0.01))])
    assert ex.check(reference).correct
    r = ex.check(lambda z: np.where(z >= 0, 1.0, 0.01))
    assert r.misconception == "one-at-zero"
    r = ex.check(lambda z: np.where(z > 0, 1.0, 0.0))
    assert not r.correct and "case 1 of 2" in r.message and "[-1, 0, 2]" in r.message

    def in_place(z):
        z[z <= 0] = 0.01
        z[z > 0.01] = 1.0
        return z

    assert ex.check(in_place).misconception == "modifies-input"
    assert "expected a function" in ex.check(3.0).message


def test_expression_exercise_accepts_equivalent_forms_and_names_a_missing_factor():
    z = sp.symbols("z")
    phi = 1 / (1 + sp.exp(-z))
    ex = E.ExpressionExercise(label="ex-test-3", title="phi'", chapter="ch-test",
                              expected=lambda: phi * (1 - phi),
                              misconceptions=[E.Misconception("forgot-1-minus", "phi' is phi (1 - phi)",
                                                              answer=lambda: phi)])
    assert ex.check(sp.exp(-z) / (1 + sp.exp(-z)) ** 2).correct
    assert ex.check(phi).misconception == "forgot-1-minus"
    r = ex.check(2 * phi * (1 - phi))
    assert not r.correct and "not equivalent" in r.message
    assert "SymPy expression" in ex.check("phi").message


def test_shape_exercise():
    ex = E.ShapeExercise(label="ex-test-4", title="shapes", chapter="ch-test",
                         expected=lambda: [(3, 2), (3, 5)], names=["W^1", "delta^1"])
    assert ex.check(((3, 2), (3, 5))).correct
    r = ex.check(((2, 3), (3, 5)))
    assert not r.correct and "W^1: (2, 3) is not right (rows and columns swapped)" in r.message
    assert "give 2 shapes" in ex.check(7).message


def test_choice_exercise_and_its_static_html():
    ex = E.ChoiceExercise(label="ex-test-5", title="which", chapter="ch-test", question="Which limits eta?",
                          options={"a": "the smallest eigenvalue", "b": "the largest eigenvalue"},
                          answer="b", why={"a": "the largest eigenvalue oscillates first"})
    assert ex.check("b").correct
    r = ex.check("a")
    assert not r.correct and "largest eigenvalue oscillates first" in r.message
    assert "answer with one of 'a', 'b'" in ex.check("c").message
    page = ex._repr_html_()
    assert 'id="quiz-ex-test-5"' in page and 'data-answer="b"' in page and page.count('type="radio"') == 2
    assert page == ex._repr_html_()  # deterministic: strict nbval compares it


def test_manual_exercise_says_why():
    ex = E.ManualExercise(label="ex-test-6", title="essay", chapter="ch-test", why="it asks for a drawing.")
    assert not ex.checkable and "not checked automatically: it asks for a drawing." in ex.check("x").message


def test_progress_lists_passed_and_remaining():
    from backproplib.teaching.exercises import registry

    ex = E.register(_number_exercise())
    registry._PASSED.pop(ex.label, None)  # earlier tests checked an exercise of this label
    try:
        ex.check(0.7)
        p = E.progress()
        assert p.chapter == "ch-test" and p.remaining == ["ex-test-1"]
        ex.check(0.125)
        assert E.progress("ch-test").passed == ["ex-test-1"]
        assert "[ex-test-1](#ex-test-1)" in p._repr_markdown_()
        with pytest.raises(KeyError, match="did you mean ex-test-1"):
            E.get("ex-test-l")
    finally:
        del E.EXERCISES["ex-test-1"]
    with pytest.raises(ValueError, match="no exercises are registered for 'ch-nope'"):
        E.progress("ch-nope")


# ---------------------------------------------------------------- the registry matches the book
def book_exercise_labels() -> dict[str, str]:
    labels = {}
    for nb_path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for label in re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", "".join(cell["source"])):
                    labels[label] = nb_path.name
    return labels


def test_every_exercise_of_the_book_is_registered_and_every_registered_one_is_in_the_book():
    in_book = book_exercise_labels()
    registered = set(E.EXERCISES)
    assert not sorted(set(in_book) - registered), f"not registered: {sorted(set(in_book) - registered)}"
    assert not sorted(registered - set(in_book)), f"not in the book: {sorted(registered - set(in_book))}"


def test_at_least_ninety_percent_of_the_exercises_are_checkable():
    exs = list(E.EXERCISES.values())
    assert exs, "no exercise is registered"
    share = sum(e.checkable for e in exs) / len(exs)
    assert share >= 0.9, f"only {share:.0%} of {len(exs)} exercises are checkable"
    for e in exs:
        if not e.checkable:
            assert e.why, f"{e.label} is not checkable and does not say why"


@pytest.mark.parametrize("label", sorted(E.EXERCISES))
def test_every_registered_misconception_is_caught_with_its_own_message(label):
    ex = E.EXERCISES[label]
    for mis in ex.misconceptions:
        wrong = mis.function if mis.function is not None else mis.answer()
        feedback = ex.check(wrong)
        assert not feedback.correct, f"{label}: the misconception {mis.name!r} is accepted as right"
        assert feedback.misconception == mis.name, (
            f"{label}: {mis.name!r} was reported as {feedback.misconception!r}: {feedback.message}")
        assert feedback.message == mis.message


@pytest.mark.parametrize("label", sorted(E.EXERCISES))
def test_every_exercise_has_a_hint_ladder(label):
    ex = E.EXERCISES[label]
    if ex.checkable:
        assert len(ex.hints) >= 2, f"{label} needs a ladder of at least two hints"
