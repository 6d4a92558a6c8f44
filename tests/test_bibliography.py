"""The bibliography: every cited key exists, every entry is complete, no key is defined twice.

The citations are found in the sources (``book/*.md`` and the markdown cells of ``book/*.ipynb``), so a
chapter that cites a key missing from ``book/references.bib`` fails here before the book build does.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from pybtex.database import BibliographyData, parse_file, parse_string

BOOK = Path(__file__).resolve().parents[1] / "book"
BIB = BOOK / "references.bib"

# {cite}`a,b`, {cite:t}`a`, {cite:p}`a; b`, {cite:ps}`...`: the role name, then the keys in backticks.
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
ENTRY_KEY = re.compile(r"^\s*@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def cited_keys(text: str) -> set[str]:
    """Every key cited with a ``{cite}`` role (any variant) in ``text``."""
    keys: set[str] = set()
    for group in CITE_ROLE.findall(text):
        keys.update(k.strip() for k in re.split(r"[,;]", group) if k.strip())
    return keys


def source_texts() -> dict[str, str]:
    """Markdown text of every chapter source: whole ``.md`` files and markdown cells of notebooks."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.md"))}
    for p in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        texts[p.name] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return texts


@pytest.fixture(scope="module")
def bib() -> BibliographyData:
    return parse_file(str(BIB))


def test_no_key_is_defined_twice():
    keys = [k.lower() for _, k in ENTRY_KEY.findall(BIB.read_text(encoding="utf-8"))]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert keys, "no entries found in references.bib"
    assert duplicates == [], f"keys defined more than once in references.bib: {duplicates}"


def test_every_entry_has_author_title_year(bib):
    incomplete = []
    for key, entry in bib.entries.items():
        # An edited volume (Talking Nets) has editors instead of authors.
        people = entry.persons.get("author") or entry.persons.get("editor")
        year = entry.fields.get("year", "")
        if not people or not entry.fields.get("title") or not re.fullmatch(r"\d{4}", year):
            incomplete.append(key)
    assert incomplete == [], f"entries without author/title/four-digit year: {incomplete}"


def test_every_cited_key_is_in_the_bibliography(bib):
    known = set(bib.entries.keys())
    missing = {
        name: sorted(cited_keys(text) - known)
        for name, text in source_texts().items()
        if cited_keys(text) - known
    }
    assert missing == {}, f"cited but not in book/references.bib: {missing}"


def test_keys_required_by_the_common_brief_are_present(bib):
    required = """rumelhart1986learning rumelhart1986pdp nielsen2015neural goodfellow2016deep
    griewank2008evaluating griewank2012invented linnainmaa1970representation linnainmaa1976taylor
    werbos1982applications werbos1994roots kelley1960gradient bryson1962gradient dreyfus1962numerical
    dreyfus1990artificial amari1967theory rosenblatt1962principles leibniz1920early lecun1987modeles
    lecun1988theoretical lecun2015deep parker1985learning robbins1951stochastic ramachandran2017searching
    misra2019mish tan2019review wilamowski2010improved martens2020natural schmidhuber2015deep
    schmidhuber2022annotated sejnowski2018deep pomerleau1989alvinn sutton2018reinforcement
    werbos1974beyond rumelhart1985learning sejnowski1987parallel tesauro1995temporal lecun1989backpropagation
    hechtnielsen1990neurocomputing hertz1991introduction alpaydin2010introduction rojas1996neural
    kingma2015adam glorot2010understanding he2015delving levenberg1944method
    marquardt1963algorithm""".split()
    assert sorted(set(required) - set(bib.entries.keys())) == []


def test_the_checks_can_fail():
    """The helpers above really detect a missing key, a duplicate and an incomplete entry."""
    assert cited_keys("see {cite:t}`a2000x` and {cite}`b1999y, c1998z`") == {"a2000x", "b1999y", "c1998z"}
    text = "@article{dup1, title={T}, year={2000}}\n@book{Dup1, title={U}, year={2001}}"
    keys = [k.lower() for _, k in ENTRY_KEY.findall(text)]
    assert keys == ["dup1", "dup1"]
    entry = parse_string("@misc{x, title={T}, year={2000}}", "bibtex").entries["x"]
    assert not (entry.persons.get("author") or entry.persons.get("editor"))


def test_references_page_lists_every_entry():
    page = (BOOK / "references.md").read_text(encoding="utf-8")
    assert page.startswith("(ch-references)=")
    assert re.search(r"```\{bibliography\}\s*\n:all:", page)
