"""The table of contents lists every chapter, and every listed file exists."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def test_every_listed_file_exists():
    for f in toc_files():
        matches = [p for p in (ROOT / f"{f}.ipynb", ROOT / f"{f}.md") if p.exists()]
        assert matches, f"_toc.yml lists {f}, but neither {f}.ipynb nor {f}.md exists"


def test_every_notebook_is_listed():
    listed = set(toc_files())
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        assert f"book/{nb.stem}" in listed, f"{nb.relative_to(ROOT)} is not in _toc.yml"


def test_notebooks_were_run_top_to_bottom_in_one_kernel():
    for nb_path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        counts = [c.get("execution_count") for c in nb["cells"]
                  if c["cell_type"] == "code" and "".join(c["source"]).strip()]
        assert counts == list(range(1, len(counts) + 1)), f"{nb_path.name}: execution counts {counts}"
