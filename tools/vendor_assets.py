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
    if OUT.exists():
        shutil.rmtree(OUT)
    for src, dst in COPIES.items():
        target = OUT / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target, ignore=shutil.ignore_patterns("*.map", "*.md"))
        else:
            shutil.copy2(NODE / src, target)
    print(f"copied web assets into {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
