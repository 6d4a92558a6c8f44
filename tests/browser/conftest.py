"""Fixtures for the browser test: the built book served on localhost, and Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# axe-core (pinned in package.json, copied by tools/vendor_assets.py; not served with the book)
AXE = ROOT / "_vendor_tools" / "axe-core" / "axe.min.js"
# Filled by test_pages.py: page -> bytes, axe counts; written to _build/browser-report.json at the end.
REPORT: dict[str, dict] = {}


def pytest_terminal_summary(terminalreporter):
    """A table of each page's bytes and axe-core's serious/critical nodes; the same as JSON."""
    if not REPORT:
        return
    out = ROOT / "_build" / "browser-report.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(REPORT)
    out.write_text(json.dumps(dict(sorted(old.items())), indent=1))
    tr = terminalreporter
    tr.section("pages: bytes fetched, axe-core serious/critical nodes")
    for page, r in sorted(REPORT.items()):
        axe = r["axe_serious_critical"]
        axe_text = "-" if axe is None else f"{sum(axe.values())} " + (
            "(" + ", ".join(f"{k} {n}" for k, n in sorted(axe.items())) + ")" if axe else "")
        tr.write_line(f"{page:42s} {r['bytes'] / 1e6:6.2f} MB{' widgets' if r['widget_page'] else '        '}"
                      f"  axe {axe_text}")
    tr.write_line(f"(also in {out.relative_to(ROOT)})")


def pytest_collection_modifyitems(config, items):
    """Without a built book the browser tests skip, unless REQUIRE_BUILD=1 (set by `make browser`)."""
    missing = [what for what, ok in (("the built book (make book)", (HTML / "book").is_dir()),
                                     (f"Chromium at {CHROMIUM}", shutil.which(CHROMIUM) is not None))
               if not ok]
    if not missing:
        return
    if os.environ.get("REQUIRE_BUILD") == "1":
        raise pytest.UsageError(f"browser tests need {' and '.join(missing)}")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=f"needs {' and '.join(missing)}"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def offline_page(browser, allowed_errors: re.Pattern, expected_warnings: re.Pattern,
                 requests_of: str = "page"):
    """A 1280 px tab that reaches only the local server, with the lists it fills as it runs: failed
    requests (of the page, or of the whole context when workers' requests count too), JavaScript
    errors that ``allowed_errors`` does not match, and warnings that ``expected_warnings`` does not."""
    failed: list[str] = []
    errors: list[str] = []
    warnings: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    source = ctx if requests_of == "context" else tab
    source.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    source.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    tab.on("pageerror", lambda e: errors.append(str(e)) if not allowed_errors.search(str(e)) else None)

    def console(m):
        if m.type == "error" and not allowed_errors.search(m.text):
            errors.append(m.text)
        elif m.type == "warning" and not expected_warnings.search(m.text):
            warnings.append(m.text)

    tab.on("console", console)
    ctx.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    return ctx, tab, failed, errors, warnings
