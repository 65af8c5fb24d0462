"""The instructor's commands: `dlbook grade ASSIGNMENT SUBMISSIONS` and `dlbook release`.

Grading wraps nbgrader. Each submission is first checked and repaired (unreadable files are graded as blank,
deleted or edited test cells are restored), then executed by `nbgrader autograde` in private copies of the
course, batches of submissions in parallel, each notebook in a sandboxed, memory-limited kernel
(dlbook.sandbox). As each batch finishes, its executed notebooks are imported into the course's gradebook by
the main thread alone, feedback is generated, and at the end a CSV is written.
"""

import argparse
import csv
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from dlbook import grading, sandbox

NOTEBOOK_TIMEOUT_MARGIN = 120  # seconds nbgrader may need beyond the notebook's own time limit
BATCH_LIMIT = 10  # submissions per nbgrader process


@dataclass
class Submission:
    """One student's files for an assignment, and what the grader had to say about them."""

    student: str
    notebooks: dict[str, Path | None]
    problems: list[str] = field(default_factory=list)


def nbgrader_api(course: Path, **overrides):
    """nbgrader's Python API with the course's nbgrader_config.py, plus `overrides` ({"Class.trait": value})."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    for key, value in overrides.items():
        section, trait = key.split(".")
        config[section][trait] = value
    return NbGraderAPI(config=config)


def released_notebooks(course: Path, assignment: str) -> dict[str, nbformat.NotebookNode]:
    folder = course / "exercises" / assignment
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}


def unpack(source: Path, into: Path, assignment: str) -> Path:
    """A folder of student folders: `source` itself, or a zip of one extracted safely into `into`."""
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            if not (into / member.filename).resolve().is_relative_to(into.resolve()):
                raise SystemExit(f"{source}: refusing to extract {member.filename!r} outside the target folder")
        archive.extractall(into)
    folder = into
    while True:  # LMS zips often wrap everything in one folder, e.g. submitted/
        entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")) \
                and not (entries[0] / assignment).is_dir():
            folder = entries[0]
        else:
            return folder


def collect(folder: Path, assignment: str, expected: list[str]) -> list[Submission]:
    """Every student's notebooks, from `<student>/<assignment>/*.ipynb` or `<student>/*.ipynb`."""
    submissions = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        files = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
        found = {p.name: p for p in sorted(files.glob("*.ipynb")) if not p.name.startswith(".")}
        submission = Submission(student_dir.name, {})
        unknown = [name for name in found if name not in expected]
        for name in expected:
            if name in found:
                submission.notebooks[name] = found[name]
            elif len(expected) == 1 and len(unknown) == 1:
                submission.notebooks[name] = found[unknown[0]]
                submission.problems.append(f"notebook was named {unknown[0]!r} instead of {name!r}; graded anyway")
            else:
                submission.notebooks[name] = None
                submission.problems.append(f"notebook {name} is missing")
        submissions.append(submission)
    return submissions


def stage(submission: Submission, released: dict, target: Path) -> None:
    """Write the gradable version of each notebook to `target`: repaired, or the blank version if unreadable."""
    target.mkdir(parents=True, exist_ok=True)
    restored = False
    for name, path in submission.notebooks.items():
        nb, problem = grading.read_submission(path) if path else (None, None)
        if problem:
            submission.problems.append(problem if nb is not None else f"{problem}; graded as blank")
        if nb is None:
            nb = released[name]
        else:
            nb, changed = grading.restore_test_cells(nb, released[name])
            restored |= changed
        nbformat.write(nb, target / name)
    if restored:
        submission.problems.append("test cells were modified and have been restored")


