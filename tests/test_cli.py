"""`dlbook grade` against hostile and broken submissions: every one gets a row and a clear problem, none
gains points it did not earn, none changes another's grade, and the whole run stays within its time limits."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import REPO, run_env
from dlbook.grading import grade_id, solution_answers

ASSIGNMENT = "rnn"  # a quick one: its solution grades in about 3 s
FULL = 15.0  # its automatic points
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 15, 60  # seconds; room for importing torch on a busy machine
WRONG_LSTM = "def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n    return np.zeros_like(h_prev), np.zeros_like(c_prev)\n"


def write(folder: Path, student: str, before=None, after=None, replace=None, edit=None, raw=None, name="rnn.ipynb"):
    """A submission: the solution with code `before`/`after` a solution cell's, cells replaced, or raw bytes."""
    target = folder / student / ASSIGNMENT
    target.mkdir(parents=True, exist_ok=True)
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


def course_copy(root: Path) -> Path:
    course = root / "course"
    course.mkdir()
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    config = (REPO / "nbgrader_config.py").read_text()
    config = config.replace("c.Execute.timeout = 30", f"c.Execute.timeout = {CELL_TIMEOUT}")
    config = config.replace("c.SafeExecute.notebook_timeout = 600", f"c.SafeExecute.notebook_timeout = {NOTEBOOK_TIMEOUT}")
    assert config != (REPO / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config)
    return course


def submissions(folder: Path, course: Path) -> dict[str, tuple[float, str]]:
    """Write every case; return student -> (expected score, text the problem must contain)."""
    secrets = [str(course / "solutions" / ASSIGNMENT / "rnn.ipynb"), "../../../solutions/rnn/rnn.ipynb",
               str(REPO / "solutions" / ASSIGNMENT / "rnn.ipynb")]
    gradebooks = [str(course / "gradebook.db"), "../../../gradebook.db", str(REPO / "gradebook.db")]
    cases = {
        "honest": ({}, FULL, ""),
        "sleeps-forever": (dict(before={"rnn_forward": "import time\ntime.sleep(10_000)"}), FULL - 4, "timed out in cell rnn_forward"),
        "loops-forever": (dict(after={"clip_grad_norm": "while True:\n    pass"}), FULL, "timed out in cell clip_grad_norm"),
        "exits": (dict(before={"lstm_step": "import os\nos._exit(1)"}), 6, "kernel died"),
        "segfaults": (dict(before={"lstm_step": "import ctypes\nctypes.string_at(0)"}), 6, "kernel died"),
        "hogs-memory": (dict(before={"rnn_step": "hog = bytearray(16 * 2**30)"}), FULL - 2, "out of memory in cell rnn_step"),
        "floods-output": (dict(after={"rnn_step": "for i in range(100_000):\n    print('spam ' * 40)"}), FULL, ""),
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
                              "kernel stopped responding"),
        "swallows-errors": (dict(replace={"lstm_step": WRONG_LSTM + "get_ipython().set_custom_exc((BaseException,), "
                                          "lambda *a, **k: None)\n"}), FULL - 5, ""),
        "deletes-tests": (dict(edit=delete_tests), FULL, "test cells were modified and have been restored"),
        "edits-tests": (dict(edit=edit_tests), FULL - 5, "test cells were modified and have been restored"),
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


