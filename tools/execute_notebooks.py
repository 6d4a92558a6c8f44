"""Execute notebooks in a fresh kernel and store their outputs (and widget state) in place.

    python tools/execute_notebooks.py book/03_delta_rule.ipynb ...   # the named notebooks
    python tools/execute_notebooks.py --changed                      # those whose code changed

A notebook's stored outputs are the book's claims: nbval re-executes every notebook and compares. The
hash of a notebook's code cells is kept in its metadata (``backprop_book.source_hash``), so ``--changed``
re-executes only the chapters whose code was edited since they were last executed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def source_hash(nb: nbformat.NotebookNode) -> str:
    code = "\n\0".join("".join(c.source) for c in nb.cells if c.cell_type == "code")
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def collapse_streams(outputs: list) -> list:
    """Merge consecutive stream outputs and keep what a terminal would show of carriage returns.

    A text progress bar redraws itself with ``\\r``; stored as is, it becomes hundreds of fragments.
    """
    merged: list = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == out["name"]):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    for out in merged:
        if out.get("output_type") == "stream" and "\r" in out["text"]:
            lines = out["text"].split("\n")
            out["text"] = "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines)
    return merged


def execute(path: Path, timeout: int = 120) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:  # timing metadata would make every run a diff
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = collapse_streams(cell.outputs)
    nb.metadata["backprop_book"] = {"source_hash": source_hash(nb)}
    nbformat.write(nb, path)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--changed", action="store_true", help="only notebooks whose code changed")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    if args.changed:
        paths = [p for p in paths if nbformat.read(p, as_version=4).metadata.get(
            "backprop_book", {}).get("source_hash") != source_hash(nbformat.read(p, as_version=4))]
    for p in paths:
        print(f"executing {p} ...", flush=True)
        print(f"  {execute(p):.1f} s", flush=True)
    if not paths:
        print("nothing to execute: every notebook's outputs match its code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
