"""Chapter 15, "Handwritten digits": the exercises, their mistakes and hints."""

from __future__ import annotations

import numpy as np

from ..registry import (
    ChoiceExercise,
    ExpressionExercise,
    FunctionExercise,
    Misconception,
    NumberExercise,
    register,
)

CHAPTER = "ch-digits"
SIZES = (64, 64, 10)


def _count(weights: bool = True, biases: str = "units", layers: int = 2) -> int:
    pairs = list(zip(SIZES[:-1], SIZES[1:]))[:layers]
    n = sum(a * b for a, b in pairs) if weights else 0
    if biases == "units":
        n += sum(b for _, b in pairs)
    elif biases == "hidden":
        n += pairs[0][1]
    elif biases == "output":
        n += pairs[-1][1]
    elif biases == "inputs":
        n += sum(a for a, _ in pairs)
    return n


register(NumberExercise(
    label="ex-digits-1", title="Count the parameters", chapter=CHAPTER,
    name="the number of parameters", expected=lambda: _count(),
    hints=["Each layer l has a weight matrix W^l of shape (n_l, n_{l-1}) and a bias b^l of "
           "length n_l.",
           "Layer 1: 64 x 64 weights and 64 biases; layer 2: 10 x 64 weights and 10 biases.",
           "Add the four counts."],
    misconceptions=[
        Misconception("no-biases", "You counted the weights only; every unit of the hidden and "
                      "the output layer also has a bias (64 + 10 of them).",
                      answer=lambda: _count(biases="none")),
        Misconception("biases-per-input", "You gave each layer one bias per input; a bias "
                      "belongs to a unit, so layer l has n_l of them (64, then 10).",
                      answer=lambda: _count(biases="inputs")),
        Misconception("one-layer", "You counted the first layer only; the output layer's "
                      "64 x 10 weights and 10 biases are parameters too.",
                      answer=lambda: _count(layers=1)),
        Misconception("no-output-biases", "You left out the output layer's 10 biases; every "
                      "unit with incoming weights has a bias, the output units too.",
                      answer=lambda: _count(biases="hidden")),
        Misconception("no-hidden-biases", "You left out the hidden layer's 64 biases; every "
                      "hidden unit has one, as every output unit does.",
                      answer=lambda: _count(biases="output")),
    ]))


def _accuracy(M: np.ndarray) -> float:
    M = np.asarray(M, dtype=float)
    return float(np.trace(M) / M.sum())


def _confusion_cases() -> list[tuple]:
    r = np.random.default_rng(15)
    cases = [(r.integers(1, 9, size=(10, 10)),) for _ in range(2)]
    cases.append((np.diag([45, 46, 44, 45, 46, 45, 45, 45, 43, 45]),))  # no mistakes
    cases.append((np.array([[8, 1], [3, 28]]),))                        # two classes, unbalanced
    cases.append((np.array([[5, 0, 1], [2, 9, 0], [0, 4, 30]]),))
    return cases


register(FunctionExercise(
    label="ex-digits-2", title="Accuracy from a confusion matrix", chapter=CHAPTER,
    reference=_accuracy, cases=_confusion_cases,
    hints=["Row i counts the images of true digit i, column j what the network answered; an "
           "answer is correct when i = j.",
           "The correct answers are the diagonal entries, np.trace(M); all answers are the sum "
           "of every entry.",
           "Return np.trace(M) / M.sum()."],
    misconceptions=[
        Misconception("balanced-accuracy", "That is the mean of the per-class accuracies "
                      "(diagonal over row sums), the balanced accuracy; the accuracy is all "
                      "correct answers over all answers, trace / total.",
                      function=lambda M: float(np.mean(np.diag(M) / np.sum(M, axis=1)))),
        Misconception("over-classes", "You divided the correct answers by the number of "
                      "classes; divide by the number of images, the sum of all entries.",
                      function=lambda M: float(np.trace(M) / len(M))),
        Misconception("error-rate", "That is the error rate, the share of wrong answers; the "
                      "accuracy is 1 minus it.",
                      function=lambda M: 1.0 - _accuracy(M)),
    ]))


def _softmax_parts():
    import sympy as sp

    z1, z2, y1 = sp.symbols("z1 z2 y1")
    a1 = sp.exp(z1) / (sp.exp(z1) + sp.exp(z2))
    return z1, z2, y1, a1


def _softmax_gradient(kind: str = "right"):
    _, _, y1, a1 = _softmax_parts()
    return {"right": a1 - y1, "sign": y1 - a1, "extra-derivative": a1 * (1 - a1) * (a1 - y1),
            "dC-da": -y1 / a1 + (1 - y1) / (1 - a1)}[kind]


register(ExpressionExercise(
    label="ex-digits-3", title="The softmax gradient, derived and confirmed", chapter=CHAPTER,
    name="dC_x/dz_1", expected=lambda: _softmax_gradient(),
    hints=["C_x = -y_1 log a_1 - (1 - y_1) log a_2 with a_2 = 1 - a_1; by the chain rule "
           "dC_x/dz_1 = (dC_x/da_1)(da_1/dz_1).",
           "dC_x/da_1 = -y_1/a_1 + (1 - y_1)/(1 - a_1), and the two-class softmax has "
           "da_1/dz_1 = a_1 (1 - a_1).",
           "Multiply the two and simplify: the a_1 (1 - a_1) cancels the denominators. Give "
           "the result with a1 = sp.exp(z1) / (sp.exp(z1) + sp.exp(z2))."],
    misconceptions=[
        Misconception("t-minus-o", "The sign is flipped: dC_x/dz_1 = a_1 - y_1 (output minus "
                      "target); y_1 - a_1 is the direction of descent.",
                      answer=lambda: _softmax_gradient("sign")),
        Misconception("extra-derivative", "You multiplied a_1 - y_1 by the softmax's derivative "
                      "a_1 (1 - a_1) once more: with cross-entropy that factor has already "
                      "cancelled against dC_x/da_1.",
                      answer=lambda: _softmax_gradient("extra-derivative")),
        Misconception("stopped-at-da", "That is dC_x/da_1; the chain rule still needs the "
                      "factor da_1/dz_1 = a_1 (1 - a_1).",
                      answer=lambda: _softmax_gradient("dC-da")),
    ]))

register(ChoiceExercise(
    label="ex-digits-4", title="A validation set", chapter=CHAPTER,
    question="The chapter keeps, for each seed, the epoch with the best validation accuracy, and "
             "only then measures the test accuracy. Why is that test accuracy a fair estimate of "
             "the accuracy on new images, while the best validation accuracy is not?",
    options={"a": "The epoch was chosen to maximise the validation accuracy, so that number is "
                  "biased upwards by the choice; the test images played no part in any choice.",
             "b": "The validation part is smaller than the test set, so its accuracy is noisier.",
             "c": "The validation images are harder than the test images.",
             "d": "The network was trained on the validation images."},
    answer="a",
    why={"b": "Size changes the noise, not the bias: the best of many noisy validation "
              "measurements is too high on average, whatever its size.",
         "c": "Both parts are drawn at random from the same images, class by class; neither is "
              "harder.",
         "d": "The validation images are held out of training (validation_split); they are "
              "used only to choose the epoch."},
    explanation="Right: a maximum over epochs of noisy accuracies is optimistic; the test set, "
                "looked at once after every choice, is not.",
    hints=["Ask which numbers were used to make a choice, and which were only measured.",
           "The best of 41 noisy validation accuracies: is it on average above or below the "
           "accuracy the same weights have on new images?"],
))
