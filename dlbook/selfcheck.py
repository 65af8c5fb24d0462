"""The student's check, `dlbook check NOTEBOOK`: the notebook run top to bottom in a fresh kernel in its own
folder, with the limits grading uses, and one line per test (status, function, points, the whole message).
With `hidden=True` a self-learner's notebook is graded as an instructor would, hidden tests included, in a
trial copy of the course (nothing reaches the course's gradebook)."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum

from dlbook import grading, limits, results
from dlbook.course import Course


def run(path: Path, limit: limits.Limits = limits.DEFAULT) -> nbformat.NotebookNode:
    """`path` executed top to bottom in a fresh kernel whose working folder is the notebook's, as in grading."""
    nb = nbformat.read(path, as_version=4)
    execute = grading.SafeExecute(cell_timeout=limit.cell_seconds, notebook_timeout=limit.notebook_seconds,
                                  max_output_chars=limit.output_chars, kernel_name="python3",
                                  resources={"metadata": {"path": str(path.parent)}})
    with quiet_kernel():
        execute.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    return nb


@contextlib.contextmanager
def quiet_kernel():
    """The kernel inherits stderr when it starts: keep its start-up warnings off the student's screen."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def changed_tests(nb: nbformat.NotebookNode) -> list[str]:
    """Test and locked cells whose text no longer matches the checksum they were handed out with."""
    changed = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked") and meta.get("checksum") and compute_checksum(cell) != meta["checksum"]:
            changed.append(meta.get("grade_id", "?"))
    return changed


def report(nb: nbformat.NotebookNode, found: list[results.Result], hidden: bool) -> tuple[list[str], bool]:
    """The lines `dlbook check` prints, and whether everything it checked passed."""
    lines, ok = [], True
    for cell in nb.cells:  # an error outside the test cells (a syntax error in an answer) comes first
        gid = grading.grade_id(cell)
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade") and results.message(cell) != results.PASSED:
            if results.message(cell).startswith("NotImplementedError"):
                continue  # not answered yet: its tests say so
            lines.append(f"ERROR  in cell {gid or '(no id)'}: {indent(results.message(cell))}")
            ok = False
    totals = {}
    for result in found:
        totals[result.function] = totals.get(result.function, 0) + result.points
    for result in found:
        if result.kind == "written" or (result.kind == "hidden" and not hidden):
            continue
        points = f"{result.points:g} point{'s' if result.points != 1 else ''}"
        if result.passed:
            share = (f" ({result.points:g} of {result.function}'s {totals[result.function]:g} points checked here)"
                     if result.kind == "visible" and not hidden and totals[result.function] > result.points else "")
            lines.append(f"PASS   {result.function} [{result.kind}, {points}]{share}")
        else:
            ok = False
            said = ("not answered yet: write your code where it says YOUR CODE HERE and delete the raise line"
                    if result.message.startswith("NotImplementedError") else indent(result.message))
            lines.append(f"FAIL   {result.function} [{result.kind}, {points}]: {said}")
    return lines, ok


def indent(text: str) -> str:
    return text.strip().replace("\n", "\n       ")


def footer(found: list[results.Result], hidden: bool) -> str:
    """What the check did not look at."""
    later = []
    if not hidden:
        hidden_points = sum(r.points for r in found if r.kind == "hidden")
        if hidden_points:
            later.append(f"hidden tests ({hidden_points:g} points)")
    written = sum(r.points for r in found if r.kind == "written")
    if written:
        later.append(f"written answers ({written:g} points, read by a person)")
    checked = sum(r.points for r in found if r.kind == "visible" or (hidden and r.kind == "hidden"))
    passed = sum(r.points for r in found if r.passed and (r.kind == "visible" or (hidden and r.kind == "hidden")))
    text = f"{passed:g} of {checked:g} points checked here passed."
    return text + (f" Not checked here: {' and '.join(later)}." if later else "")


def check(path: Path, limit: limits.Limits = limits.DEFAULT) -> tuple[list[str], bool]:
    """Run the student's notebook with its visible tests; the lines to print, and whether all passed."""
    nb = run(path, limit)
    found = results.results(nb)
    lines, ok = report(nb, found, hidden=False)
    for gid in changed_tests(nbformat.read(path, as_version=4)):
        lines.insert(0, f"NOTE   test cell {gid} was changed: grading puts the original back, so this check may "
                        "not agree with your grade. Restore it from a fresh copy of the assignment.")
    return [*lines, footer(found, hidden=False)], ok


def assignment_of(course: Course, notebook: Path) -> str:
    """The assignment a notebook belongs to, by its file name (rnn.ipynb -> rnn)."""
    for assignment in course.assignments():
        if (course.folder("source", assignment) / notebook.name).exists():
            return assignment
    raise LookupError(f"{notebook.name} is none of this course's notebooks (the assignments are "
                      f"{', '.join(course.assignments())}); rename it as it was handed out")


def check_hidden(course: Course, path: Path, limit: limits.Limits = limits.DEFAULT) -> tuple[list[str], bool]:
    """Grade one notebook with the hidden tests, as `dlbook grade` would, in a trial copy of the course."""
    from dlbook import autograde

    assignment = assignment_of(course, path)
    with tempfile.TemporaryDirectory(prefix="dlbook-check-") as work:
        work = Path(work)
        trial = course.trial(work / "course", assignment)
        (work / "in" / "me").mkdir(parents=True)
        for file in [path, *(p for p in path.parent.iterdir() if p.is_file() and p.suffix != ".ipynb")]:
            shutil.copy(file, work / "in" / "me" / file.name)  # the notebook and the data files beside it
        autograde.grade(trial, assignment, work / "in", work / "out", work / "scratch", 1, limit)
        nb = nbformat.read(trial.folder("autograded", assignment, "me") / path.name, as_version=4)
    found = results.results(nb)
    lines, ok = report(nb, found, hidden=True)
    return [*lines, footer(found, hidden=True)], ok
