"""The book's exercises as data: one :class:`Exercise` per ``{exercise}`` label, with its expected
answer, the mistakes students really make (each a :class:`Misconception` that computes the wrong
answer it produces) and a ladder of hints.

A chapter's solution cell only calls ``get(label).check(answer)``; what is right, what each mistake
looks like and how to climb towards the answer live here, beside each other, in the chapter's module
of this package (``backproplib/teaching/exercises/<chapter>.py``).

Kinds of answers: a number or an array (:class:`NumberExercise`), a function run on cases with edge
points (:class:`FunctionExercise`), a SymPy expression checked for equivalence
(:class:`ExpressionExercise`), a tuple of shapes (:class:`ShapeExercise`), a choice among stated
options (:class:`ChoiceExercise`, which also works in the static HTML book with no kernel), and, for
the few exercises no program can judge, :class:`ManualExercise`, which says why.
"""

from __future__ import annotations

import copy
import difflib
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .checks import (
    RTOL,
    Feedback,
    as_number_array,
    close,
    describe,
    format_args,
    modified_inputs,
    run_safely,
)

Array = np.ndarray
Hint = str | Callable[[], str]


@dataclass(frozen=True)
class Misconception:
    """A mistake students make, and how to recognise it.

    Attributes
    ----------
    name : str
        Its registered name (``"no-fprime"``, ``"W-not-transposed"``...).
    message : str
        What the reader did, in words that name the mistake.
    answer : callable, optional
        For number, expression and shape exercises: computes the wrong answer this mistake produces.
    function : callable, optional
        For function exercises: an implementation that makes this mistake.
    """

    name: str
    message: str
    answer: Callable[[], Any] | None = None
    function: Callable[..., Any] | None = None


@dataclass(repr=False)
class Exercise:
    """One exercise of the book.

    Attributes
    ----------
    label : str
        Its MyST label in the chapter (``"ex-delta-rule-2"``).
    title : str
    chapter : str
        The chapter's label (``"ch-delta-rule"``).
    hints : sequence of str or callable
        The ladder: the first names the idea or equation, the next gives an intermediate value, the
        last is the step before the worked solution.
    misconceptions : sequence of Misconception
    """

    label: str
    title: str
    chapter: str
    hints: Sequence[Hint] = ()
    misconceptions: Sequence[Misconception] = ()
    checkable = True

    def check(self, answer: Any) -> Feedback:
        """Judge the reader's answer; a wrong one gets the registered mistake it shows, or the
        first hint."""
        feedback = self._check(answer)
        if not feedback.correct and feedback.misconception is None and self.hints:
            feedback = Feedback(False, f"{feedback.message}. {self.hint(1)}")
        _record(self, feedback.correct)
        return feedback

    def hint(self, k: int = 1) -> str:
        """Hint ``k`` (1-based) of the ladder."""
        if not self.hints:
            return "There are no hints for this exercise: open the solution."
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(self.hints):
            raise ValueError(f"{self.label} has hints 1..{len(self.hints)}, got {k!r}")
        h = self.hints[k - 1]
        return f"Hint {k} of {len(self.hints)}: {h() if callable(h) else h}"

    def _check(self, answer: Any) -> Feedback:
        raise NotImplementedError

    def _repr_markdown_(self) -> str:
        return f"**{self.title}** (`{self.label}`): check an answer with `.check(answer)`, ask `.hint(1)`."

    def __repr__(self) -> str:
        # one short line, not the dataclass's repr of every hint and misconception
        return f"{type(self).__name__} {self.label!r}:\n{self.title}"


def _matching(misconceptions: Sequence[Misconception], matches: Callable[[Misconception], bool]
              ) -> Feedback | None:
    for mis in misconceptions:
        try:
            hit = matches(mis)
        except Exception:  # a misconception whose wrong answer cannot be compared is no match
            hit = False
        if hit:
            return Feedback(False, mis.message, misconception=mis.name)
    return None


@dataclass(repr=False)
class NumberExercise(Exercise):
    """An answer that is a number or an array, compared with tolerance relative to its scale."""

    expected: Callable[[], Any] = lambda: None
    rtol: float = RTOL
    name: str = "answer"
    _value: Any = field(default=None, repr=False)

    def expected_value(self) -> Array:
        """The expected answer (computed once)."""
        if self._value is None:
            self._value = np.asarray(self.expected(), dtype=float)
        return self._value

    def _check(self, answer: Any) -> Feedback:
        a = as_number_array(answer, self.name)
        if isinstance(a, Feedback):
            return a
        e = self.expected_value()
        if close(a, e, self.rtol):
            return Feedback(True, f"{self.name} matches.")
        hit = _matching(self.misconceptions,
                        lambda m: close(a, np.asarray(m.answer(), dtype=float), self.rtol))
        if hit is not None:
            return hit
        return Feedback(False, f"{self.name}: {describe(a, e, self.rtol)}")


