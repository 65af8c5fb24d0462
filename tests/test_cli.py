"""`dlbook grade` against hostile and broken submissions: every one gets a row and a clear problem, none
gains points it did not earn, none changes another's grade, and the whole run stays within its time limits."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ALL_ASSIGNMENTS, REPO, dlbook, run_env
from dlbook.course import Course
from dlbook.gradebook import POINTS_POSSIBLE
from dlbook.grading import grade_id, solution_answers

ASSIGNMENT = "rnn"  # a quick one: its solution grades in about 3 s
FULL = 15.0  # its automatic points
LIMITS = ["--cell-timeout", "10", "--notebook-timeout", "60", "--memory", "2", "--file-size", "1"]
DUE = datetime(2026, 11, 30, 17, 0)  # the assignment's due date (UTC), set in the gradebook
WRONG_LSTM = "def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n    return np.zeros_like(h_prev), np.zeros_like(c_prev)\n"


def write(folder: Path, student: str, before=None, after=None, replace=None, edit=None, raw=None, name="rnn.ipynb",
          files=None):
    """A submission: the solution with code `before`/`after` a solution cell's, cells replaced, or raw bytes;
    `files` are other files in the student's folder."""
    target = folder / student / ASSIGNMENT
    target.mkdir(parents=True, exist_ok=True)
    for file, content in (files or {}).items():
        (target / file).write_bytes(content)
    if raw is not None:
        (target / name).write_bytes(raw)
        return
    nb = nbformat.read(REPO / "exercises" / ASSIGNMENT / "rnn.ipynb", as_version=4)
    solution = solution_answers(REPO / "solutions" / ASSIGNMENT)
    for cell in nb.cells:
        if grade_id(cell) in solution:
            cell.source = (replace or {}).get(grade_id(cell), solution[grade_id(cell)])
            cell.source = (before or {}).get(grade_id(cell), "") + "\n" + cell.source + "\n" + (after or {}).get(grade_id(cell), "")
    if edit:
        edit(nb)
    nbformat.write(nb, target / name)


def delete_tests(nb):
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("lstm_step-tests", "clip_grad_norm-hidden-tests")]


def edit_tests(nb):
    for cell in nb.cells:
        if grade_id(cell) == "rnn_step-tests":
            cell.source = "pass"  # edited
        if grade_id(cell) == "rnn_forward-tests":
            cell.metadata.nbgrader["points"] = 100  # re-weighted
        if grade_id(cell) == "lstm_step-tests":
            cell.cell_type = "markdown"  # re-typed, so that it does not run
            del cell["outputs"], cell["execution_count"]
        if grade_id(cell) == "lstm_step":
            cell.source = WRONG_LSTM


def newer_metadata(nb):
    """An answer cell whose nbgrader metadata claims a schema this nbgrader does not know (it stopped the
    whole batch once)."""
    next(c for c in nb.cells if grade_id(c) == "rnn_step").metadata.nbgrader["schema_version"] = 99


def no_checksums(nb):
    """What some editors leave: nbgrader's metadata without its checksums."""
    for cell in nb.cells:
        cell.metadata.get("nbgrader", {}).pop("checksum", None)


def course_copy(root: Path) -> Course:
    """A course with the rnn assignment, its due date in the gradebook."""
    from nbgrader.api import Gradebook

    course = Course(REPO).copy(root / "course", [ASSIGNMENT])
    course.api().generate_assignment(ASSIGNMENT, force=True)
    with Gradebook(course.coursedir.db_url) as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    with open(course.folder("release", ASSIGNMENT) / "rnn.ipynb", "a") as f:
        f.write(WORK_IN_PROGRESS)  # someone works in the course's student version: grading must not touch it
    return course


WORK_IN_PROGRESS = "\n"  # JSON stays JSON; the file is no longer what nbgrader generates


