"""Stored outputs are claims on every reader's machine: none may depend on the last bits of the CPU.

NumPy's BLAS picks its kernels per CPU, so a sum of products can differ in its last bit from one
machine to the next. A number at rounding level (a finite-difference error of 4.7e-11, an eigenvalue
of -8e-18) therefore changes from machine to machine, and so does any number printed with more digits
than its computation guarantees. nbval compares stored text exactly, so such a number makes the book
fail on a reader's machine. The rule: a rounding-level quantity is shown as a bound (``< 1e-9``), and a
measured number with the precision its sentence needs.

This test scans every text output of every chapter and fails on

* a number below 1e-8 in magnitude printed with its digits (anything but a round bound after ``<``),
* a number printed with 10 or more significant digits,

naming the notebook, the cell and the number. A cell whose digits are exact by construction (IEEE
arithmetic with no reduction whose order depends on the BLAS, or numbers read from a stored results
file) carries a tag that says so: ``digits-exact`` or ``digits-from-file``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
EXEMPT_TAGS = {"digits-exact", "digits-from-file"}
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "text/html")

# A decimal number with a point or an exponent (integers are exact and never flagged).
NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-+−]?)(?P<mant>\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE](?P<exp>[-+−]?\d+))?(?![\w.])"
)
# A bound: the number directly follows a comparison, in symbols or in words.
BOUND_BEFORE = re.compile(r"(?:<=?|≤|&lt;=?|\bbelow|\bthan|\bunder|\bwithin)\s*$")
TINY = 1e-8
MAX_DIGITS = 10


def significant_digits(mantissa: str) -> int:
    """How many significant digits a printed mantissa has (``0.00462`` has 3, ``1.50`` has 3)."""
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits)


def suspicious_numbers(text: str) -> list[str]:
    """The numbers in ``text`` that print rounding-level digits.

    >>> suspicious_numbers("max |J - J_numeric| = 4.7e-11, loss 0.081153")
    ['4.7e-11']
    >>> suspicious_numbers("max |J - J_numeric| < 1e-09; x = 0.1234567891")
    ['0.1234567891']
    """
    found = []
    for match in NUMBER.finditer(text):
        mant, exp = match["mant"], match["exp"]
        value = float(mant) * 10.0 ** int(exp.replace("−", "-")) if exp else float(mant)
        digits = significant_digits(mant)
        bound = BOUND_BEFORE.search(text[: match.start()]) is not None
        if 0 < abs(value) < TINY and not (bound and digits <= 1):
            found.append(match.group(0))
        elif digits >= MAX_DIGITS:
            found.append(match.group(0))
    return found


def output_texts(cell: dict) -> list[str]:
    """Every text a code cell shows: streams and the text forms of its results. A listing of the
    library's source (``bp.show_source``) is source text, whose numbers are literals: not scanned."""
    texts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            texts.append("".join(out["text"]))
        markdown = "".join(out.get("data", {}).get("text/markdown", ""))
        if markdown.startswith("```python"):
            continue
        for mime in TEXT_MIMES:
            value = out.get("data", {}).get(mime)
            if value is not None:
                texts.append("".join(value) if isinstance(value, list) else value)
    return texts


def scan(nb_path: Path) -> list[str]:
    """Problems in one notebook, as ``"cell N: number"`` strings."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if EXEMPT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for text in output_texts(cell):
            problems += [f"cell {i}: {n}" for n in suspicious_numbers(text)]
    return problems


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_rounding_level_digits_in_stored_outputs(nb_path):
    problems = scan(nb_path)
    assert not problems, (
        f"{nb_path.name} prints numbers whose digits depend on the CPU: {', '.join(problems[:12])}. "
        "Print a bound for rounding-level values (e.g. `< 1e-9`) and measured values with the "
        "precision the text needs; tag the cell digits-exact or digits-from-file if its digits are "
        "exact by construction."
    )


def test_the_scan_catches_what_it_should():
    assert suspicious_numbers("smallest eigenvalue of G: -8.0e-18") == ["-8.0e-18"]
    assert suspicious_numbers("error 3.3e-16 and 0.0000000012") == ["3.3e-16", "0.0000000012"]
    assert suspicious_numbers("θ = 0.12345678901") == ["0.12345678901"]
    assert suspicious_numbers("max error < 1e-09, loss 0.0813, 4.70e-03, 12 steps") == []
    assert suspicious_numbers("max error < 2.5e-10") == ["2.5e-10"]  # a bound must be round
    assert suspicious_numbers("agrees to better than 1e-12, below 1e-9") == []
    assert suspicious_numbers("1234567890 multiply-adds, 0.0 and 0e+00") == []
    listing = {"outputs": [{"output_type": "display_data",
                            "data": {"text/markdown": "```python\nmu_min = 1e-10\n```",
                                     "text/plain": "mu_min = 1e-10"}}]}
    assert output_texts(listing) == []  # a source listing's literals are not measurements
