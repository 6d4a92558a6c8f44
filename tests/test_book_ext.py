"""The book's small Sphinx extensions (_ext/): author-year bibliography labels, literal formula blocks
in docstrings, the icon-font subset's glyph list."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

bibstyle = pytest.importorskip("bibstyle")
import docstring_blocks  # noqa: E402
import icon_subset  # noqa: E402


def test_labels_are_author_year_like_the_citations():
    from pybtex.database import parse_string

    bib = parse_string("""
        @article{a, author = {Rumelhart, David E. and Hinton, Geoffrey E. and Williams, Ronald J.},
                 title = {Learning}, year = {1986}}
        @book{b, author = {Minsky, Marvin and Papert, Seymour}, title = {Perceptrons}, year = {1969}}
        @misc{c, author = {Werbos, Paul}, title = {Beyond}, year = {1974}}
        @misc{d, author = {Werbos, Paul}, title = {Other}, year = {1974}}
    """, "bibtex")
    entries = list(bib.entries.values())
    labels = list(bibstyle.AuthorYearLabelStyle().format_labels(entries))
    assert labels == ["Rumelhart et al., 1986", "Minsky and Papert, 1969", "Werbos, 1974a", "Werbos, 1974b"]


def test_indented_formula_blocks_become_literal_blocks():
    lines = ["The forward pass,", "", "    z = W a + b,     a = f(z).", "", "Then:", "",
             "    x = 1", "", ".. math::", "", "    y = 2", "", ":param x: a", "", "    more"]
    docstring_blocks.literal_blocks(lines)
    assert lines[0] == "The forward pass, ::" and lines[4] == "Then::"
    assert lines[8] == ".. math::" and lines[12] == ":param x: a"  # directives and fields untouched


def test_icon_glyphs_come_from_used_classes_and_css_content(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "styles" / "theme.css").write_text(
        '.fa-bars:before{content:"\\f0c9"}.fa-github:before{content:"\\f09b"}'
        '.fa-unused:before{content:"\\f000"}:root{--pst-icon-tip:"\\f0eb"}'
        '.toggle:after{content:"\\f078"}')
    page = tmp_path / "page.html"
    page.write_text('<i class="fa-solid fa-bars"></i><i class="fab fa-github"></i>')
    assert icon_subset.used_codepoints(static, [page]) == {0xF0C9, 0xF09B, 0xF0EB, 0xF078}
