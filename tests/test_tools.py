"""The notebook tools: re-execution is triggered by code changes only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def test_source_hash_changes_with_code_not_with_prose():
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"), new_code_cell("x")])
    h = execute_notebooks.source_hash(nb)
    nb.cells[0].source = "# Another title"
    assert execute_notebooks.source_hash(nb) == h
    nb.cells[1].source = "x = 2"
    assert execute_notebooks.source_hash(nb) != h


def test_source_hash_sees_cell_boundaries():
    a = new_notebook(cells=[new_code_cell("x = 1\ny = 2")])
    b = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("y = 2")])
    assert execute_notebooks.source_hash(a) != execute_notebooks.source_hash(b)


def test_execute_stores_outputs_and_hash(tmp_path):
    path = tmp_path / "nb.ipynb"
    nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    execute_notebooks.execute(path)
    done = nbformat.read(path, as_version=4)
    assert done.cells[0].outputs[0].text == "42\n"
    assert done.cells[0].execution_count == 1
    assert "execution" not in done.cells[0].metadata
    assert done.metadata["backprop_book"]["source_hash"] == execute_notebooks.source_hash(done)


def test_progress_bar_fragments_collapse_to_what_a_terminal_shows():
    from nbformat.v4 import new_output

    outs = [new_output("stream", name="stderr", text=t)
            for t in ["train:  10%\r", "train:  50%\r", "train: 100%\n", "done\r"]]
    outs.append(new_output("stream", name="stdout", text="accuracy 0.97\n"))
    merged = execute_notebooks.collapse_streams(outs)
    assert [o["name"] for o in merged] == ["stderr", "stdout"]
    assert merged[0]["text"] == "train: 100%\ndone"
    assert merged[1]["text"] == "accuracy 0.97\n"
