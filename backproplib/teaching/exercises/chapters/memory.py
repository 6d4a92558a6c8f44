"""Exercises of the chapter on memory and checkpointing (``ch-memory``).

Every wrong answer registered here is computed by doing the mistake, not typed in.
"""

from __future__ import annotations

import numpy as np

from ....autodiff.checkpoint import predicted_cache_bytes, predicted_peak_bytes, segment_bounds
from ..registry import (
    ChoiceExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-memory"

# ---------------------------------------------------------------- 1: the bytes of a cache
DIGITS_SIZES = [784, 512, 512, 10]
DIGITS_BATCH = 256


def cache_bytes(arrays_per_layer: int = 3, layers: int | None = None, itemsize: int = 8,
                with_input: bool = True) -> int:
    """The bytes of the forward cache of ``[784, 512, 512, 10]`` on a batch of 256, counted with
    the given number of arrays per layer, over the first ``layers`` layers."""
    widths = DIGITS_SIZES[1:] if layers is None else DIGITS_SIZES[1 : layers + 1]
    n0 = DIGITS_SIZES[0] if with_input else 0
    return itemsize * DIGITS_BATCH * (n0 + arrays_per_layer * sum(widths))


register(NumberExercise(
    label="ex-memory-1", title="The bytes of a cache", chapter=CHAPTER, name="bytes",
    expected=lambda: predicted_cache_bytes(DIGITS_SIZES, DIGITS_BATCH), rtol=1e-9,
    misconceptions=[
        Misconception("activations-only", "You counted the activations a^l only; the cache also keeps "
                      "z^l and f'(z^l) for every layer: three arrays per layer.",
                      answer=lambda: cache_bytes(arrays_per_layer=1)),
        Misconception("no-fprime", "You counted z^l and a^l but not f'(z^l), which the backward pass "
                      "multiplies by at every layer (and the cache keeps).",
                      answer=lambda: cache_bytes(arrays_per_layer=2)),
        Misconception("one-layer", "The cache holds every layer, not only the first: add the arrays "
                      "of layers 2 and 3.", answer=lambda: cache_bytes(layers=1)),
        Misconception("float32", "backproplib computes in float64: 8 bytes per number, not 4.",
                      answer=lambda: cache_bytes(itemsize=4)),
        Misconception("no-input", "The cache also holds a^0 = X, the input itself (n_0 numbers per "
                      "example).", answer=lambda: cache_bytes(with_input=False)),
    ],
    hints=["Eq. (eq-memory-cache): 8 m (n_0 + 3 (n_1 + n_2 + n_3)) bytes for float64 and elementwise "
           "activations.",
           "n_1 + n_2 + n_3 = 512 + 512 + 10 = 1034, and m = 256.",
           "8 * 256 * (784 + 3 * 1034)."],
))


# ---------------------------------------------------------------- 2: the best segment length
def best_segment(L: int = 100) -> int:
    """The segment length with the smallest stored peak for ``L`` layers of one width."""
    peaks = {k: predicted_peak_bytes([1] * (L + 1), 1, k) for k in range(1, L + 1)}
    return min(peaks, key=peaks.get)


register(NumberExercise(
    label="ex-memory-2", title="The best segment length for 100 layers", chapter=CHAPTER,
    name="k", expected=lambda: best_segment(100), rtol=1e-9,
    misconceptions=[
        Misconception("sqrt-L", "k = sqrt(L) balances L/k checkpoints against k stored layers when a "
                      "layer stores one array; here a segment's layer stores three (z, a, f'), so the "
                      "balance L/k = 3k moves to k = sqrt(L/3).",
                      answer=lambda: round(np.sqrt(100))),
        Misconception("every-layer", "Storing every activation (k = 1) is not the minimum: it keeps L "
                      "checkpoints, a third of the plain cache.", answer=lambda: 1),
    ],
    hints=["The stored peak is about (L/k + 3k) n m numbers: checkpoints plus one segment's cache.",
           "The derivative of L/k + 3k vanishes at k = sqrt(L/3), about 5.8 for L = 100; the exact "
           "model (predicted_peak_bytes) decides between its neighbours.",
           "Evaluate predicted_peak_bytes([n] * 101, m, k) for k = 1..100 and take the smallest."],
))


# ---------------------------------------------------------------- 3: layers recomputed
def _cases() -> list[tuple[int, int]]:
    return [(64, 8), (64, 5), (7, 3), (10, 10), (10, 1), (1, 1), (100, 6), (9, 4)]


register(FunctionExercise(
    label="ex-memory-3", title="How many layers are recomputed", chapter=CHAPTER,
    reference=lambda L, k: segment_bounds(L, k)[-2], cases=_cases, rtol=1e-12,
    misconceptions=[
        Misconception("top-recomputed", "The top segment is run once, in the backward pass itself: its "
                      "cache is used at once and never recomputed. Only the layers below it are.",
                      function=lambda L, k: L),
        Misconception("full-top-segment", "The top segment is shorter when k does not divide L: it runs "
                      "from the last checkpoint to L, not always k layers.",
                      function=lambda L, k: L - k if k < L else 0),
        Misconception("segments-minus-one", "When k does not divide L there are ceil(L/k) segments, not "
                      "L // k: the last, shorter one counts too.",
                      function=lambda L, k: (L // k - 1) * k),
    ],
    hints=["Every layer below the top segment is evaluated twice: once in the first pass, once when "
           "its segment is recomputed.",
           "The checkpoints are at 0, k, 2k, ...; the top segment starts at the last of them below L.",
           "It starts at k * ((L - 1) // k): that is the number of layers below it."],
))


# ---------------------------------------------------------------- 4: what a logistic layer needs
register(ChoiceExercise(
    label="ex-memory-4", title="What must a logistic layer keep?", chapter=CHAPTER,
    question="The backward pass through a logistic layer l needs f'(z^l) and a^{l-1}. The library's "
             "cache keeps z^l, a^l and f'(z^l). What is the least a leaner cache could keep per "
             "layer, without recomputing any product W a?",
    options={"a": "z^l, a^l and f'(z^l): all three are needed.",
             "b": "a^l alone for every layer: f'(z^l) = a^l (1 - a^l), and a^{l-1} is the previous "
                  "layer's a.",
             "c": "z^l alone: a^l and f'(z^l) can be recomputed from it, but dC/dW^l needs a^{l-1}, "
                  "which is also just f(z^{l-1}).",
             "d": "Nothing: the backward pass can recompute everything from the input x."},
    answer="b",
    why={"a": "z^l is used by neither delta^{l-1} = f'(z^{l-1}) (W^l)^T delta^l nor dC/dW^l = "
              "delta^l (a^{l-1})^T once f' is known; and f' of the logistic is a function of a.",
         "c": "That works too, but costs an evaluation of f and f' per layer in the backward pass; "
              "keeping a^l gives both a^{l-1} for the next layer down and f'(z^l) = a (1 - a) with "
              "one multiplication.",
         "d": "Recomputing from x is checkpointing with one segment per layer boundary missing: it "
              "repeats the products W a, which the question rules out."},
    explanation="Right: for the logistic (and for tanh, f' = 1 - a^2) the derivative is a function "
                "of the activation, so one array per layer suffices: a third of what the library "
                "keeps. The library keeps all three for clarity and for activations (softmax, relu) "
                "whose derivative is not a function of a alone.",
    hints=["List what the two backward equations read: delta^{l-1} = f'(z^{l-1}) (W^l)^T delta^l and "
           "dC/dW^l = delta^l (a^{l-1})^T.",
           "For the logistic f'(z) = f(z) (1 - f(z))."],
))


# ---------------------------------------------------------------- 5: the predicted overhead
def overhead(r: float = 0.4, L: int = 64, k: int = 8, top_kept: bool = True,
             forward_only: bool = True) -> float:
    """Predicted time of a checkpointed gradient over a plain one."""
    recomputed = segment_bounds(L, k)[-2] if top_kept else L
    share = r if forward_only else 1.0
    return 1 + share * recomputed / L


register(NumberExercise(
    label="ex-memory-5", title="Predict the recompute overhead", chapter=CHAPTER, name="time ratio",
    expected=lambda: overhead(), rtol=1e-9,
    misconceptions=[
        Misconception("top-recomputed", "The top segment's forward pass is not repeated: its cache is "
                      "used at once. Only the layers below it run twice.",
                      answer=lambda: overhead(top_kept=False)),
        Misconception("whole-gradient", "Recomputing a layer repeats its forward pass only, a share r "
                      "of the gradient's time, not its backward pass too.",
                      answer=lambda: overhead(forward_only=False)),
        Misconception("one-more-gradient", "'One extra forward pass' is one extra forward pass, not a "
                      "doubling of the whole gradient.", answer=lambda: 2.0),
    ],
    hints=["The model: t(k) / t_plain = 1 + r (recomputed layers) / L, with r the forward pass's "
           "share of a gradient's time.",
           "With L = 64 and k = 8 the top segment starts at layer 56: 56 layers are recomputed.",
           "1 + 0.4 * 56 / 64."],
))
