"""Time what readers, students and instructors wait for: each chapter run top to bottom, and autograding.

Run with `make bench` (or `.venv/bin/python bench/benchmark.py`). It prints a Markdown table for the
README. Targets: every chapter under 60 s on a 2-core CPU (the history chapter under 30 s).
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
import yaml
from nbclient import NotebookClient

from dlbook import autograde, cluster
from dlbook.course import Course
from dlbook.gradebook import Importer
from dlbook.grading import grade_id, solution_answers
from dlbook.submissions import Submission

REPO = Path(__file__).resolve().parents[1]


def chapters() -> list[Path]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [REPO / f"{f}.ipynb" for f in files if f.startswith("book/") and (REPO / f"{f}.ipynb").exists()]


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for the venv's tools: its bin/ first on PATH (nbgrader runs alembic)."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **extra)


def time_chapter(path: Path) -> float:
    """Seconds to run a chapter top to bottom in a fresh kernel, kernel start included."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def time_autograde(assignment: str, students: int) -> float:
    """Seconds for `nbgrader autograde` of `students` copies of the solution in a scratch course."""
    env = tool_env()
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copy(REPO / "nbgrader_config.py", course)
        shutil.copytree(REPO / "solutions", course / "solutions")
        nbgrader = [sys.executable, "-m", "nbgrader"]
        subprocess.run([*nbgrader, "generate_assignment", assignment], cwd=course, env=env, check=True,
                       capture_output=True)
        for k in range(students):  # the instructor's version grades like a perfect submission
            shutil.copytree(course / "solutions" / assignment, course / "submitted" / f"student{k}" / assignment)
        start = time.perf_counter()
        subprocess.run([*nbgrader, "autograde", assignment], cwd=course, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def time_book_builds() -> tuple[float, float]:
    """Seconds for `jupyter-book build` of a clean copy of the repository: from scratch, then again unchanged."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True, text=True).stdout.split()
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    env = tool_env()
    with tempfile.TemporaryDirectory() as scratch:
        for name in files:
            (Path(scratch) / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, Path(scratch) / name)
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([jupyter_book, "build", scratch, "--warningiserror"], env=env, check=True,
                           capture_output=True)
            seconds.append(time.perf_counter() - start)
        return seconds[0], seconds[1]


STOCK_CONFIG = """c = get_config()
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
"""


def solved_student_version(assignment: str) -> dict[str, nbformat.NotebookNode]:
    """The student version with the solution's answers filled in: what a perfect student submits."""
    answers = solution_answers(REPO / "solutions" / assignment)
    notebooks = {}
    for path in sorted((REPO / "exercises" / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = answers.get(grade_id(cell), cell.source)
        notebooks[path.name] = nb
    return notebooks


def solved_submissions(inbox: Path, assignment: str, students: int) -> None:
    """`students` perfect submissions in `inbox`/STUDENT/ASSIGNMENT."""
    solved = solved_student_version(assignment)
    for k in range(students):
        for name, nb in solved.items():
            (inbox / f"student{k:02d}" / assignment).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, inbox / f"student{k:02d}" / assignment / name)


def time_cluster_grading(assignment: str, students: int, workers: int) -> float:
    """Seconds for `dlbook grade --scheduler` on a Dask cluster of `workers` one-thread workers on this machine."""
    with cluster.local_cluster(workers) as dask_cluster:
        return time_grading(assignment, students, jobs=workers, scheduler=dask_cluster.scheduler_address)


def time_writer(assignment: str, saves: int) -> tuple[list[float], float]:
    """What the single writer can absorb: seconds for each of `saves` gradebook imports (one perfect submission's
    executed notebooks saved for a new student each time), and for the final export of grades.csv and feedback."""
    with tempfile.TemporaryDirectory() as scratch:
        course = Course(REPO).copy(Path(scratch) / "course", [assignment])
        work = Path(scratch) / "work"
        solved_submissions(Path(scratch) / "inbox", assignment, 1)
        autograde.grade(course, assignment, Path(scratch) / "inbox", Path(scratch) / "out", work)
        executed = course.folder("autograded", assignment, "student00")
        staged = autograde.staged(work, "student00", assignment)
        importer = Importer(course, assignment, work / "again")
        everyone, seconds = [], []
        for k in range(saves):
            everyone.append(Submission(f"writer{k:05d}", {}))
            start = time.perf_counter()
            importer.save(everyone[-1], staged, executed, work / "writer.log")
            seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        importer.export(everyone, Path(scratch) / "export")
        return seconds, time.perf_counter() - start


def time_grading(assignment: str, students: int, jobs: int | None, scheduler: str | None = None) -> float:
    """Seconds to grade `students` perfect submissions: with `dlbook grade --jobs N` (or `--scheduler ADDRESS`), or
    (jobs None) with stock `nbgrader autograde` and nbgrader's default configuration."""
    env = tool_env(DLBOOK_PROGRESS="0")
    with tempfile.TemporaryDirectory() as scratch:
        course = Course(REPO).copy(Path(scratch) / "course", [assignment], config=STOCK_CONFIG if jobs is None else None)
        inbox = course.root / "submitted" if jobs is None else Path(scratch) / "inbox"
        solved_submissions(inbox, assignment, students)
        if jobs is None:
            command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"]
            subprocess.run(command, cwd=course.root, env=env, check=True, capture_output=True)
            command = [sys.executable, "-m", "nbgrader", "autograde", assignment]
        else:
            command = [str(Path(sys.executable).parent / "dlbook"), "grade", assignment, str(inbox),
                       *(["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)])]
        start = time.perf_counter()
        subprocess.run(command, cwd=course.root, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


GRADED = ("rnn", "cnn", "gan")  # the quickest assignment, and the two that train networks
WRITER_SAVES = 400  # students saved into one gradebook to time the single writer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5, help="submissions to autograde per assignment")
    parser.add_argument("--grading", type=int, default=0, metavar="N",
                        help=f"instead: grade N submissions of {', '.join(GRADED)} with stock nbgrader and "
                             "dlbook grade --jobs 1, 2 and on a local Dask cluster; then time "
                             "the single writer")
    args = parser.parse_args()
    os.environ["DLBOOK_PROGRESS"] = "0"
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "none"
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
          f"torch {torch.__version__} with {torch.get_num_threads()} threads, GPU: {device}\n")
    if args.grading:
        print(f"| grading {args.grading} submissions | seconds | submissions per minute |")
        print("| --- | ---: | ---: |")
        for assignment in GRADED:
            for label, jobs in (("stock `nbgrader autograde`", None), ("`dlbook grade --jobs 1`", 1),
                                ("`dlbook grade --jobs 2`", 2)):
                seconds = time_grading(assignment, args.grading, jobs)
                print(f"| `{assignment}`, {label} | {seconds:.0f} | {60 * args.grading / seconds:.1f} |", flush=True)
            for workers in (1, 2):
                seconds = time_cluster_grading(assignment, args.grading, workers)
                print(f"| `{assignment}`, `dlbook grade --scheduler`, a Dask cluster here of {workers} one-thread "
                      f"worker{'s' * (workers > 1)} on cores of {'their' if workers > 1 else 'its'} own | {seconds:.0f} "
                      f"| {60 * args.grading / seconds:.1f} |", flush=True)
        seconds, export = time_writer(GRADED[0], WRITER_SAVES)
        quarter = WRITER_SAVES // 4
        print(f"\nThe single writer (`{GRADED[0]}`): {quarter / sum(seconds[:quarter]):.2f} saves (gradebook import "
              f"and feedback) per second over the first {quarter} of {WRITER_SAVES} students, "
              f"{quarter / sum(seconds[-quarter:]):.2f} over the last {quarter}; grades.csv and feedback for all "
              f"{WRITER_SAVES} in {export:.1f} s", flush=True)
        return
    print("| what | seconds |")
    print("| --- | ---: |")
    cold, rebuild = time_book_builds()
    print(f"| `jupyter-book build .` from scratch (every chapter executed) | {cold:.1f} |", flush=True)
    print(f"| `jupyter-book build .` again, nothing changed (cache) | {rebuild:.1f} |", flush=True)
    for path in chapters():
        print(f"| chapter `{path.relative_to(REPO)}`, run top to bottom | {time_chapter(path):.1f} |", flush=True)
    for assignment in sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir()):
        seconds = time_autograde(assignment, args.students)
        print(f"| autograde `{assignment}`, {args.students} submissions | {seconds:.1f} "
              f"({seconds / args.students:.1f} each) |", flush=True)


if __name__ == "__main__":
    main()