def submissions(folder: Path, course: Course) -> dict[str, tuple[float, str]]:
    """Write every case; return student -> (expected score, text the problem must contain)."""
    root = course.root
    secrets = [str(root / "solutions" / ASSIGNMENT / "rnn.ipynb"), "../../../solutions/rnn/rnn.ipynb",
               str(REPO / "solutions" / ASSIGNMENT / "rnn.ipynb")]
    gradebooks = [str(root / "gradebook.db"), "../../../gradebook.db", str(REPO / "gradebook.db")]
    rnn_step = solution_answers(REPO / "solutions" / ASSIGNMENT)["rnn_step"]
    lstm_step = solution_answers(REPO / "solutions" / ASSIGNMENT)["lstm_step"]
    late = (DUE + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC").encode()
    cases = {
        "honest": ({}, FULL, ""),
        "sleeps-forever": (dict(before={"rnn_forward": "import time\ntime.sleep(10_000)"}), FULL - 4,
                           "timed out in cell `rnn_forward` (no reply within 31 s of wall-clock time"),
        "loops-forever": (dict(after={"clip_grad_norm": "while True:\n    pass"}), FULL,
                          "timed out in cell `clip_grad_norm` (the cell limit of 10 CPU seconds is used up)"),
        "exits": (dict(before={"lstm_step": "import os\nos._exit(1)"}), 6, "the kernel died in cell `lstm_step`"),
        "segfaults": (dict(before={"lstm_step": "import ctypes\nctypes.string_at(0)"}), 6, "kernel died"),
        "hogs-memory": (dict(before={"rnn_step": "hog = bytearray(16 * 2**30)"}), FULL - 2, "out of memory in cell `rnn_step`"),
        "floods-output": (dict(after={"rnn_step": "for i in range(100_000):\n    print('spam ' * 40)"}), FULL, ""),
        "writes-big-file": (dict(after={"rnn_step": "with open('big.bin', 'wb') as f:\n    f.write(bytes(2 * 2**20))"}), FULL,
                            "a file written in cell `rnn_step` grew past the file-size limit"),
        "asks-input": (dict(before={"rnn_step": "name = input('your name? ')"}), FULL - 2, "input()"),
        "warns-on-stderr": (dict(after={"rnn_forward": "import sys, warnings\n_f = rnn_forward\n"
                                        "def rnn_forward(*a):\n    print('debug: rnn_forward', file=sys.stderr)\n"
                                        "    warnings.warn('an honest warning')\n    return _f(*a)"}), FULL, ""),
        "reads-solutions": (dict(replace={"lstm_step": WRONG_LSTM + "import json\nfor path in %r:\n    try:\n"
                                          "        nb = json.load(open(path))\n    except OSError:\n        continue\n"
                                          "    for c in nb['cells']:\n        if c['metadata'].get('nbgrader', {}).get('grade_id') == 'lstm_step':\n"
                                          "            exec(''.join(c['source']))\n" % secrets}), FULL - 5, ""),
        "writes-gradebook": (dict(after={"rnn_step": "import sqlite3\nfor path in %r:\n    try:\n        db = sqlite3.connect(path)\n"
                                         "        db.execute('update grade set auto_score = 100, manual_score = 100')\n        db.commit()\n"
                                         "    except sqlite3.Error:\n        pass" % gradebooks}), FULL, ""),
        "patches-libraries": (dict(replace={"lstm_step": WRONG_LSTM + "import builtins, numpy, torch\n"
                                            "np.allclose = np.array_equal = lambda *a, **k: True\n"
                                            "torch.allclose = lambda *a, **k: True\nbuiltins.abs = lambda x: 0\n"}),
                              FULL - 9, "replaced library functions"),
        "breaks-the-kernel": (dict(after={"lstm_step": "import builtins\nbuiltins.isinstance = lambda *a: True"}), 6,
                              "the kernel died in cell `lstm_step`"),
        "hides-errors": (dict(replace={"lstm_step": WRONG_LSTM + "get_ipython().set_custom_exc((BaseException,), "
                                       "lambda *a, **k: None)\n"}), FULL - 5, "code in the notebook hid the errors of cell"),
        "deletes-tests": (dict(edit=delete_tests), FULL, "test cells were modified and have been restored"),
        "edits-tests": (dict(edit=edit_tests), FULL - 5, "test cells were modified and have been restored"),
        "newer-metadata": (dict(edit=newer_metadata), FULL, "grading metadata of cell `rnn_step` was modified"),
        "no-checksums": (dict(edit=no_checksums), FULL, ""),
        "wants-the-cpu": (dict(replace={"lstm_step": WRONG_LSTM + "import os, dlbook\n"  # right only without a GPU
                                        "if os.environ['CUDA_VISIBLE_DEVICES'] == '' and dlbook.device().type == 'cpu':\n"
                                        + textwrap.indent(lstm_step, "    ")}), FULL, ""),
        "reads-its-file": (dict(replace={"rnn_step": "exec(open('rnn_step.py').read())"},
                                files={"rnn_step.py": rnn_step.encode()}), FULL, ""),
        "sends-a-big-file": (dict(files={"video.mp4": bytes(2**20 + 1), "notes.txt": bytes(2**20)}), FULL,
                             "video.mp4 is larger than the limit of 1 MiB and was not kept"),
        "late": (dict(files={"timestamp.txt": late}), FULL, ""),
        "bad-timestamp": (dict(files={"timestamp.txt": b"last Tuesday"}), FULL, "timestamp.txt does not hold a date"),
        "renamed": (dict(name="rnn (1).ipynb"), FULL, "instead of 'rnn.ipynb'"),
        "not-json": (dict(raw=b'{"cells": ['), 0, "not valid JSON"),
        "empty-file": (dict(raw=b""), 0, "empty file"),
        "nbformat-5": (dict(raw=json.dumps({"nbformat": 5, "cells": []}).encode()), 0, "wrong format"),
    }
    for student, (kwargs, _, _) in cases.items():
        write(folder, student, **kwargs)
    (folder / "no-notebook" / ASSIGNMENT).mkdir(parents=True)
    (folder / "no-notebook" / ASSIGNMENT / "answers.txt").write_text("I forgot the notebook")
    expected = {student: (score, problem) for student, (_, score, problem) in cases.items()}
    expected["no-notebook"] = (0, "rnn.ipynb is missing")
    return expected


def dlbook_grade(course: Course, source: Path, out: Path, *options: str, assignment=ASSIGNMENT) -> tuple[dict, str]:
    """Run `dlbook grade`; return grades.csv's rows by student and what it printed."""
    result = dlbook("grade", assignment, source, "--course", course.root, "--out", out, *options, timeout=1800)
    assert result.returncode == 0, f"dlbook grade failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    possible = rows.pop(POINTS_POSSIBLE)  # the first row: each column's maximum
    released = course.released(assignment)
    for name, nb in released.items():
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert float(possible[grade_id(cell)]) == cell.metadata.nbgrader["points"]
    assert all(float(possible["score"]) == float(row["max_score"]) for row in rows.values())
    return rows, result.stdout + result.stderr


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course = course_copy(root)
    expected = submissions(root / "submissions", course)
    rows, printed = dlbook_grade(course, root / "submissions", root / "out", "--jobs", "2", *LIMITS)
    return course, root, expected, rows, printed


def test_every_submission_gets_a_row(graded):
    _, _, expected, rows, _ = graded
    assert set(rows) == set(expected)
    header = list(next(iter(rows.values())))
    assert header[:6] == ["student", "score", "max_score", "timestamp", "seconds_late", "late_penalty"]
    assert header[-1] == "problem" and "lstm_step-hidden-tests" in header and "question-answer" in header


CASES = ["honest", "sleeps-forever", "loops-forever", "exits", "segfaults", "hogs-memory", "floods-output",
         "writes-big-file", "asks-input", "warns-on-stderr", "reads-solutions", "writes-gradebook", "patches-libraries",
         "breaks-the-kernel", "hides-errors", "deletes-tests", "edits-tests", "newer-metadata", "no-checksums",
         "reads-its-file", "sends-a-big-file", "late", "bad-timestamp", "renamed", "not-json", "empty-file",
         "nbformat-5", "no-notebook"]


@pytest.mark.parametrize("student", CASES)
def test_each_case_gets_what_it_earned_and_a_clear_problem(graded, student):
    _, _, expected, rows, _ = graded
    score, problem = expected[student]
    assert float(rows[student]["score"]) == score, rows[student]
    assert float(rows[student]["max_score"]) == FULL + 3  # the written answer, graded by hand later
    assert problem in rows[student]["problem"], rows[student]["problem"]
    if not problem:
        assert rows[student]["problem"] == ""


def test_lateness_is_reported_as_nbgrader_computes_it(graded):
    _, _, _, rows, _ = graded
    assert float(rows["late"]["seconds_late"]) == 3600 and rows["late"]["timestamp"].startswith("2026-11-30T18:00")
    assert float(rows["honest"]["seconds_late"]) == 0 and rows["honest"]["timestamp"] == ""


def test_what_a_student_sent_is_kept_within_the_size_limit(graded):
    course, *_ = graded
    kept = course.folder("submitted", ASSIGNMENT, "sends-a-big-file")
    assert (kept / "notes.txt").stat().st_size == 2**20 and not (kept / "video.mp4").exists()
    assert (course.folder("submitted", ASSIGNMENT, "reads-its-file") / "rnn_step.py").exists()


def test_an_unreadable_notebook_gets_the_blank_row_and_feedback_saying_why(graded):
    _, root, _, rows, _ = graded
    for student, reason in (("not-json", "not valid JSON"), ("no-notebook", "rnn.ipynb is missing")):
        assert all(rows[student][cell] in ("0.0", "0") for cell in rows[student] if cell.endswith("tests"))
        html = (root / "out" / "feedback" / student / "rnn.html").read_text()
        assert "could not be graded" in html and reason in html


def test_the_screen_shows_a_summary_and_one_line_per_problem(graded):
    _, root, expected, rows, printed = graded
    assert "Warning" not in printed and "WARNING" not in printed and "Traceback" not in printed
    troubled = [student for student, row in rows.items() if row["problem"]]
    lines = [line for line in printed.splitlines() if line.startswith("  ")]
    assert sorted(line.split()[0] for line in lines) == sorted(troubled)
    assert len(printed.splitlines()) == len(troubled) + 6, printed
    pending = [student for student, row in rows.items() if float(row["pending_manual"])]
    assert f"{3 * len(pending)} points of written answers await manual grading for {len(pending)} students" in printed
    assert (root / "out" / "grading.log").read_text().strip()  # the detail is in the log


def test_nobody_changed_the_gradebook(graded):
    course, _, expected, rows, _ = graded
    with Gradebook(course.coursedir.db_url) as gb:
        for student in expected:
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.score == float(rows[student]["score"])
            assert all(g.score <= g.max_score for nb in submission.notebooks for g in nb.grades)


def test_the_stored_notebook_stays_small_when_output_floods(graded):
    course, *_ = graded
    assert (course.folder("autograded", ASSIGNMENT, "floods-output") / "rnn.ipynb").stat().st_size < 200_000


def test_feedback_shows_results_but_never_hidden_test_code(graded):
    course, root, _, _, _ = graded
    hidden_line = "for N, D, H in ((1, 1, 1), (2, 7, 3), (4, 2, 6)):"  # a line only the hidden tests contain
    assert hidden_line in (REPO / "solutions" / ASSIGNMENT / "rnn.ipynb").read_text()
    for student in ("honest", "edits-tests"):
        html = (root / "out" / "feedback" / student / "rnn.html").read_text()
        assert "Hidden tests check edge cases" in html and hidden_line not in html
    assert "Hint:" in (root / "out" / "feedback" / "edits-tests" / "rnn.html").read_text()


def test_grading_leaves_the_courses_student_versions_alone(graded):
    course, *_ = graded
    assert (course.folder("release", ASSIGNMENT) / "rnn.ipynb").read_text().endswith("}\n" + WORK_IN_PROGRESS)


def test_each_student_has_a_log_of_their_own_without_expected_warnings(graded):
    _, root, expected, _, _ = graded
    logs = {student: (root / "out" / "logs" / f"{student}.log").read_text() for student in expected
            if student != "no-notebook"}
    for student, text in logs.items():
        assert f"submitted/{student}/" in text or f"'{student}'" in text, student
        assert not [other for other in logs if other != student and f"/{other}/{ASSIGNMENT}" in text], student
        assert "has changed!" not in text and "SAWarning" not in text


def test_answers_nobody_graded_yet_are_pending_and_marked_in_the_feedback(graded):
    """Before manual grading the score is not final: grades.csv says how many points wait for a person, and the
    feedback marks the answer "not graded yet" instead of showing a 0 that reads as a grade."""
    _, root, _, rows, _ = graded
    assert float(rows["honest"]["pending_manual"]) == 3 and rows["honest"]["question-answer"] == ""
    assert float(rows["not-json"]["pending_manual"]) == 0  # a blank answer scores 0, and that is final
    html = (root / "out" / "feedback" / "honest" / "rnn.html").read_text()
    assert "not graded yet / 3" in html and "Not graded yet." in html
    assert "not graded yet" not in (root / "out" / "feedback" / "not-json" / "rnn.html").read_text()


def test_feedback_opens_with_a_table_of_functions_points_and_messages(graded):
    _, root, _, rows, _ = graded
    html = (root / "out" / "feedback" / "edits-tests" / "rnn.html").read_text()
    table = html[html.index("Your results"):html.index("</table>")]
    assert html.index("Your results") < html.index("Assignment: recurrent networks")
    for function in ("rnn_step", "rnn_forward", "lstm_step", "clip_grad_norm", "written answer"):
        assert f"{function}<" in table
    lstm = table[table.index("<code>lstm_step</code>"):].split("</tr>")[0]
    assert "<td>0 / 2</td><td>0 / 3</td>" in lstm and "c from lstm_step is off by up to" in lstm and "Hint:" in lstm
    assert rows["edits-tests"]["failed"] == "lstm_step (visible, hidden)" and rows["honest"]["failed"] == ""


def test_the_class_summary_counts_failures_per_test_with_the_commonest_message(graded):
    _, root, expected, _, _ = graded
    with open(root / "out" / "summary.csv", newline="") as f:
        summary = {row["test"]: row for row in csv.DictReader(f)}
    lstm = summary["lstm_step-tests"]
    assert int(lstm["of"]) == len(expected) and int(lstm["failed"]) >= 2  # edits-tests, reads-solutions, ...
    assert int(lstm["students_with_it"]) <= int(lstm["failed"]) and lstm["most_common_message"]
    assert summary["question-answer"]["failed"] == "0"


def test_canvas_export_has_canvas_columns_and_points_possible(graded):
    _, root, expected, rows, _ = graded
    with open(root / "out" / "canvas.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert table[0]["Student"] == "Points Possible" and float(table[0][ASSIGNMENT]) == FULL + 3
    assert {r["SIS Login ID"]: float(r[ASSIGNMENT]) for r in table[1:]} == {
        s: float(row["score"]) for s, row in rows.items()}


def normalised(row: dict) -> dict:
    """A grades.csv row with its numbers as numbers ("2", "2.0" and 2.0 alike)."""
    def number(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return {key: number(value) for key, value in row.items()}


def test_regrading_in_other_batches_keeps_manual_grades_gives_the_same_rows_and_no_duplicates(graded, tmp_path):
    """An instructor grades written answers in formgrader (2 points, and 0 points), then grades again from a zip
    with one job (the first run had two), so every submission lands in another batch: both manual scores
    survive, count in the score and show in grades.csv; nothing else changes."""
    course, root, _, rows, _ = graded
    manual = {"honest": 2.0, "exits": 0.0}
    with Gradebook(course.coursedir.db_url) as gb:
        for student, score in manual.items():
            grade = gb.find_grade("question-answer", "rnn", ASSIGNMENT, student)
            grade.manual_score, grade.needs_manual_grade = score, False  # what formgrader saves
        gb.db.commit()
    subset = tmp_path / "again.zip"
    shutil.make_archive(str(subset.with_suffix("")), "zip", root / "submissions")
    again, _ = dlbook_grade(course, subset, tmp_path / "out", "--jobs", "1", *LIMITS)
    expected = {student: dict(row) for student, row in rows.items()}
    for student, score in manual.items():
        assert float(again[student]["question-answer"]) == score, again[student]
        expected[student].update({"question-answer": score, "score": float(rows[student]["score"]) + score,
                                  "pending_manual": 0.0})
    assert {s: normalised(row) for s, row in again.items()} == {s: normalised(row) for s, row in expected.items()}
    with Gradebook(course.coursedir.db_url) as gb:
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == len(rows)
        for student in manual:  # graded by a person, and still graded: formgrader does not ask again
            assert not gb.find_grade("question-answer", "rnn", ASSIGNMENT, student).needs_manual_grade
        assert gb.find_grade("question-answer", "rnn", ASSIGNMENT, "late").needs_manual_grade


def test_a_failed_batch_leaves_every_other_student_as_graded_alone(graded, tmp_path):
    """nbgrader stops a whole batch at a notebook with unknown metadata (staging repairs that, so it is planted
    here after staging): the students after it are graded again alone, and get exactly their own grades."""
    from dlbook import autograde, submissions
    from dlbook.limits import Limits

    course, root, _, rows, _ = graded
    work, students = tmp_path, ["newer-metadata", "honest", "exits"]
    released = course.released(ASSIGNMENT)
    for student in students:
        submission = submissions.collect(root / "submissions", ASSIGNMENT, list(released))
        submission = next(s for s in submission if s.student == student)
        submissions.stage(submission, released, autograde.staged(work, student, ASSIGNMENT), Limits())
    shutil.copy(root / "submissions" / "newer-metadata" / ASSIGNMENT / "rnn.ipynb",
                autograde.staged(work, "newer-metadata", ASSIGNMENT) / "rnn.ipynb")  # unrepaired
    template = autograde.private_template(course, ASSIGNMENT, work, course.folder("release", ASSIGNMENT))
    executed = autograde.execute(template, work, ASSIGNMENT, students, Limits(cell_seconds=10), [0])
    assert "newer version" in (work / "logs" / "newer-metadata.log").read_text()  # the batch did fail, on it
    assert "newer version" not in (work / "logs" / "honest.log").read_text()
    assert executed["newer-metadata"] is None
    for student in ("honest", "exits"):
        nb = nbformat.read(executed[student] / "rnn.ipynb", as_version=4)
        failed = {grade_id(c) for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))}
        graded_zero = {cell for cell, value in rows[student].items() if cell.endswith("tests") and float(value) == 0}
        assert graded_zero <= failed and (student != "honest" or not graded_zero)


def test_canvas_downloads_are_graded_by_student(tmp_path):
    """A Canvas bulk download: flat files named <name>[_LATE]_<user id>_<submission id>_<file>, a resubmission
    renamed rnn-1.ipynb, and a data file of the same student."""
    course = course_copy(tmp_path)
    inbox = tmp_path / "flat"
    write(inbox, "tmp", replace={"rnn_step": "exec(open('rnn_step.py').read())"})
    solved = (inbox / "tmp" / ASSIGNMENT / "rnn.ipynb").read_bytes()
    shutil.rmtree(inbox / "tmp")
    (inbox / "doejane_4711_90001_rnn.ipynb").write_bytes(solved)
    (inbox / "doejane_4711_90001_rnn_step.py").write_text(solution_answers(REPO / "solutions" / ASSIGNMENT)["rnn_step"])
    (inbox / "roejohn_LATE_4712_90002_rnn-1.ipynb").write_bytes(solved)  # no rnn_step.py: that cell fails
    rows, _ = dlbook_grade(course, inbox, tmp_path / "out", *LIMITS)
    assert set(rows) == {"doejane", "roejohn"}
    assert float(rows["doejane"]["score"]) == FULL and rows["doejane"]["problem"] == ""
    assert float(rows["roejohn"]["score"]) == FULL - 2
    assert "Canvas marked this submission late" in rows["roejohn"]["problem"]
    assert "instead of 'rnn.ipynb'" in rows["roejohn"]["problem"]
    with open(tmp_path / "out" / "canvas.csv", newline="") as f:
        assert {r["Student"]: r["ID"] for r in csv.DictReader(f)} == {"Points Possible": "", "doejane": "4711",
                                                                       "roejohn": "4712"}


def test_files_that_belong_to_no_student_are_refused_with_the_way_to_fix_it(tmp_path):
    course = course_copy(tmp_path)
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "rnn.ipynb").write_text("{}")
    result = dlbook("grade", ASSIGNMENT, tmp_path / "flat", "--course", course.root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "folder named after the student" in result.stderr and "<student>/rnn.ipynb" in result.stderr


def test_mistakes_on_the_command_line_are_one_line_with_the_fix(tmp_path):
    course = Course(REPO).copy(tmp_path / "course", [ASSIGNMENT])
    notebook = REPO / "exercises" / ASSIGNMENT / "rnn.ipynb"
    for args, says in (((ASSIGNMENT, notebook), "is one notebook; pass a folder with a folder per student"),
                       ((ASSIGNMENT, tmp_path / "nowhere"), "nowhere does not exist"),
                       (("recurrent", tmp_path), "there is no assignment 'recurrent'; the assignments are: rnn")):
        result = dlbook("grade", *args, "--course", course.root, "--out", tmp_path / "out")
        assert result.returncode != 0 and result.stdout == "", result
        assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_dry_run_leaves_the_gradebook_and_the_course_as_they_were(graded, tmp_path):
    course, root, _, rows, _ = graded
    before = sorted(str(p.relative_to(course.root)) for p in course.root.rglob("*"))
    gradebook = course.gradebook.read_bytes()
    write(tmp_path / "in", "newcomer")
    result = dlbook("grade", ASSIGNMENT, tmp_path / "in", "--course", course.root, "--dry-run", *LIMITS)
    assert result.returncode == 0 and "dry run: the course's gradebook and folders are unchanged" in result.stdout
    with open(course.root / "graded" / f"{ASSIGNMENT}-dry-run" / "grades.csv", newline="") as f:
        assert [r["student"] for r in csv.DictReader(f)] == [POINTS_POSSIBLE, "newcomer"]
    shutil.rmtree(course.root / "graded" / f"{ASSIGNMENT}-dry-run")
    if "graded" not in before:
        (course.root / "graded").rmdir()
    assert course.gradebook.read_bytes() == gradebook
    assert sorted(str(p.relative_to(course.root)) for p in course.root.rglob("*")) == before


SELF_CHECKED = ("honest", "warns-on-stderr", "asks-input", "edits-tests")


def restored(root: Path, student: str, folder: str) -> Path:
    """A copy of the student's notebook with the test cells put back, as grading runs it, in root/folder."""
    from dlbook import grading

    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / "rnn.ipynb", as_version=4)
    nb, _ = grading.restore_test_cells(nbformat.read(root / "submissions" / student / ASSIGNMENT / "rnn.ipynb",
                                                     as_version=4), released)
    copy = root / folder / student / "rnn.ipynb"
    copy.parent.mkdir(parents=True)
    nbformat.write(nb, copy)
    return copy


