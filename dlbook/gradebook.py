"""Saving grades: executed notebooks go into the course's gradebook through nbgrader's own autograde pipeline
(less executing), by one process only; then feedback, and grades.csv with lateness as nbgrader computes it."""

import contextlib
import csv
import logging
import re
import shutil
import warnings
from collections import Counter
from pathlib import Path

import nbformat

from dlbook import grading, results
from dlbook.course import Course
from dlbook.submissions import TIMESTAMP, Submission

POINTS_POSSIBLE = "(points possible)"  # grades.csv's first row, as in the CSV files learning platforms use
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

    def __init__(self, course: Course, assignment: str, release: Path):
        """Register `assignment` in the gradebook (its due date kept) and generate its student version into
        `release`: grading never writes to the course's own student versions, where people may be working."""
        self.course, self.assignment = course, assignment
        self.api = course.api(**{"CourseDirectory.release_directory": str(release)})
        with quiet():
            result = self.api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")
        self.released = course.released(assignment, release / assignment)
        self.names = sorted(self.released)
        self.importer = course.api(**import_pass(self.api.config))
        self.results: dict[str, list[results.Result]] = {}  # student -> what each graded cell said

    def save(self, submission: Submission, staged: Path, executed: Path | None, log_file: Path) -> None:
        """Save the grades of `executed` notebooks (or, where there are none, of the staged ones marked as not
        run), keep what the student sent in the course's submitted/, and make the feedback page. Written answers
        a person graded keep that grade while their text is unchanged."""
        student, assignment = submission.student, self.assignment
        shutil.copytree(staged, self.course.folder("submitted", assignment, student), dirs_exist_ok=True)
        target = Path(self.course.coursedir.format_path(EXECUTED, student, assignment))
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if (staged / TIMESTAMP).exists():
            shutil.copy(staged / TIMESTAMP, target / TIMESTAMP)  # nbgrader reads lateness from it
        read_by_a_person = self.manual_grades(student)
        self.results[student] = []
        for name in self.names:
            if executed and (executed / name).exists():
                nb = nbformat.read(executed / name, as_version=4)
            else:
                nb = not_run(nbformat.read(staged / name, as_version=4), f"nbgrader could not run {name} "
                             f"(see logs/{student}.log)")
            submission.problems.extend(p for p in grading.problems_in(nb) if p not in submission.problems)
            self.results[student] += results.results(nb)
            nbformat.write(nb, target / name)
        with quiet():
            result = self.importer.autograde(assignment, student, force=True, create=True)
            if not result["success"]:
                submission.problems.append("nbgrader could not save this grade (see logs)")
                with open(log_file, "a") as f:
                    f.write(result.get("error") or result.get("log") or "")
            self.keep_manual_grades(student, read_by_a_person)
            self.api.generate_feedback(assignment, student, force=True)

    def manual_grades(self, student: str) -> dict[tuple[str, str], str]:
        """(notebook, cell) -> the answer's text, for every answer of `student` that a person has graded."""
        from nbgrader.api import Gradebook, MissingEntry

        graded = {}
        with quiet(), Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            try:
                found = gb.find_submission(self.assignment, student)
            except MissingEntry:
                return {}
            for notebook in found.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is not None and not grade.needs_manual_grade:
                        graded[notebook.name, grade.name] = None
        for notebook, cell in list(graded):
            path = self.course.folder("autograded", self.assignment, student) / f"{notebook}.ipynb"
            graded[notebook, cell] = answer_text(path, cell)
        return graded

    def keep_manual_grades(self, student: str, graded: dict[tuple[str, str], str]) -> None:
        """nbgrader flags every manually graded answer for grading again when it autogrades; keep the grade
        final where the answer's text is what the person graded."""
        from nbgrader.api import Gradebook

        with Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            for (notebook, cell), text in graded.items():
                path = self.course.folder("autograded", self.assignment, student) / f"{notebook}.ipynb"
                if text is not None and answer_text(path, cell) == text:
                    gb.find_grade(cell, notebook, self.assignment, student).needs_manual_grade = False
            gb.db.commit()

    def export(self, submissions: list[Submission], out: Path) -> list[dict]:
        """OUT/grades.csv: a row of the points possible, then one row per student: score (after any late
        penalty), maximum, when it was submitted and how late, points awaiting a person, each graded cell's
        points, what failed and the problems. Also OUT/summary.csv (per test, across the class), OUT/canvas.csv
        (Canvas's gradebook import) and the feedback pages in OUT/feedback."""
        from nbgrader.api import Gradebook, MissingEntry

        rows = []
        with quiet(), Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            assignment = gb.find_assignment(self.assignment)
            maxima = {c.name: c.max_score for nb in assignment.notebooks for c in nb.grade_cells}
            for submission in submissions:
                row = {"student": submission.student}
                try:
                    found = gb.find_submission(self.assignment, submission.student)
                except MissingEntry:
                    found = None
                row.update(summary(found, assignment.max_score))
                grades = {g.name: g for nb in found.notebooks for g in nb.grades} if found else {}
                row["pending_manual"] = sum(maxima[name] for name, g in grades.items() if cell_score(g) == "")
                for name in maxima:
                    row[name] = cell_score(grades.get(name))
                row["failed"] = failed(self.results.get(submission.student, []))
                row["problem"] = "; ".join(submission.problems)
                rows.append(row)
        possible = {key: "" for key in rows[0]} | {"student": POINTS_POSSIBLE, "score": assignment.max_score,
                                                    "max_score": assignment.max_score} | maxima
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / "grades.csv", [possible, *rows])
        write_csv(out / "summary.csv", class_summary(self.results, maxima))
        write_csv(out / "canvas.csv", canvas(self.assignment, submissions, rows, assignment.max_score))
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
    if grade.score is None or grading.awaits_a_person(grade):
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


