"""The `dlbook` command. Students: `start` (a working copy of an assignment), `check` (its tests, one line each)
and `solution` (the model solution, for self-learners). Instructors: `release`, `grade` and `formgrade`."""

import argparse
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from dlbook import autograde, cluster, limits
from dlbook.course import Course
from dlbook.submissions import SubmissionsError

WORK = Path("~/dlbook-work")  # where `dlbook start` puts students' copies, one folder per assignment


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dlbook", description="The deep learning book's commands, for students "
                                     "(start, check, solution) and instructors (release, grade, formgrade).")
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("start", help="copy an assignment's student version into a folder of your own")
    s.add_argument("assignment")
    s.add_argument("--to", type=Path, help=f"the folder to copy it to (default: {WORK}/ASSIGNMENT)")
    c = commands.add_parser("check", help="run a notebook's tests as grading does; one line per test")
    c.add_argument("notebook", type=Path)
    c.add_argument("--hidden", action="store_true", help="also run the hidden tests (needs the course's solutions/; "
                   "for self-learners: an instructor's course keeps them private)")
    v = commands.add_parser("solution", help="copy an assignment's model solution, marked as such (self-learners)")
    v.add_argument("assignment")
    v.add_argument("--to", type=Path, help=f"the folder to copy it to (default: {WORK}/ASSIGNMENT)")
    g = commands.add_parser("grade", help="autograde submissions, write feedback and grades.csv")
    g.add_argument("assignment")
    g.add_argument("submissions", type=Path, help="a folder <student>/[<assignment>/]<files>, or a zip of one "
                   "(a learning platform's download too)")
    g.add_argument("--out", type=Path, help="where grades.csv, feedback/ and grading.log go (default: "
                   "graded/ASSIGNMENT, or graded/ASSIGNMENT-dry-run with --dry-run)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once, at most one per CPU core "
                   "(default 1)")
    g.add_argument("--dry-run", action="store_true", help="grade in a copy of the course: its gradebook and "
                   "folders stay as they are")
    g.add_argument("--scheduler", metavar="ADDRESS", help="run the batches on the Dask cluster whose scheduler is at "
                   "ADDRESS (tcp://HOST:8786); grades are still saved here")
    for name, flag, kind, metavar, help in limits.options():
        g.add_argument(flag, dest=name, type=kind, metavar=metavar, default=getattr(limits.DEFAULT, name), help=help)
    commands.add_parser("release", help="regenerate exercises/ from solutions/")
    f = commands.add_parser("formgrade", help="start JupyterLab in the course folder for manual grading "
                            "(Nbgrader > Formgrader); other options go to jupyter lab")
    for command in (s, c, v, g, commands.choices["release"], f):
        command.add_argument("--course", type=Path, help="the course folder (default: the one holding this folder, "
                             "else the repository this dlbook was installed from)")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "formgrade":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs alembic
    if args.command == "check" and not args.hidden:
        return check(args, parser)
    try:
        course = Course.find(args.course)
    except FileNotFoundError as error:
        fail(str(error))
    if args.command == "formgrade":
        os.chdir(course.root)  # formgrader finds the course by its nbgrader_config.py, in the folder it starts in
        root = ["--allow-root"] if os.geteuid() == 0 else []  # a container's only user; JupyterLab refuses it otherwise
        os.execvp("jupyter", ["jupyter", "lab", *root, *extra])
    {"start": start, "check": check, "solution": solution, "grade": grade, "release": release}[args.command](
        args, parser, course)


def start(args, parser, course: Course) -> None:
    """Copy the student version of an assignment to a folder of the student's own, never over anything."""
    known(parser, course, args.assignment)
    target = (args.to or WORK / args.assignment).expanduser().resolve()
    if target.exists():
        fail(f"{target} already exists, and it may hold your work: open it, or pass --to another folder")
    shutil.copytree(course.folder("release", args.assignment), target)
    notebooks = sorted(target.glob("*.ipynb"))
    print(f"Your copy of {args.assignment} is in {target}.\nOpen it: jupyter lab {notebooks[0]}\n"
          f"Check it: dlbook check {notebooks[0]}")


def check(args, parser, course: Course | None = None) -> None:
    """Run a notebook's tests and print one line per test; exit 1 if any failed."""
    from dlbook import selfcheck

    path = args.notebook.expanduser().resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        fail(f"{args.notebook} is not a notebook file (.ipynb)")
    try:
        lines, ok = selfcheck.check_hidden(course, path) if course else selfcheck.check(path)
    except (LookupError, SubmissionsError) as error:
        fail(str(error))
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


