"""Run every chapter top to bottom in the browser, in live mode, and report each one (`make live-check`).

    python tools/live_check.py [book/02_linear_neuron.html ...]

Serves the built book (``_build/html``) on 127.0.0.1, blocks every other request, and for each chapter
opens its page in headless Chromium, clicks "Live mode" and waits until every code cell has run. Prints,
per chapter: the seconds from the click to a ready kernel, the seconds to run all cells, the cells that
raised, and how many cells printed exactly their stored text output (stdout and ``text/plain``; cells
tagged ``nbval-ignore-output`` are not compared). Exits 1 if any chapter failed: a cell that raised, a
JavaScript error, a failed request, or a time-out. On demand only; `make test` runs chapter 02.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_S = 300
REPORT = ROOT / "_build" / "live-check.json"
ALLOWED_ERRORS = re.compile(r"Identifier 'THEBE_JS_URL' has already been declared")  # JB 1.0.4 itself


@dataclass
class ChapterResult:
    """What one chapter did in the browser."""

    page: str
    kernel_s: float | None = None
    run_s: float | None = None
    failed_cells: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    same_text: int = 0
    compared: int = 0
    differing: list[int] = field(default_factory=list)
    diffs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_cells and not self.problems


def text_outputs(outputs: list[dict[str, Any]]) -> str:
    """The text a cell printed: its streams (stdout only) and ``text/plain`` results, joined."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
        elif out.get("output_type") == "execute_result":
            text = out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts).strip()


def stored_cells(page: str) -> list[tuple[bool, str]]:
    """For each code cell of the chapter's notebook: (compare it?, its stored text output)."""
    nb = json.loads((ROOT / page.replace(".html", ".ipynb")).read_text())
    return [("nbval-ignore-output" not in c.get("metadata", {}).get("tags", []), text_outputs(c["outputs"]))
            for c in nb["cells"] if c["cell_type"] == "code"]


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def check_chapter(browser: Any, url: str, page: str) -> ChapterResult:
    """Open ``page``, start live mode, wait for all cells; collect times, failures and output matches."""
    result = ChapterResult(page)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    problem = result.problems.append
    tab.on("requestfailed", lambda r: problem(f"request failed: {r.url} ({r.failure})"))
    tab.on("response", lambda r: problem(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    tab.on("pageerror", lambda e: None if ALLOWED_ERRORS.search(str(e)) else problem(f"JS: {e}"))
    tab.on("console", lambda m: problem(f"console: {m.text[:200]}")
           if m.type == "error" and not ALLOWED_ERRORS.search(m.text) else None)
    ctx.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    try:
        tab.goto(f"{url}/{page}", wait_until="load")
        tab.locator(".bp-live-bar .bp-live-start").click()
        tab.wait_for_function("() => window.bpLive.done || window.bpLive.error", timeout=TIMEOUT_S * 1000)
        live = tab.evaluate("""() => ({error: bpLive.error || null, failed: bpLive.failedCells || [],
            kernel: bpLive.kernelReadySeconds, run: bpLive.runSeconds,
            outputs: thebe.notebook.cells.map(c => c.outputs || [])})""")
    except Exception as err:  # a time-out or a page that broke: reported, and the next chapter runs
        result.problems.append(f"{type(err).__name__}: {str(err).splitlines()[0]}")
        ctx.close()
        return result
    ctx.close()
    if live["error"]:
        result.problems.append(f"live mode: {live['error']}")
    result.kernel_s, result.run_s, result.failed_cells = live["kernel"], live["run"], live["failed"]
    stored = stored_cells(page)
    if len(stored) != len(live["outputs"]):
        result.problems.append(f"{len(live['outputs'])} cells in the page, {len(stored)} in the notebook")
        return result
    for i, ((compare, text), outputs) in enumerate(zip(stored, live["outputs"]), start=1):
        if compare and text:
            result.compared += 1
            if text_outputs(outputs) == text:
                result.same_text += 1
            else:
                result.differing.append(i)
                result.diffs.append({"cell": i, "stored": text, "browser": text_outputs(outputs)})
    return result


def chapters() -> list[str]:
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.glob("book/[0-9][0-9]_*.html")
                  if (ROOT / "book" / p.with_suffix(".ipynb").name).exists())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages under _build/html (default: every chapter)")
    args = parser.parse_args(argv)
    if not (HTML / "live" / "config.json").exists():
        print(f"no live mode in {HTML}: run `make book` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    pages = args.pages or chapters()
    httpd, url = serve(HTML)
    results = []
    start = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        print(f"{'chapter':<34}{'kernel s':>9}{'run s':>8}  {'result':<8}same text output")
        for page in pages:
            r = check_chapter(browser, url, page)
            results.append(r)
            fmt = lambda v: f"{v:.1f}" if v is not None else "-"  # noqa: E731
            same = f"{r.same_text}/{r.compared}" + (f" (differ: cells {r.differing})" if r.differing else "")
            print(f"{Path(page).stem:<34}{fmt(r.kernel_s):>9}{fmt(r.run_s):>8}  "
                  f"{'ok' if r.ok else 'FAILED':<8}{same}", flush=True)
            for f in r.failed_cells:
                print(f"    cell {f['cell']}: {f['error'][:200]}")
            for problem in r.problems[:5]:
                print(f"    {problem[:200]}")
        browser.close()
    httpd.shutdown()
    REPORT.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    print(f"details (each differing output, stored and in the browser): {REPORT.relative_to(ROOT)}")
    bad = [r.page for r in results if not r.ok]
    print(f"{len(results) - len(bad)} passed, {len(bad)} failed in {time.perf_counter() - start:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
