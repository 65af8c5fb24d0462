"""Does the book build with every chapter executed, no warning, and formulas and figures that work offline?"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO, build_book, chapters, toc_pages


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


# Run before a chapter: from then on dlbook.device() is the simulated accelerator (tests/simulated_accelerator.py).
ON_THE_ACCELERATOR = f"""import sys
sys.path.insert(0, {str(REPO / "tests")!r})
from simulated_accelerator import OnAccelerator, simulated_accelerator
simulation = simulated_accelerator()  # kept: a context manager left to the garbage collector would exit
simulation.__enter__()"""


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_runs_on_an_accelerator_without_device_mix_ups(chapter):
    """A chapter top to bottom with dlbook.device() an accelerator: every tensor a model meets must be put there, and
    nothing on it may go to NumPy before `.cpu()`; the numbers are the CPU's, so the chapter's checks hold."""
    nb = nbformat.read(REPO / f"{chapter}.ipynb", as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(ON_THE_ACCELERATOR), *nb.cells,
                nbformat.v4.new_code_cell("print(OnAccelerator.made)")]
    NotebookClient(nb, timeout=1800, resources={"metadata": {"path": str(REPO / "book")}}).execute()
    assert int(nb.cells[-1].outputs[0]["text"]) > 0, "nothing ran on the accelerator"


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
    src = re.search(r'<script[^>]*src="([^"?]*tex-chtml\.js)(\?[^"]*)?"', html)
    assert src and "://" not in src.group(1), "MathJax must load from the book, not a CDN"
    assert (book / "html" / "book" / src.group(1)).exists()
    fonts = book / "html" / "_static" / "_mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff"))
    assert r"\operatorname{sign}" in html  # formulas reach the page for MathJax to typeset


def test_live_code_is_served_from_the_book(book):
    """Each chapter has a Live code button; Thebe comes from the book (with its licence), never from a CDN."""
    html = book / "html"
    chapter = (html / "book" / "activations.html").read_text()
    assert "btn-live-code" in chapter and "_static/live-code.js" in chapter
    assert "unpkg.com" not in chapter and "sphinx-thebe.js" not in chapter  # it would load Thebe 0.8 from unpkg
    assert "btn-live-code" not in (html / "exercises" / "activations" / "activations.html").read_text()
    thebe = html / "_static" / "thebe"
    assert (thebe / "index.js").stat().st_size > 1_000_000
    assert "Redistribution and use in source and binary forms" in (thebe / "LICENSE").read_text()  # BSD-3-Clause


def test_bibliography_lists_the_original_papers(book):
    html = (book / "html" / "book" / "bibliography.html").read_text().lower()
    for title in ["the perceptron: a probabilistic model", "learning representations by back-propagating errors",
                  "mastering the game of go with deep neural networks"]:
        assert title in html


def citations() -> set[str]:
    """Every key cited with {cite:t}, {cite:p} or {cite} in the book's Markdown, notebooks and pages alike."""
    texts = [c.source for path in (REPO / "book").glob("*.ipynb") for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "markdown"] + [path.read_text() for path in (REPO / "book").glob("*.md")]
    return {key.strip() for text in texts for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)
            for key in keys.split(",")}


def test_every_bibliography_entry_is_cited_and_every_citation_has_one():
    """An entry nobody cites is silently left out of the bibliography page (as Widrow and Hoff once were)."""
    entries = set(re.findall(r"(?m)^@\w+\{([^,]+),", (REPO / "book" / "references.bib").read_text()))
    cited = citations()
    assert not entries - cited, f"never cited: {sorted(entries - cited)}"
    assert not cited - entries, f"cited but not in references.bib: {sorted(cited - entries)}"


TIMING = re.compile(r"\b(?:seconds|minutes?|hours?|ms)\b|\d\s+s\b")  # "second" alone is the ordinal


@pytest.mark.parametrize("chapter", chapters())
def test_prose_states_no_run_time(chapter):
    """How long a run takes depends on the machine: `make bench` measures it per machine, and numbers about a
    run reach the text from the run itself (dlbook.glue), so the prose cannot state a time of its own."""
    nb = nbformat.read(REPO / f"{chapter}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", "", cell.source, flags=re.S)  # not in math or code
            assert not TIMING.search(text), f"{cell.id}: {TIMING.search(text).group(0)!r}; glue the measured value"


