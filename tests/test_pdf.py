"""The PDF edition (`make pdf`): every chapter, its numbered equations, its exercises and the
bibliography are in it, and no character fell out for want of a glyph.

Runs with REQUIRE_PDF=1, right after `make pdf` (``make test`` does both when TeX is installed), so
that a failed build cannot pass as "not built" and a stale PDF is never the one tested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "_pdf" / "backprop-book.pdf"
LOG = ROOT / "_build" / "latex" / "book.log"

if os.environ.get("REQUIRE_PDF") != "1":  # a PDF left from an earlier build may be stale
    pytest.skip("the PDF test runs in `make pdf-test` (part of make test when TeX is installed)",
                allow_module_level=True)
if not PDF.exists() or shutil.which("pdftotext") is None:
    raise RuntimeError(f"REQUIRE_PDF=1 but {PDF} (or pdftotext) is missing: run make pdf")


@pytest.fixture(scope="module")
def text() -> str:
    out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True,
                         check=True)
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", out.stdout))  # join words hyphenated at a line end


def chapter_titles() -> list[str]:
    import json

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    titles = []
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            path = ROOT / f"{chapter['file']}.ipynb"
            if path.exists():
                first = "".join(json.loads(path.read_text())["cells"][0]["source"])
                titles.append(re.search(r"^# (.+)$", first, re.M).group(1))
    return titles


def test_the_pdf_has_every_chapter(text):
    upper = text.upper()
    missing = [t for t in chapter_titles() if re.sub(r"[$`]", "", t).upper().split(":")[0] not in upper]
    assert not missing, f"chapters missing from the PDF: {missing}"


def test_the_pdf_has_numbered_equations_exercises_and_the_bibliography(text):
    assert re.search(r"\(3\.\d+\)", text), "no numbered equation of chapter 3"
    assert len(re.findall(r"Exercise \d+\.\d+", text)) >= 60
    assert "Rumelhart" in text and "Learning representations by back-propagating errors" in text


def test_the_pdf_is_a_book_not_a_stub():
    out = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", out).group(1))
    assert pages >= 200, f"only {pages} pages"


def test_no_character_was_dropped_for_want_of_a_glyph():
    if not LOG.exists():
        pytest.skip("no LaTeX log beside the PDF")
    missing = sorted(set(re.findall(r"Missing character: There is no (.) ", LOG.read_text(errors="replace"))))
    assert not missing, f"characters with no glyph in the PDF's fonts: {missing}"
