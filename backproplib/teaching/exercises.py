"""Self-checks for the exercises: say whether an answer is right and, when it is not, why.

>>> check(np.zeros((3, 2)), np.zeros((2, 3))).ok
False
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass
class CheckResult:
    """The verdict of a self-check: ``ok`` and a message with a specific hint."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✔ " if self.ok else "✘ ") + self.message

    def _repr_markdown_(self) -> str:
        return ("✔ **Correct.** " if self.ok else "✘ **Not yet.** ") + self.message


def _hint(answer: Array, expected: Array, rtol: float, atol: float) -> str:
    """The most specific explanation we can find for a wrong numeric answer."""

    def close(a: Array, b: Array) -> bool:
        return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)

    if answer.shape != expected.shape:
        if answer.shape == expected.T.shape and answer.ndim == 2:
            extra = " and the values match its transpose" if close(answer.T, expected) else ""
            return (f"shape {answer.shape}, expected {expected.shape}{extra}: "
                    "did you forget a transpose?")
        if answer.size == expected.size:
            return f"shape {answer.shape}, expected {expected.shape}: same entries count, reshape it?"
        return f"shape {answer.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(answer)):
        return "your answer contains NaN or inf: look for an overflow or a division by zero"
    if close(-answer, expected):
        return "the sign is flipped: gradient descent moves *against* the gradient"
    if close(2 * answer, expected):
        return "your answer is half the expected value: a factor 2 from the derivative of a square?"
    if close(answer, 2 * expected):
        return "your answer is twice the expected value: did you use 1/2 (t - y)^2 or (t - y)^2?"
    nz = np.abs(expected) > atol
    if np.any(nz):
        ratio = answer[nz] / expected[nz]
        if np.allclose(ratio, ratio.flat[0], rtol=1e-6) and np.all(np.isfinite(ratio)):
            return f"off by a constant factor {ratio.flat[0]:.4g}: a learning rate or a 1/m average?"
    if answer.ndim == 2 and answer.shape[0] == answer.shape[1] and close(answer.T, expected):
        return "this is the transpose of the expected matrix: rows are outputs, columns inputs"
    wrong = ~np.isclose(answer, expected, rtol=rtol, atol=atol)
    where = np.argwhere(wrong)[0]
    idx = tuple(int(i) for i in where)
    return (f"{int(wrong.sum())} of {answer.size} entries differ; the first at index {idx}: "
            f"got {answer[idx]:.6g}, expected {expected[idx]:.6g}")


def check(answer: Any, expected: Any, name: str = "answer", rtol: float = 1e-7,
          atol: float = 1e-10) -> CheckResult:
    """Compare a reader's numeric answer (a number or an array) with the expected one.

    Parameters
    ----------
    answer, expected : float or array_like
    name : str
        What the answer is, used in the message.
    rtol, atol : float
        Tolerances as in ``numpy.allclose``.

    Returns
    -------
    CheckResult
        ``ok`` and a message; when wrong, a hint such as
        ``"shape (3, 2), expected (2, 3): did you forget a transpose?"``.
    """
    if answer is None:
        return CheckResult(False, f"{name} is None: did the function forget to `return`?")
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"{name} should be a number or an array, got {type(answer).__name__}")
    e = np.asarray(expected, dtype=float)
    if a.shape == e.shape and np.allclose(a, e, rtol=rtol, atol=atol):
        return CheckResult(True, f"{name} matches.")
    return CheckResult(False, f"{name}: " + _hint(a, e, rtol, atol))


def check_function(func: Callable[..., Any], reference: Callable[..., Any],
                   cases: Iterable[tuple[Any, ...]], name: str | None = None,
                   rtol: float = 1e-7, atol: float = 1e-10) -> CheckResult:
    """Run a reader's function and a reference on the same inputs and compare every result.

    Parameters
    ----------
    func, reference : callable
    cases : iterable of tuples
        Positional arguments for each call.
    """
    name = name or getattr(func, "__name__", "your function")
    cases = list(cases)
    for i, args in enumerate(cases):
        try:
            got = func(*args)
        except Exception as err:  # the reader's code: report, do not crash the notebook
            return CheckResult(False, f"{name} raised {type(err).__name__}: {err} on case {i}")
        result = check(got, reference(*args), name=f"{name} on case {i}", rtol=rtol, atol=atol)
        if not result.ok:
            return result
    return CheckResult(True, f"{name} agrees with the reference on all {len(cases)} cases.")
