"""Markup that assistive technology reads correctly: no axe-core violations of WCAG 2.1 A/AA on any page.

What the theme, docutils and myst-nb write is corrected here while the pages are written. Two theme components with
other markup are in book/_templates (used before the theme's own); the styles (dark-mode contrast, focus rings,
phone widths) are book/_static/accessibility.css, and accessibility.js lets the keyboard scroll a wide formula.

- Citations: docutils' HTML5 writer gives each entry of the bibliography the ARIA role `doc-biblioentry`, which
  DPUB-ARIA 1.1 deprecates (and a list holding deprecated items is reported as having children it does not allow).
  Each entry is a plain `listitem` of the citation list instead; nothing else of the markup changes.
- The sidebar's expand/collapse toggles: pydata-sphinx-theme writes a `<summary>` holding only a chevron icon, so a
  screen reader announces an unnamed button. Each is named after the page whose sub-pages it shows.
- Hidden code cells: myst-nb names their `<summary>` "Toggle hidden content" while it shows "Show code cell source";
  the name a speech-input user says must be the one they see (WCAG 2.5.3), so it is taken from what it shows.
- Tables whose top-left header cell is empty label their rows in the first column: that column is written as row
  headers (<th>), so every data cell has a header (WCAG 1.3.1).
"""

import functools
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

BOOK = Path(__file__).resolve().parent.parent  # book/


class AccessibleCitations:
    """Mixed into the HTML translator in use (the theme's, which extends Sphinx's HTML5 translator)."""

    def visit_citation(self, node):
        if not isinstance(node.previous_sibling(), nodes.citation):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def use_accessible_citations(app):
    if app.builder.format != "html":
        return
    base = app.registry.get_translator_class(app.builder)  # the theme's, set up on builder-inited before this
    translator = type("AccessibleCitationsTranslator", (AccessibleCitations, base), {})
    app.set_translator(app.builder.name, translator, override=True)


def name_toctree_toggles(app, pagename, templatename, context, doctree):
    generate = context.get("generate_toctree_html")  # pydata-sphinx-theme's sidebar, made for each page
    if generate is None:
        return

    @functools.wraps(generate)
    def generate_toctree_html(kind, *args, **kwargs):
        soup = generate(kind, *args, **kwargs)  # the theme caches it: the same soup may come back again
        if kind == "sidebar":
            for summary in soup.select("li.has-children > details > summary"):
                if summary.get_text(strip=True) or summary.get("aria-label"):
                    continue  # a part's caption names its toggle already
                link = summary.find_parent("li").find("a", recursive=False)
                title = link.get_text(" ", strip=True) if link else ""
                summary["aria-label"] = f"Pages in {title}" if title else "Pages in this section"
        return soup

    context["generate_toctree_html"] = generate_toctree_html


def visit_hidden_cell(self, node):
    """myst-nb's visit_HideCellInput without the aria-label: the name is the visible "Show/Hide code cell source"."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_cell(self, node):
    self.body.append("</details>\n")


class RowHeaders(SphinxPostTransform):
    """An empty top-left header cell means the first column labels the rows: make it the table's stub column."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs):
        for tgroup in self.document.findall(nodes.tgroup):
            colspecs = [child for child in tgroup.children if isinstance(child, nodes.colspec)]
            heads = [child for child in tgroup.children if isinstance(child, nodes.thead)]
            if not colspecs or not heads or not heads[0].children or not heads[0][0].children:
                continue
            corner = heads[0][0][0]  # thead > first row > first entry
            if not corner.astext().strip() and "morecols" not in corner:
                colspecs[0]["stub"] = 1


def add_templates_and_static_files(app, config):
    config.templates_path.insert(0, str(BOOK / "_templates"))  # before the themes' components (appended by them)
    if str(BOOK / "_static") not in map(str, config.html_static_path):
        config.html_static_path.append(str(BOOK / "_static"))
    app.add_css_file("accessibility.css")
    app.add_js_file("accessibility.js")


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode  # the node myst-nb writes for cells tagged hide-input

    app.setup_extension("myst_nb")  # its visitors are registered first, so these replace them
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
    app.add_post_transform(RowHeaders)
    app.connect("config-inited", add_templates_and_static_files)
    app.connect("builder-inited", use_accessible_citations, priority=900)  # after the theme sets up its translator
    app.connect("html-page-context", name_toctree_toggles, priority=900)  # after the theme adds its functions
    return {"parallel_read_safe": True, "parallel_write_safe": True}
