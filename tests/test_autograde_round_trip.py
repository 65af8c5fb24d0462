"""Does nbgrader grade the assignments as intended: full marks for the solution, none for a blank
notebook, and partial marks, with useful messages, for typical wrong answers?"""

import csv
import shutil
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbgrader.api import Gradebook

import answers
from conftest import ALL_ASSIGNMENTS, ASSIGNMENTS, REPO, nbgrader
from dlbook.grading import solution_answers

WRONG = {a: answers.load(a).WRONG for a in ALL_ASSIGNMENTS}
CORRECT = {a: answers.load(a).CORRECT for a in ALL_ASSIGNMENTS}

def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def student_version(assignment):
    folder = REPO / "exercises" / assignment
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}


def submit(course, assignment, student, answers):
    for name, nb in student_version(assignment).items():
        nb = nbformat.from_dict(nb)  # a copy
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") in answers:
                cell.source = answers[nbgrader_meta(cell)["grade_id"]].strip("\n")
        target = course / "submitted" / student / assignment / name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def autograded_cells(assignment):
    """grade_id -> points of every autograded test cell (code cells with grade=true)."""
    return {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"]
            for nb in student_version(assignment).values() for c in nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("grade")}


def autograde(root, assignment):
    """Submit the solution, the blank version and every typical answer of `assignment` in the course `root`
    (its own copy, with its own gradebook), autograde them and export the grades."""
    right = solution_answers(REPO / "solutions" / assignment)
    submit(root, assignment, "solution", right)
    submit(root, assignment, "blank", {})
    for answer in WRONG[assignment] + CORRECT[assignment]:
        submit(root, assignment, answer.student, right | answer.cells)
    nbgrader(root, "autograde", assignment, threads=1)
    nbgrader(root, "export", "--to", "grades.csv")
    with open(root / "grades.csv", newline="") as f:
        return {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f) if r["assignment"] == assignment}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Every assignment autograded in a course of its own, two at a time (one per core, one thread per kernel,
    as `dlbook grade --jobs 2` runs them): assignment -> course folder, and the exported rows."""
    roots = {a: tmp_path_factory.mktemp(f"grading-{a}") / "course" for a in ASSIGNMENTS}
    for root in roots.values():
        shutil.copytree(course, root)
    rows = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(lambda a: autograde(roots[a], a), ASSIGNMENTS):
            rows.update(found)
    return roots, rows


def cell_scores(roots, assignment, student):
    with Gradebook(f"sqlite:///{roots[assignment] / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        return {grade.name: grade.score for nb in submission.notebooks for grade in nb.grades}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_every_autograded_point(graded, assignment):
    root, rows = graded
    scores = cell_scores(root, assignment, "solution")
    for cell, points in autograded_cells(assignment).items():
        assert scores[cell] == points, f"the solution lost points in {cell}"
    row = rows[(assignment, "solution")]
    assert float(row["score"]) == sum(autograded_cells(assignment).values())  # written answers await a person
    all_points = sum(nbgrader_meta(c).get("points", 0) for nb in student_version(assignment).values() for c in nb.cells)
    assert float(row["max_score"]) == all_points


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_student_version_scores_zero(graded, assignment):
    root, rows = graded
    scores = cell_scores(root, assignment, "blank")
    assert all(scores[cell] == 0 for cell in autograded_cells(assignment))
    assert float(rows[(assignment, "blank")]["score"]) == 0


@pytest.mark.parametrize("assignment, wrong", [(a, w) for a in ASSIGNMENTS for w in WRONG.get(a, [])],
                         ids=lambda x: getattr(x, "student", x))
def test_wrong_answers_get_partial_marks_and_useful_messages(graded, assignment, wrong):
    root, rows = graded
    scores = cell_scores(root, assignment, wrong.student)
    for cell, points in wrong.points.items():
        assert scores[cell] == points, f"{wrong.student}: {cell} scored {scores[cell]}, expected {points}"
    total = float(rows[(assignment, wrong.student)]["score"])
    assert total == sum(wrong.points.values())
    assert 0 <= total < sum(autograded_cells(assignment).values())
    for path in (root[assignment] / "autograded" / wrong.student / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            expected = wrong.messages.get(nbgrader_meta(cell).get("grade_id"))
            if expected:
                shown = "\n".join(o.get("evalue", "") + o.get("text", "") for o in cell.outputs)
                assert expected in shown, f"{wrong.student}: {cell.id} does not say {expected!r}:\n{shown}"


@pytest.mark.parametrize("assignment, answer", [(a, c) for a in ASSIGNMENTS for c in CORRECT.get(a, [])],
                         ids=lambda x: getattr(x, "student", x))
def test_correct_answers_written_differently_get_every_point(graded, assignment, answer):
    root, rows = graded
    scores = cell_scores(root, assignment, answer.student)
    for cell, points in autograded_cells(assignment).items():
        assert scores[cell] == points, f"{answer.student}: {cell} scored {scores[cell]} of {points}"


def test_every_assignment_has_wrong_and_alternative_answers():
    assert set(WRONG) == set(ALL_ASSIGNMENTS) == set(CORRECT), "add answers for each assignment to tests/answers/"
    assert all(len(WRONG[a]) >= 4 for a in ALL_ASSIGNMENTS), "at least four typical mistakes per assignment"


@pytest.mark.parametrize("assignment", ALL_ASSIGNMENTS)
def test_every_graded_cell_is_failed_by_a_typical_wrong_answer(assignment):
    """Not only the blank notebook: each test cell earns its points by catching some real mistake, and each
    hidden cell catches one that the visible cell of the same function lets through."""
    cells = autograded_cells(assignment)
    for cell, points in cells.items():
        failing = [w for w in WRONG[assignment] if w.points[cell] < points]
        assert failing, f"{assignment}: no typical wrong answer fails {cell}"
        visible = cell.replace("-hidden-tests", "-tests")
        if cell.endswith("-hidden-tests") and visible in cells:
            assert any(w.points[visible] == cells[visible] for w in failing), \
                f"{assignment}: every wrong answer that fails {cell} also fails {visible}"
