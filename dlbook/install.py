"""The first code cell of every chapter and assignment: a notebook downloaded from the web book, or opened in
Colab or a bare Jupyter, installs the companion package (from the book's repository, whose address lives in
_config.yml) and then runs as it does in the repository, where the package is installed already."""

from pathlib import Path

import nbformat

CELL_ID = "install-dlbook"
CONFIG = Path(__file__).resolve().parents[1] / "_config.yml"


def repository(config: Path = CONFIG) -> tuple[str, str]:
    """The book's repository address and branch, as _config.yml gives them."""
    import yaml

    found = yaml.safe_load(config.read_text())["repository"]
    return found["url"], found.get("branch", "main")


def cell_source(url: str, branch: str) -> str:
    """What the install cell says and does."""
    return (
        "# Outside the book's repository (a download, Colab, a bare Jupyter) this installs the companion package,\n"
        f"# dlbook, from {url} (about a minute); in the repository it is installed already.\n"
        "try:\n"
        "    import dlbook\n"
        "except ModuleNotFoundError:\n"
        f'    %pip install --quiet "dlbook[book] @ git+{url}@{branch}"\n'
        "    import dlbook"
    )


def install_cell(url: str, branch: str, assignment: bool) -> nbformat.NotebookNode:
    """The cell itself; in an assignment, locked like the other cells students must not change."""
    cell = nbformat.v4.new_code_cell(cell_source(url, branch))
    cell.id = CELL_ID
    if assignment:
        cell.metadata.update(deletable=False, editable=False, nbgrader={
            "grade": False, "grade_id": CELL_ID, "locked": True, "schema_version": 3, "solution": False,
            "task": False})
    return cell


def refresh(path: Path, url: str, branch: str, assignment: bool) -> bool:
    """Put the install cell, as configured, before the first code cell of the notebook at `path` (replacing an
    older one); return whether the file changed."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.get("id") != CELL_ID]
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    cells.insert(first_code, install_cell(url, branch, assignment))
    if cells == nb.cells:
        return False
    nb.cells = cells
    nbformat.write(nb, path)
    return True
