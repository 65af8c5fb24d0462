"""Answers to each assignment as students write them, and what grading owes them: one module per assignment.

Each module defines its answers as real Python functions and lists them in WRONG (typical mistakes) and CORRECT
(right answers written differently from the solution). A submission replaces some solution cells of the
solution (everything it does not name is the solution's own answer) with the source of those functions:

    def predict_with_sign(X, w, b):
        return np.sign(X @ w + b)

    WRONG = [wrong("sign-at-zero", lose=["perceptron_predict-tests", "perceptron_predict-hidden-tests"],
                   says={"perceptron_predict-tests": "a score of exactly 0 gives +1"},
                   perceptron_predict=predict_with_sign)]

A function given for a cell is renamed to the cell's function (the grade id); `body(fn)` turns a function's body
into a cell of statements; several objects for one cell are given as a tuple.
"""

import ast
import importlib
import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


@dataclass
class Submission:
    student: str
    cells: dict[str, str]  # grade id of a solution cell -> what the student wrote there
    points: dict[str, float] = field(default_factory=dict)  # test cell -> the points it must give
    messages: dict[str, str] = field(default_factory=dict)  # test cell -> text its output must show


@dataclass(frozen=True)
class body:
    """The statements inside `fn`, as a cell of their own (for cells that are not one function)."""
    fn: Callable


def source(answer, name: str) -> str:
    """The cell text for `answer`: a function renamed to `name`, a body, a string, or a tuple of these."""
    if isinstance(answer, tuple):
        return "\n\n".join(source(part, name) for part in answer)
    if isinstance(answer, str):
        return answer.strip("\n") + "\n"
    if isinstance(answer, body):
        text = textwrap.dedent(inspect.getsource(answer.fn))
        statements = ast.parse(text).body[0].body
        if ast.get_docstring(ast.parse(text).body[0]) is not None:
            statements = statements[1:]  # the docstring says why, not what the cell runs
        return textwrap.dedent("".join(text.splitlines(keepends=True)[statements[0].lineno - 1:]))
    text = textwrap.dedent(inspect.getsource(answer))
    if inspect.isclass(answer):
        return text
    return re.sub(rf"\bdef {answer.__name__}\(", f"def {name}(", text, count=1)


def test_cells(assignment: str) -> dict[str, float]:
    """grade_id -> points of every autograded test cell of an assignment, read from its source notebooks."""
    cells = [c for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")) for c in nbformat.read(path, 4).cells]
    return {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def _assignment(stack_depth: int = 2) -> str:
    """The assignment of the answers module that called (its module name is the assignment id)."""
    return inspect.stack()[stack_depth].frame.f_globals["__name__"].rsplit(".", 1)[-1]


def wrong(student: str, *, lose, says: dict[str, str] | None = None, **answers) -> Submission:
    """A typical mistake: `answers` replace solution cells; the test cells in `lose` score 0 (or, given as a
    dict, the points listed), every other test cell its full points; `says` is text each failing cell must show."""
    cells = test_cells(_assignment())
    lost = lose if isinstance(lose, dict) else dict.fromkeys(lose, 0)
    unknown = set(lost) - set(cells)
    assert not unknown, f"{student}: no test cells {sorted(unknown)}"
    points = {cell: lost.get(cell, full) for cell, full in cells.items()}
    return Submission(student, {name: source(a, name) for name, a in answers.items()}, points, says or {})


def correct(student: str, **answers) -> Submission:
    """A right answer written differently from the solution: every test cell gives its full points."""
    cells = test_cells(_assignment())
    return Submission(student, {name: source(a, name) for name, a in answers.items()}, cells)


def load(assignment: str):
    """The answers module of an assignment (tests/answers/<assignment>.py)."""
    return importlib.import_module(f"answers.{assignment}")