def solution(args, parser, course: Course) -> None:
    """Copy the model solution next to the student's work, marked as the model solution at its top."""
    import nbformat

    known(parser, course, args.assignment)
    target = (args.to or WORK / args.assignment).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(course.folder("source", args.assignment).glob("*.ipynb")):
        copy = target / f"{source.stem}-MODEL-SOLUTION.ipynb"
        if copy.exists():
            fail(f"{copy} already exists")
        nb = nbformat.read(source, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            "# MODEL SOLUTION\n\nThis is the instructor's version: the model solution, the hidden tests and the "
            "rubric of the written answers. Compare it with your own work after you have done it."))
        nbformat.write(nb, copy)
        print(f"The model solution is in {copy}")


def fail(message: str) -> None:
    """Stop with one line that says what is wrong and how to fix it."""
    sys.exit(f"dlbook: {message}")


def known(parser, course: Course, assignment: str) -> None:
    if assignment not in course.assignments():
        fail(f"there is no assignment {assignment!r}; the assignments are: {', '.join(course.assignments())}")


def grade(args, parser, course: Course) -> None:
    """Grade every submission in a folder or zip; print the class's summary."""
    known(parser, course, args.assignment)
    source = args.submissions.expanduser().resolve()
    if not source.exists():
        fail(f"{args.submissions} does not exist")
    if source.is_file() and source.suffix == ".ipynb":
        fail(f"{args.submissions} is one notebook; pass a folder with a folder per student "
                     f"(mkdir -p submissions/alice && cp {args.submissions} submissions/alice/), or a zip of one")
    default = f"{args.assignment}-dry-run" if args.dry_run else args.assignment
    out = (args.out or course.root / "graded" / default).resolve()
    given = limits.Limits(**{name: getattr(args, name) for name, *_ in limits.options()})
    out.mkdir(parents=True, exist_ok=True)
    log_to(out / "grading.log")
    try:
        with tempfile.TemporaryDirectory(prefix="dlbook-grade-") as work:
            if args.dry_run:
                course = course.trial(Path(work) / "trial-course", args.assignment)
            rows = autograde.grade(course, args.assignment, source, out, Path(work), max(1, args.jobs), given,
                                   scheduler=args.scheduler)
    except (SubmissionsError, cluster.ClusterError) as error:
        sys.exit(f"dlbook grade: {error}")
    print_summary(rows, out, args.dry_run)


def log_to(path: Path) -> None:
    """Everything the grader and nbgrader say goes to `path`; the screen shows the progress bar and summary."""
    logging.captureWarnings(True)
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def print_summary(rows: list[dict], out: Path, dry_run: bool = False) -> None:
    """The class's scores in a line, what awaits manual grading, then one line per student who had a problem."""
    scores = [float(r["score"]) for r in rows]
    print(f"{len(rows)} submissions graded: mean {sum(scores) / len(scores):.1f} of {rows[0]['max_score']:g} "
          f"automatic and manual points")
    pending = [r for r in rows if r["pending_manual"]]
    if pending:
        print(f"{sum(r['pending_manual'] for r in pending):g} points of written answers await manual grading for "
              f"{len(pending)} student{'s' if len(pending) != 1 else ''}: grade them (dlbook formgrade), then run dlbook "
              "grade again")
    troubled = [r for r in rows if r["problem"]]
    if troubled:
        width = max(len(r["student"]) for r in troubled)
        print(f"{len(troubled)} with problems:")
        for row in troubled:
            print(f"  {row['student']:<{width}}  {row['score']:>6g}  {row['problem']}")
    print(f"grades: {out / 'grades.csv'} (and summary.csv, canvas.csv)\nfeedback: {out / 'feedback'}\n"
          f"details: {out / 'grading.log'}, {out / 'logs'}")
    if dry_run:
        print("dry run: the course's gradebook and folders are unchanged")
    if shutil.which("bwrap") is None:
        print("warning: bubblewrap (bwrap) is not installed, so submissions ran without a file-system sandbox")


def release(args, parser, course: Course) -> None:
    """Put the configured install cell in every chapter and assignment, then regenerate every student version
    in exercises/ from solutions/."""
    from dlbook import install

    url, branch = install.repository(course.root / "_config.yml")
    for path in sorted((course.root / "book").glob("*.ipynb")):
        install.refresh(path, url, branch, assignment=False)
    for assignment in course.assignments():
        for path in sorted(course.folder("source", assignment).glob("*.ipynb")):
            install.refresh(path, url, branch, assignment=True)
    api = course.api()
    for assignment in course.assignments():
        result = api.generate_assignment(assignment, force=True)
        print(f"{assignment}: {'released' if result['success'] else 'FAILED'}")
        if not result["success"]:
            sys.exit(result.get("error") or result.get("log"))


if __name__ == "__main__":
    main()
