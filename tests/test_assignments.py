"""Are the student versions in exercises/ exactly what nbgrader generates, with nothing given away?"""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ALL_ASSIGNMENTS, ASSIGNMENTS, REPO


def notebooks(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_every_assignment_has_a_student_version():
    assert ALL_ASSIGNMENTS, "solutions/ holds no assignment"
    released = sorted(p.name for p in (REPO / "exercises").iterdir() if p.is_dir())
    assert released == ALL_ASSIGNMENTS, "run `make release` to regenerate exercises/ from solutions/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_equal_what_nbgrader_generates(course, assignment):
    committed, generated = REPO / "exercises" / assignment, course / "exercises" / assignment
    assert notebooks(committed) == notebooks(generated)
    for name in notebooks(generated):
        ours = json.loads((committed / name).read_text())
        theirs = json.loads((generated / name).read_text())
        assert ours == theirs, f"exercises/{assignment}/{name} differs from nbgrader's output: run `make release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_hold_no_solution_and_no_hidden_test(assignment):
    for name in notebooks(REPO / "exercises" / assignment):
        text = (REPO / "exercises" / assignment / name).read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{name} contains {marker}"
        solution_sources = [c.source for c in nbformat.reads(text, as_version=4).cells
                            if c.metadata.get("nbgrader", {}).get("solution")]
        assert solution_sources, f"{name} has no cell for the student to fill in"
        for source in solution_sources:
            assert "YOUR CODE HERE" in source or "YOUR ANSWER HERE" in source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_cells_have_meaningful_unique_ids(assignment):
    for name in notebooks(REPO / "solutions" / assignment):
        nb = nbformat.read(REPO / "solutions" / assignment / name, as_version=4)
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids), "cell ids must be unique"
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                assert cell.id == grade_id, f"cell {cell.id!r} has grade_id {grade_id!r}: keep them equal"
            # random ids (nbformat's default) are 8+ hex characters; ours name their content
            assert not (len(cell.id) >= 8 and all(ch in "0123456789abcdef-" for ch in cell.id)), cell.id


def has_code(source):
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_student_version_fails_exactly_in_its_tests(assignment):
    """Run the student version as handed out: only test cells may fail, each with NotImplementedError."""
    folder = REPO / "exercises" / assignment
    for name in notebooks(folder):
        nb = nbformat.read(folder / name, as_version=4)
        NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
        errors = {c.id: o.ename for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"}
        tests = [c.id for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
                 and has_code(c.source)]
        assert tests, f"{name} has no visible test"
        assert errors == {test: "NotImplementedError" for test in tests}
