"""Figure style shared by every chapter (white background, readable in the theme's dark mode)."""

from __future__ import annotations

import matplotlib as mpl

BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "svg.hashsalt": "backprop-book",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (call once in a chapter's setup cell)."""
    mpl.rcParams.update(BOOK_STYLE)