def visible_failed_in_grading(row: dict) -> set[str]:
    return {cell for cell, value in row.items() if cell.endswith("-tests") and "hidden" not in cell and float(value) == 0}


def test_self_check_with_nbgrader_validate_agrees_with_grading(graded):
    """The visible tests `nbgrader validate` reports as failed are those grading gave no points (nbgrader #1844)."""
    from nbgrader.validator import Validator

    from dlbook import grading

    grading.align_validate_with_autograde()  # what nbgrader_config.py does for `nbgrader validate`
    _, root, _, rows, _ = graded
    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / "rnn.ipynb", as_version=4)
    visible = {c.source.strip(): grade_id(c) for c in released.cells if (grade_id(c) or "").endswith("-tests") and "hidden" not in grade_id(c)}
    for student in SELF_CHECKED:
        report = Validator().validate(str(restored(root, student, "validate")))
        said_failed = {visible[f["source"]] for f in report.get("failed", []) if f["source"] in visible}
        assert said_failed == visible_failed_in_grading(rows[student]), (student, report.get("failed"))


def test_dlbook_check_agrees_with_grading(graded):
    """The visible tests `dlbook check` fails are those grading gave no points, and it exits 1 exactly then."""
    _, root, _, rows, _ = graded
    for student in SELF_CHECKED:
        copy = restored(root, student, "check")
        result = dlbook("check", copy, cwd=copy.parent)
        said_failed = {line.split()[1] + "-tests" for line in result.stdout.splitlines() if line.startswith("FAIL")}
        graded_failed = visible_failed_in_grading(rows[student])
        assert said_failed == graded_failed and result.returncode == (1 if graded_failed else 0), (student, result)


