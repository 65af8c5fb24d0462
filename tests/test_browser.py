"""The book as readers meet it: every page opened in a real browser (Debian's Chromium, driven by Playwright).

The built book is served on 127.0.0.1 and nothing else is reachable, as on a machine with no network.
Screenshots of each chapter's first screen are saved in `_build/screenshots/` for a person to look at.
"""

import functools
import http.server
import io
import os
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import nbformat
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

from conftest import REPO, chapters, serve_live, toc_pages
from dlbook.plotting import STYLE

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "_build" / "screenshots"
PAGES = toc_pages()
CHAPTERS = chapters()
BOOK_TITLE = yaml.safe_load((REPO / "_config.yml").read_text())["title"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: `make system` installs Debian's chromium (or set CHROMIUM=/path)")
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(book):
    """The built book served over HTTP on 127.0.0.1; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(book / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh browser context, with every console error and failed request recorded."""

    def __init__(self, browser, url: str):
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="light")
        # Anything not served by the book itself would need the network, which readers may not have.
        self.context.route("**/*", self.local_only)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.page.goto(url, wait_until="load")
        self.wait_for_mathjax()

    def local_only(self, route):
        url = urlparse(route.request.url)
        if url.hostname == "127.0.0.1" or url.scheme == "file":
            route.continue_()
        else:
            self.problems.append(f"network request outside the book: {route.request.url}")
            route.abort()

    def wait_for_mathjax(self):
        """Wait until MathJax has typeset the page (pages without MathJax return at once)."""
        self.page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
        self.page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def open_page(page: str) -> Visit:  # a page of the served book, or any URL
        visits.append(Visit(browser, page if "://" in page else site + page))
        return visits[-1]
    yield open_page
    for v in visits:
        v.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_without_errors_and_its_links_and_images_resolve(visit, book, page):
    v = visit(f"{page}.html")
    assert v.page.locator("article h1").first.is_visible(), "every page has a visible title"
    links = v.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    broken = []
    for link in links:
        url, fragment = urldefrag(link)
        parsed = urlparse(url)
        if parsed.hostname != "127.0.0.1" or parsed.path.endswith("/_sources/"):
            continue  # external links (not reachable offline) are not the book's to serve
        target = book / "html" / unquote(parsed.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(link)
        elif fragment and target.suffix == ".html" and f'id="{fragment}"' not in target.read_text():
            broken.append(link)
    assert not broken, f"internal links that do not resolve: {broken}"
    images = v.page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.src, alt: e.getAttribute('alt'), width: e.naturalWidth}))")
    assert not [i["src"] for i in images if not (i["alt"] or "").strip()], "every image needs alt text"
    assert not [i["src"] for i in images if i["width"] == 0], "every image loads"
    icon = v.page.locator("link[rel=icon]").get_attribute("href")
    assert icon and v.page.request.get(urljoin(v.page.url, icon)).ok, "the book has a favicon"
    assert not v.problems, "\n".join(v.problems)


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith(("book/", "exercises/"))])
def test_math_is_typeset_by_mathjax(visit, page):
    v = visit(f"{page}.html")
    formulas = v.page.locator(".math").count()
    if formulas == 0:
        assert page not in CHAPTERS, "every chapter has formulas"
        pytest.skip(f"{page} has no formula")
    assert v.page.locator("mjx-container").count() >= formulas, "some formulas were not typeset"
    errors = v.page.locator("mjx-merror").all_inner_texts()
    assert not errors, f"MathJax could not typeset: {errors}"
    text = v.page.locator("article").inner_text()
    assert "\\frac" not in text and "\\sum" not in text, "raw LaTeX is showing"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_outputs_figures_and_a_first_screen_that_looks_right(visit, chapter):
    v = visit(f"{chapter}.html")
    assert v.page.locator(".cell_output").count() >= 4, "code cells show their outputs"
    figures = v.page.locator("figure img")
    assert figures.count() >= 4
    for k in range(figures.count()):
        assert figures.nth(k).evaluate("e => e.naturalWidth") > 100, "figures are drawn"
    numbers = v.page.locator("figure .caption-number").all_inner_texts()
    assert numbers and all(n.startswith("Fig.") for n in numbers), "figures are numbered"
    # The first screen: the title in view, nothing wider than the window, and a real picture, not a blank one.
    title = v.page.locator("article h1").first.bounding_box()
    assert title and title["y"] + title["height"] < 800
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 1280
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{Path(chapter).name}.png"
    v.page.screenshot(path=str(path))
    colours = Image.open(path).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 50, "the first screen looks blank"
    assert not v.problems, "\n".join(v.problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_downloads_as_a_notebook(visit, chapter):
    v = visit(f"{chapter}.html")
    v.page.locator(".dropdown-download-buttons button").first.click()
    link = v.page.locator(".dropdown-download-buttons a", has_text=".ipynb")
    with v.page.expect_download() as download:
        link.click()
    saved = Path(download.value.path())
    nb = nbformat.read(saved, as_version=4)
    source = nbformat.read(REPO / f"{chapter}.ipynb", as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in source.cells]
    assert download.value.suggested_filename == f"{Path(chapter).name}.ipynb"


def test_search_for_backpropagation_finds_its_chapter(visit):
    v = visit("book/intro.html")
    v.page.locator("button.search-button__button, .search-button-field").first.click()
    box = v.page.locator(".search-button__search-container input[name=q], .bd-search input[name=q]").first
    box.fill("backpropagation")
    box.press("Enter")
    v.page.wait_for_url("**/search.html?q=backpropagation*")
    results = v.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15000)
    hrefs = results.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("backprop.html" in h for h in hrefs), hrefs
    assert not v.problems, "\n".join(v.problems)


