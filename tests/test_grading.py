"""dlbook.grading's pieces on their own: reading any file, restoring test cells, naming problems, and the
preprocessors that keep stderr from zeroing a test and hidden tests out of feedback."""

import json

import nbformat
import pytest

from conftest import REPO
from dlbook import grading

RELEASED = REPO / "exercises" / "rnn" / "rnn.ipynb"


def released():
    return nbformat.read(RELEASED, as_version=4)


def ids(nb):
    return [grading.grade_id(c) for c in nb.cells]


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file"),
    (b"\x89PNG\r\n", "not a text file"),
    (b'{"cells": [', "not valid JSON"),
    (b"[1, 2]", "wrong format"),
    (json.dumps({"nbformat": 5, "cells": []}).encode(), "nbformat 5"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "nonsense"}]}).encode(),
     "not a valid Jupyter notebook"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path, content, problem):
    path = tmp_path / "rnn.ipynb"
    path.write_bytes(content)
    nb, why = grading.read_submission(path)
    assert nb is None and problem in why


def test_a_good_notebook_reads_unchanged_and_nbformat_3_is_converted(tmp_path):
    nb, why = grading.read_submission(RELEASED)
    assert why is None and nb == released()
    old = tmp_path / "old.ipynb"
    old.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                               "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "outputs": [],
                                                          "language": "python", "metadata": {}}]}]}))
    nb, why = grading.read_submission(old)
    assert "converted" in why and nb.nbformat == 4 and nb.cells[0].source == "x = 1"


def test_deleted_edited_retyped_and_reweighted_test_cells_are_restored():
    original = released()
    nb = released()
    nb.cells = [c for c in nb.cells if grading.grade_id(c) != "lstm_step-tests"]           # deleted
    by_id = {grading.grade_id(c): c for c in nb.cells}
    by_id["rnn_step-tests"].source = "pass"                                          # edited
    by_id["rnn_forward-tests"].metadata.nbgrader["points"] = 100                     # re-weighted
    by_id["clip_grad_norm-tests"].cell_type = "markdown"                            # re-typed
    by_id["rnn_step"].source = "def rnn_step(*a):\n    return 42"                   # the student's own answer
    restored, changed = grading.restore_test_cells(nb, original)
    assert changed and ids(restored) == ids(original)
    for got, want in zip(restored.cells, original.cells):
        if grading.grade_id(want) == "rnn_step":
            assert got.source == "def rnn_step(*a):\n    return 42"  # answers are kept
        else:
            assert (got.cell_type, got.source, got.metadata.get("nbgrader")) == \
                   (want.cell_type, want.source, want.metadata.get("nbgrader"))


def test_an_untouched_notebook_is_not_reported_and_invented_grade_ids_are_ignored():
    restored, changed = grading.restore_test_cells(released(), released())
    assert not changed and restored == released()
    nb = released()
    extra = nbformat.v4.new_code_cell("print('my own test')")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "free-points", "points": 50, "locked": True,
                                  "solution": False, "schema_version": 3}
    nb.cells.append(extra)
    restored, changed = grading.restore_test_cells(nb, released())
    assert changed and "nbgrader" not in restored.cells[-1].metadata


def error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def test_problems_are_named_in_plain_language():
    nb = released()
    cells = {grading.grade_id(c): c for c in nb.cells}
    cells["rnn_step"].outputs = [error("CellTimeoutError", "")]
    cells["rnn_forward"].outputs = [error("MemoryError", "")]
    cells["lstm_step"].outputs = [error("StdinNotImplementedError", "raw_input was called")]
    grading.SafeExecute._not_run(cells["clip_grad_norm"], "kernel died (os._exit, a crash or the memory limit)")
    assert grading.problems_in(nb) == [
        "timed out in cell rnn_step", "out of memory in cell rnn_forward",
        "input() cannot be answered during grading (cell lstm_step)",
        "kernel died (os._exit, a crash or the memory limit); the cells after it were not run"]


def test_stderr_in_a_test_cell_is_shown_but_does_not_fail_it():
    nb = released()
    cell = next(c for c in nb.cells if grading.grade_id(c) == "rnn_step-tests")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: careful\n")]
    grading.StderrIsNotFailure().preprocess(nb, {})
    assert cell.outputs[0].name == "stdout" and "careful" in cell.outputs[0].text
    from nbgrader.utils import determine_grade
    assert determine_grade(cell)[0] == 1


def test_feedback_hides_hidden_test_code_but_keeps_the_failure_message():
    nb = nbformat.read(REPO / "solutions" / "rnn" / "rnn.ipynb", as_version=4)
    cell = next(c for c in nb.cells if grading.grade_id(c) == "rnn_step-hidden-tests")
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="rnn_step is off\nHint: use tanh",
                                           traceback=["Traceback", "----> 12 check_close(rnn_step(x_t, h_prev, ...))"])]
    grading.HideHiddenTests().preprocess(nb, {})
    assert "check_close" not in cell.source and "Hidden tests" in cell.source
    assert cell.outputs[0].traceback == ["AssertionError: rnn_step is off\nHint: use tanh"]
