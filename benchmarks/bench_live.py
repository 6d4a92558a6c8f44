"""Live mode in the browser: time to a ready kernel (cold and warm), time to a redraw, bytes added.

    python -m benchmarks.bench_live          (after `make book`; headless Chromium, 127.0.0.1 only)

On chapter 02, served from 127.0.0.1 with every other request blocked:

- **kernel ready, cold**: from the click on "Live mode" to the kernel's first reply, in a fresh browser
  profile (empty cache), ``COLD`` times; **warm**: the same after a reload in the same profile (the
  browser revalidates its cached copies, as with any static host);
- **redraw**: from a press of the explorer's "step" button (and a keyboard move of a slider) to the new
  image in the page, ``REDRAWS`` times after the chapter has run;
- **bytes**: what the build adds under ``live/`` (by part) and ``lab/``, what a cold start downloads,
  and what every page loads before the click (the small live-mode script and style);
- **the lab**: from opening chapter 02 in the in-browser JupyterLab (``lab/``, the page's link) to its
  kernel's "idle", ``LAB_COLD`` times in a fresh profile and once more after a reload (warm).

Aims (issue 13): kernel ready under 20 s cold and 10 s warm on 2 cores, a redraw under 250 ms.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import statistics
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
PAGE = "book/02_linear_neuron.html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
COLD, REDRAWS, LAB_COLD = 3, 5, 2
LAB = "lab/lab/index.html?path=book/02_linear_neuron.ipynb"
LAB_IDLE = """() => { const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return !!(p && p.sessionContext && p.sessionContext.kernelDisplayStatus === 'idle'); }"""
AIMS = {"cold": 20.0, "warm": 10.0, "redraw_ms": 250.0}
# Resolves when the explorer's image shows a new picture; the time from the click, in ms.
REDRAW_JS = """async (button) => {
    const box = button.closest('.widget-vbox:has(.widget-image)');
    const img = box.querySelector('.widget-image');
    const before = img.src;
    const t0 = performance.now();
    const changed = new Promise((resolve) => {
        const obs = new MutationObserver(() => { if (img.src !== before) { obs.disconnect(); resolve(); } });
        obs.observe(img, {attributes: true, attributeFilter: ['src']});
    });
    button.click();
    await changed;
    await new Promise((r) => img.complete ? r() : img.addEventListener('load', r, {once: true}));
    return performance.now() - t0;
}"""


def _serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def sizes() -> dict[str, int]:
    """Bytes the live mode adds to the built book, by part."""
    live = HTML / "live"
    pyodide = live / "pyodide"
    runtime = sum((pyodide / f).stat().st_size for f in ("pyodide.js", "pyodide.mjs", "pyodide.asm.js",
                                                          "pyodide.asm.wasm", "python_stdlib.zip")
                  if (pyodide / f).exists())
    per_page = sum((HTML / "_static" / f).stat().st_size for f in ("live-mode.js", "live-mode.css"))
    return {"total (live/)": _du(live), "pyodide runtime": runtime, "wheels": _du(pyodide) - runtime,
            "thebe": _du(live / "thebe"), "thebe-lite": _du(live / "thebe-lite"),
            "the lab (lab/, beside live/)": _du(HTML / "lab"), "per page before the click": per_page}


def _start(tab: Any, url: str, downloaded: list[int] | None = None) -> dict[str, Any]:
    tab.goto(f"{url}/{PAGE}", wait_until="load")
    tab.wait_for_load_state("networkidle")
    def count(r: Any) -> None:
        if r.status == 200:
            downloaded.append(int(r.headers.get("content-length", 0)))

    if downloaded is not None:
        tab.on("response", count)
    tab.locator(".bp-live-bar .bp-live-start").click()
    tab.wait_for_function("() => window.bpLive.done || window.bpLive.error", timeout=300_000)
    if downloaded is not None:
        tab.remove_listener("response", count)
    live = tab.evaluate("() => ({ready: bpLive.kernelReadySeconds, run: bpLive.runSeconds, "
                        "error: bpLive.error || null, failed: bpLive.failedCells})")
    if live["error"] or live["failed"]:
        raise RuntimeError(f"live mode did not run {PAGE}: {live}")
    return live


def measure() -> dict[str, Any]:
    """Kernel-ready seconds (cold, warm), redraw milliseconds, bytes downloaded on a cold start."""
    from playwright.sync_api import sync_playwright

    httpd, url = _serve()
    cold, warm, runs, redraws, keys, downloaded = [], [], [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for k in range(COLD):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            ctx.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
            tab = ctx.new_page()
            got = _start(tab, url, downloaded if k == 0 else None)
            cold.append(got["ready"])
            runs.append(got["run"])
            if k == 0:
                step = tab.locator(".widget-vbox:has(.widget-image) button", has_text="step").first
                redraws = [tab.evaluate(REDRAW_JS, step.element_handle()) for _ in range(REDRAWS)]
                handle = tab.locator(".widget-vbox:has(.widget-image) .noUi-handle").first
                for _ in range(REDRAWS):
                    handle.focus()
                    keys.append(tab.evaluate("""async (h) => {
                        const box = h.closest('.widget-vbox:has(.widget-image)');
                        const img = box.querySelector('.widget-image');
                        const before = img.src, t0 = performance.now();
                        h.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
                        while (img.src === before) await new Promise((r) => setTimeout(r, 5));
                        return performance.now() - t0; }""", handle.element_handle()))
            warm.append(_start(tab, url)["ready"])  # a reload in the same profile: the cache is warm
            ctx.close()
        browser.close()
    httpd.shutdown()
    return {"cold": cold, "warm": warm, "run": runs, "redraw_ms": redraws, "key_ms": keys,
            "downloaded": sum(downloaded)}


def measure_lab() -> dict[str, list[float]]:
    """Seconds from opening chapter 02 in the lab to its kernel's "idle": cold (fresh profiles), warm."""
    import time

    from playwright.sync_api import sync_playwright

    httpd, url = _serve()
    cold, warm = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(LAB_COLD):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            ctx.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
            tab = ctx.new_page()
            for times in (cold, warm):  # the second time in the same profile: the cache is warm
                t0 = time.monotonic()
                tab.goto(f"{url}/{LAB}", wait_until="load")
                tab.wait_for_function(LAB_IDLE, timeout=300_000, polling=250)
                times.append(time.monotonic() - t0)
            ctx.close()
        browser.close()
    httpd.shutdown()
    return {"cold": cold, "warm": warm}