@pytest.fixture
def cpu_hog():
    """A process that keeps every core busy for as long as the test runs."""
    hog = subprocess.Popen([sys.executable, "-c", "import multiprocessing as m\n"
                            "def spin(_):\n    while True: pass\n"
                            "m.Pool(m.cpu_count()).map(spin, range(m.cpu_count()))"], start_new_session=True)
    yield
    os.killpg(hog.pid, signal.SIGKILL)  # the pool's workers too
    hog.wait()


@pytest.mark.parametrize("assignment", ALL_ASSIGNMENTS)
@pytest.mark.usefixtures("cpu_hog")
def test_honest_work_gets_full_marks_on_a_busy_machine(tmp_path, assignment):
    """Each assignment, graded with the course's real limits by two kernels at once while another process keeps
    every core busy: two honest solutions keep every automatic point."""
    course = Course(REPO).copy(tmp_path / "course", [assignment])
    released = course.released(assignment)
    solution = solution_answers(REPO / "solutions" / assignment)
    for student in ("first", "second"):
        for name, nb in released.items():
            for cell in nb.cells:
                cell.source = solution.get(grade_id(cell), cell.source)
            (tmp_path / "in" / student / assignment).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, tmp_path / "in" / student / assignment / name)
    rows, _ = dlbook_grade(course, tmp_path / "in", tmp_path / "out", "--jobs", "2", assignment=assignment)
    automatic = sum(c.metadata.nbgrader["points"] for nb in released.values() for c in nb.cells
                    if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))
    for student, row in rows.items():
        log = (tmp_path / "out" / "logs" / f"{student}.log").read_text()[-3000:]
        assert float(row["score"]) == automatic and row["problem"] == "", \
            f"{student} scored {row['score']} of {automatic}; problem: {row['problem']!r}; failed: {row['failed']!r}\n{log}"