# Folded figure code. MyST-NB folds a cell's code when the cell is tagged `hide-input`: the figure shows, and the
# reader opens the code with a click. Plotting code is folded, so that the code that is the lesson stands out, and
# what is folded is only drawing: a check, training or a number the text quotes stays in a visible cell.
DRAWING = {"plt", "fig", "ax", "axes"}  # the book's names for pyplot, figures and axes
MAX_VISIBLE_DRAWING = 4  # statements that draw which a visible cell may hold (a cell that only draws is folded)
FOLD = "hide-input"


def called(call: ast.Call) -> str:
    """The name a call calls: "plot" for axes[0].plot(...), "fit" for dlbook.fit(...)."""
    return getattr(call.func, "attr", getattr(call.func, "id", ""))


def root(node: ast.expr) -> str | None:
    """The name an expression starts from: "axes" for axes[0].xaxis.set_visible."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return getattr(node, "id", None)


def statements(body: list) -> list[ast.stmt]:
    """The simple statements of a cell, counting those inside loops, conditions and function bodies."""
    compound = (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.FunctionDef, ast.ClassDef)
    return [s for stmt in body for s in (
        statements([*stmt.body, *getattr(stmt, "orelse", []), *getattr(stmt, "finalbody", []),
                    *(s for handler in getattr(stmt, "handlers", []) for s in handler.body)])
        if isinstance(stmt, compound) else [stmt])]


def draws(statement: ast.stmt) -> bool:
    """A statement draws when it calls a method of pyplot, a figure or an axes, or a helper that draws (plot_...,
    draw..., or a call given ax=)."""
    return any(root(c.func) in DRAWING or called(c).startswith(("plot_", "draw")) or any(k.arg == "ax" for k in c.keywords)
               for c in ast.walk(statement) if isinstance(c, ast.Call))


def teaches(statement: ast.stmt) -> str | None:
    """What a statement does that folding would hide from the reader: a check, training, or a glued number."""
    calls = [called(c) for c in ast.walk(statement) if isinstance(c, ast.Call) and root(c.func) not in DRAWING]
    if isinstance(statement, ast.Assert) or any("assert" in name for name in calls):
        return "a check"
    if any(name in {"backward", "step", "zero_grad", "fit"} or name.startswith("train") for name in calls):
        return "training"
    if "glue" in calls:
        return "a number the text quotes (glue)"
    return None


def code_cells(chapter: str) -> list[tuple[nbformat.NotebookNode, ast.Module]]:
    """A chapter's code cells, each with its syntax tree (IPython magics such as %pip turned into Python)."""
    from IPython.core.inputtransformer2 import TransformerManager

    nb = nbformat.read(REPO / f"{chapter}.ipynb", as_version=4)
    return [(c, ast.parse(TransformerManager().transform_cell(c.source))) for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", chapters())
def test_plotting_code_is_folded_and_folded_code_only_draws(chapter):
    """A cell that only draws, or draws more than MAX_VISIBLE_DRAWING statements, is tagged hide-input; a folded cell
    is a figure's cell and holds no check, no training and no glued number. A cell that mixes the lesson with a long
    plot is split: the lesson stays visible, the drawing moves to a folded `<topic>-plot` cell with the figure."""
    for cell, tree in code_cells(chapter):
        body = statements(tree.body)
        drawing = [s for s in body if draws(s)]
        folded = FOLD in cell.metadata.get("tags", [])
        if len(drawing) > MAX_VISIBLE_DRAWING or (drawing and len(drawing) == len(body)):
            assert folded, (f"{cell.id}: {len(drawing)} of its {len(body)} statements draw; tag it {FOLD} (and move "
                            "any check, training or glue into a visible cell of its own first)")
        if folded:
            assert "figure" in cell.metadata.get("mystnb", {}), f"{cell.id} is folded but shows no named figure"
            hidden = [(s.lineno, teaches(s)) for s in body if teaches(s)]
            assert not hidden, f"{cell.id} is folded but holds {hidden[0][1]} (line {hidden[0][0]}): split it off"


def bound(tree: ast.AST) -> set[str]:
    """The names a cell binds anywhere: assignments, loop variables, functions, classes, parameters, imports."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


@pytest.mark.parametrize("chapter", chapters())
def test_visible_code_needs_nothing_defined_in_folded_code(chapter):
    """A reader who leaves the plots folded must find every name the visible code reads in visible code: a name a
    visible cell reads (and does not bind itself) was last bound in a visible cell, not in a folded one."""
    last = {}  # name -> (id of the cell that bound it last, whether that cell is folded)
    for cell, tree in code_cells(chapter):
        names = bound(tree)
        if FOLD not in cell.metadata.get("tags", []):
            read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            hidden = sorted(f"{name} (from {last[name][0]})" for name in read - names if last.get(name, ("", False))[1])
            assert not hidden, f"{cell.id} reads what only folded code defines: {', '.join(hidden)}"
        last |= {name: (cell.id, FOLD in cell.metadata.get("tags", [])) for name in names}


def tiny_book(tmp_path: Path, cells: list) -> Path:
    """A one-page book with the repository's configuration and extensions."""
    source = tmp_path / "src"
    source.mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", source)
    shutil.copytree(REPO / "book" / "_ext", source / "book" / "_ext")
    shutil.copytree(REPO / "book" / "_static", source / "book" / "_static")  # the extensions' files (live code)
    shutil.copytree(REPO / "book" / "_templates", source / "book" / "_templates")  # theme components (the title)
    shutil.copy(REPO / "book" / "favicon.svg", source / "book")
    (source / "book" / "references.bib").write_text("")
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, source / "book" / "page.ipynb")
    return source


