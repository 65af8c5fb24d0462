"""A "Live code" button on every chapter: the reader runs and edits its code cells in the page, on a Jupyter server
on their own machine (`make serve`, dlbook/live.py). Thebe runs the cells; it is vendored in book/_static/thebe/
(`make thebe`), and live-code.js loads it from the book when the button is clicked: never from a CDN.

sphinx-thebe (always loaded by Jupyter Book) would load Thebe 0.8 from unpkg.com and start Binder: its scripts are
left out of every page.
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "_static"  # book/_static: live-code.js/.css, thebe/


def add_static_files(app, config):
    config.html_static_path.append(str(STATIC))
    app.add_js_file("live-code.js")
    app.add_css_file("live-code.css")


def add_button(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files", [])
    context["script_files"] = [s for s in scripts if not is_sphinx_thebe(s)]
    source = Path(app.env.doc2path(pagename, base=False)) if pagename in app.env.all_docs else None
    if source is None or source.suffix != ".ipynb" or source.parts[0] == "exercises":
        return  # chapters only: students do the assignments (exercises/) in JupyterLab, where their work is saved
    context.setdefault("header_buttons", []).insert(0, {
        "type": "javascript",
        "javascript": f"dlbookLiveCode('{source.as_posix()}')",
        "text": "Live code",
        "tooltip": "Run and edit this page's code here, on your computer (start it with: make serve)",
        "icon": "fas fa-play",
        "label": "live-code",
    })


def is_sphinx_thebe(script) -> bool:
    return Path(script.filename or "").name == "sphinx-thebe.js" or "THEBE_JS_URL" in script.attributes.get("body", "")


def setup(app):
    app.connect("config-inited", add_static_files)
    app.connect("html-page-context", add_button, priority=502)  # after the theme's own buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