def test_dark_mode_toggle_changes_the_theme(visit):
    v = visit("book/rnn.html")
    background = "() => getComputedStyle(document.body).backgroundColor"
    html = v.page.locator("html")
    light = v.page.evaluate(background)
    assert html.get_attribute("data-theme") == "light"
    button = v.page.locator("button.theme-switch-button").first
    for _ in range(3):  # the toggle cycles through light, dark and the system's choice
        button.click()
        if html.get_attribute("data-theme") == "dark":
            break
    assert html.get_attribute("data-theme") == "dark"
    dark = v.page.evaluate(background)
    assert dark != light
    rgb = [int(x) for x in dark[dark.index("(") + 1:dark.index(")")].split(",")[:3]]
    assert sum(rgb) / 3 < 80, f"the dark theme's background is not dark: {dark}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / "rnn-dark.png"))
    v.page.reload()  # the reader's choice is remembered
    assert html.get_attribute("data-theme") == "dark"
    assert not v.problems, "\n".join(v.problems)


def test_book_works_from_a_folder_too(visit, book):
    """Opened as files (file://), with no server: formulas typeset and search finds its pages, no errors."""
    html = (book / "html").resolve()
    v = visit((html / "book" / "rnn.html").as_uri())
    assert v.page.locator("mjx-container").count() >= v.page.locator(".math").count() > 0
    v.page.goto((html / "search.html").as_uri() + "?q=backpropagation")
    results = v.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15000)
    assert any("backprop.html" in h for h in results.evaluate_all("els => els.map(e => e.href)"))
    v.page.wait_for_timeout(500)  # summaries would be fetched now
    assert not v.problems, "\n".join(v.problems)


@pytest.fixture(scope="module")
def live_server(book):
    """`make serve` serving the built book; yields the address it prints."""
    address, _, serve = serve_live(book / "html")
    yield address
    serve.terminate()
    assert serve.wait(timeout=60) == 0


