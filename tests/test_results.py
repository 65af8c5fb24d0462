"""dlbook.results reads what each graded cell of an executed notebook says."""

import nbformat

from dlbook import results


def graded_cell(cell, grade_id: str, points: float, solution: bool = False):
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points, "solution": solution,
                                 "locked": not solution}
    return cell


def test_each_graded_cell_gives_its_function_kind_points_and_message():
    passed = graded_cell(nbformat.v4.new_code_cell("check()"), "rnn_step-tests", 1)
    passed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Visible tests passed.\n")]
    failed = graded_cell(nbformat.v4.new_code_cell("check()"), "rnn_step-hidden-tests", 2)
    failed.outputs = [nbformat.v4.new_output("error", ename="TestFailure", evalue="off by 1\nHint: add b",
                                             traceback=[])]
    written = graded_cell(nbformat.v4.new_markdown_cell("my answer"), "question-answer", 3, solution=True)
    ungraded = nbformat.v4.new_code_cell("x = 1")
    nb = nbformat.v4.new_notebook(cells=[ungraded, passed, failed, written])
    assert results.results(nb) == [
        results.Result("rnn_step-tests", "rnn_step", "visible", 1.0, results.PASSED),
        results.Result("rnn_step-hidden-tests", "rnn_step", "hidden", 2.0, "TestFailure: off by 1\nHint: add b"),
        results.Result("question-answer", "written answer", "written", 3.0, ""),
    ]
    assert results.first_line("TestFailure: off by 1\nHint: add b") == "TestFailure: off by 1"


def test_function_names_come_from_grade_ids():
    assert results.function_of("lstm_step-tests") == "lstm_step"
    assert results.function_of("lstm_step-hidden-tests") == "lstm_step"
    assert results.function_of("train_gan-uses-parts") == "train_gan"
    assert results.function_of("train") == "train"