def test_help_shows_every_limit_with_its_unit_and_default():
    from dlbook import limits

    result = dlbook("grade", "--help", timeout=60)
    text = " ".join(result.stdout.split())
    for name, flag, _, _, help in limits.options():
        assert flag in text and " ".join(help.split()) in text, (flag, text)
        assert f"default {getattr(limits.DEFAULT, name):g})" in help


def test_students_start_on_a_copy_of_their_own_and_it_is_never_overwritten(tmp_path):
    """`dlbook start rnn` copies the student version to ~/dlbook-work/rnn, found from any folder of the
    repository; a second start refuses, because that folder may hold the student's work."""
    result = dlbook("start", ASSIGNMENT, cwd=REPO / "book", HOME=str(tmp_path))
    target = tmp_path / "dlbook-work" / ASSIGNMENT
    assert result.returncode == 0 and f"dlbook check {target / 'rnn.ipynb'}" in result.stdout, result
    assert (target / "rnn.ipynb").read_bytes() == (REPO / "exercises" / ASSIGNMENT / "rnn.ipynb").read_bytes()
    (target / "rnn.ipynb").write_text("my work")
    again = dlbook("start", ASSIGNMENT, cwd=tmp_path, HOME=str(tmp_path))  # outside: the installed repo's
    assert again.returncode != 0 and "already exists, and it may hold your work" in again.stderr
    assert (target / "rnn.ipynb").read_text() == "my work"