def test_live_code_runs_an_edited_cell_on_the_readers_server_and_shows_its_new_figure(visit, live_server):
    """`make serve`, its address, a chapter's Live code button: a cell edited in the page trains two networks, and
    their folded drawing cell, opened and run, draws a new figure; nothing is fetched from anywhere but this machine."""
    v = visit(live_server)  # the front page: it keeps the server's address and token for the book's other pages
    assert "#" not in v.page.url, "the token is taken out of the address bar"
    v.page.wait_for_load_state("networkidle")
    v.page.goto(urljoin(live_server, "activations.html"), wait_until="load")
    cells = v.page.locator("article .cell")
    sources = cells.evaluate_all("els => els.map(e => e.querySelector('.cell_input pre')?.textContent || '')")
    imports = next(k for k, s in enumerate(sources) if "dlbook.use_style()" in s)
    training = next(k for k, s in enumerate(sources) if "def deep_net" in s)  # trains a linear and a ReLU network
    drawing = training + 1  # the folded cell that draws their decision boundaries
    assert "plt.subplots" in sources[drawing]
    v.page.locator("button.btn-live-code").click()
    v.page.locator(".live-code-status[data-state=ready]").wait_for(timeout=120_000)
    cells.nth(imports).locator(".thebe-run-button").click()
    cells.nth(imports).locator(".live-code-output").get_by_text("Running on").wait_for(timeout=120_000)
    cell = cells.nth(training)
    cell.locator(".CodeMirror").click()  # edit it: a line at its end
    v.page.keyboard.press("Control+End")
    v.page.keyboard.press("Enter")
    v.page.keyboard.type('print("trained in the page")')
    v.page.keyboard.press("Shift+Enter")
    cell.locator(".live-code-output").get_by_text("trained in the page").wait_for(timeout=300_000)
    plot = cells.nth(drawing)
    plot.locator("details summary").first.click()  # open the folded code, as a reader would
    plot.locator(".thebe-run-button").click()
    image = plot.locator(".live-code-output img")
    image.wait_for(timeout=120_000)
    assert image.count() == 1 and image.evaluate("e => e.naturalWidth") > 100, "the new figure is drawn"
    assert image.get_attribute("src").startswith("data:image/png"), "from the kernel, not the book's file"
    assert not plot.locator(".cell_output").is_visible(), "the new output replaces the book's"
    assert not v.problems, "\n".join(v.problems)


def test_live_code_without_a_server_says_how_to_start_one(visit, site):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    with free:  # nothing listens on this port
        v = visit(f"{site}book/activations.html#jupyter=http://127.0.0.1:{free.getsockname()[1]}/?token=stale")
        v.page.locator("button.btn-live-code").click()
        message = v.page.locator(".live-code-status[data-state=error]")
        message.wait_for(timeout=30_000)
    assert message.is_visible() and "make serve" in message.inner_text()
    assert v.page.locator(".thebe-cell").count() == 0, "the page is left as it was"
    others = [p for p in v.problems if "net::ERR_CONNECTION_REFUSED" not in p]  # the probe, which Chromium logs
    assert len(others) < len(v.problems) and not others, "\n".join(v.problems)


# --- Accessibility -----------------------------------------------------------------------------------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.1, levels A and AA
AXE = Axe()  # axe-core's script as bundled by the package: nothing is fetched


# axe-core's experimental rules that check WCAG 2.1 A/AA criteria: Label in Name (2.5.3) and tables' headers
# (1.3.1). The fifth, css-orientation-lock, needs axe to fetch the stylesheets itself, and it resolves the theme's
# @import "../basic.css" against the page (a 404 the page never causes): preload is off and that rule not run.
EXPERIMENTAL_WCAG_RULES = ["label-content-name-mismatch", "p-as-heading", "table-fake-caption", "td-has-header"]