@dataclass(repr=False)
class FunctionExercise(Exercise):
    """An answer that is a function, run on cases (with the edge points) against a reference.

    ``cases`` builds the list of argument tuples (fresh arrays each time); a function that changes
    its inputs fails; a shape error in a matrix product says which transpose is missing.
    """

    reference: Callable[..., Any] = lambda *a: None
    cases: Callable[[], list[tuple]] = lambda: []
    rtol: float = RTOL

    def _check(self, func: Any) -> Feedback:
        if not callable(func):
            return Feedback(False, f"expected a function, got {type(func).__name__} {func!r}")
        name = getattr(func, "__name__", "your function")
        cases = self.cases()
        results = []
        for i, args in enumerate(cases):
            got, error = run_safely(func, args)
            if error:
                hit = _matching(self.misconceptions,
                                lambda m, args=args, error=error: m.function is not None
                                and run_safely(m.function, args)[1] == error)
                if hit is not None:  # a registered mistake that fails in exactly this way
                    return hit
                return Feedback(False, f"{name} raised {error} on case {i + 1} of {len(cases)}, "
                                       f"inputs {format_args(args)}")
            results.append(got)
        failures = []
        for i, (args, got) in enumerate(zip(cases, results)):
            a = as_number_array(got, f"{name}{format_args(args)}")
            if isinstance(a, Feedback):
                return a
            e = np.asarray(self.reference(*copy.deepcopy(args)), dtype=float)
            if not close(a, e, self.rtol):
                failures.append((i, args, a, e))
        if failures:
            def same_as(m: Misconception) -> bool:
                if m.function is None:
                    return False
                return all(close(np.asarray(got, dtype=float),
                                 np.asarray(m.function(*copy.deepcopy(args)), dtype=float), self.rtol)
                           for args, got in zip(cases, results))
            hit = _matching(self.misconceptions, same_as)
            if hit is not None:
                return hit
            i, args, a, e = failures[0]
            changed = modified_inputs(func, copy.deepcopy(args))
            if changed:  # the change in place is what corrupted the function's own evaluations
                return Feedback(False, f"{name} changed its argument number {changed[0] + 1} in place "
                                       f"on case {i + 1} of {len(cases)}, and its result there is "
                                       "wrong (a change in place also changes what the function "
                                       "evaluates after it): work on a copy, the caller's array "
                                       "must stay as it was", misconception="modifies-input")
            return Feedback(False, f"{name} differs on case {i + 1} of {len(cases)}, inputs "
                                   f"{format_args(args)}: {describe(a, e, self.rtol)}")
        for i, args in enumerate(cases):
            changed = modified_inputs(func, copy.deepcopy(args))
            if changed:
                return Feedback(False, f"{name} changed its argument number {changed[0] + 1} in place "
                                       f"(case {i + 1}): work on a copy, the caller's array must stay "
                                       "as it was", misconception="modifies-input")
        return Feedback(True, f"{name} agrees with the reference on all {len(cases)} cases "
                              "(edge points included).")


@dataclass(repr=False)
class ExpressionExercise(Exercise):
    """An answer that is a SymPy expression, checked for equivalence with the expected one."""

    expected: Callable[[], Any] = lambda: None
    name: str = "your expression"

    def _check(self, expr: Any) -> Feedback:
        import sympy as sp

        if isinstance(expr, (bool, str, bytes)) or expr is None:
            return Feedback(False, f"{self.name} should be a SymPy expression (built from sp.symbols), "
                                   f"got {type(expr).__name__} {expr!r}")
        try:
            expr = sp.sympify(expr)
        except (sp.SympifyError, TypeError):
            return Feedback(False, f"{self.name} is not a SymPy expression: {expr!r}")
        if isinstance(expr, sp.MatrixBase):  # a 1 x 1 matrix is its entry; a larger one is not
            if expr.shape != (1, 1):
                return Feedback(False, f"{self.name} should be one expression, got a "
                                       f"{expr.shape[0]} x {expr.shape[1]} matrix: pass the "
                                       "entry the exercise asks for, e.g. M[0, 0]")
            expr = expr[0, 0]
        expected = sp.sympify(self.expected())
        expr = _same_symbols(expr, expected)
        if _equivalent(expr, expected):
            return Feedback(True, f"{self.name} is equivalent to the expected one.")
        hit = _matching(self.misconceptions, lambda m: _equivalent(expr, sp.sympify(m.answer())))
        if hit is not None:
            return hit
        extra = sorted(getattr(expr, "free_symbols", set()) - expected.free_symbols, key=str)
        if extra:
            names = ", ".join(map(str, extra))
            allowed = ", ".join(map(str, sorted(expected.free_symbols, key=str))) or "no symbols"
            return Feedback(False, f"{self.name} uses {names}, which the expected expression does "
                                   f"not; write it in terms of {allowed}")
        return Feedback(False, f"{self.name} is not equivalent to the expected one"
                               f"{_first_difference(expr, expected)}")


