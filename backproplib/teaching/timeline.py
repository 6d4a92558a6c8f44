"""The history of backpropagation as data: dated events, their themes, and a timeline figure.

Each :class:`Event` carries the BibTeX key of the work that supports it (``book/references.bib``) and,
where the book teaches the idea, the label of that chapter. The history chapter draws the figure with
:func:`plot_timeline` and checks the reader's dates with :func:`check_years`.

>>> [e.who for e in events("automatic differentiation")]
['Linnainmaa', 'Linnainmaa']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from .exercises.checks import Feedback as CheckResult


@dataclass(frozen=True)
class Event:
    """One dated step in the history.

    The fields: ``year`` (int), the year the account gives (the first year of the decade for "the
    2010s"); ``who`` (str), the person, team or system; ``what`` (str), a few words used as the
    figure's label; ``theme`` (str), one of ``THEMES``; ``key`` (str or None), the BibTeX key of
    the supporting reference in ``book/references.bib``, ``None`` when the account gives none;
    ``chapter`` (str or None), the label of the chapter of this book that teaches the idea.
    """

    year: int
    who: str
    what: str
    theme: str
    key: str | None = None
    chapter: str | None = None


THEMES: tuple[str, ...] = (
    "calculus",
    "optimisation",
    "optimal control",
    "automatic differentiation",
    "neural networks",
    "applications",
    "hardware",
)

EVENTS: tuple[Event, ...] = (
    Event(1676, "Leibniz", "the chain rule", "calculus", "leibniz1920early", "ch-delta-rule"),
    Event(1951, "Robbins & Monro", "stochastic approximation", "optimisation",
          "robbins1951stochastic", "ch-optimisers"),
    Event(1960, "Kelley", "gradients of optimal flight paths", "optimal control",
          "kelley1960gradient", "ch-matrix-form"),
    Event(1961, "Bryson", "gradients of multi-stage processes", "optimal control",
          "bryson1962gradient", "ch-matrix-form"),
    Event(1962, "Dreyfus", "derivation by the chain rule alone", "optimal control",
          "dreyfus1962numerical", "ch-delta-rule"),
    Event(1962, "Rosenblatt", "names back-propagating error correction", "neural networks",
          "rosenblatt1962principles", "ch-activations"),
    Event(1967, "Amari", "first MLP trained by SGD (Schmidhuber)", "neural networks",
          "amari1967theory", "ch-xor"),
    Event(1970, "Linnainmaa", "reverse mode of differentiation", "automatic differentiation",
          "linnainmaa1970representation", "ch-adjoint-graph"),
    Event(1973, "Dreyfus", "controllers tuned by error gradients", "optimal control",
          "dreyfus1973computational", None),
    Event(1974, "Werbos", "PhD thesis, Beyond Regression", "optimisation",
          "werbos1974beyond", None),
    Event(1976, "Linnainmaa", "reverse mode published in BIT", "automatic differentiation",
          "linnainmaa1976taylor", "ch-cost-of-gradient"),
    Event(1982, "Werbos", "backpropagation applied to MLPs", "neural networks",
          "werbos1982applications", "ch-matrix-form"),
    Event(1985, "Parker", "Learning Logic report", "neural networks", "parker1985learning", None),
    Event(1985, "Rumelhart, Hinton & Williams", "ICS Report 8506", "neural networks",
          "rumelhart1985learning", "ch-xor"),
    Event(1986, "Rumelhart, Hinton & Williams", "the Nature paper", "neural networks",
          "rumelhart1986learning", "ch-symmetry"),
    Event(1987, "LeCun", "an alternative form in his thesis", "neural networks",
          "lecun1987modeles", None),
    Event(1987, "NETtalk", "text to pronunciation", "applications", "sejnowski1987parallel",
          None),
    Event(1989, "ALVINN", "a network that steers a vehicle", "applications",
          "pomerleau1989alvinn", None),
    Event(1989, "LeNet", "handwritten zip codes", "applications", "lecun1989backpropagation",
          "ch-digits"),
    Event(1992, "TD-Gammon", "near top human level at backgammon", "applications",
          "tesauro1995temporal", None),
    Event(1993, "Wan", "wins a time-series prediction contest", "applications", "wan1994time", None),
    Event(2010, "GPUs", "the return, on fast GPU computing", "hardware", "lecun2015deep", None),
    Event(2023, "Stanford team", "backpropagation on a photonic processor", "hardware",
          "ieeespectrum2023photonic", None),
)

_COLOURS = dict(zip(THEMES, plt.get_cmap("tab10").colors))


def events(theme: str | None = None) -> list[Event]:
    """The events of one theme (all of them for ``None`` or ``"all"``), in date order.

    Parameters
    ----------
    theme : str or None
        One of ``THEMES``, ``"all"`` or ``None``.

    Returns
    -------
    list of Event
    """
    if theme is None or theme == "all":
        return sorted(EVENTS, key=lambda e: e.year)
    if not isinstance(theme, str):
        raise TypeError(f"theme must be a str or None, got {type(theme).__name__}")
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; valid themes: 'all', " + ", ".join(map(repr, THEMES)))
    return [e for e in sorted(EVENTS, key=lambda e: e.year) if e.theme == theme]


def plot_timeline(theme: str | None = None, figsize: tuple[float, float] | None = None) -> plt.Figure:
    """Draw the timeline: one row per event, the year on a broken axis (1676, then 1948 to 2026).

    Parameters
    ----------
    theme : str or None
        Show only this theme (see :func:`events`).
    figsize : (float, float), optional
        Defaults to 7.5 in wide (the page column at the book's 90 dpi, so the figure is shown at the
        size it is drawn) and a height that grows with the number of events.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing the rows: a narrow one around 1676 and a wide one for 1948 to 2026.
    """
    chosen = events(theme)
    n = len(chosen)
    height = max(2.6, 1.2 + 0.3 * n) if figsize is None else figsize[1]
    fig, (early, modern) = plt.subplots(
        1, 2, sharey=True, figsize=(7.5, height) if figsize is None else figsize,
        gridspec_kw={"width_ratios": [1, 9], "wspace": 0.04})
    rows = np.arange(n)[::-1]
    labels = []
    for row, e in zip(rows, chosen):
        who = e.who.split(",")[0] + " et al." if "," in e.who else e.who  # fits the column
        text = f"{e.year} {who}: {e.what}"
        if e.year < 1900:  # the marker on the narrow axis, the label on the wide one
            early.plot([e.year], [row], "o", color=_COLOURS[e.theme], markersize=7)
            modern.annotate("\u2190 " + text, (1949, row), va="center", fontsize=8)
            continue
        modern.plot([e.year], [row], "o", color=_COLOURS[e.theme], markersize=7)
        labels.append(modern.annotate(text, (e.year, row), va="center", fontsize=9, ha="left",
                                      xytext=(5, 0), textcoords="offset points"))
    early.set_xlim(1672, 1680)
    modern.set_xlim(1948, 2026)
    early.set_xticks([1676])
    early.set_yticks([])
    early.set_ylim(-0.8, n - 0.2)
    early.spines["right"].set_visible(False)
    modern.spines["left"].set_visible(False)
    early.set_ylabel("events, in date order")
    fig.supxlabel("year (broken axis: 1676, then 1948 to 2026)", fontsize=10)
    shown = [t for t in THEMES if any(e.theme == t for e in chosen)]
    handles = [plt.Line2D([], [], marker="o", ls="", color=_COLOURS[t], label=t) for t in shown]
    legend_rows = 0
    if len(shown) > 1:  # one theme is named in the title; several need a legend (below the axes)
        legend_rows = -(-len(shown) // 3)
        fig.legend(handles=handles, loc="lower center", ncol=3, title="theme", fontsize=8,
                   frameon=False, bbox_to_anchor=(0.5, 0.0))
    for ax in (early, modern):
        ax.grid(axis="y", visible=False)
    label = "all themes" if theme in (None, "all") else theme
    fig.suptitle(f"A timeline of backpropagation ({label})", fontsize=12)
    bottom = 0.55 + (0.25 + 0.2 * legend_rows if legend_rows else 0.0)
    fig.set_figheight(height + bottom - 0.55)
    height = fig.get_figheight()
    fig.subplots_adjust(top=1 - 0.45 / height, bottom=bottom / height, left=0.07, right=0.98)
    if legend_rows:
        fig.supxlabel("year (broken axis: 1676, then 1948 to 2026)", fontsize=10,
                      y=(bottom - 0.45) / height)
    # a label that would run past the axes goes to the left of its marker (its row is empty there)
    renderer = fig.canvas.get_renderer()
    right_edge = modern.get_window_extent(renderer).x1
    for label in labels:
        if label.get_window_extent(renderer).x1 > right_edge:
            label.set_horizontalalignment("right")
            label.set_position((-5, 0))
    return fig


def check_years(answers: Mapping[str, int]) -> CheckResult:
    """Check the reader's dates for the named people or systems (first event of each name).

    Parameters
    ----------
    answers : mapping of str to int
        ``{"Linnainmaa": 1970, ...}``: keys are ``Event.who`` values.

    Returns
    -------
    CheckResult
        ``ok`` when every year is right; otherwise the names whose year is wrong, early or late.
    """
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a dict of name -> year, got {type(answers).__name__}")
    first: dict[str, int] = {}
    for e in sorted(EVENTS, key=lambda e: e.year):
        first.setdefault(e.who, e.year)
    unknown = sorted(set(answers) - set(first))
    if unknown:
        raise ValueError(f"unknown names {unknown}; valid names: {sorted(first)}")
    wrong = [f"{who} ({'too early' if year < first[who] else 'too late'})"
             for who, year in answers.items() if year != first[who]]
    if wrong:
        return CheckResult(False, f"{len(wrong)} of {len(answers)} years are wrong: " + ", ".join(wrong))
    return CheckResult(True, f"all {len(answers)} years match.")
