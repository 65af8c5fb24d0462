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
    restored, problems = grading.restore_test_cells(nb, original)
    assert problems == ["test cells were modified and have been restored"] and ids(restored) == ids(original)
    for got, want in zip(restored.cells, original.cells):
        if grading.grade_id(want) == "rnn_step":
            assert got.source == "def rnn_step(*a):\n    return 42"  # answers are kept
        else:
            assert (got.cell_type, got.source, got.metadata.get("nbgrader")) == \
                   (want.cell_type, want.source, want.metadata.get("nbgrader"))


def test_an_untouched_notebook_is_not_reported_and_invented_grade_ids_are_ignored():
    restored, problems = grading.restore_test_cells(released(), released())
    assert not problems and restored == released()
    nb = released()
    extra = nbformat.v4.new_code_cell("print('my own test')")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "free-points", "points": 50, "locked": True,
                                  "solution": False, "schema_version": 3}
    nb.cells.append(extra)
    restored, problems = grading.restore_test_cells(nb, released())
    assert problems and "nbgrader" not in restored.cells[-1].metadata


def test_missing_checksums_are_put_back_without_a_word():
    nb = released()
    for cell in nb.cells:
        cell.metadata.get("nbgrader", {}).pop("checksum", None)
    restored, problems = grading.restore_test_cells(nb, released())
    assert not problems and restored == released()


def test_answer_cell_metadata_is_restored_and_reported():
    nb = released()
    answer = next(c for c in nb.cells if grading.grade_id(c) == "question-answer")
    answer.metadata.nbgrader.update(points=100, schema_version=99)
    answer.source = "my answer"
    restored, problems = grading.restore_test_cells(nb, released())
    fixed = next(c for c in restored.cells if grading.grade_id(c) == "question-answer")
    assert fixed.source == "my answer" and fixed.metadata.nbgrader == next(
        c for c in released().cells if grading.grade_id(c) == "question-answer").metadata.nbgrader
    assert problems == ["the grading metadata of cell `question-answer` was modified and has been restored"]


def error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def test_problems_are_named_in_plain_language():
    nb = released()
    cells = {grading.grade_id(c): c for c in nb.cells}
    cells["rnn_step"].outputs = [error("CellTimeLimit", "the cell limit of 30 CPU seconds is used up")]
    cells["rnn_forward"].outputs = [error("MemoryError", "")]
    cells["lstm_step"].outputs = [error("StdinNotImplementedError", "raw_input was called")]
    cells["lstm_step-tests"].outputs = [error(grading.HIDDEN, "AssertionError: wrong")]
    grading.mark_not_run(cells["clip_grad_norm"], "the kernel died in cell `clip_grad_norm` (a crash)")
    unnamed = nbformat.v4.new_code_cell("open('f', 'w').write('x' * 10**9)")
    unnamed.outputs = [error("OSError", "[Errno 27] File too large")]
    nb.cells.append(unnamed)
    assert grading.problems_in(nb) == [
        "timed out in cell `rnn_step` (the cell limit of 30 CPU seconds is used up)",
        "out of memory in cell `rnn_forward`", "input() cannot be answered during grading (cell `lstm_step`)",
        "code in the notebook hid the errors of cell `lstm_step-tests` from its output (the cell fails all the same)",
        "the kernel died in cell `clip_grad_norm` (a crash); the cells after it were not run",
        f"a file written in cell {len(nb.cells)} grew past the file-size limit"]


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


def run(sources: list[str], **limits) -> nbformat.NotebookNode:
    """Execute a notebook of `sources` with SafeExecute and `limits` in a fresh kernel."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executed, _ = grading.SafeExecute(**limits).preprocess(nb, {"metadata": {"path": "."}})
    return executed


def errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


SPIN = "import time\nstart = time.process_time()\nwhile time.process_time() - start < {}: pass"


def test_the_cell_limit_counts_cpu_seconds_and_the_wall_clock_backstop_stops_a_sleeping_cell():
    nb = run([SPIN.format(0.5), SPIN.format(3), "import time\ntime.sleep(60)", "print('still running')"],
             cell_timeout=1.5, notebook_timeout=60)
    assert errors(nb.cells[0]) == []  # under the limit
    assert errors(nb.cells[1]) == ["CellTimeLimit: the cell limit of 1.5 CPU seconds is used up"]
    assert "CellTimeoutError: no reply within 5 s of wall-clock time: the cell limit's backstop" in errors(nb.cells[2])
    assert nb.cells[3].outputs[0].text == "still running\n"  # a cell limit stops only its cell


def test_the_notebook_limit_stops_the_notebook_and_says_where():
    nb = run([SPIN.format(1), SPIN.format(1), SPIN.format(1), "print('never')"], cell_timeout=10, notebook_timeout=2.5)
    assert errors(nb.cells[0]) == errors(nb.cells[1]) == []
    assert errors(nb.cells[2]) == ["NotebookTimeLimit: the notebook limit of 2.5 CPU seconds is used up"]
    assert errors(nb.cells[3]) == ["NotRunError: not run: timed out in cell 3 (the notebook limit of 2.5 CPU "
                                   "seconds is used up)"]
    assert grading.problems_in(nb) == [
        "timed out in cell 3 (the notebook limit of 2.5 CPU seconds is used up); the cells after it were not run"]


@pytest.mark.parametrize("chars, kept", [(99, True), (100, False)])
def test_output_is_kept_up_to_the_limit_and_no_further(chars, kept):
    """print() adds a newline: 99 characters print 100, the limit; 100 print 101."""
    nb = run([f"print('x' * {chars})"], max_output_chars=100)
    texts = [o.text for o in nb.cells[0].outputs]
    assert texts == (["x" * chars + "\n"] if kept else [grading.TRUNCATED])


def test_a_hidden_error_still_fails_the_cell_and_is_named():
    nb = run(["get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)", "assert 1 == 2, 'wrong'"])
    assert errors(nb.cells[1])[0] == f"{grading.HIDDEN}: AssertionError: wrong"
