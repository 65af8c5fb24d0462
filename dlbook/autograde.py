"""Executing submissions: `nbgrader autograde` on batches of students, each batch in a private copy of the
course with its own gradebook, several batches at once, each notebook in a fresh sandboxed kernel. A batch
that fails in any way is graded again student by student, so no submission changes another's grade.
"""

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from dlbook import forkserver, sandbox, submissions
from dlbook.course import Course
from dlbook.gradebook import Importer
from dlbook.limits import WALL_FACTOR, Limits

BATCH_LIMIT = 10  # submissions per nbgrader process: its start (2 s) is paid once per batch
MARGIN = 120  # seconds nbgrader may need beyond its notebooks' own limits before it is stopped
log = logging.getLogger(__name__)


def grade(course: Course, assignment: str, source: Path, out: Path, work: Path, jobs: int = 1,
          limits: Limits = Limits(), batch_size: int | None = None, scheduler: str | None = None) -> list[dict]:
    """Grade every submission of `assignment` in `source` (a folder or zip); write feedback and grades.csv to
    `out`, using `work` for scratch; return the rows of grades.csv. With `scheduler` (a Dask scheduler's address)
    the batches run on that cluster's workers (dlbook.cluster) instead of `jobs` at a time here."""
    if assignment not in course.assignments():
        raise submissions.SubmissionsError(f"there is no assignment {assignment!r} in {course.folder('source', '.')}; "
                                           f"the assignments are: {', '.join(course.assignments())}")
    importer = Importer(course, assignment, work / "release")
    released = importer.released
    everyone = submissions.collect(submissions.unpack(source, work / "unpacked", assignment, limits),
                                   assignment, list(released))
    if not everyone:
        raise submissions.SubmissionsError(f"no submissions found in {source}")
    for submission in everyone:
        submissions.stage(submission, released, staged(work, submission.student, assignment), limits)
    # a cluster's workers get a gradebook holding only the assignment's structure, never the course's grades
    template = private_template(course, assignment, work, work / "release" / assignment, fresh=bool(scheduler))
    with contextlib.ExitStack() as stack:
        if scheduler:
            from dlbook import cluster

            client = stack.enter_context(cluster.connect(scheduler))
            jobs = cluster.slots(client)
            finished = functools.partial(cluster.run_batches, client)
        else:
            finished = functools.partial(run_batches, jobs=jobs)
        size = batch_size or min(BATCH_LIMIT, -(-len(everyone) // (2 * jobs)))  # two batches per job keep jobs even
        batches = [everyone[k:k + size] for k in range(0, len(everyone), size)]
        with tqdm(total=len(everyone), desc=f"grading {assignment}", unit="submission",
                  disable=os.environ.get("DLBOOK_PROGRESS") == "0") as bar:
            for batch, executed in finished(template, work, assignment, batches, limits, notebooks=len(released)):
                for submission in batch:  # grades are saved by this thread only, as batches finish
                    importer.save(submission, staged(work, submission.student, assignment),
                                  executed[submission.student], work / "logs" / f"{submission.student}.log")
                    bar.update()
    shutil.copytree(work / "logs", out / "logs", dirs_exist_ok=True)
    return importer.export(everyone, out)


def run_batches(template: Path, work: Path, assignment: str, batches: list, limits: Limits, notebooks: int,
                jobs: int) -> Iterator[tuple[list, dict[str, Path | None]]]:
    """Execute `batches` of submissions, `jobs` at a time, each on cores of its own; yield each batch with
    its executed folders as it finishes."""
    cores = sandbox.CoreSets(jobs)

    def run(batch):
        with cores.held() as cpus:
            return execute(template, work, assignment, [s.student for s in batch], limits, cpus, notebooks)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run, batch): batch for batch in batches}
        for future in as_completed(futures):
            yield futures[future], future.result()


def staged(work: Path, student: str, assignment: str) -> Path:
    return work / "staged" / student / assignment


