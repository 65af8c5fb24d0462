"""What students sent, made ready to grade: a folder or zip unpacked, each student's files found (in folders
`<student>/[<assignment>/]`, or in the flat files a learning platform names after the student), and each
notebook repaired or replaced by the blank assignment, with every other file kept within the size limit."""

import copy
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from dlbook import grading
from dlbook.limits import Limits

# Canvas names each file of a bulk download <name>[_LATE]_<user id>_<submission id>_<file name>, and appends
# "-1", "-2" to a file name when a student submits again.
CANVAS = re.compile(r"^(?P<student>[^_/]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
TIMESTAMP = "timestamp.txt"  # nbgrader's record of when a submission arrived
SKIPPED = (".", "__MACOSX", "__pycache__")  # names of hidden files, zip and cache clutter


class SubmissionsError(Exception):
    """The submissions cannot be read at all (not one student's problem)."""


@dataclass
class Submission:
    """One student's files for an assignment, and what the grader had to say about them."""

    student: str
    notebooks: dict[str, Path | None]  # expected name -> the file graded as it (None: missing)
    files: dict[str, Path] = field(default_factory=dict)  # every other file, by its path in the folder
    problems: list[str] = field(default_factory=list)
    user_id: str = ""  # the learning platform's id of the student, where its download names one


def unpack(source: Path, into: Path, assignment: str, limits: Limits) -> Path:
    """The folder of submissions: `source` itself, or a zip of one extracted safely into `into`."""
    if source.is_dir():
        return source
    if not zipfile.is_zipfile(source):
        raise SubmissionsError(f"{source} is neither a folder nor a zip file")
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            target = (into / member.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                raise SubmissionsError(f"{source}: refusing to extract {member.filename!r} outside the target folder")
            if member.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as data, open(target, "wb") as out:
                out.write(data.read(limits.file_bytes + 1))  # enough for stage to see that it is too large
    folder = into
    while True:  # LMS zips often wrap everything in one folder, e.g. submitted/
        entries = [p for p in folder.iterdir() if not p.name.startswith(SKIPPED)]
        if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")) \
                and not (entries[0] / assignment).is_dir():
            folder = entries[0]
        else:
            return folder


def collect(folder: Path, assignment: str, expected: list[str]) -> list[Submission]:
    """Every student's files: from `<student>/<assignment>/`, `<student>/`, or Canvas's flat files."""
    found: dict[str, dict[str, Path]] = {}
    problems: dict[str, list[str]] = {}
    users: dict[str, str] = {}  # Canvas name -> user id: two students of one name keep apart
    ids: dict[str, str] = {}  # student -> Canvas user id
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(SKIPPED) or entry.name.startswith("_") or entry.is_symlink():
            continue
        if entry.is_dir():
            files = entry / assignment if (entry / assignment).is_dir() else entry
            found[entry.name] = {str(p.relative_to(files)): p for p in _files(files)}
        elif match := CANVAS.match(entry.name):
            student = match["student"]
            if users.setdefault(student, match["user"]) != match["user"]:
                student = f"{student}_{match['user']}"
            found.setdefault(student, {})[match["file"]] = entry
            ids[student] = match["user"]
            if match["late"] and "Canvas marked this submission late" not in problems.get(student, []):
                problems.setdefault(student, []).append("Canvas marked this submission late")
        else:
            raise SubmissionsError(
                f"{entry} is not in a student's folder. Put each student's files in a folder named after the "
                f"student ({folder}/<student>/{expected[0]}), or pass the zip your learning platform made "
                "(Canvas's <name>_<id>_<submission>_<file> names are understood)")
    everyone = [_submission(student, files, expected, problems.get(student, [])) for student, files in found.items()]
    for submission in everyone:
        submission.user_id = ids.get(submission.student, "")
    return everyone


def _files(folder: Path) -> list[Path]:
    """Regular files under `folder`, without hidden or clutter files and without following links."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                  and not any(part.startswith(SKIPPED) for part in p.relative_to(folder).parts))


def _submission(student: str, files: dict[str, Path], expected: list[str], problems: list[str]) -> Submission:
    notebooks = {name: path for name, path in files.items() if name.endswith(".ipynb") and "/" not in name}
    submission = Submission(student, {}, {n: p for n, p in files.items() if n not in notebooks}, list(problems))
    unknown = [name for name in notebooks if name not in expected]
    for name in expected:
        if name in notebooks:
            submission.notebooks[name] = notebooks[name]
        elif len(expected) == 1 and len(unknown) == 1:
            submission.notebooks[name] = notebooks[unknown[0]]
            submission.problems.append(f"notebook was named {unknown[0]!r} instead of {name!r}; graded anyway")
        else:
            submission.notebooks[name] = None
            submission.problems.append(f"notebook {name} is missing")
    return submission


def stage(submission: Submission, released: dict, target: Path, limits: Limits) -> None:
    """Write what will be graded to `target`: each notebook repaired (or, if unreadable, the blank assignment
    with the reason on top), and the student's other files within the size limit."""
    target.mkdir(parents=True, exist_ok=True)
    for name, path in submission.files.items():
        if path.stat().st_size > limits.file_bytes:
            submission.problems.append(f"{name} is larger than the limit of {limits.file_mib:g} MiB and was not kept")
        elif name == TIMESTAMP and not _readable_timestamp(path):
            submission.problems.append(f"{TIMESTAMP} does not hold a date and was not kept")
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / name)
    for name, path in submission.notebooks.items():
        nb, problem = grading.read_submission(path, limits.file_bytes) if path else (None, f"notebook {name} is missing")
        if nb is None:
            nb = blank(released[name], problem)
            if path:
                submission.problems.append(f"{problem}; graded as blank")
        else:
            if problem:
                submission.problems.append(problem)
            nb, restored = grading.restore_test_cells(nb, released[name])
            submission.problems.extend(restored)
        nbformat.write(nb, target / name)


def blank(released: nbformat.NotebookNode, reason: str) -> nbformat.NotebookNode:
    """The blank assignment, graded in place of a file that could not be read, saying why at the top."""
    nb = copy.deepcopy(released)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**The notebook you submitted could not be graded: {reason}.** This is the blank assignment, graded "
        "in its place, so every answer scores 0. Ask your instructor how to submit it again."))
    return nb


def _readable_timestamp(path: Path) -> bool:
    from nbgrader.utils import parse_utc

    try:
        parse_utc(path.read_text().strip())
        return True
    except (ValueError, OverflowError, UnicodeDecodeError):
        return False