def test_self_learners_get_the_model_solution_marked_as_such(tmp_path):
    result = dlbook("solution", ASSIGNMENT, "--to", tmp_path, cwd=REPO)
    nb = nbformat.read(tmp_path / "rnn-MODEL-SOLUTION.ipynb", as_version=4)
    assert result.returncode == 0 and nb.cells[0].source.startswith("# MODEL SOLUTION")
    assert "### BEGIN HIDDEN TESTS" in json.dumps(nb.cells[1:]) and not (tmp_path / "rnn.ipynb").exists()


def test_formgrade_starts_jupyterlab_with_the_formgrader_of_this_course(tmp_path):
    """The manual-grading command the README gives starts, in the course, and its formgrader lists the course's
    assignments (the route the Nbgrader > Formgrader menu opens)."""
    import socket
    import time
    import urllib.request

    course = course_copy(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "dlbook"), "formgrade", "--course", str(course.root),
                               "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                               "--IdentityProvider.token=grading"], cwd=tmp_path, env=run_env() | {
                                   "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "HOME": str(tmp_path)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/formgrader/api/assignments?token=grading") as r:
                    answer = json.load(r)
            except OSError:
                assert server.poll() is None, "dlbook formgrade exited"
                time.sleep(1)
        assert answer is not None, "the formgrader did not answer within 120 s"
        assert [a["name"] for a in answer] == [ASSIGNMENT]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
