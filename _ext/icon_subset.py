"""Icon fonts with only the icons the book shows (issue 16: every page fetched 270 KB of Font Awesome).

pydata-sphinx-theme's CSS draws its icons (menu, search, theme switch, the repository button, the
admonitions' marks ...) with Font Awesome 6's web fonts: 156 KB for the solid style and 118 KB for the
brands, for a dozen glyphs. After the HTML build, this extension finds the icons the site uses (the
``fa-*`` classes in its pages and in the theme's scripts, and every glyph the theme's CSS puts into
``content:``), subsets the theme's TrueType fonts to them with fontTools (a dependency of matplotlib)
and writes them as WOFF to ``_static/icons/``. ``_book_static/theme-fixes.css`` declares them under the
theme's font names after the theme's CSS, so the browser uses (and fetches) only them.
"""

from __future__ import annotations

import re
from pathlib import Path

FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ICON_SELECTOR = re.compile(r"^\.(fa-[a-z0-9-]+):(?::)?(?:before|after)$")
_CONTENT = re.compile(r'content:\s*"((?:\\[0-9a-fA-F]{1,6}\s?|[^"])*)"')
_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
_ICON_VARIABLE = re.compile(r'--[\w-]+:\s*"((?:\\[0-9a-fA-F]{1,6}\s?|[^"])*)"')


def _codepoints(content: str) -> set[int]:
    out: set[int] = set()
    for m in re.finditer(r"\\([0-9a-fA-F]{1,6})\s?|(.)", content):
        out.add(int(m.group(1), 16) if m.group(1) else ord(m.group(2)))
    return out


def used_codepoints(static: Path, pages: list[Path]) -> set[int]:
    """The icon glyphs the site can show: those of the ``fa-*`` classes its pages and the theme's
    scripts name, and every glyph a non-icon CSS rule puts into ``content:``."""
    icons: dict[str, set[int]] = {}
    always: set[int] = set()
    for css in static.rglob("*.css"):
        if "icons" in css.parts:
            continue
        text = css.read_text(encoding="utf-8", errors="ignore")
        for value in _ICON_VARIABLE.findall(text):  # --pst-icon-admonition-tip: "\f0eb" ...
            always |= {p for p in _codepoints(value) if p >= 0xE000}
        for selectors, body in _RULE.findall(text):
            m = _CONTENT.search(body)
            if not m:
                continue
            points = {p for p in _codepoints(m.group(1)) if p >= 0xE000}  # icons live in the PUA
            names = [_ICON_SELECTOR.match(s.strip()) for s in selectors.split(",")]
            if all(names):
                for n in names:
                    icons.setdefault(n.group(1), set()).update(points)
            else:
                always |= points
    named: set[str] = set()
    # the pages, the theme's scripts and the book's own (not the widget manager's or MathJax's
    # bundles, which name every icon of their own Font Awesome; the book's widgets use no icons)
    scripts = [*static.glob("*.js"), *static.glob("scripts/*.js")]
    for f in [*pages, *(s for s in scripts if s.name != "fontawesome.js")]:
        named |= set(_CLASS.findall(f.read_text(encoding="utf-8", errors="ignore")))
    return always.union(*(icons.get(n, set()) for n in named))


def subset_icons(outdir: Path) -> dict[str, int]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    static = outdir / "_static"
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    pages = [p for p in outdir.rglob("*.html") if "live" not in p.relative_to(outdir).parts]
    points = used_codepoints(static, pages)
    target = static / "icons"
    target.mkdir(exist_ok=True)
    sizes = {}
    for name in FONTS:
        font = TTFont(webfonts / f"{name}.ttf")
        keep = points & set(font.getBestCmap())
        options = subset.Options()
        options.flavor = "woff"  # (WOFF2 needs the brotli module, which the book's environment lacks)
        options.layout_features = ["*"]
        sub = subset.Subsetter(options)
        sub.populate(unicodes=keep)
        sub.subset(font)
        font.flavor = "woff"
        font.save(target / f"{name}.woff")
        sizes[name] = (target / f"{name}.woff").stat().st_size
    return sizes


def _build_finished(app, exception):
    if exception is None and app.builder.format == "html":
        sizes = subset_icons(Path(app.outdir))
        from sphinx.util import logging

        logging.getLogger(__name__).info(
            "icon fonts subset: " + ", ".join(f"{k} {v / 1000:.0f} KB" for k, v in sizes.items()))


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