def kernel_spec(folder: Path) -> Path:
    """A `python3` kernel spec that starts the sandboxed kernel; returns the folder to put on JUPYTER_PATH."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "dlbook.sandbox", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)", "language": "python",
        "interrupt_mode": "message",  # signals do not cross into the sandbox
    }))
    return folder


def execute(course: Path, work: Path, assignment: str, students: list[str], notebook_timeout: int,
            memory: int, cpus: list[int]) -> dict[str, Path]:
    """Run one `nbgrader autograde` for a batch of students in a private copy of the course (one process
    start for the batch; each notebook still gets a fresh sandboxed kernel, pinned to `cpus`); return each
    executed folder."""
    private = work / "courses" / students[0]
    shutil.rmtree(private, ignore_errors=True)
    (private / "solutions").mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", private)
    shutil.copy(work / "gradebook.db", private / "gradebook.db")
    shutil.copytree(course / "solutions" / assignment, private / "solutions" / assignment)
    for student in students:
        shutil.copytree(work / "staged" / student, private / "submitted" / student)
    env = dict(os.environ, JUPYTER_PATH=str(kernel_spec(work / "jupyter")), JUPYTER_RUNTIME_DIR=str(private / "runtime"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               DLBOOK_PROGRESS="0", PYTHONHASHSEED="0", **{sandbox.MEMORY_LIMIT: str(memory),
                                                           sandbox.CPUS: ",".join(map(str, cpus))})
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"]
    log = private / "autograde.log"
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=private, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:  # a last resort: each notebook's own deadline normally ends it long before
            process.wait(timeout=len(students) * notebook_timeout + NOTEBOOK_TIMEOUT_MARGIN)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            killed = True
    executed = {s: private / "autograded" / s / assignment for s in students}
    for student in students:
        shutil.copy(log, work / "logs" / f"{student}.log")
    unfinished = [s for s in students if not executed[s].exists()]
    if killed and len(students) > 1 and unfinished:  # one stuck submission must not cost the others
        for student in unfinished:
            executed.update(execute(course, work, assignment, [student], notebook_timeout, memory, cpus))
    return executed


def executed_or_failed(staged: Path, executed: Path, name: str, submission: Submission) -> nbformat.NotebookNode:
    """The executed notebook, or the staged one with every code cell marked as not run."""
    if (executed / name).exists():
        return nbformat.read(executed / name, as_version=4)
    nb = nbformat.read(staged / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            grading.SafeExecute._not_run(cell, f"nbgrader could not run {name} (see logs/{submission.student}.log)")
    return nb


def grade(assignment: str, submissions_path: Path, course: Path, out: Path, jobs: int,
          notebook_timeout: int, memory: int) -> list[dict]:
    """Grade every submission of `assignment`; write feedback and grades.csv to `out`; return the rows."""
    released = released_notebooks(course, assignment)
    if not released:
        raise SystemExit(f"no student version of {assignment!r} in {course / 'exercises'}: run `dlbook release`")
    out.mkdir(parents=True, exist_ok=True)
    api = nbgrader_api(course)
    result = api.generate_assignment(assignment, force=True)  # registers it in the gradebook; idempotent
    if not result["success"]:
        raise SystemExit(f"nbgrader could not generate {assignment}:\n{result.get('error', result.get('log'))}")
    importer = nbgrader_api(course, **import_pass(api.config))
    with tempfile.TemporaryDirectory(prefix="dlbook-grade-") as tmp:
        work = Path(tmp)
        submissions = collect(unpack(submissions_path, work / "unpacked", assignment), assignment, list(released))
        if not submissions:
            raise SystemExit(f"no student folders found in {submissions_path}")
        shutil.copy(course / "gradebook.db", work / "gradebook.db")
        (work / "logs").mkdir()
        for submission in submissions:
            stage(submission, released, work / "staged" / submission.student / assignment)
        # Batches amortise nbgrader's start (2 s); several per job keep the jobs evenly loaded.
        size = min(BATCH_LIMIT, -(-len(submissions) // (2 * jobs)))
        batches = [submissions[k:k + size] for k in range(0, len(submissions), size)]
        free_cpus = queue.SimpleQueue()  # each batch running holds one set of cores, so kernels never share one
        for cpus in sandbox.cpu_sets(jobs):
            free_cpus.put(cpus)

        def run(batch: list[Submission]) -> dict[str, Path]:
            cpus = free_cpus.get()
            try:
                return execute(course, work, assignment, [s.student for s in batch], notebook_timeout, memory, cpus)
            finally:
                free_cpus.put(cpus)

        bar = tqdm(total=len(submissions), desc=f"grading {assignment}", unit="submission",
                   disable=os.environ.get("DLBOOK_PROGRESS") == "0")
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run, batch): batch for batch in batches}
            for future in as_completed(futures):  # grades are saved by this thread only, as batches finish
                executed = future.result()
                for submission in futures[future]:
                    import_grades(api, importer, course, work, assignment, submission, executed[submission.student],
                                  list(released))
                    bar.update()
        bar.close()
        shutil.copytree(work / "logs", out / "logs", dirs_exist_ok=True)
    return export(api, course, assignment, submissions, out)


def import_pass(config) -> dict:
    """Overrides that make the course's own `autograde` save the grades of notebooks already executed (in
    executed/): its pipelines as configured, less the steps that clear outputs and run the notebook."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import ClearOutput, Execute
    from traitlets.utils.importstring import import_item

    def steps(trait: str, dropped: type) -> list:
        configured = config.Autograde.get(trait) or Autograde.class_traits()[trait].default()
        return [s for s in configured if not issubclass(import_item(s) if isinstance(s, str) else s, dropped)]

    return {"CourseDirectory.submitted_directory": "executed",
            "Autograde.sanitize_preprocessors": steps("sanitize_preprocessors", ClearOutput),
            "Autograde.autograde_preprocessors": steps("autograde_preprocessors", Execute)}


