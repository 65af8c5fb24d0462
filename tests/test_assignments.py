"""Are the student versions in exercises/ exactly what nbgrader generates, with nothing given away?"""

import json
import re

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


POINTS = re.compile(r"^#+ .*\((\d+(?:\.\d+)?) points?", re.M)
TOTALS = re.compile(r"\*\*How it is graded\.\*\* (\d+) points: (\d+) for code, checked automatically, and (\d+) for")


def graded_cells(nb):
    """(grade id, points, autograded?) of every graded cell, in order."""
    return [(c.id, c.metadata.nbgrader.get("points", 0), c.cell_type == "code") for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stated_points_equal_the_graded_cells(assignment):
    """The points the instructions promise (the total, code and written, each section's heading) are the points
    nbgrader gives: a section's heading counts the graded cells up to the next heading with points."""
    for name in notebooks(REPO / "solutions" / assignment):
        nb = nbformat.read(REPO / "solutions" / assignment / name, as_version=4)
        total, code, written = map(int, TOTALS.search(nb.cells[0].source).groups())
        cells = graded_cells(nb)
        assert total == sum(p for _, p, _ in cells) and code == sum(p for _, p, auto in cells if auto)
        assert written == sum(p for _, p, auto in cells if not auto)
        sections, stated = [], []
        for cell in nb.cells:
            heading = POINTS.search(cell.source) if cell.cell_type == "markdown" else None
            if heading:
                sections.append(0.0)
                stated.append((float(heading.group(1)), heading.group(0)))
            elif cell.metadata.get("nbgrader", {}).get("grade") and sections:
                sections[-1] += cell.metadata.nbgrader.get("points", 0)
        assert sections, f"{name} states no points per section"
        for counted, (promised, heading) in zip(sections, stated):
            assert counted == promised, f"{name}: {heading!r} but its cells give {counted:g} points"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_answers_have_a_rubric_that_students_do_not_see(assignment):
    for name in notebooks(REPO / "solutions" / assignment):
        nb = nbformat.read(REPO / "solutions" / assignment / name, as_version=4)
        answers = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
        assert answers, f"{name} has no written answer"
        for cell in answers:
            assert "**Rubric (" in cell.source, f"{cell.id}: add an instructor rubric below the model answer"
        released = (REPO / "exercises" / assignment / name).read_text()
        assert "Rubric (" not in released, f"exercises/{assignment}/{name} shows the rubric to students"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_tests_say_how_many_of_the_functions_points_they_check(assignment):
    """Each visible test cell ends by saying how many of its function's points it checks; the numbers are the
    cells' own (the cell's points, and those of all the function's test cells together)."""
    from dlbook.results import function_of

    for name in notebooks(REPO / "solutions" / assignment):
        nb = nbformat.read(REPO / "solutions" / assignment / name, as_version=4)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                 and not c.metadata.nbgrader.get("solution")]
        total: dict[str, float] = {}
        for cell in tests:
            total[function_of(cell.id)] = total.get(function_of(cell.id), 0) + cell.metadata.nbgrader["points"]
        for cell in (c for c in tests if "hidden" not in c.id):
            said = re.search(r'visible_tests_passed\("(\w+)", ([\d.]+), ([\d.]+)\)\s*$', cell.source)
            assert said, f"{cell.id} does not end with dlbook.checks.visible_tests_passed(...)"
            function = function_of(cell.id)
            assert (said[1], float(said[2]), float(said[3])) == (function, cell.metadata.nbgrader["points"],
                                                                 total[function]), cell.id
