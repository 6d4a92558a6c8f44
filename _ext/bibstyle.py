"""The bibliography's labels in the text's form: "Goodfellow et al., 2016", not "[GBC16]".

The chapters cite author-year (``bibtex_reference_style: author_year``); pybtex's formatting styles
label the entries of the list alpha-style ("GBC16") or by number. This Sphinx extension registers a
pybtex formatting style ``author_year`` (pybtex's ``plain``, sorted by author, year and title, with
author-year labels; ``bibtex_default_style`` in ``_config.yml`` selects it). Same author and year twice:
"2016a", "2016b".
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person) -> str:
    return " ".join(person.prelast_names + person.last_names) or str(person)


def author_year(entry) -> str:
    """``"Rumelhart et al., 1986"``, ``"Minsky and Papert, 1969"``, ``"Werbos, 1974"``."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in people]
    if not names:
        who = entry.fields.get("organization") or entry.fields.get("title", entry.key)[:30]
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(e) for e in entries]
        count = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if count[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabelStyle


def setup(app):
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
