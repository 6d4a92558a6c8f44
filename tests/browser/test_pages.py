"""Open every page of the built book in headless Chromium and check what a reader would see.

Fails on: a failed or 4xx/5xx request (anything not served by the book itself counts as failed: the
book must work offline), a JavaScript error or any console error or warning, untypeset math, a missing
figure image, a broken internal link, an exercise whose solution is visible before it is opened (or
does not open from the keyboard), and a widget page without its slider or its static figure. And on
what makes a page hard to read (issue 16):

- at 1280 px, an output block (or code cell) wider than its column, i.e. scrolling sideways;
- an image shown at less than 80% of its pixel width (its text would be too small);
- two identical images in a row;
- on a widget page at 390 px (a phone), any element wider than the screen or cut off inside a widget,
  and a slider that ignores the arrow keys;
- a serious or critical violation found by axe-core (contrast, names of controls, alt text, ...);
- a widget page over 4 MB (every byte its loading fetches).

Each failure names the page, the notebook cell (``cell K`` is ``nb["cells"][K]`` of the chapter's
.ipynb) and what is wrong. Each page's bytes and axe counts go to ``_build/browser-report.json`` and a
table at the end of the run; screenshots of chapters 02, 04 and 05 at 1280 and 390 px go to
``_build/screenshots/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from .conftest import AXE, HTML, REPORT, ROOT

# No console message is expected any more (the duplicated THEBE_JS_URL script is gone at its cause,
# see _config.yml); test_live.py imports this name.
ALLOWED_CONSOLE = re.compile(r"(?!)")
WIDGET_PAGE_MAX_BYTES = 4_000_000
MIN_IMAGE_SCALE = 0.8
SCREENSHOT_PAGES = ("02_", "04_", "05_")
SCREENSHOTS = ROOT / "_build" / "screenshots"
PDF_NAME = "backprop-book.pdf"  # make pdf's _pdf/backprop-book.pdf, served at the site's root


def book_pages() -> list[Path]:
    if not HTML.is_dir():
        return []
    return (sorted(HTML.glob("book/*.html")) + sorted(HTML.glob("book/api/*.html"))
            + [HTML / "search.html", HTML / "genindex.html"])


PAGES = book_pages()


@pytest.fixture(scope="module")
def soups():
    return {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in PAGES}


def cell_names(page: Path) -> list[str]:
    """For each code cell of the page (HTML order), its name in the chapter's notebook: ``cell K``
    (``nb["cells"][K]``) and the start of its source."""
    nb_path = ROOT / "book" / (page.stem + ".ipynb")
    if not nb_path.exists():
        return []
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    names = []
    for k, c in enumerate(cells):
        if c["cell_type"] != "code" or "remove-cell" in c.get("metadata", {}).get("tags", []):
            continue
        src = "".join(c["source"]).strip().split("\n")[0][:50]
        names.append(f"cell {k} (`{src}`)")
    return names


def where(names: list[str], index: int) -> str:
    if index < 0:
        return "outside the cells"
    return names[index] if index < len(names) else f"code cell {index + 1} of the page"


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
            if target == HTML / PDF_NAME and not (ROOT / "_pdf" / PDF_NAME).exists():
                continue  # the PDF edition's link, before `make pdf` has built it
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


# The index of an element's notebook cell among the page's code cells (-1 outside them).
CELL_INDEX = """const CELLS = [...document.querySelectorAll('main div.cell')];
    const cellOf = (e) => CELLS.indexOf(e.closest('div.cell'));"""

# Output blocks (and inputs) wider than their column: they scroll sideways, or stick out of it.
WIDE_OUTPUTS = CELL_INDEX + """
    const col = (document.querySelector('article.bd-article') || document.querySelector('main'))
        .getBoundingClientRect();
    const out = [];
    for (const e of document.querySelectorAll(
            'main .cell_input pre, main .cell_output > *, main .cell_output pre, main .cell_output table,'
            + ' main .cell_output mjx-container, main .cell_output img,'
            + ' main .cell_output .jupyter-widgets')) {
        const r = e.getBoundingClientRect();
        if (!r.width) continue;
        const scrolls = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible';
        if (scrolls || r.right > col.right + 1)
            out.push([cellOf(e), e.closest('.cell_input') ? 'input' : 'output',
                      Math.round(scrolls ? e.scrollWidth : r.width), Math.round(col.width),
                      (e.textContent || e.tagName).trim().slice(0, 50)]);
    }
    return out;"""

# Images shown smaller than 80% of their pixel width; and the visible images, in order.
IMAGES = CELL_INDEX + """
    return [...document.querySelectorAll('main img')]
        .filter(i => i.offsetParent !== null && i.naturalWidth > 1)
        .map(i => [cellOf(i), i.naturalWidth, Math.round(i.getBoundingClientRect().width),
                   i.getAttribute('src') || ''])"""

# Bytes the page fetched: the document and every resource (the local server does not compress).
PAGE_BYTES = """() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((s, e) => s + (e.decodedBodySize || e.encodedBodySize || 0), 0)"""

# At phone width: elements that stick out of the screen (unless inside a scrolling box that fits),
# and widget parts cut off by their box.
PHONE_OVERFLOW = CELL_INDEX + """
    const vw = document.documentElement.clientWidth;
    const out = [];
    const clips = new Map();  // element -> its nearest ancestor that clips or scrolls sideways (or null)
    const clipX = (e) => {
        const a = e.parentElement;
        if (!a || a === document.body) return null;
        if (!clips.has(a)) clips.set(a, getComputedStyle(a).overflowX !== 'visible' ? a : clipX(a));
        return clips.get(a);
    };
    for (const e of document.querySelectorAll('article.bd-article *')) {  // the column, not the drawers
        if (e.parentElement.closest('mjx-container, svg')) continue;  // judged as a whole
        const r = e.getBoundingClientRect();
        if (!r.width || e.offsetParent === null) continue;
        const clip = clipX(e);
        const limit = clip ? Math.min(vw, clip.getBoundingClientRect().right) : vw;
        const inWidget = !!e.closest('.jupyter-widgets');
        if (r.right > limit + 1 && (inWidget || !clip || clip.getBoundingClientRect().right > vw + 1)) {
            out.push([cellOf(e), e.tagName.toLowerCase() + '.' + [...e.classList].slice(0, 2).join('.'),
                      Math.round(r.right), Math.round(limit), (e.textContent || '').trim().slice(0, 40)]);
        }
    }
    if (document.documentElement.scrollWidth > vw + 1)
        out.push([-1, 'page', document.documentElement.scrollWidth, vw, 'the page scrolls sideways']);
    // report the outermost offenders only
    return out.filter((o, i) => !out.slice(0, i).some(p => p[0] === o[0] && p[0] >= 0)).slice(0, 20);"""


def _image_bytes(page: Path, src: str) -> bytes:
    if src.startswith("data:"):
        return base64.b64decode(src.split(",", 1)[1]) if ";base64," in src[:80] else src.encode()
    path = (page.parent / unquote(urlsplit(src).path)).resolve()
    return path.read_bytes() if path.is_file() else src.encode()


def _axe(tab, within: str | None = None, rules: list[str] | None = None) -> list[dict]:
    """axe-core's serious and critical violations on the page, or on the elements ``within`` selects
    (rule, impact, nodes); ``rules`` runs only those rules."""
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("""async ([within, rules]) => {
        const where = within ? document.querySelectorAll(within) : document;
        if (within && !where.length) return [];
        const options = {resultTypes: ['violations']};
        if (rules) options.runOnly = {type: 'rule', values: rules};
        const r = await axe.run(where, options);
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                                  html: n.html.slice(0, 120)}))}));
    }""", [within, rules])
    return result


def _open(browser, server, rel, width, failed, console):
    ctx = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844})
    tab = ctx.new_page()
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    tab.on("pageerror", lambda e: console.append(f"error: {e}")
           if not ALLOWED_CONSOLE.search(str(e)) else None)
    tab.on("console", lambda m: console.append(f"{m.type}: {m.text}")
           if m.type in ("error", "warning") and not ALLOWED_CONSOLE.search(m.text) else None)
    # Anything that is not the local server is a request the offline book must not make.
    tab.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    tab.goto(f"{server}/{rel}", wait_until="load")
    tab.wait_for_load_state("networkidle")
    return ctx, tab


def _wait_for_widgets(tab) -> bool:
    state = tab.locator("script[type='application/vnd.jupyter.widget-state+json']")
    if not state.count():
        return False
    has_slider = "SliderModel" in state.first.text_content()
    if has_slider:  # (a progress bar alone is no control)
        tab.wait_for_selector(".widget-slider, .jupyter-widgets .slider", timeout=20000)
    tab.wait_for_timeout(300)  # the label script runs on the next animation frame
    return has_slider


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_in_browser(page, server, browser):
    rel = page.relative_to(HTML).as_posix()
    names = cell_names(page)
    failed: list[str] = []
    console: list[str] = []
    problems: list[str] = []
    ctx, tab = _open(browser, server, rel, 1280, failed, console)

    if tab.locator(".math").count():
        tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        tab.evaluate("MathJax.startup.promise")
        untypeset = tab.evaluate("""() => [...document.querySelectorAll('span.math, div.math')]
            .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))""")
        assert not untypeset, f"{rel}: math left untypeset: {untypeset[:5]}"
        # (code may hold a \\[ or a $$ of its own: a regex, a string; only prose and outputs count)
        raw = tab.evaluate("""() => { const m = (document.querySelector('main') || document.body)
                .cloneNode(true);
            m.querySelectorAll('.cell_input, code, pre').forEach(e => e.remove());
            document.body.appendChild(m);  // innerText needs a rendered node
            const n = (m.innerText.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || []).length;
            m.remove();
            return n; }""")
        assert raw == 0, f"{rel}: {raw} raw TeX delimiters visible in the text"

    broken_imgs = tab.evaluate("""() => [...document.querySelectorAll('main img')]
        .filter(i => i.offsetParent !== null)  // (a live widget's hidden image is filled when it runs)
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src').slice(0, 80))""")
    assert not broken_imgs, f"{rel}: images that did not load: {broken_imgs}"
    no_alt = tab.evaluate("""() => [...document.querySelectorAll('main .cell_output img')]
        .filter(i => !i.closest('.jupyter-widgets, .widget-output'))  // redrawn by a live widget
        .filter(i => !(i.getAttribute('alt') || '').trim())
        .map(i => i.closest('.cell').querySelector('pre').textContent.slice(0, 80))""")
    assert not no_alt, f"{rel}: figures without alt text: {no_alt}"

    has_slider = _wait_for_widgets(tab)
    is_widget_page = tab.locator("script[type='application/vnd.jupyter.widget-state+json']").count() > 0
    if has_slider:
        assert tab.locator(".widget-slider, .jupyter-widgets .slider").first.is_visible(), \
            f"{rel}: widget sliders did not render"
        assert tab.locator(".cell_output img").count() > 0, f"{rel}: a widget page without a static figure"

    solutions = tab.locator(".solution.dropdown")
    for i in range(solutions.count()):
        body = solutions.nth(i).locator(":scope > :not(.admonition-title)").first
        assert not body.is_visible(), f"{rel}: solution {i + 1} is visible before it is opened"
        toggle = solutions.nth(i).locator("button.toggle-button")
        if i == 0:  # from the keyboard
            toggle.focus()
            tab.keyboard.press("Enter")
        else:
            toggle.click()
        try:
            body.wait_for(state="visible", timeout=5000)
        except Exception:  # noqa: BLE001 (playwright's TimeoutError)
            problems.append(f"solution {i + 1} does not open " + ("with Enter" if i == 0 else "on a click"))

    # (with every solution open: their code and outputs must fit too)
    for cell, kind, width, column, what in tab.evaluate(f"() => {{ {WIDE_OUTPUTS} }}"):
        problems.append(f"{where(names, cell)}: {kind} {width} px wide in the {column} px column "
                        f"at 1280 px: {what!r}")
    previous = None
    for cell, natural, shown, src in tab.evaluate(f"() => {{ {IMAGES} }}"):
        if shown < MIN_IMAGE_SCALE * natural:
            problems.append(f"{where(names, cell)}: image {natural} px wide shown at {shown} px "
                            f"({shown / natural:.0%}; draw it at most {shown} px wide)")
        digest = hashlib.sha256(_image_bytes(page, src)).hexdigest()
        if previous is not None and digest == previous[1]:
            problems.append(f"{where(names, cell)}: the same image as just before it "
                            f"(in {where(names, previous[0])})")
        previous = (cell, digest)

    if has_slider:  # a slider moves with the arrow keys (its readout changes)
        slider = tab.locator(".widget-slider:visible").first
        readout = slider.locator(".widget-readout")
        before = readout.inner_text()
        slider.locator(".noUi-handle").first.focus()
        for key in ("ArrowRight", "ArrowLeft"):  # (one of them, if it starts at an end)
            tab.keyboard.press(key)
            tab.wait_for_timeout(150)
            if readout.inner_text() != before:
                break
        else:
            problems.append(f"the first slider ({slider.inner_text()[:40]!r}) does not move with the "
                            "arrow keys")

    violations = _axe(tab) if AXE.exists() else None
    page_bytes = tab.evaluate(PAGE_BYTES)
    if page.stem.startswith(SCREENSHOT_PAGES):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{page.stem}-1280.png"), full_page=True)
    ctx.close()

    phone = []
    if is_widget_page or page.stem.startswith(SCREENSHOT_PAGES):
        ctx, tab = _open(browser, server, rel, 390, failed, console)
        _wait_for_widgets(tab)
        phone = tab.evaluate(f"() => {{ {PHONE_OVERFLOW} }}")
        if page.stem.startswith(SCREENSHOT_PAGES):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SCREENSHOTS / f"{page.stem}-390.png"), full_page=True)
        if is_widget_page and AXE.exists():  # the widgets in the dark theme: readable too
            tab.evaluate("document.documentElement.dataset.theme = 'dark'")
            tab.wait_for_timeout(100)
            for v in _axe(tab, ".cell_output .jupyter-widgets", ["color-contrast"]):
                targets = "; ".join(n["target"] for n in v["nodes"][:4])
                problems.append(f"dark theme: axe {v['id']} on {len(v['nodes'])} widget nodes: {targets}")
        ctx.close()
    for cell, what, right, limit, text in phone:
        problems.append(f"{where(names, cell)}: at 390 px, {what} reaches {right} px, past "
                        f"{limit} px ({text!r})")

    REPORT[rel] = {"bytes": page_bytes, "widget_page": is_widget_page,
                   "axe_serious_critical": None if violations is None else
                   {v["id"]: len(v["nodes"]) for v in violations},
                   "problems": len(problems) + len(console)}
    if violations is None:
        problems.append(f"axe-core not found at {AXE} (make assets)")
    for v in violations or []:
        targets = "; ".join(n["target"] for n in v["nodes"][:4])
        problems.append(f"axe {v['impact']} {v['id']} ({v['help']}) on {len(v['nodes'])} nodes: {targets}")
    if is_widget_page and page_bytes > WIDGET_PAGE_MAX_BYTES:
        problems.append(f"a widget page of {page_bytes / 1e6:.1f} MB (at most "
                        f"{WIDGET_PAGE_MAX_BYTES / 1e6:.0f} MB)")
    assert not failed, f"{rel}: failed requests {failed[:10]}"
    problems += [f"console {c}" for c in console]
    assert not problems, f"{rel}: {len(problems)} problems:\n  " + "\n  ".join(problems[:40])
