"""Copy the web assets the book serves itself from node_modules/ into _vendor/ (Sphinx static files).

Run by `make assets` after `npm ci`. Versions are pinned in package.json / package-lock.json; the
copied files are build products and are not committed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "_vendor"
# The widget manager asks for its icon fonts relative to the page ("@jupyter-widgets/html-manager/
# dist/<hash>.woff2"), and every chapter page lives in book/. These go to the site root unchanged
# (Sphinx's html_extra_path), so that no page requests a file the book does not serve.
FONTS_OUT = ROOT / "_vendor_root" / "book" / "@jupyter-widgets" / "html-manager" / "dist"
# Live mode's widget manager (thebe's bundle) asks for the same fonts as "@jupyter-widgets/<hash>.woff2".
LIVE_FONTS_OUT = ROOT / "_vendor_root" / "book" / "@jupyter-widgets"
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".eot", ".svg"}

# Tools of the tests, not served with the book: axe-core, which the browser test injects into each page.
TOOLS_OUT = ROOT / "_vendor_tools"
TOOL_COPIES = {"axe-core/axe.min.js": "axe-core/axe.min.js"}

COPIES = {
    "mathjax/es5": "mathjax/es5",
    "requirejs/require.js": "require.js",
    "@jupyter-widgets/html-manager/dist": "html-manager",
}


# Byte-exact edits of pinned third-party files, each expected exactly once (a new version that changes
# the text fails here instead of silently skipping the edit).
PATCHES = {
    # The widget manager validates the page's widget state with Ajv created without options, and Ajv
    # 8's strict mode then logs a console warning on every widget page ("use allowUnionTypes to allow
    # union type keyword", about its own widget-state schema). The schema means the union it declares.
    "html-manager/embed.js": [("gt=new(ft())", "gt=new(ft())({allowUnionTypes:!0})")],
}


def patch(path: Path, edits: list[tuple[str, str]]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        if text.count(old) != 1:
            raise SystemExit(f"{path}: expected {old!r} once, found it {text.count(old)} times "
                             "(a new version? update PATCHES in tools/vendor_assets.py)")
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    missing = [src for src in [*COPIES, *TOOL_COPIES] if not (NODE / src).exists()]
    if missing:
        print(f"missing in node_modules: {missing}; run `npm ci` first", file=sys.stderr)
        return 1
    for out in (OUT, FONTS_OUT.parents[2], TOOLS_OUT):
        if out.exists():
            shutil.rmtree(out)
    for src, dst in COPIES.items():
        target = OUT / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target, ignore=shutil.ignore_patterns("*.map", "*.md"))
        else:
            shutil.copy2(NODE / src, target)
    for dst, edits in PATCHES.items():
        patch(OUT / dst, edits)
    for src, dst in TOOL_COPIES.items():
        (TOOLS_OUT / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE / src, TOOLS_OUT / dst)
    FONTS_OUT.mkdir(parents=True)
    for font in (NODE / "@jupyter-widgets/html-manager/dist").iterdir():
        if font.suffix in FONT_SUFFIXES:
            shutil.copy2(font, FONTS_OUT / font.name)
            shutil.copy2(font, LIVE_FONTS_OUT / font.name)
    print(f"copied web assets into {OUT.relative_to(ROOT)}/ and {FONTS_OUT.parents[2].relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