def import_grades(api, importer, course: Path, work: Path, assignment: str, submission: Submission,
                  executed: Path, names: list[str]) -> None:
    """Save the executed notebooks' grades in the course gradebook (the only writer), then make feedback.
    `importer` is the course's nbgrader API with the import pass's overrides, `api` the plain one."""
    student = submission.student
    target = course / "executed" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    staged = work / "staged" / student / assignment
    shutil.copytree(staged, course / "submitted" / student / assignment, dirs_exist_ok=True)
    for name in names:
        nb = executed_or_failed(staged, executed, name, submission)
        submission.problems.extend(p for p in grading.problems_in(nb) if p not in submission.problems)
        nbformat.write(nb, target / name)
    result = importer.autograde(assignment, student, force=True, create=True)
    if not result["success"]:
        submission.problems.append("nbgrader could not save this grade (see the grader's log)")
        print(result.get("error") or result.get("log"), file=sys.stderr)
    api.generate_feedback(assignment, student, force=True)


def export(api, course: Path, assignment: str, submissions: list[Submission], out: Path) -> list[dict]:
    """One row per student: score, maximum, each graded cell's points and the problems, in OUT/grades.csv."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        cells = [c.name for nb in gb.find_assignment(assignment).notebooks for c in nb.grade_cells]
        for submission in submissions:
            found = gb.find_submission(assignment, submission.student)
            grades = {g.name: g for nb in found.notebooks for g in nb.grades}
            row = {"student": submission.student, "score": round(found.score, 2), "max_score": found.max_score}
            for name in cells:
                grade = grades[name]
                # a manual score of 0 is a grade too: only a cell nobody has graded yet stays empty
                row[name] = "" if grade.score is None or (grade.needs_manual_grade and grade.manual_score is None) \
                    else round(grade.score, 2)
            row["problem"] = "; ".join(submission.problems)
            rows.append(row)
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "score", "max_score", *cells, "problem"])
        writer.writeheader()
        writer.writerows(rows)
    feedback = course / "feedback"
    for submission in submissions:
        source = feedback / submission.student / assignment
        if source.exists():
            shutil.copytree(source, out / "feedback" / submission.student, dirs_exist_ok=True)
    return rows


def print_summary(rows: list[dict], out: Path) -> None:
    width = max(len("student"), *(len(r["student"]) for r in rows))
    print(f"\n{'student':<{width}}  {'score':>11}  problem")
    for row in rows:
        print(f"{row['student']:<{width}}  {row['score']:>5} / {row['max_score']:<3}  {row['problem'] or '-'}")
    print(f"\n{len(rows)} submissions graded; grades in {out / 'grades.csv'}, feedback in {out / 'feedback'}")
    if shutil.which("bwrap") is None:
        print("warning: bubblewrap (bwrap) is not installed, so submissions ran without a file-system sandbox",
              file=sys.stderr)


def release(course: Path) -> None:
    """Regenerate every student version in exercises/ from solutions/."""
    api = nbgrader_api(course)
    for assignment in sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir()):
        result = api.generate_assignment(assignment, force=True)
        print(f"{assignment}: {'released' if result['success'] else 'FAILED'}")
        if not result["success"]:
            raise SystemExit(result.get("error") or result.get("log"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dlbook", description="Instructor tools of the deep learning book.")
    commands = parser.add_subparsers(dest="command", required=True)
    g = commands.add_parser("grade", help="autograde submissions, write feedback and grades.csv")
    g.add_argument("assignment")
    g.add_argument("submissions", type=Path, help="a folder <student>/[<assignment>/]<notebook>.ipynb, or a zip of one")
    g.add_argument("--out", type=Path, default=None, help="where grades.csv and feedback go (default: graded/ASSIGNMENT)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    g.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    g.add_argument("--timeout", type=int, default=None, help="seconds per notebook (default: nbgrader_config.py)")
    g.add_argument("--memory", type=float, default=4.0, help="GiB of memory per notebook (default 4)")
    r = commands.add_parser("release", help="regenerate exercises/ from solutions/")
    r.add_argument("--course", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        parser.error(f"{course} has no nbgrader_config.py: run from the repository root or pass --course")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs alembic
    if args.command == "release":
        release(course)
        return
    out = (args.out or course / "graded" / args.assignment).resolve()
    timeout = args.timeout or nbgrader_api(course).config.SafeExecute.get("notebook_timeout", 600)
    rows = grade(args.assignment, args.submissions.resolve(), course, out, max(1, args.jobs), timeout,
                 int(args.memory * 2**30))
    print_summary(rows, out)


if __name__ == "__main__":
    main()
