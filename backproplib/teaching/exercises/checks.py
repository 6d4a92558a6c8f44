"""Comparing a reader's answer with the expected one, and saying *what* differs (never guessing why).

The guesses about causes ("a factor 2: did you forget the 1/2?") belong to the exercises, where the
misconceptions are registered with the wrong answers they produce (:mod:`.registry`). Here a
mismatch is only described: a shape, a sign, a constant factor across an array, the first entry
that differs. Tolerances are relative to the expected value's scale, so a tiny expected gradient
(1e-12, as in the vanishing-gradient chapters) is not matched by any other tiny number.

>>> check(np.zeros((3, 2)), np.zeros((2, 3))).correct
False
"""

from __future__ import annotations

import copy
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray

RTOL = 1e-6
"""Default relative tolerance: an answer matches when it is within ``RTOL`` times the expected
value's largest entry (or within ``ZERO_TOL`` when the expected value is exactly zero)."""
ZERO_TOL = 1e-12


@dataclass(frozen=True)
class Feedback:
    """The verdict of a self-check.

    Attributes
    ----------
    correct : bool
    message : str
        What is right, or what differs and (when a registered misconception matches) which mistake
        produces exactly this answer.
    misconception : str or None
        The registered name of the mistake the answer shows, if one matched.
    """

    correct: bool
    message: str
    misconception: str | None = None

    @property
    def ok(self) -> bool:
        """The same as :attr:`correct`."""
        return self.correct

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        # plain text (a terminal, a stored notebook's text/plain): wrapped to the book's column
        return textwrap.fill(("✔ " if self.correct else "✘ ") + self.message, 77)

    def _repr_markdown_(self) -> str:
        return ("✔ **Correct.** " if self.correct else "✘ **Not yet.** ") + self.message


CheckResult = Feedback
"""The name the first edition of the book used."""


def as_number_array(answer: Any, name: str = "answer") -> Array | Feedback:
    """The answer as a float array, or a :class:`Feedback` saying why it is not a number."""
    if answer is None:
        return Feedback(False, f"{name} is None: did the function forget to `return`?")
    if isinstance(answer, (bool, np.bool_, str, bytes)):
        return Feedback(False, f"{name} is {answer!r}, a {type(answer).__name__}: expected a number "
                               "or an array of numbers")
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"{name} should be a number or an array, got {type(answer).__name__}")
    if a.dtype == object:
        return Feedback(False, f"{name} should be a number or an array, got {type(answer).__name__}")
    return a


def close(a: Array, e: Array, rtol: float = RTOL, atol: float = 0.0) -> bool:
    """Same shape and ``max |a - e| <= max(rtol * max |e|, atol)`` (``ZERO_TOL`` stands in for a
    zero scale). ``atol`` is for a caller who knows the answer's scale (a peak read off a grid);
    it is 0 by default, so a tiny expected value is not matched by any other tiny number."""
    if a.shape != e.shape or not np.all(np.isfinite(a)):
        return False
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    tol = max(rtol * scale if scale > 0 else ZERO_TOL, atol)
    return bool(np.all(np.abs(a - e) <= tol))


def describe(a: Array, e: Array, rtol: float = RTOL) -> str:
    """What differs between an answer ``a`` and the expected ``e`` (which must differ)."""
    if a.shape != e.shape:
        if a.ndim == 2 and a.shape == e.T.shape:
            same = " and its transpose has the expected values" if close(a.T, e, rtol) else ""
            return (f"shape {a.shape}, expected {e.shape}{same}: rows and columns are swapped "
                    "(examples are columns; W^l has shape (n_l, n_{l-1}))")
        if a.size == e.size:
            return f"shape {a.shape}, expected {e.shape}: the same number of entries, arranged differently"
        return f"shape {a.shape}, expected {e.shape}"
    if not np.all(np.isfinite(a)):
        return "the answer contains NaN or inf: look for an overflow or a division by zero"
    if e.size > 1 and a.ndim == 2 and a.shape[0] == a.shape[1] and close(a.T, e, rtol):
        return "this is the transpose of the expected matrix"
    if close(-a, e, rtol):
        return "the sign is flipped" + ("" if e.size == 1 else " in every entry")
    if e.size > 1:
        nz = np.abs(e) > 0
        ratio = a[nz] / e[nz] if np.any(nz) else np.array([np.nan])
        r = float(ratio.flat[0])
        if (np.all(np.isfinite(ratio)) and np.allclose(ratio, r, rtol=min(rtol, 1e-6))
                and close(r * e, a, rtol) and f"{r:.3g}" != "1"):  # never "1 times"
            return f"every entry is {r:.3g} times the expected one"
        wrong = ~np.isclose(a, e, rtol=rtol, atol=rtol * float(np.max(np.abs(e))) or ZERO_TOL)
        if not np.any(wrong):  # within isclose's looser per-entry tolerance: name the worst entry
            wrong = np.abs(a - e) == np.max(np.abs(a - e))
        idx = tuple(int(i) for i in np.argwhere(wrong)[0])
        return (f"{int(wrong.sum())} of {a.size} entries differ; the first at index {idx}: "
                "got {}, expected {}".format(*_distinct(float(a[idx]), float(e[idx]))))
    return f"{float(a.ravel()[0]):.6g} is not the expected value"