def private_template(course: Course, assignment: str, work: Path, release: Path, fresh: bool = False) -> Path:
    """A private course with only this assignment (its student version from `release`) and a gradebook of its
    own (a copy of the course's; a new one with `fresh` or where the course keeps its gradebook on a server):
    each batch runs in a copy of it."""
    template = work / "template"
    private = course.copy(template, [assignment], steps=("source",))
    if course.gradebook and course.gradebook.exists() and not fresh:
        shutil.copy(course.gradebook, template / "gradebook.db")
        shutil.copytree(release, private.folder("release", assignment))
        return template
    result = private.api(**{"CourseDirectory.db_url": f"sqlite:///{template / 'gradebook.db'}"}) \
        .generate_assignment(assignment, force=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")
    return template


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


def execute(template: Path, work: Path, assignment: str, students: list[str], limits: Limits, cpus: list[int],
            notebooks: int = 1) -> dict[str, Path | None]:
    """Run one `nbgrader autograde` for `students` in a private copy of `template`, kernels pinned to `cpus`;
    return each student's executed folder (None where nbgrader made none). If the batch fails in any way,
    each student it did not finish is run again alone."""
    (work / "courses").mkdir(exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix=f"{students[0]}-", dir=work / "courses"))
    shutil.copytree(template, private, dirs_exist_ok=True)
    for student in students:
        shutil.copytree(staged(work, student, assignment), Course(private).folder("submitted", assignment, student))
    env = dict(os.environ, JUPYTER_PATH=str(kernel_spec(work / "jupyter")), JUPYTER_RUNTIME_DIR=str(private / "runtime"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               DLBOOK_PROGRESS="0", PYTHONHASHSEED="0", **sandbox.NO_GPU,
               **{sandbox.MEMORY_LIMIT: str(limits.memory_bytes), sandbox.FILE_LIMIT: str(limits.file_bytes),
                  sandbox.CPUS: ",".join(map(str, cpus))})
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force",
               f"--CourseDirectory.db_url=sqlite:///{private / 'gradebook.db'}", *limits.nbgrader_options()]
    backstop = len(students) * notebooks * limits.notebook_seconds * WALL_FACTOR + MARGIN
    with forkserver.started(private, cpus, limits.memory_bytes, limits.file_bytes) as fork_server, \
            open(private / "autograde.log", "w") as out:
        process = subprocess.Popen(command, cwd=private, env=env | fork_server, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=functools.partial(sandbox.ends_with_parent, os.getpid()))
        try:
            failed = process.wait(timeout=backstop) != 0
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            failed = True
    (work / "logs").mkdir(exist_ok=True)
    for student, part in split_log((private / "autograde.log").read_text(errors="replace"), students).items():
        (work / "logs" / f"{student}.log").write_text(part)
    executed = {s: Course(private).folder("autograded", assignment, s) for s in students}
    executed = {s: folder if folder.exists() else None for s, folder in executed.items()}
    if failed and len(students) > 1:
        log.info("nbgrader failed on the batch starting with %s; grading its unfinished students alone", students[0])
        for student in [s for s in students if executed[s] is None]:
            executed.update(execute(template, work, assignment, [student], limits, cpus, notebooks))
    return executed


# Warnings nbgrader gives for every submission, which are no news to anyone: every hidden test cell differs from
# the one submitted (the student version has no hidden tests), and SQLAlchemy comments on nbgrader's sessions.
EXPECTED_WARNING = re.compile(r"Attribute 'checksum' for cell \S+-hidden-tests has changed|SAWarning: Object of "
                              r"type <\w+> not in session")


def split_log(text: str, students: list[str]) -> dict[str, str]:
    """nbgrader's log of a batch, cut into each student's part: a line goes to the student whose folder or id it
    names, or else to the student named last (lines before any name go to everyone), without expected warnings."""
    parts: dict[str, list[str]] = {student: [] for student in students}
    current, skipping = None, False
    for line in text.splitlines(keepends=True):
        if skipping and line.startswith(" "):  # the source line Python's warnings print under a warning
            continue
        skipping = bool(EXPECTED_WARNING.search(line))
        named = [s for s in students if f"/{s}/" in line or f"'{s}'" in line or line.rstrip().endswith(f"/{s}")]
        current = named[0] if len(named) == 1 else current
        if not skipping:
            for student in [current] if current else students:
                parts[student].append(line)
    return {student: "".join(lines) for student, lines in parts.items()}
