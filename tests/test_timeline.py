"""The timeline data behind the history chapter: dated, cited, linked to real chapters; clear errors."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from pybtex.database import parse_file

from backproplib.teaching import timeline as tl

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
CHAPTER_LABELS = {
    "ch-what-backprop-computes", "ch-linear-neuron", "ch-delta-rule", "ch-matrix-form",
    "ch-learning-rate", "ch-adjoint-graph", "ch-cost-of-gradient", "ch-loss-functions",
    "ch-activations", "ch-optimisers", "ch-second-order", "ch-limitations", "ch-xor", "ch-symmetry",
    "ch-digits", "ch-history",
}


def test_every_event_cites_a_real_entry_or_says_it_has_none():
    keys = set(parse_file(str(ROOT / "book" / "references.bib")).entries.keys())
    cited = [e.key for e in tl.EVENTS if e.key is not None]
    assert sorted(set(cited) - keys) == []
    # Every event has a source, the applications included (LeNet, NETtalk, TD-Gammon).
    assert [e.who for e in tl.EVENTS if e.key is None] == []


def test_events_have_known_themes_and_chapters_and_are_sorted():
    assert all(e.theme in tl.THEMES for e in tl.EVENTS)
    assert all(e.chapter is None or e.chapter in CHAPTER_LABELS for e in tl.EVENTS)
    years = [e.year for e in tl.events()]
    assert years == sorted(years) and years[0] == 1676 and years[-1] == 2023
    assert sum(len(tl.events(t)) for t in tl.THEMES) == len(tl.EVENTS)


def test_key_dates_of_the_account():
    first = {e.who: e.year for e in reversed(tl.events())}
    assert first["Linnainmaa"] == 1970
    assert first["Kelley"] == 1960 and first["Bryson"] == 1961 and first["Dreyfus"] == 1962
    assert first["Rumelhart, Hinton & Williams"] == 1985 and first["TD-Gammon"] == 1992
    assert first["Werbos"] == 1974  # the Harvard thesis, Beyond Regression


def test_unknown_theme_and_wrong_types_raise_clear_errors():
    with pytest.raises(ValueError, match=r"unknown theme 'vision'.*'applications'"):
        tl.events("vision")
    with pytest.raises(TypeError, match="theme must be a str or None, got int"):
        tl.events(3)
    with pytest.raises(TypeError, match="answers must be a dict"):
        tl.check_years([("Linnainmaa", 1970)])
    with pytest.raises(ValueError, match=r"unknown names \['Newton'\]"):
        tl.check_years({"Newton": 1687})


def test_check_years_says_which_answer_is_wrong_and_how():
    assert tl.check_years({"Linnainmaa": 1970, "Amari": 1967}).ok
    verdict = tl.check_years({"Linnainmaa": 1970, "Werbos": 1986, "Kelley": 1950})
    assert not verdict.ok
    assert verdict.message == "2 of 3 years are wrong: Werbos (too late), Kelley (too early)"


def test_plot_has_a_title_labels_and_one_marker_per_event():
    fig = tl.plot_timeline("applications")
    early, modern = fig.axes
    assert "applications" in fig._suptitle.get_text()
    assert early.get_ylabel() and fig._supxlabel.get_text()
    assert len(modern.lines) == len(tl.events("applications"))
    assert len(tl.plot_timeline().legends[0].get_texts()) == len(tl.THEMES)  # below the axes


def test_figure_fits_the_page_column():
    """At the book's 90 dpi the figure is at most the 688 px column: shown at the size it is drawn."""
    fig = tl.plot_timeline()
    assert fig.get_figwidth() * 90 <= 688
    renderer = fig.canvas.get_renderer()
    right = fig.axes[1].get_window_extent(renderer).x1
    assert all(t.get_window_extent(renderer).x1 <= right + 1 for t in fig.axes[1].texts)
