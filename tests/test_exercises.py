"""The self-check helper gives specific hints, not just 'wrong'."""

from __future__ import annotations

import numpy as np

from backproplib.teaching.exercises import check, check_function


def test_correct_answer():
    r = check(np.array([1.0, 2.0]), [1.0, 2.0], name="the gradient")
    assert r.ok and bool(r) and "the gradient matches" in r.message


def test_transposed_shape_hint():
    A = np.arange(6.0).reshape(2, 3)
    r = check(A.T, A)
    assert not r.ok
    assert "shape (3, 2), expected (2, 3) and the values match its transpose" in r.message
    assert "transpose" in r.message


def test_sign_hint():
    assert "sign is flipped" in check(-np.ones(3), np.ones(3)).message


def test_factor_two_hints():
    assert "twice the expected" in check(np.full(2, 4.0), np.full(2, 2.0)).message
    assert "half the expected" in check(np.full(2, 1.0), np.full(2, 2.0)).message


def test_constant_factor_hint():
    assert "constant factor 0.25" in check(np.array([0.25, 0.5]), np.array([1.0, 2.0])).message


def test_nan_hint():
    assert "NaN or inf" in check(np.array([np.nan, 1.0]), np.array([1.0, 1.0])).message


def test_square_transpose_hint():
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transpose of the expected matrix" in check(M.T, M).message


def test_first_wrong_entry_is_reported():
    r = check(np.array([1.0, 2.0, 7.0]), np.array([1.0, 2.0, 3.0]))
    assert "1 of 3 entries differ; the first at index (2,): got 7, expected 3" in r.message


def test_none_answer():
    assert "forget to `return`" in check(None, 1.0).message


def test_check_function_reports_the_failing_case_and_exceptions():
    ok = check_function(lambda x: 2 * x, lambda x: x + x, [(1.0,), (np.arange(3.0),)])
    assert ok.ok and "all 2 cases" in ok.message
    bad = check_function(lambda x: x, lambda x: -x, [(0.0,), (2.0,)], name="f")
    assert not bad.ok and "f on case 1" in bad.message and "sign" in bad.message

    def crashes(x):
        raise ZeroDivisionError("boom")

    crash = check_function(crashes, lambda x: x, [(1.0,)])
    assert not crash.ok and "raised ZeroDivisionError: boom on case 0" in crash.message
