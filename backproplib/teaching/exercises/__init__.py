"""The book's exercises: a registry of every ``{exercise}`` with its checks, mistakes and hints.

>>> from backproplib.teaching import exercises
>>> exercises.check(2 * 0.125, 0.125).correct
False

``check`` and ``check_function`` are the low-level comparisons the registry is built on; a chapter's
solution cell uses ``get(label).check(answer)``.
"""

from . import chapters  # noqa: F401  (registers every chapter's exercises)
from .checks import CheckResult, Feedback, check, check_function
from .registry import (
    EXERCISES,
    ChoiceExercise,
    Exercise,
    ExpressionExercise,
    FunctionExercise,
    ManualExercise,
    Misconception,
    NumberExercise,
    Progress,
    ShapeExercise,
    get,
    progress,
    register,
)

__all__ = [
    "EXERCISES", "Exercise", "NumberExercise", "FunctionExercise", "ExpressionExercise",
    "ShapeExercise", "ChoiceExercise", "ManualExercise", "Misconception", "Feedback", "CheckResult",
    "Progress", "get", "progress", "register", "check", "check_function",
]