def test_a_failing_cell_fails_the_build(tmp_path):
    """The build must not publish a chapter whose code is broken."""
    source = tiny_book(tmp_path, [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell("1 / 0")])
    result = build_book(source, tmp_path / "out")
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_a_warning_fails_even_a_plain_build(tmp_path):
    """`jupyter-book build .` without -W must fail on a broken cross-reference, and say where it is."""
    source = tiny_book(tmp_path, [nbformat.v4.new_markdown_cell("# Page\n\nSee {doc}`no-such-chapter`.")])
    result = build_book(source, tmp_path / "out", "--all")
    assert result.returncode != 0
    assert "no-such-chapter" in result.stdout + result.stderr
    fixed = tiny_book(tmp_path / "fixed", [nbformat.v4.new_markdown_cell("# Page\n\nNo reference.")])
    assert build_book(fixed, tmp_path / "fixed-out", "--all").returncode == 0


def test_every_page_of_the_table_of_contents_is_built(book):
    for page in toc_pages():
        assert (book / "html" / f"{page}.html").exists(), page


def solution_lines() -> set[str]:
    """Lines of the instructors' solutions and hidden tests that no student version has."""
    def cells(folder):
        return [c for nb in sorted((REPO / folder).glob("*/*.ipynb")) for c in nbformat.read(nb, as_version=4).cells]
    student = "\n".join(c.source for c in cells("exercises"))
    lines = set()
    for cell in cells("solutions"):
        for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)(.*?)### END", cell.source, flags=re.S):
            lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 30}
    return {line for line in lines if line not in student}


def test_student_versions_are_in_the_book_unexecuted_and_solutions_never_are(book):
    from bs4 import BeautifulSoup

    html = book / "html"
    assert not (html / "solutions").exists() and not (html / "_sources" / "solutions").exists()
    secret = solution_lines()
    assert len(secret) > 50  # the check below has something to find
    for assignment in sorted((REPO / "exercises").iterdir()):
        for nb in assignment.glob("*.ipynb"):
            page = (html / "exercises" / assignment.name / f"{nb.stem}.html").read_text()
            assert 'class="cell_output' not in page, f"{assignment.name} was executed"
            assert "raise NotImplementedError()" in BeautifulSoup(page, "html.parser").get_text()
    for path in html.rglob("*"):
        if path.suffix in {".html", ".js", ".ipynb", ".txt"} and "_static" not in path.parts:
            text = path.read_text(errors="replace")
            if path.suffix == ".html":
                text = BeautifulSoup(text, "html.parser").get_text()
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
            if "exercises" in path.parts or path.name == "searchindex.js":  # chapters may teach the same code
                leaked = [line for line in secret if line in text]
                assert not leaked, f"{path.relative_to(html)} shows solution code: {leaked[:3]}"


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_has_a_download_button_for_its_notebook(book, chapter):
    html = (book / "html" / f"{chapter}.html").read_text()
    name = Path(chapter).name
    assert re.search(rf'href="[./]*_sources/book/{name}\.ipynb"', html), "no .ipynb download button"
    downloaded = nbformat.read(book / "html" / "_sources" / f"{chapter}.ipynb", as_version=4)
    assert [c.source for c in downloaded.cells] == [c.source for c in nbformat.read(REPO / f"{chapter}.ipynb", 4).cells]


def test_glossary_defines_terms_that_link_to_chapters(book):
    html = (book / "html" / "book" / "glossary.html").read_text()
    terms = re.findall(r'<dt id="term-([^"]+)"', html)
    assert len(terms) >= 20, terms
    assert "term-Backpropagation" in html and 'href="backprop.html"' in html
    for chapter in chapters():  # and the chapters link their terms to it
        assert 'glossary.html#term-' in (book / "html" / f"{chapter}.html").read_text(), chapter
