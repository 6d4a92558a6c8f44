"""Open every page of the built book in headless Chromium and check what a reader would see.

Fails on: a failed or 4xx/5xx request (anything not served by the book itself counts as failed: the
book must work offline), a JavaScript error, untypeset math, a missing figure image, a broken internal
link, an exercise whose solution is visible before it is opened, and a widget page without its slider
or its static figure.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from .conftest import HTML

# The one console error Jupyter Book 1.0.4 itself logs on every page (a duplicated inline script).
ALLOWED_CONSOLE = re.compile(r"Identifier 'THEBE_JS_URL' has already been declared")


def book_pages() -> list[Path]:
    if not HTML.is_dir():
        return []
    return sorted(HTML.glob("book/*.html")) + [HTML / "search.html", HTML / "genindex.html"]


PAGES = book_pages()


@pytest.fixture(scope="module")
def soups():
    return {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in PAGES}


def test_there_are_pages_to_check():
    assert len(PAGES) >= 4, f"only {len(PAGES)} pages found under {HTML}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_internal_links_resolve(page, soups):
    soup = soups[page]
    broken = []
    for a in soup.find_all("a", href=True):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or href.startswith(("mailto:", "javascript:")):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
            continue
        if parts.fragment and target.suffix == ".html":
            tsoup = soups.get(target) or BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            if tsoup.find(id=unquote(parts.fragment)) is None:
                broken.append(href)
    assert not broken, f"{page.name}: broken internal links {broken[:10]}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_headings_are_in_order(page, soups):
    main = soups[page].find("main") or soups[page]
    levels = [int(h.name[1]) for h in main.find_all(re.compile(r"^h[1-6]$"))]
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"{page.name}: heading levels skip, e.g. h{jumps[0][0]} -> h{jumps[0][1]}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_in_browser(page, server, browser):
    rel = page.relative_to(HTML).as_posix()
    failed: list[str] = []
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    tab.on("pageerror", lambda e: errors.append(str(e)) if not ALLOWED_CONSOLE.search(str(e)) else None)
    tab.on("console", lambda m: errors.append(m.text)
           if m.type == "error" and not ALLOWED_CONSOLE.search(m.text) else None)
    # Anything that is not the local server is a request the offline book must not make.
    tab.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    tab.goto(f"{server}/{rel}", wait_until="load")
    tab.wait_for_load_state("networkidle")

    if tab.locator(".math").count():
        tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        tab.evaluate("MathJax.startup.promise")
        untypeset = tab.evaluate("""() => [...document.querySelectorAll('span.math, div.math')]
            .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))""")
        assert not untypeset, f"{rel}: math left untypeset: {untypeset[:5]}"
        raw = tab.evaluate("""() => { const m = document.querySelector('main') || document.body;
            return (m.innerText.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || []).length }""")
        assert raw == 0, f"{rel}: {raw} raw TeX delimiters visible in the text"

    broken_imgs = tab.evaluate("""() => [...document.querySelectorAll('main img')]
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src').slice(0, 80))""")
    assert not broken_imgs, f"{rel}: images that did not load: {broken_imgs}"
    no_alt = tab.evaluate("""() => [...document.querySelectorAll('main .cell_output img')]
        .filter(i => !i.closest('.jupyter-widgets, .widget-output'))  // redrawn by a live widget
        .filter(i => !(i.getAttribute('alt') || '').trim())
        .map(i => i.closest('.cell').querySelector('pre').textContent.slice(0, 80))""")
    assert not no_alt, f"{rel}: figures without alt text: {no_alt}"

    wide = tab.evaluate("""() => [...document.querySelectorAll('main .cell_input pre')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.slice(0, 60))""")
    assert not wide, f"{rel}: code cells that scroll horizontally at 1280 px: {wide[:5]}"

    solutions = tab.locator(".solution.dropdown")
    for i in range(solutions.count()):
        body = solutions.nth(i).locator(":scope > :not(.admonition-title)").first
        assert not body.is_visible(), f"{rel}: solution {i + 1} is visible before it is opened"
        solutions.nth(i).locator("button.toggle-button").click()
        body.wait_for(state="visible", timeout=5000)

    state = tab.locator("script[type='application/vnd.jupyter.widget-state+json']")
    if state.count() and "SliderModel" in state.first.text_content():  # (a progress bar alone is no control)
        tab.wait_for_selector(".widget-slider, .jupyter-widgets .slider", timeout=20000)
        assert tab.locator(".widget-slider, .jupyter-widgets .slider").first.is_visible(), \
            f"{rel}: widget sliders did not render"
        assert tab.locator(".cell_output img").count() > 0, f"{rel}: a widget page without a static figure"

    ctx.close()
    assert not failed, f"{rel}: failed requests {failed[:10]}"
    assert not errors, f"{rel}: JavaScript errors {errors[:10]}"