def dlbook_grade(course: Path, source: Path, out: Path, jobs: int = 2) -> tuple[dict, float]:
    start = time.perf_counter()
    result = subprocess.run([str(Path(sys.executable).parent / "dlbook"), "grade", ASSIGNMENT, str(source),
                             "--course", str(course), "--out", str(out), "--jobs", str(jobs), "--memory", "2"],
                            env=run_env(), capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"dlbook grade failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    with open(out / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}, time.perf_counter() - start


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course = course_copy(root)
    expected = submissions(root / "submissions", course)
    rows, seconds = dlbook_grade(course, root / "submissions", root / "out")
    return course, root, expected, rows, seconds


def test_every_submission_gets_a_row(graded):
    _, _, expected, rows, _ = graded
    assert set(rows) == set(expected)
    header = list(next(iter(rows.values())))
    assert header[:3] == ["student", "score", "max_score"] and header[-1] == "problem"
    assert "lstm_step-hidden-tests" in header and "question-answer" in header


@pytest.mark.parametrize("student", ["honest", "sleeps-forever", "loops-forever", "exits", "segfaults", "hogs-memory",
                                     "floods-output", "asks-input", "warns-on-stderr", "reads-solutions",
                                     "writes-gradebook", "patches-libraries", "breaks-the-kernel", "swallows-errors", "deletes-tests",
                                     "edits-tests", "renamed", "not-json", "empty-file", "nbformat-5", "no-notebook"])
def test_each_case_gets_what_it_earned_and_a_clear_problem(graded, student):
    _, _, expected, rows, _ = graded
    score, problem = expected[student]
    assert float(rows[student]["score"]) == score, rows[student]
    assert float(rows[student]["max_score"]) == FULL + 3  # the written answer, graded by hand later
    assert problem in rows[student]["problem"], rows[student]["problem"]
    if not problem:
        assert "restored" not in rows[student]["problem"]


def test_nobody_changed_the_gradebook(graded):
    course, _, expected, rows, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in expected:
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.score == float(rows[student]["score"])
            assert all(g.score <= g.max_score for nb in submission.notebooks for g in nb.grades)


def test_the_stored_notebook_stays_small_when_output_floods(graded):
    course, _, _, _, _ = graded
    assert (course / "autograded" / "floods-output" / ASSIGNMENT / "rnn.ipynb").stat().st_size < 200_000


def test_feedback_shows_results_but_never_hidden_test_code(graded):
    course, root, _, _, _ = graded
    hidden_line = "for N, D, H in ((1, 1, 1), (2, 7, 3), (4, 2, 6)):"  # a line only the hidden tests contain
    assert hidden_line in (REPO / "solutions" / ASSIGNMENT / "rnn.ipynb").read_text()
    for student in ("honest", "edits-tests"):
        html = (root / "out" / "feedback" / student / "rnn.html").read_text()
        assert "Hidden tests check edge cases" in html and hidden_line not in html
    assert "Hint:" in (root / "out" / "feedback" / "edits-tests" / "rnn.html").read_text()


def test_the_run_is_bounded_by_its_time_limits(graded):
    *_, seconds = graded
    # 21 submissions on 2 workers, of which two wait for a cell timeout; far from one notebook timeout each
    assert seconds < 21 * NOTEBOOK_TIMEOUT / 2


def normalised(row: dict) -> dict:
    """A grades.csv row with its numbers as numbers ("2", "2.0" and 2.0 alike)."""
    def number(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return {key: number(value) for key, value in row.items()}


def test_regrading_keeps_manual_grades_gives_the_same_rows_and_no_duplicates(graded, tmp_path):
    """An instructor grades written answers in formgrader (2 points, and 0 points), then grades again: both
    manual scores survive, count in the score and show in grades.csv; nothing else changes."""
    course, root, _, rows, _ = graded
    manual = {"honest": 2.0, "exits": 0.0}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, score in manual.items():
            grade = gb.find_grade("question-answer", "rnn", ASSIGNMENT, student)
            grade.manual_score = score
        gb.db.commit()
    subset = tmp_path / "again.zip"
    shutil.make_archive(str(subset.with_suffix("")), "zip", root / "submissions")
    again, _ = dlbook_grade(course, subset, tmp_path / "out", jobs=1)
    expected = {student: dict(row) for student, row in rows.items()}
    for student, score in manual.items():
        assert float(again[student]["question-answer"]) == score, again[student]
        expected[student].update({"question-answer": score, "score": float(rows[student]["score"]) + score})
    assert {s: normalised(row) for s, row in again.items()} == {s: normalised(row) for s, row in expected.items()}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == len(rows)


def test_self_check_with_nbgrader_validate_agrees_with_grading(graded):
    """The visible tests `nbgrader validate` reports as failed are those grading gave no points (nbgrader #1844)."""
    from nbgrader.validator import Validator

    from dlbook import grading

    grading.align_validate_with_autograde()  # what nbgrader_config.py does for `nbgrader validate`
    course, root, _, rows, _ = graded
    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / "rnn.ipynb", as_version=4)
    visible = {c.source.strip(): grade_id(c) for c in released.cells if (grade_id(c) or "").endswith("-tests") and "hidden" not in grade_id(c)}
    for student in ("honest", "warns-on-stderr", "asks-input", "edits-tests"):
        path = root / "submissions" / student / ASSIGNMENT / "rnn.ipynb"
        restored, _ = grading.restore_test_cells(nbformat.read(path, as_version=4), released)
        copy = root / "validate" / student / "rnn.ipynb"
        copy.parent.mkdir(parents=True)
        nbformat.write(restored, copy)
        report = Validator().validate(str(copy))
        said_failed = {visible[f["source"]] for f in report.get("failed", []) if f["source"] in visible}
        graded_failed = {c for c in visible.values() if float(rows[student][c]) == 0}
        assert said_failed == graded_failed, (student, report.get("failed"))


@pytest.fixture
def cpu_hog():
    """A process that keeps every core busy for as long as the test runs."""
    hog = subprocess.Popen([sys.executable, "-c", "import multiprocessing as m\n"
                            "def spin(_):\n    while True: pass\n"
                            "m.Pool(m.cpu_count()).map(spin, range(m.cpu_count()))"], start_new_session=True)
    yield
    os.killpg(hog.pid, signal.SIGKILL)  # the pool's workers too
    hog.wait()


@pytest.mark.parametrize("assignment", ["gan", "cnn"])
@pytest.mark.usefixtures("cpu_hog")
def test_honest_work_gets_full_marks_on_a_busy_machine(tmp_path, assignment):
    """The assignments that train networks, graded with the course's real limits by two kernels at once while
    another process keeps every core busy: two honest solutions keep every automatic point."""
    course = tmp_path / "course"
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder / assignment, course / folder / assignment)
    shutil.copy(REPO / "nbgrader_config.py", course)
    released = nbformat.read(next((REPO / "exercises" / assignment).glob("*.ipynb")), as_version=4)
    solution = solution_answers(REPO / "solutions" / assignment)
    for student in ("first", "second"):
        nb = nbformat.from_dict(released)
        for cell in nb.cells:
            cell.source = solution.get(grade_id(cell), cell.source)
        (tmp_path / "in" / student / assignment).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "in" / student / assignment / f"{assignment}.ipynb")
    result = subprocess.run([str(Path(sys.executable).parent / "dlbook"), "grade", assignment, str(tmp_path / "in"),
                             "--course", str(course), "--out", str(tmp_path / "out"), "--jobs", "2"],
                            env=run_env(), capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    automatic = sum(c.metadata.nbgrader["points"] for c in released.cells
                    if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            assert float(row["score"]) == automatic, row
