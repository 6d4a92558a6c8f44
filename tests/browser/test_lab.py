"""The whole chapter as a notebook in the in-browser JupyterLab (``_build/html/lab/``), offline.

Follows chapter 02's link in its live-mode bar ("open this chapter in JupyterLab") with every non-local
request blocked, waits for the Pyodide kernel to be idle (the time is printed: ``pytest -s``), runs the first
three code cells (imports, a SymPy result, a matplotlib figure) and checks that each one ran without an
error and that the SymPy result and the figure appeared, and that the kernel sees a checkout's layout
(the chapter's folder as working directory, ../benchmarks/results/ beside it). Fails on a failed
request or a JavaScript error.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from .conftest import HTML, ROOT, offline_page
from .test_pages import ALLOWED_CONSOLE

CHAPTER = "book/02_linear_neuron.ipynb"
PAGE = "book/02_linear_neuron.html"
LAB = f"lab/lab/index.html?path={CHAPTER}"
FIRST_CELLS = 3
# The lab's console messages that are expected: the chapter's kernelspec is "python3" and the lab's
# kernel is "python" (the lab picks it by language, and says so as a warning); the lab has no
# terminals; and ajv, the JSON-schema validator of the widget manager, warns in strict mode about the
# union types of the widget-state schema when it reads the notebook's stored widget state. Warnings are
# not failures, but any other one fails the test; errors are failures (except the page's own
# ALLOWED_CONSOLE, before the link is followed).
EXPECTED_WARNINGS = re.compile(r"No exact match found for python|Disabling terminals plugin|allowUnionTypes")

pytestmark = pytest.mark.skipif(not (HTML / "lab" / "jupyter-lite.json").exists(),
                                reason="needs the built book with its lab (make book)")

# The notebook open in the lab: its kernel's status, and each code cell's outputs once it has run.
STATE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  return ctx ? {path: ctx.path, status: ctx.kernelDisplayStatus, kernel: ctx.kernelDisplayName} : null;
}"""
RUN_CELL = """async (n) => {
  const app = window.jupyterapp, panel = app.shell.currentWidget, nb = panel.content;
  const index = nb.widgets.map((c, i) => [c, i]).filter(([c]) => c.model.type === "code")[n][1];
  nb.activeCellIndex = index;
  await app.commands.execute("notebook:run-cell");
  const cell = nb.widgets[index];
  while (cell.model.executionCount === null || cell.model.executionState === "running") {
    await new Promise((r) => setTimeout(r, 100));
  }
  return {count: cell.model.executionCount, outputs: cell.model.outputs.toJSON()};
}"""
# What a chapter sees of the repository: its folder as the working directory, the stored results beside it.
LAYOUT = "import os; print(os.getcwd(), *sorted(os.listdir('../benchmarks/results')))"
EXECUTE = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let text = "";
  future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") text += msg.content.text; };
  const reply = await future.done;
  return {status: reply.content.status, text, error: reply.content.evalue || null};
}"""


def test_chapter_runs_in_the_lab(server, browser):
    # (service workers allowed: the lab mounts its contents through one, see CONTRIBUTING)
    ctx, tab, failed, errors, warnings = offline_page(browser, ALLOWED_CONSOLE, EXPECTED_WARNINGS,
                                                      requests_of="context")
    tab.goto(f"{server}/{PAGE}", wait_until="load")
    link = tab.locator(".bp-live-bar a.bp-live-lab")
    assert link.inner_text() == "open this chapter in JupyterLab (in your browser)"
    assert link.get_attribute("href") == f"{server}/{LAB}"
    t0 = time.monotonic()
    link.click()
    tab.wait_for_function(f"() => {{ const s = ({STATE})(); return s && s.status === 'idle'; }}",
                          timeout=150_000, polling=250)
    ready = time.monotonic() - t0
    state = tab.evaluate(STATE)
    assert state["path"] == CHAPTER and state["kernel"] == "Python (Pyodide)", state

    stored = [c for c in nbformat.read(ROOT / CHAPTER, as_version=4).cells if c.cell_type == "code"]
    t1 = time.monotonic()
    ran = [tab.evaluate(RUN_CELL, n) for n in range(FIRST_CELLS)]
    run = time.monotonic() - t1
    print(f"\nlab: kernel idle {ready:.1f} s after opening {CHAPTER}; first {FIRST_CELLS} cells {run:.1f} s")
    for n, cell in enumerate(ran):
        errs = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errs, f"code cell {n + 1} raised in the lab: {errs[0]['ename']}: {errs[0]['evalue']}"
        assert cell["count"] == n + 1
    # each cell's outputs as the stored notebook has them: a SymPy result's text, a figure
    compared = set()
    for n, cell in enumerate(ran):
        for out in stored[n].outputs:
            if out.get("output_type") == "execute_result":
                (result,) = [o for o in cell["outputs"] if o["output_type"] == "execute_result"]
                assert result["data"]["text/plain"] == out["data"]["text/plain"], f"code cell {n + 1}"
                assert "text/latex" in result["data"] or "text/latex" not in out["data"]
                compared.add("result")
            if "image/png" in out.get("data", {}):
                assert any("image/png" in o.get("data", {}) for o in cell["outputs"]), cell["outputs"]
                compared.add("figure")
    assert compared == {"result", "figure"}, f"the first {FIRST_CELLS} cells compared only {compared}"
    layout = tab.evaluate(EXECUTE, LAYOUT)
    results = sorted(p.name for p in (ROOT / "benchmarks" / "results").iterdir())
    assert layout["status"] == "ok", layout["error"]
    assert layout["text"].split() == ["/drive/book", *results], layout["text"]

    ctx.close()
    assert not failed, f"failed requests {failed[:10]}"
    assert not errors, f"JavaScript errors {errors[:10]}"
    assert not warnings, f"unexpected console warnings {warnings[:10]}"
