"""The instructor's commands: `dlbook grade ASSIGNMENT SUBMISSIONS` and `dlbook release`."""

import argparse
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from dlbook import autograde, limits
from dlbook.course import Course
from dlbook.submissions import SubmissionsError


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dlbook", description="Instructor tools of the deep learning book.")
    commands = parser.add_subparsers(dest="command", required=True)
    g = commands.add_parser("grade", help="autograde submissions, write feedback and grades.csv")
    g.add_argument("assignment")
    g.add_argument("submissions", type=Path, help="a folder <student>/[<assignment>/]<files>, or a zip of one "
                   "(a learning platform's download too)")
    g.add_argument("--out", type=Path, help="where grades.csv, feedback/ and grading.log go (default: graded/ASSIGNMENT)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once (at most one per CPU core)")
    g.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    for name, flag, kind, metavar, help in limits.options():
        g.add_argument(flag, dest=name, type=kind, metavar=metavar, default=getattr(limits.DEFAULT, name), help=help)
    r = commands.add_parser("release", help="regenerate exercises/ from solutions/")
    r.add_argument("--course", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    try:
        course = Course(args.course)
    except FileNotFoundError as error:
        parser.error(str(error))
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs alembic
    if args.command == "release":
        release(course)
        return
    out = (args.out or course.root / "graded" / args.assignment).resolve()
    given = limits.Limits(**{name: getattr(args, name) for name, *_ in limits.options()})
    out.mkdir(parents=True, exist_ok=True)
    log_to(out / "grading.log")
    try:
        with tempfile.TemporaryDirectory(prefix="dlbook-grade-") as work:
            rows = autograde.grade(course, args.assignment, args.submissions.resolve(), out, Path(work),
                                   max(1, args.jobs), given)
    except SubmissionsError as error:
        sys.exit(f"dlbook grade: {error}")
    print_summary(rows, out)


def log_to(path: Path) -> None:
    """Everything the grader and nbgrader say goes to `path`; the screen shows the progress bar and summary."""
    logging.captureWarnings(True)
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def print_summary(rows: list[dict], out: Path) -> None:
    """The class's scores in a line, then one line per student who had a problem."""
    scores = [float(r["score"]) for r in rows]
    print(f"{len(rows)} submissions graded: mean {sum(scores) / len(scores):.1f} of {rows[0]['max_score']:g} "
          f"automatic and manual points")
    troubled = [r for r in rows if r["problem"]]
    if troubled:
        width = max(len(r["student"]) for r in troubled)
        print(f"{len(troubled)} with problems:")
        for row in troubled:
            print(f"  {row['student']:<{width}}  {row['score']:>6g}  {row['problem']}")
    print(f"grades: {out / 'grades.csv'}\nfeedback: {out / 'feedback'}\ndetails: {out / 'grading.log'}, {out / 'logs'}")
    if shutil.which("bwrap") is None:
        print("warning: bubblewrap (bwrap) is not installed, so submissions ran without a file-system sandbox")


def release(course: Course) -> None:
    """Regenerate every student version in exercises/ from solutions/."""
    api = course.api()
    for assignment in course.assignments():
        result = api.generate_assignment(assignment, force=True)
        print(f"{assignment}: {'released' if result['success'] else 'FAILED'}")
        if not result["success"]:
            sys.exit(result.get("error") or result.get("log"))


if __name__ == "__main__":
    main()