def _first_difference(expr: Any, expected: Any) -> str:
    """Where two inequivalent expressions differ, when it can be said simply: a constant factor
    between them, or the first (non-numeric) factor that one has and the other lacks."""
    import sympy as sp

    try:
        ratio = sp.simplify(expr / expected)
    except (ZeroDivisionError, TypeError):
        ratio = None
    if ratio is not None and ratio.is_number and ratio.is_finite and ratio != 0:
        if ratio == -1:
            return "; yours is its negative (the sign is flipped)"
        return f"; yours is {sp.sstr(ratio)} times the expected one"

    def factors(e: Any) -> list[Any]:
        return [f for f in sp.Mul.make_args(sp.factor(e)) if not f.is_number]

    mine, theirs = factors(expr), factors(expected)
    missing = [f for f in theirs if not any(_equivalent(f, g) or _equivalent(f, -g) for g in mine)]
    extra = [f for f in mine if not any(_equivalent(f, g) or _equivalent(f, -g) for g in theirs)]
    if missing and len(missing) < len(theirs):
        return f"; the expected expression has the factor {sp.sstr(missing[0])}, yours does not"
    if extra and not missing and len(extra) < len(mine):
        return f"; yours has the factor {sp.sstr(extra[0])}, the expected expression does not"
    return ""


def _same_symbols(expr: Any, expected: Any) -> Any:
    """The reader's expression with each symbol replaced by the expected expression's symbol of the
    same name: ``sp.Symbol("t")`` and ``sp.Symbol("t", real=True)`` are different objects to SymPy,
    but the same letter to the reader."""
    by_name = {s.name: s for s in getattr(expected, "free_symbols", ())}
    swap = {s: by_name[s.name] for s in getattr(expr, "free_symbols", ())
            if s.name in by_name and s != by_name[s.name]}
    return expr.xreplace(swap) if swap else expr


def _equivalent(a: Any, b: Any) -> bool:
    """``a == b`` as expressions: simplify the difference, and confirm at random points."""
    import sympy as sp

    diff = sp.simplify(a - b)
    if diff == 0:
        return True
    free = sorted(diff.free_symbols, key=str)
    rng = np.random.default_rng(0)
    for _ in range(5):
        point = {s: float(rng.uniform(0.2, 0.9)) for s in free}
        value = complex(diff.subs(point).evalf())
        if not abs(value) < 1e-10:
            return False
    return True


@dataclass(repr=False)
class ShapeExercise(Exercise):
    """An answer that is a tuple of array shapes (one per named array)."""

    expected: Callable[[], Sequence[tuple[int, ...]]] = lambda: ()
    names: Sequence[str] = ()

    def _check(self, answer: Any) -> Feedback:
        expected = [tuple(s) for s in self.expected()]
        if (not isinstance(answer, (tuple, list)) or len(answer) != len(expected)
                or not all(isinstance(s, (tuple, list)) for s in answer)):
            return Feedback(False, f"give {len(expected)} shapes as a tuple of tuples, one for each of "
                                   f"{', '.join(self.names)}; got {answer!r}")
        got = [tuple(int(n) for n in s) for s in answer]
        if got == expected:
            return Feedback(True, f"all {len(expected)} shapes are right.")
        hit = _matching(self.misconceptions,
                        lambda m: [tuple(s) for s in m.answer()] == got)
        if hit is not None:
            return hit
        parts = []
        for name, g, e in zip(self.names, got, expected):
            if g != e:
                swap = " (rows and columns swapped)" if g == e[::-1] else ""
                parts.append(f"{name}: {g} is not right{swap}")
        return Feedback(False, "; ".join(parts))


