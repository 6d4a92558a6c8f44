"""Live mode in the browser: chapter 02 computes in the page, with every non-local request blocked.

One chapter only (the kernel start and a run of all cells take about a minute on 2 cores); `make
live-check` runs every chapter on demand. Fails on a failed request, a JavaScript error, a cell that
raises, a widget that does not recompute or redraw, a slider that ignores the keyboard, a static figure
left beside the live one, or an exercise check that does not answer.
"""

from __future__ import annotations

import re

import pytest

from .conftest import HTML, offline_page
from .test_pages import ALLOWED_CONSOLE

PAGE = "book/02_linear_neuron.html"
# JupyterLite's in-browser server says, as console *warnings*, that it runs without its service worker
# (live-mode.js declines it: it would sit in front of every request of the site) and so without file
# syncing, which in-page cells do not use; and ajv, the JSON-schema validator in thebe's widget manager,
# warns in strict mode about the union types of the widget-state schema ("allowUnionTypes"). Warnings
# are not failures; these are named so that a reader of this test knows they are expected, and any
# other warning fails the test. Errors are never allowed, except the page's own ALLOWED_CONSOLE.
EXPECTED_WARNINGS = re.compile(r"ServiceWorker|will NOT be synced|Memory storage fallback|"
                               r"in-page cells use no service worker|allowUnionTypes")
# A registered mistake: the step taken with the gradient of (1/2) E, i.e. without the factor 2
WRONG_ANSWER = 'bp.exercises.get("ex-linear-neuron-2").check((0.85 + 1.85) ** 2)'

pytestmark = pytest.mark.skipif(not (HTML / "live" / "config.json").exists(),
                                reason="needs the built book with live mode (make book)")


def _png(tab, img) -> bytes:
    """The bytes of an image widget's current picture (a blob: URL in the page)."""
    fetch = "async (i) => Array.from(new Uint8Array(await (await fetch(i.src)).arrayBuffer()))"
    return bytes(tab.evaluate(fetch, img.element_handle()))


def test_live_mode_computes_in_the_page(server, browser):
    ctx, tab, failed, errors, warnings = offline_page(browser, ALLOWED_CONSOLE, EXPECTED_WARNINGS)
    requested: list[str] = []
    tab.on("request", lambda r: requested.append(r.url))
    tab.goto(f"{server}/{PAGE}", wait_until="load")
    tab.wait_for_load_state("networkidle")

    # Before the click: nothing of live mode is loaded, and every widget says it is a static picture.
    assert not [u for u in requested if "/live/" in u], "live mode loaded before the reader asked"
    notes = tab.locator(".bp-static-note")
    assert notes.count() == 2 and notes.first.is_visible(), "widgets without the static-picture note"
    assert "static picture: start live mode to compute" in notes.first.inner_text()

    tab.locator(".bp-live-bar .bp-live-start").click()
    tab.wait_for_function("() => window.bpLive.done || window.bpLive.error", timeout=240_000)
    live = tab.evaluate("() => ({error: bpLive.error, failed: bpLive.failedCells, "
                        "ready: bpLive.kernelReadySeconds, run: bpLive.runSeconds})")
    assert live["error"] is None, f"live mode failed: {live['error']}"
    assert live["failed"] == [], f"cells that raised in the browser: {live['failed']}"
    assert tab.locator(".bp-static-note").count() == 0

    # The explorer: press step, then move a slider with the keyboard; each recomputes and redraws.
    box = tab.locator(".widget-vbox:has(.widget-image)").first
    cell = box.locator("xpath=ancestor::div[contains(@class, 'cell')][1]")
    img = box.locator(".widget-image")
    status = box.locator(".widget-html", has_text="Status").first
    assert cell.locator("img").count() == 2  # the static figure and the (hidden) live one
    status0, png0 = status.inner_text(), _png(tab, img)
    box.locator("button", has_text="step").click()
    tab.wait_for_function("([el, s]) => !el.innerText.includes(s.slice(8))",
                          arg=[status.element_handle(), status0], timeout=20_000)
    img.wait_for(state="visible", timeout=20_000)
    status1, png1 = status.inner_text(), _png(tab, img)
    assert status1 != status0 and "21 steps" in status1, status1
    assert png1 != png0 and png1[:8] == b"\x89PNG\r\n\x1a\n"
    assert cell.locator("img").count() == 1, "the static figure stayed beside the live one"

    readout = box.locator(".widget-readout").first
    value0 = readout.inner_text()
    box.locator(".noUi-handle").first.focus()
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function("([el, v]) => el.innerText !== v", arg=[readout.element_handle(), value0],
                          timeout=10_000)
    tab.wait_for_function("([el, s]) => !el.innerText.includes(s.slice(8))",
                          arg=[status.element_handle(), status1], timeout=20_000)
    assert _png(tab, img) != png1, "a keyboard move of the slider did not redraw the figure"

    # An exercise answered wrongly: its check names the mistake.
    exercise = tab.locator("div.cell", has=tab.locator(".thebe-cell",
                                                       has_text='get("ex-linear-neuron-2")'))
    exercise = exercise.first.element_handle()  # (a locator by text would lose it once edited)
    exercise.query_selector("xpath=ancestor::div[contains(@class, 'solution')][1]//button").click()
    exercise.eval_on_selector(".CodeMirror", "(cm, code) => cm.CodeMirror.setValue(code)", WRONG_ANSWER)
    exercise.query_selector("button.thebe-run-button").click()
    answer = exercise.query_selector(".cell_output")
    answer.wait_for_selector("text=Not yet", timeout=20_000)
    assert "without the factor 2" in answer.inner_text()

    ctx.close()
    assert not failed, f"failed requests {failed[:10]}"
    assert not errors, f"JavaScript errors {errors[:10]}"
    assert not warnings, f"unexpected console warnings {warnings[:10]}"