def axe_violations(page) -> list[str]:
    """axe-core's violations of WCAG 2.1 A/AA rules on the page as it is now, one line per rule."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "preload": False, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": True} for rule in EXPERIMENTAL_WCAG_RULES}}
    violations = AXE.run(page, options=options).response["violations"]
    return [f"{v['id']} ({v['help']}): {[' '.join(n['target']) for n in v['nodes']][:5]}" for v in violations]


def switch_to_dark(v: Visit):
    """Reload the page in dark mode, as a reader who chose it (the theme keeps the choice in localStorage)."""
    v.page.evaluate("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark')")
    v.page.reload(wait_until="load")
    v.wait_for_mathjax()
    assert v.page.locator("html").get_attribute("data-theme") == "dark"


@pytest.mark.parametrize("page", [*PAGES, "search", "genindex"])
def test_page_has_no_wcag_violations_in_light_and_dark_mode(visit, page):
    v = visit(f"{page}.html")
    light = axe_violations(v.page)
    switch_to_dark(v)
    dark = axe_violations(v.page)
    assert not light and not dark, "axe-core, WCAG 2.1 A/AA:\nlight: " + "\n".join(light) + "\ndark: " + "\n".join(dark)
    assert not v.problems, "\n".join(v.problems)


def test_search_results_have_no_wcag_violations_in_dark_mode(visit):
    """The highlighted search terms: their dark-mode colours had too little contrast."""
    v = visit("search.html?q=backpropagation")
    switch_to_dark(v)
    v.page.locator("#search-results ul.search li span.highlighted").first.wait_for(timeout=15000)
    assert not axe_violations(v.page)


FOCUSED_BOX = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    let r = e.getBoundingClientRect();  // a <summary> may be drawn by its child (the sidebar's chevrons)
    for (const c of e.children) if (r.width === 0 || r.height === 0) r = c.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height, html: e.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("page", ["book/intro", CHAPTERS[-1], "book/bibliography", "exercises/rnn/rnn", "search"])
def test_every_tab_stop_shows_where_the_keyboard_focus_is(visit, page):
    """Tab through the page: each control looks different with the focus than without it (WCAG 2.4.7)."""
    v = visit(f"{page}.html")
    v.page.emulate_media(reduced_motion="reduce")  # no transitions: the ring is drawn at once
    unmarked, first = [], None
    for _ in range(100):  # the first 100 tab stops: the header, the sidebar, the page's buttons and links
        v.page.keyboard.press("Tab")
        box = v.page.evaluate(FOCUSED_BOX)
        if box is None:
            continue
        if box["html"] == first:
            break  # round the page once
        first = first or box["html"]
        margin = 6  # an outline may be drawn outside the element
        clip = {"x": max(box["x"] - margin, 0), "y": max(box["y"] - margin, 0),
                "width": box["width"] + 2 * margin, "height": box["height"] + 2 * margin}
        assert box["width"] > 0 and box["height"] > 0, f"an invisible control takes the focus: {box['html']}"
        focused = Image.open(io.BytesIO(v.page.screenshot(clip=clip))).convert("RGB")
        v.page.evaluate("document.activeElement.blur()")  # the next Tab goes on from here
        plain = Image.open(io.BytesIO(v.page.screenshot(clip=clip))).convert("RGB")
        if ImageChops.difference(focused, plain).getbbox() is None:
            unmarked.append(box["html"])
    assert first, "the page has no tab stops"
    assert not unmarked, "no visible focus indicator on:\n" + "\n".join(unmarked)


@pytest.mark.parametrize("page", [*PAGES, "search", "genindex"])
def test_page_fits_a_phone_screen(visit, page):
    """At 375 px (a small phone) nothing widens the page: wide code, tables and formulas scroll in their own box."""
    v = visit(f"{page}.html")
    v.page.set_viewport_size({"width": 375, "height": 800})
    v.page.wait_for_timeout(500)  # the theme and accessibility.js react to the resize after 300 ms
    width = v.page.evaluate("document.scrollingElement.scrollWidth")
    wide = v.page.evaluate("""() => [...document.querySelectorAll('article *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                     && e.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5)
        .map(e => e.outerHTML.slice(0, 100))""")
    assert width <= 375, f"the page is {width} px wide at 375 px; too wide: {wide[:5]}"
    assert not axe_violations(v.page), "a phone's layout has WCAG violations of its own"
    scales = v.page.evaluate("""() => [...document.querySelectorAll('article .cell_output img')]
        .map(img => [img.getBoundingClientRect().width / img.naturalWidth, img.alt.slice(0, 80)])""")
    label = STYLE["font.size"] / 72 * STYLE["figure.dpi"]  # the figures' labels, in the image's pixels
    small = [f"{alt}...: {scale * label:.1f} px" for scale, alt in scales if scale * label < 10]
    assert not small, "figures whose labels are drawn less than 10 px tall on a phone:\n" + "\n".join(small)


def test_figures_are_drawn_at_the_style_resolution(book):
    """What the phone check assumes: a figure's labels are font.size points at figure.dpi (IPython draws a figure at
    its own dpi, not at savefig.dpi)."""
    images = sorted((book / "html" / "_images").glob("*.png"))
    assert images
    assert {round(Image.open(path).info["dpi"][0]) for path in images} == {STYLE["figure.dpi"]}


@pytest.mark.parametrize("width", [1280, 375])
def test_book_title_is_in_the_bar_above_the_page_and_leads_home(visit, width):
    """The sidebar that shows the title is scrolled to the current chapter on a computer and hidden on a phone."""
    v = visit(f"{CHAPTERS[-1]}.html")
    v.page.set_viewport_size({"width": width, "height": 800})
    title = v.page.locator(".bd-header-article a.book-title")
    assert title.is_visible() and title.inner_text() == BOOK_TITLE
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight"), "not cut short"
    box, bar = title.bounding_box(), v.page.locator(".bd-header-article").bounding_box()
    assert bar["y"] + bar["height"] <= 160 and box["x"] + box["width"] <= width, "at the top, on the screen"
    title.click()
    v.page.wait_for_load_state("load")
    assert v.page.url.endswith("/book/intro.html")
    assert not v.problems, "\n".join(v.problems)