def main() -> None:
    if not (HTML / "live" / "config.json").exists():
        print(f"skipped: no live mode in {HTML.relative_to(ROOT)} (run `make book` first)")
        return
    s = sizes()
    print("bytes live mode adds to the built book:")
    for part, n in s.items():
        print(f"  {part:<28}{n / 1e6:>8.2f} MB" if n > 1e5 else f"  {part:<28}{n / 1e3:>8.1f} kB")
    r = measure()
    print(f"chapter 02, 127.0.0.1 only, {os.cpu_count()} cores; median (all runs)")
    med = statistics.median
    print(f"  kernel ready, cold       {med(r['cold']):6.1f} s   {[round(x, 1) for x in r['cold']]}"
          f"   aim < {AIMS['cold']:.0f} s")
    print(f"  kernel ready, warm       {med(r['warm']):6.1f} s   {[round(x, 1) for x in r['warm']]}"
          f"   aim < {AIMS['warm']:.0f} s")
    print(f"  run all cells            {med(r['run']):6.1f} s   {[round(x, 1) for x in r['run']]}")
    print(f"  redraw after 'step'      {med(r['redraw_ms']):6.0f} ms  {[round(x) for x in r['redraw_ms']]}"
          f"   aim < {AIMS['redraw_ms']:.0f} ms")
    print(f"  redraw after a key press {med(r['key_ms']):6.0f} ms  {[round(x) for x in r['key_ms']]}")
    print(f"  downloaded on a cold start {r['downloaded'] / 1e6:.1f} MB")
    if (HTML / "lab" / "jupyter-lite.json").exists():
        lab = measure_lab()
        print(f"  lab: kernel idle, cold   {med(lab['cold']):6.1f} s   {[round(x, 1) for x in lab['cold']]}")
        print(f"  lab: kernel idle, warm   {med(lab['warm']):6.1f} s   {[round(x, 1) for x in lab['warm']]}")


if __name__ == "__main__":
    main()
