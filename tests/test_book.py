"""Does the book build with every chapter executed, no warning, and formulas and figures that work offline?"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import REPO, run_env


def build(source: Path, output: Path) -> subprocess.CompletedProcess:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(output),
                           "--warningiserror", "--keep-going"], env=run_env(), capture_output=True, text=True)


def chapters() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f for f in files if (REPO / f"{f}.ipynb").exists()]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("book")
    result = build(REPO, output)
    assert result.returncode == 0, f"the book build failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    assert "WARNING:" not in result.stdout + result.stderr  # Sphinx's warnings (-W also fails on them)
    return output / "_build"


def test_front_page_and_every_chapter_are_built(book):
    assert (book / "html" / "index.html").exists()
    assert chapters(), "_toc.yml lists no notebook chapter"
    for chapter in chapters():
        assert (book / "html" / f"{chapter}.html").exists(), chapter


@pytest.mark.parametrize("chapter", chapters())
def test_every_code_cell_ran_without_error(book, chapter):
    nb = nbformat.read(book / "jupyter_execute" / f"{chapter}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "some code cells were not executed"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_has_captioned_figures_and_citations(book, chapter):
    html = (book / "html" / f"{chapter}.html").read_text()
    figures = re.findall(r"<figure.*?</figure>", html, flags=re.S)
    assert len(figures) >= 4, f"{chapter} has {len(figures)} figures; chapters need at least four"
    for figure in figures:
        assert "<figcaption" in figure, "every figure needs a caption"
        image = re.search(r"<img[^>]*>", figure)
        assert image and re.search(r'alt="[^"]{20,}"', image.group(0)), "every figure needs an image with alt text"
        src = re.search(r'src="([^"]+)"', image.group(0)).group(1)
        assert (book / "html" / Path(chapter).parent / src).exists()
    assert 'href="bibliography.html#' in html, "chapters cite their sources in the bibliography"


def test_mathjax_is_served_from_the_book(book):
    html = (book / "html" / "book" / "history.html").read_text()
    src = re.search(r'<script[^>]*src="([^"]*tex-chtml\.js)"', html)
    assert src and "://" not in src.group(1), "MathJax must load from the book, not a CDN"
    assert (book / "html" / "book" / src.group(1)).exists()
    fonts = book / "html" / "_static" / "_mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff"))
    assert r"\operatorname{sign}" in html  # formulas reach the page for MathJax to typeset


def test_bibliography_lists_the_original_papers(book):
    html = (book / "html" / "book" / "bibliography.html").read_text().lower()
    for title in ["the perceptron: a probabilistic model", "learning representations by back-propagating errors",
                  "mastering the game of go with deep neural networks"]:
        assert title in html


def test_a_failing_cell_fails_the_build(tmp_path):
    """The build must not publish a chapter whose code is broken."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(REPO / "_config.yml", source)
    shutil.copytree(REPO / "book" / "_ext", source / "book" / "_ext")
    (source / "book" / "references.bib").write_text("")
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Broken"),
                                         nbformat.v4.new_code_cell("1 / 0")])
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, source / "book" / "broken.ipynb")
    result = build(source, tmp_path / "out")
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr
