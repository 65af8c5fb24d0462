"""dlbook.install: every chapter and assignment starts with the cell that installs the companion package
outside the repository, with the repository's address from _config.yml, and a downloaded assignment runs in a
fresh environment that has only the pinned requirements, doing nothing but what the notebook says."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import REPO
from dlbook import install
from dlbook.grading import grade_id, solution_answers

NOTEBOOKS = sorted(p for folder in ("book", "solutions", "exercises") for p in (REPO / folder).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_the_first_code_cell_installs_the_package_from_the_configured_repository(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    url, branch = install.repository()
    assert first.id == install.CELL_ID and first.source == install.cell_source(url, branch), \
        "run `make release`: it writes the install cell as _config.yml configures it"
    if path.parts[-3] in ("solutions", "exercises"):
        assert first.metadata.nbgrader["locked"] and not first.metadata.nbgrader["grade"]


def test_the_address_is_configured_once_and_shown_to_readers():
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert url.startswith("https://") and config["parse"]["myst_substitutions"]["repository"] == url
    assert "{{ repository }}" in (REPO / "book" / "intro.md").read_text()
    assert "{{ repository }}" in (REPO / "book" / "assignments.md").read_text()
    for path in [*NOTEBOOKS, REPO / "book" / "intro.md", REPO / "book" / "assignments.md", REPO / "README.md"]:
        text = path.read_text()
        assert "<this repository>" not in text


def package_repository(folder: Path) -> Path:
    """A git repository holding this working tree's package (committed or not), on branch `main`."""
    folder.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "dlbook"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, folder / name)
    for cache in folder.rglob("__pycache__"):
        shutil.rmtree(cache)
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "package"], check=True)
    return folder


def test_a_downloaded_assignment_runs_in_a_fresh_environment_doing_only_what_it_says(tmp_path):
    """A student downloads rnn.ipynb from the web book into an empty folder and runs it with a Python that has
    the pinned requirements but not dlbook: the install cell installs it (from the configured address, which
    git here resolves to a copy of this working tree: there is no network), and every visible test passes."""
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(REPO / "requirements.txt")],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    python = str(venv / "bin" / "python")
    assert subprocess.run([python, "-c", "import dlbook"], cwd=tmp_path, capture_output=True).returncode != 0

    download = tmp_path / "Downloads"
    download.mkdir()
    nb = nbformat.read(REPO / "exercises" / "rnn" / "rnn.ipynb", as_version=4)
    answers = solution_answers(REPO / "solutions" / "rnn")
    for cell in nb.cells:
        cell.source = answers.get(grade_id(cell), cell.source)
    nbformat.write(nb, download / "rnn.ipynb")

    url, _ = install.repository()
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{package_repository(tmp_path / "origin").as_uri()}"]\n\tinsteadOf = {url}\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", HOME=str(tmp_path), GIT_CONFIG_GLOBAL=str(gitconfig),
               JUPYTER_PATH="", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    run = subprocess.run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                          "--output", "executed.ipynb", "rnn.ipynb"], cwd=download, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    executed = nbformat.read(download / "executed.ipynb", as_version=4)
    errors = [(c.id, o.get("evalue")) for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    said = "\n".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert said.count("Visible tests passed") == 4
    where = subprocess.run([python, "-c", "import dlbook; print(dlbook.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), where
