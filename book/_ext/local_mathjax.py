"""Serve MathJax from the book itself, so formulas render offline (from a folder or a local server).

MathJax 3 comes from the pinned `django-static-mathjax` package; nothing is fetched from a CDN.
"""

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
TARGET = "_mathjax"  # Sphinx resolves mathjax_path under the output's _static/ folder
# tex-chtml.js is the entry point; it loads fonts, TeX extensions and the menu from these folders on demand.
PARTS = ["tex-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre"]


def use_local_mathjax(app, config):
    config.mathjax_path = f"{TARGET}/tex-chtml.js"


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    for part in PARTS:
        source = SOURCE / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def setup(app):
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
