"""`dlbook check`, the students' check: it runs a notebook as grading does, from any folder, prints one line
per test with the whole message, says what it did not check, and exits non-zero when something failed."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, dlbook
from dlbook.grading import grade_id, solution_answers

TRANSPOSED = "def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n    return np.tanh(x_t @ W_xh + W_hh @ h_prev + b)\n"


def student_copy(folder: Path, replace: dict[str, str] | None = None) -> Path:
    """The rnn assignment answered with the solution, cells in `replace` answered otherwise."""
    nb = nbformat.read(REPO / "exercises" / "rnn" / "rnn.ipynb", as_version=4)
    solution = solution_answers(REPO / "solutions" / "rnn")
    for cell in nb.cells:
        cell.source = (replace or {}).get(grade_id(cell), solution.get(grade_id(cell), cell.source))
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "rnn.ipynb")
    return folder / "rnn.ipynb"


def test_a_right_notebook_passes_with_one_line_per_visible_test_anywhere(tmp_path):
    """Run from a folder outside the course (nbgrader validate judged differently there)."""
    path = student_copy(tmp_path / "work")
    result = dlbook("check", str(path), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:4]] == [["PASS", f] for f in
                                                        ("rnn_step", "rnn_forward", "lstm_step", "clip_grad_norm")]
    assert "(2 of lstm_step's 5 points checked here)" in lines[2]
    assert lines[-1] == ("7 of 7 points checked here passed. Not checked here: hidden tests (8 points) and written "
                         "answers (3 points, read by a person).")
    assert result.stderr == ""


def test_a_mistake_fails_with_the_students_line_the_shapes_and_the_hint(tmp_path):
    path = student_copy(tmp_path, {"rnn_step": TRANSPOSED})
    result = dlbook("check", str(path), cwd=tmp_path, timeout=600)
    assert result.returncode == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith("FAIL   rnn_step [visible, 1 point]: StudentError: rnn_step raised ValueError: matmul")
    assert "in line 2 of your rnn_step: `return np.tanh(x_t @ W_xh + W_hh @ h_prev + b)`" in line
    assert "W_hh is (5, 5), h_prev is (3, 5)" in line
    assert "Hint: x_t @ W_xh and h_prev @ W_hh are both (N, H): the state comes first, h_prev @ W_hh, not " \
           "W_hh @ h_prev" in result.stdout  # the hint written for this mistake, in full
    assert "6 of 7 points checked here passed" in result.stdout


def test_tracebacks_show_the_test_cell_and_no_frame_of_the_graders_code(tmp_path):
    """What the student sees in Jupyter: the test cell's line and the message; no dlbook/ path or frame."""
    from dlbook import selfcheck

    nb = selfcheck.run(student_copy(tmp_path, {"rnn_forward": "def rnn_forward(X, h0, W_xh, W_hh, b):\n"
                                                              "    return np.zeros((len(X) + 1, *h0.shape))\n"}))
    failed = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert failed and all(o.ename == "TestFailure" for o in failed)
    text = json.dumps([o.traceback for o in failed])
    assert "dlbook/" not in text and str(REPO) not in text and "check_shape(got" in text


def test_an_error_outside_the_tests_and_a_changed_test_cell_are_reported(tmp_path):
    path = student_copy(tmp_path, {"clip_grad_norm": "def clip_grad_norm(grads, max_norm):\n    return (\n"})
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if grade_id(c) == "rnn_step-tests").source += "\nassert True"
    nbformat.write(nb, path)
    result = dlbook("check", str(path), cwd=tmp_path, timeout=600)
    assert result.returncode == 1
    assert result.stdout.startswith("NOTE   test cell rnn_step-tests was changed: grading puts the original back")
    assert "ERROR  in cell clip_grad_norm: SyntaxError" in result.stdout
    assert "FAIL   clip_grad_norm [visible, 2 points]" in result.stdout


def test_an_unanswered_notebook_fails_every_test_and_says_so(tmp_path):
    shutil.copy(REPO / "exercises" / "rnn" / "rnn.ipynb", tmp_path / "rnn.ipynb")
    result = dlbook("check", "rnn.ipynb", cwd=tmp_path, timeout=600)
    assert result.returncode == 1 and result.stdout.count("FAIL") == 4 and "ERROR" not in result.stdout
    assert result.stdout.count("not answered yet: write your code where it says YOUR CODE HERE") == 4


def test_not_a_notebook_is_one_line_with_the_fix(tmp_path):
    result = dlbook("check", "missing.ipynb", cwd=tmp_path, timeout=600)
    assert result.returncode != 0 and result.stderr.strip() == "dlbook: missing.ipynb is not a notebook file (.ipynb)"


@pytest.mark.usefixtures("bwrap")
def test_self_learners_run_the_hidden_tests_without_touching_the_course(tmp_path):
    """`dlbook check --hidden` grades the notebook as an instructor would, in a trial copy of the course: the
    hidden tests' lines appear, and the repository's gradebook and folders do not change."""
    course = tmp_path / "course"
    from dlbook.course import Course

    Course(REPO).copy(course, ["rnn"])
    path = student_copy(tmp_path / "me", {"clip_grad_norm": (
        "def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
        "    return [g * min(1.0, max_norm / total) for g in grads], total\n")})
    result = dlbook("check", str(path), "--hidden", "--course", str(course), cwd=tmp_path, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASS   rnn_step [hidden, 1 point]" in result.stdout
    assert "FAIL   clip_grad_norm [visible, 2 points]" in result.stdout  # all-zero gradients, as the text says
    assert "FAIL   clip_grad_norm [hidden, 2 points]" in result.stdout and "norm 0" in result.stdout
    assert sorted(p.name for p in course.iterdir()) == ["exercises", "nbgrader_config.py", "solutions"]
