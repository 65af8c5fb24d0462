"""Saving grades: executed notebooks go into the course's gradebook through nbgrader's own autograde pipeline
(less executing), by one process only; then feedback, and grades.csv with lateness as nbgrader computes it."""

import contextlib
import csv
import logging
import shutil
import warnings
from pathlib import Path

import nbformat

from dlbook import grading
from dlbook.course import Course
from dlbook.submissions import TIMESTAMP, Submission

EXECUTED = "executed"  # the course folder where executed notebooks wait to be imported, like nbgrader's own
log = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet():
    """nbgrader's warnings (SQLAlchemy's among them) go to the log, not to the instructor's screen."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        log.debug("%s: %s", warning.category.__name__, warning.message)


class Importer:
    """The course's gradebook, into which executed submissions of one assignment are saved."""

    def __init__(self, course: Course, assignment: str):
        self.course, self.assignment = course, assignment
        self.api = course.api()
        with quiet():
            result = self.api.generate_assignment(assignment, force=True)  # registers it; keeps its due date
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")
        self.names = sorted(course.released(assignment))
        self.importer = course.api(**import_pass(self.api.config))

    def save(self, submission: Submission, staged: Path, executed: Path | None, log_file: Path) -> None:
        """Save the grades of `executed` notebooks (or, where there are none, of the staged ones marked as not
        run), keep what the student sent in the course's submitted/, and make the feedback page."""
        student, assignment = submission.student, self.assignment
        shutil.copytree(staged, self.course.folder("submitted", assignment, student), dirs_exist_ok=True)
        target = Path(self.course.coursedir.format_path(EXECUTED, student, assignment))
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if (staged / TIMESTAMP).exists():
            shutil.copy(staged / TIMESTAMP, target / TIMESTAMP)  # nbgrader reads lateness from it
        for name in self.names:
            if executed and (executed / name).exists():
                nb = nbformat.read(executed / name, as_version=4)
            else:
                nb = not_run(nbformat.read(staged / name, as_version=4), f"nbgrader could not run {name} "
                             f"(see logs/{student}.log)")
            submission.problems.extend(p for p in grading.problems_in(nb) if p not in submission.problems)
            nbformat.write(nb, target / name)
        with quiet():
            result = self.importer.autograde(assignment, student, force=True, create=True)
            if not result["success"]:
                submission.problems.append("nbgrader could not save this grade (see logs)")
                with open(log_file, "a") as f:
                    f.write(result.get("error") or result.get("log") or "")
            self.api.generate_feedback(assignment, student, force=True)

    def export(self, submissions: list[Submission], out: Path) -> list[dict]:
        """One row per student in OUT/grades.csv: score (after any late penalty), maximum, when it was
        submitted and how late, each graded cell's points, and the problems; feedback pages in OUT/feedback."""
        from nbgrader.api import Gradebook, MissingEntry

        rows = []
        with quiet(), Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            cells = [c.name for nb in gb.find_assignment(self.assignment).notebooks for c in nb.grade_cells]
            for submission in submissions:
                row = {"student": submission.student}
                try:
                    found = gb.find_submission(self.assignment, submission.student)
                except MissingEntry:
                    found = None
                row.update(summary(found, gb.find_assignment(self.assignment).max_score))
                grades = {g.name: g for nb in found.notebooks for g in nb.grades} if found else {}
                for name in cells:
                    row[name] = cell_score(grades.get(name))
                row["problem"] = "; ".join(submission.problems)
                rows.append(row)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "grades.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        for submission in submissions:
            source = self.course.folder("feedback", self.assignment, submission.student)
            if source.exists():
                shutil.copytree(source, out / "feedback" / submission.student, dirs_exist_ok=True)
        return rows


def summary(found, max_score: float) -> dict:
    """Score, maximum and lateness of a submission, as nbgrader's own CSV export computes them."""
    if found is None:
        return {"score": 0.0, "max_score": max_score, "timestamp": "", "seconds_late": 0.0, "late_penalty": 0.0}
    penalty = found.late_submission_penalty or 0.0
    return {"score": round(found.score - penalty, 2), "max_score": max_score,
            "timestamp": found.timestamp.isoformat() if found.timestamp else "",
            "seconds_late": round(found.total_seconds_late, 1), "late_penalty": round(penalty, 2)}


def cell_score(grade) -> float | str:
    """A graded cell's points; empty while nobody has graded a written answer (a manual 0 is a grade too)."""
    if grade is None:
        return 0.0
    if grade.score is None or (grade.needs_manual_grade and grade.manual_score is None):
        return ""
    return round(grade.score, 2)


def not_run(nb: nbformat.NotebookNode, reason: str) -> nbformat.NotebookNode:
    """`nb` with every code cell failed as not run, for `reason`."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            grading.mark_not_run(cell, reason)
    return nb


def import_pass(config) -> dict:
    """Overrides that make the course's own `autograde` save the grades of notebooks already executed (in
    executed/): its pipelines as configured, less the steps that clear outputs and run the notebook."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import ClearOutput, Execute
    from traitlets.utils.importstring import import_item

    def steps(trait: str, dropped: type) -> list:
        configured = config.Autograde.get(trait) or Autograde.class_traits()[trait].default()
        return [s for s in configured if not issubclass(import_item(s) if isinstance(s, str) else s, dropped)]

    return {"CourseDirectory.submitted_directory": EXECUTED,
            "Autograde.sanitize_preprocessors": steps("sanitize_preprocessors", ClearOutput),
            "Autograde.autograde_preprocessors": steps("autograde_preprocessors", Execute)}