def answer_text(notebook: Path, cell: str) -> str | None:
    """The source of the cell `cell` in the notebook file, or None."""
    if not notebook.exists():
        return None
    nb = nbformat.read(notebook, as_version=4)
    return next((c.source for c in nb.cells if grading.grade_id(c) == cell), None)


def failed(found: list[results.Result]) -> str:
    """Which functions lost points, and in which tests: "lstm_step (visible, hidden); clip_grad_norm (hidden)"."""
    lost: dict[str, list[str]] = {}
    for result in found:
        if result.kind != "written" and not result.passed:
            lost.setdefault(result.function, []).append(result.kind)
    return "; ".join(f"{function} ({', '.join(kinds)})" for function, kinds in lost.items())


def class_summary(by_student: dict[str, list[results.Result]], maxima: dict[str, float]) -> list[dict]:
    """Per test cell: its points, how many students failed it, and the most common reason (numbers aside)."""
    rows = []
    for cell, points in maxima.items():
        firsts = [results.first_line(r.message) for found in by_student.values() for r in found
                  if r.cell == cell and not r.passed and r.kind != "written"]
        shapes = [re.sub(r"-?\d[\d.e+-]*", "#", line) for line in firsts]  # one message, whatever its numbers
        common, count = Counter(shapes).most_common(1)[0] if shapes else ("", 0)
        example = firsts[shapes.index(common)] if shapes else ""
        rows.append({"test": cell, "points": points, "failed": len(firsts), "of": len(by_student),
                     "most_common_message": example, "students_with_it": count})
    return rows


def canvas(assignment: str, submissions: list[Submission], rows: list[dict], max_score: float) -> list[dict]:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment's score;
    the second row gives the points possible. Canvas matches a row by ID, or else by SIS Login ID."""
    header = {"Student": "", "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
    table = [header | {"Student": "Points Possible", assignment: max_score}]
    for submission, row in zip(submissions, rows):
        table.append(header | {"Student": submission.student, "ID": submission.user_id,
                               "SIS Login ID": "" if submission.user_id else submission.student,
                               assignment: row["score"]})
    return table


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