def _distinct(got: float, expected: float) -> tuple[str, str]:
    """The two numbers with the fewest significant digits (at least 6) that show them different:
    2678825 against 2678826 must not print as 2.67883e+06 twice; whole numbers (counts) print
    whole."""
    if got.is_integer() and expected.is_integer() and max(abs(got), abs(expected)) < 1e15:
        return f"{int(got):,}", f"{int(expected):,}"
    for digits in range(6, 18):
        g, e = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if g != e:
            return g, e
    return f"{got!r}", f"{expected!r}"


def check(answer: Any, expected: Any, name: str = "answer", rtol: float = RTOL,
          atol: float = 0.0) -> Feedback:
    """Compare a reader's numeric ``answer`` (a number or an array) with the ``expected`` one.

    The argument order is always (answer, expected). Booleans and strings are not numbers.

    Parameters
    ----------
    answer, expected : float or array_like
    name : str
        What the answer is, used in the message.
    rtol : float
        Relative to the expected value's largest entry.
    atol : float
        An absolute tolerance, for an answer whose scale the caller knows (default none).

    Returns
    -------
    Feedback
    """
    a = as_number_array(answer, name)
    if isinstance(a, Feedback):
        return a
    e = np.asarray(expected, dtype=float)
    if close(a, e, rtol, atol):
        return Feedback(True, f"{name} matches.")
    return Feedback(False, f"{name}: {describe(a, e, rtol)}")


_MATMUL_ERROR = re.compile(r"matmul|shapes .* not aligned|size \d+ is different from \d+")


def run_safely(func: Callable[..., Any], args: tuple) -> tuple[Any, str | None]:
    """Call the reader's ``func`` on copies of ``args``; return its result and an error message
    (``None`` when it ran), never a traceback."""
    try:
        return func(*copy.deepcopy(args)), None
    except Exception as err:  # the reader's code: report, do not crash the notebook
        text = f"{type(err).__name__}: {err}"
        if isinstance(err, ValueError) and _MATMUL_ERROR.search(str(err)):
            text += (". A matrix product got shapes that do not fit: W^l has shape (n_l, n_{l-1}); "
                     "the forward pass uses W^l a^{l-1}, the backward pass the transpose, "
                     "(W^l)^T delta^l: did you mean W.T? Or W, where you wrote W.T?")
        return None, text


def modified_inputs(func: Callable[..., Any], args: tuple) -> list[int]:
    """Which positional arguments ``func`` changed in place (it should work on copies)."""
    before = copy.deepcopy(args)
    try:
        func(*args)
    except Exception:
        pass
    changed = []
    for i, (x, y) in enumerate(zip(before, args)):
        if isinstance(x, np.ndarray) and (x.shape != y.shape or not np.array_equal(x, y, equal_nan=True)):
            changed.append(i)
    return changed


def format_args(args: tuple) -> str:
    """The inputs of a case, short enough for a message."""
    def one(x: Any) -> str:
        if isinstance(x, np.ndarray):
            return np.array2string(x, threshold=12, separator=", ",
                                   formatter={"float_kind": lambda v: f"{v:.4g}"}).replace("\n", "")
        return getattr(x, "__name__", repr(x))
    return "(" + ", ".join(one(x) for x in args) + ")"


def check_function(func: Callable[..., Any], reference: Callable[..., Any],
                   cases: Iterable[tuple[Any, ...]], name: str | None = None,
                   rtol: float = RTOL, atol: float = 0.0) -> Feedback:
    """Run a reader's function and a reference on the same inputs and compare every result.

    The reader's function gets copies of the inputs; one that modifies its inputs fails. A failing
    case is shown with its inputs.

    Parameters
    ----------
    func, reference : callable
    cases : iterable of tuples
        Positional arguments for each call.
    """
    if not callable(func):
        return Feedback(False, f"expected a function, got {type(func).__name__}")
    name = name or getattr(func, "__name__", "your function")
    cases = list(cases)
    for i, args in enumerate(cases):
        got, error = run_safely(func, args)
        if error:
            return Feedback(False, f"{name} raised {error} on case {i}, inputs {format_args(args)}")
        result = check(got, reference(*copy.deepcopy(args)), name=f"{name} on case {i}", rtol=rtol,
                       atol=atol)
        if not result.correct:
            return Feedback(False, f"{result.message} (inputs {format_args(args)})")
        changed = modified_inputs(func, copy.deepcopy(args))
        if changed:
            return Feedback(False, f"{name} changed its input number {changed[0] + 1} in place on "
                                   f"case {i}: work on a copy (the caller's array must stay as it was)")
    return Feedback(True, f"{name} agrees with the reference on all {len(cases)} cases.")