@dataclass(repr=False)
class ChoiceExercise(Exercise):
    """A question with stated options; each wrong option says what it mistakes.

    In a notebook ``check("b")`` answers it; in the static HTML book the displayed exercise is a
    small form that checks the choice in the page, with no kernel (``_book_static/quiz.js``).
    """

    question: str = ""
    options: dict[str, str] = field(default_factory=dict)
    answer: str = ""
    why: dict[str, str] = field(default_factory=dict)
    explanation: str = ""

    def _check(self, choice: Any) -> Feedback:
        if not isinstance(choice, str) or choice not in self.options:
            return Feedback(False, f"answer with one of {', '.join(map(repr, self.options))}; "
                                   f"got {choice!r}")
        if choice == self.answer:
            return Feedback(True, self.explanation or f"({choice}) is right.")
        message = self.why.get(choice, f"({choice}) is not right")
        return Feedback(False, message, misconception=f"option-{choice}")

    def _repr_html_(self) -> str:
        name = f"quiz-{self.label}"
        items = "".join(
            f'<li><label><input type="radio" name="{name}" value="{html.escape(k)}"> '
            f'<b>({html.escape(k)})</b> {html.escape(v)}</label></li>' for k, v in self.options.items())
        data = "".join(f' data-why-{html.escape(k)}="{html.escape(v, quote=True)}"'
                       for k, v in self.why.items())
        return (f'<form class="bp-quiz" id="{name}" data-answer="{html.escape(self.answer)}"'
                f' data-right="{html.escape(self.explanation or "Right.", quote=True)}"{data}>'
                f'<p class="bp-quiz-question">{html.escape(self.question)}</p>'
                f'<ul class="bp-quiz-options">{items}</ul>'
                f'<button type="submit">Check</button> '
                f'<span class="bp-quiz-feedback" role="status" aria-live="polite"></span></form>')

    def _repr_markdown_(self) -> str:
        opts = "\n".join(f"- ({k}) {v}" for k, v in self.options.items())
        return f"{self.question}\n\n{opts}\n\nAnswer with `get({self.label!r}).check('a')`."


@dataclass(repr=False)
class ManualExercise(Exercise):
    """An exercise no program can judge (an essay, a drawing): it says why, and points to the
    solution."""

    why: str = ""
    checkable = False

    def _check(self, answer: Any) -> Feedback:
        return Feedback(False, f"This exercise is not checked automatically: {self.why} Compare your "
                               "answer with the worked solution.")


# ---------------------------------------------------------------------------- the registry
EXERCISES: dict[str, Exercise] = {}
"""Every exercise of the book, by its MyST label.

:meta hide-value:
"""

_PASSED: dict[str, bool] = {}
_LAST_CHAPTER: list[str] = []


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to :data:`EXERCISES` (each label once)."""
    if exercise.label in EXERCISES:
        raise ValueError(f"exercise {exercise.label!r} is registered twice")
    EXERCISES[exercise.label] = exercise
    return exercise


def get(label: str) -> Exercise:
    """The exercise with this MyST label.

    Raises
    ------
    KeyError
        Naming the closest registered labels.
    """
    if label not in EXERCISES:
        near = difflib.get_close_matches(str(label), EXERCISES, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"no exercise {label!r} is registered{hint}")
    return EXERCISES[label]


def _record(exercise: Exercise, correct: bool) -> None:
    _PASSED[exercise.label] = _PASSED.get(exercise.label, False) or correct
    _LAST_CHAPTER[:] = [exercise.chapter]


@dataclass
class Progress:
    """Which exercises of a chapter were passed in this kernel session."""

    chapter: str
    rows: list[tuple[str, str, str]]

    @property
    def passed(self) -> list[str]:
        """Labels passed so far."""
        return [label for label, _, status in self.rows if status == "passed"]

    @property
    def remaining(self) -> list[str]:
        """Labels not passed yet."""
        return [label for label, _, status in self.rows if status != "passed"]

    def _repr_markdown_(self) -> str:
        lines = [f"Exercises of {{ref}}`{self.chapter}`: {len(self.passed)} of {len(self.rows)} passed",
                 "", "| exercise | title | status |", "|---|---|---|"]
        marks = {"passed": "✔ passed", "tried": "✘ tried", "not tried": "not tried"}
        lines += [f"| [{label}](#{label}) | {title} | {marks[status]} |"
                  for label, title, status in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "\n".join(f"{label:>24}  {status:>9}  {title}" for label, title, status in self.rows)


def progress(chapter: str | None = None) -> Progress:
    """The exercises of ``chapter`` (default: the chapter of the last exercise checked) that were
    passed in this session, and those that remain, with links to them."""
    if chapter is None:
        if not _LAST_CHAPTER:
            raise ValueError("no exercise has been checked yet: name the chapter, e.g. "
                             "progress('ch-delta-rule')")
        chapter = _LAST_CHAPTER[0]
    rows = [(e.label, e.title, "passed" if _PASSED.get(e.label) else
             "tried" if e.label in _PASSED else "not tried")
            for e in EXERCISES.values() if e.chapter == chapter]
    if not rows:
        chapters = sorted({e.chapter for e in EXERCISES.values()})
        raise ValueError(f"no exercises are registered for {chapter!r}; chapters: {chapters}")
    return Progress(chapter, rows)
