"""The published book in a real browser: headless Chromium (driven by Playwright) on the site `fupin report` built.

The site is the one the README's Quick start builds into ``report/`` (``FUPIN_SITE`` names another folder). The
test is skipped, with the reason, when no site has been built or no Chromium is installed (``apt-get install
chromium``; ``FUPIN_CHROMIUM`` names another binary). `.ci/run` installs Chromium, so CI always runs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from fupin_research.paths import project_root

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (extra [test])")

SITE = Path(os.environ.get("FUPIN_SITE") or (project_root() or Path(".")) / "report")
CHROMIUM = os.environ.get("FUPIN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(not (SITE / "searchindex.js").is_file(),
                       reason=f"no built site in {SITE}: run `fupin report --out report` first"),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found: apt-get install chromium (or set FUPIN_CHROMIUM)"),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports failures itself
        pass


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def pages() -> list[str]:
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.glob("*.html"))


def _load(page, url: str) -> list[str]:
    """Open ``url``; return the console errors and the failed requests to this site."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return problems


def test_every_page_loads_without_errors_or_broken_links(page, base_url):
    assert {"index.html", "search.html", "glossary.html", "bibliography.html"} <= set(pages())
    assert any(name.startswith("00_") for name in pages())
    broken: list[str] = []
    for name in pages():
        problems = _load(page, base_url + name)
        assert not problems, f"{name}: {problems}"
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(base_url + name, href))
            if target.scheme != "http" or target.netloc != urlparse(base_url).netloc:
                continue  # external (GitHub, Binder) or data: downloads
            path = SITE / unquote(target.path).lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{name} → {href}")
    assert not broken, broken


def test_chinese_is_drawn_with_the_sites_web_font(page, base_url):
    """Which font Chromium drew a Chinese paragraph with (DevTools protocol): the site's web font, for every Han
    character; the machine's fonts only for Latin letters. On a machine without a CJK font this is what keeps the
    page from showing empty boxes."""
    for name in ["index.html", "glossary.html", pages()[1]]:
        _load(page, base_url + name)
        assert page.evaluate("document.fonts.check('16px \"Fupin CJK\"', '扶贫')")
        marked = page.evaluate("""() => {
            const p = [...document.querySelectorAll('article p, article dt, article dd, article td')]
                .find((e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE
                                                      && /[\\u4e00-\\u9fff]/.test(n.textContent)));
            if (p) { p.id = 'cjk-probe'; p.scrollIntoView(); }
            return Boolean(p);
        }""")
        assert marked, f"{name}: no Chinese paragraph"
        session = page.context.new_cdp_session(page)
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})
        node = session.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": "#cjk-probe"})
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        web = [f for f in fonts if f.get("isCustomFont")]
        assert web and web[0]["glyphCount"] > 0 and "CJK" in web[0]["familyName"], (name, fonts)
        # the DevTools call reports the fonts of the element's own text nodes (not of nested elements)
        han = page.evaluate("[...document.querySelector('#cjk-probe').childNodes]"
                            ".filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('')"
                            ".split('').filter((c) => /[\\u4e00-\\u9fff]/.test(c)).length")
        assert web[0]["glyphCount"] >= han, (name, fonts, han)


def test_search_finds_a_policy_term(page, base_url):
    _load(page, base_url + "search.html?q=" + "两不愁三保障")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    assert page.locator("#search-results ul.search li").count() > 0


def test_a_solution_opens(page, base_url):
    for name in pages():
        if name[:2].isdigit():
            _load(page, base_url + name)
            folded = page.locator("details.hide")
            if folded.count():
                details = folded.first
                assert details.get_attribute("open") is None
                details.locator("summary").click()
                assert details.get_attribute("open") is not None
                assert details.locator(".cell_input, pre").first.is_visible()
                return
    pytest.fail("no notebook page has a folded solution")


def test_landing_page_links_notebooks_glossary_bibliography_and_datasheets(page, base_url):
    _load(page, base_url + "index.html")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for target in ["glossary.html", "bibliography.html", "datasheet_corpus.html",
                   "datasheet_government_work_reports.html", "00_overview.html"]:
        assert any(h.split("#")[0] == target for h in hrefs), target
    _load(page, base_url + "glossary.html")
    assert page.locator("dl.glossary dt", has_text="两不愁三保障").count() == 1
    _load(page, base_url + "bibliography.html")
    assert page.locator(".citation, [role=doc-biblioentry], dl.citation dt, .footnote-list li").count() >= 9


def test_every_notebook_page_has_a_binder_launch_and_a_download(page, base_url):
    for name in pages():
        if name[:2].isdigit():
            _load(page, base_url + name)
            assert page.locator("a[href*='mybinder.org']").count() >= 1, name
            assert page.locator("a[href$='.ipynb'], button[onclick*='download']").count() >= 1, name
