"""Messages of the self-checks that a student's near miss must not make misleading."""

import numpy as np
import sympy as sp

from backproplib.teaching.exercises.checks import describe
from backproplib.teaching.exercises.registry import ExpressionExercise


def test_a_near_miss_in_a_count_prints_both_numbers_different():
    msg = describe(np.array([2_678_825.0, 1.0]), np.array([2_678_826.0, 1.0]), rtol=1e-9)
    assert "got 2,678,825, expected 2,678,826" in msg and "times" not in msg
    msg = describe(np.array([1.0000001, 2.0]), np.array([1.0000002, 2.0]), rtol=1e-9)
    got, expected = msg.split("got ")[1].split(", expected ")
    assert got != expected


def test_an_expression_exercise_takes_a_1x1_matrix_and_refuses_a_row():
    x, y = sp.symbols("x y")
    ex = ExpressionExercise(label="ex-test-matrix", title="t", chapter="ch-test",
                            expected=lambda: x * y)
    assert ex.check(sp.Matrix([[x * y]])).correct
    fb = ex.check(sp.Matrix([[x * y, x]]))
    assert not fb.correct and "1 x 2 matrix" in fb.message
