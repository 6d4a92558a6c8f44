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

COPIES = {
    "mathjax/es5": "mathjax/es5",
    "requirejs/require.js": "require.js",
    "@jupyter-widgets/html-manager/dist": "html-manager",
}


def main() -> int:
    missing = [src for src in COPIES if not (NODE / src).exists()]
    if missing:
        print(f"missing in node_modules: {missing}; run `npm ci` first", file=sys.stderr)
        return 1
    for out in (OUT, FONTS_OUT.parents[2]):
        if out.exists():
            shutil.rmtree(out)
    for src, dst in COPIES.items():
        target = OUT / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target, ignore=shutil.ignore_patterns("*.map", "*.md"))
        else:
            shutil.copy2(NODE / src, target)
    FONTS_OUT.mkdir(parents=True)
    for font in (NODE / "@jupyter-widgets/html-manager/dist").iterdir():
        if font.suffix in FONT_SUFFIXES:
            shutil.copy2(font, FONTS_OUT / font.name)
            shutil.copy2(font, LIVE_FONTS_OUT / font.name)
    print(f"copied web assets into {OUT.relative_to(ROOT)}/ and {FONTS_OUT.parents[2].relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
