"""What an executed notebook says about each graded cell: the function it tests, visible or hidden, its points
and its message. `dlbook check`, the feedback table, grades.csv and the class summary all read it here."""

from dataclasses import dataclass

from nbformat import NotebookNode

PASSED = "passed"


@dataclass
class Result:
    """One graded cell of an executed notebook."""

    cell: str  # its grade id: "rnn_step-tests"
    function: str  # what it grades: "rnn_step", or "written answer"
    kind: str  # "visible", "hidden" or "written"
    points: float
    message: str  # PASSED, the failure's full message (hint included), or "" for a written answer

    @property
    def passed(self) -> bool:
        return self.message == PASSED


def function_of(grade_id: str) -> str:
    """The function a test cell grades: its grade id up to the first hyphen ("rnn_step-hidden-tests" and
    "train_gan-uses-parts" grade "rnn_step" and "train_gan"; function names have underscores)."""
    return grade_id.split("-")[0]


def results(nb: NotebookNode) -> list[Result]:
    """Every graded cell of `nb`, in order, with what its outputs say."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        gid, points = meta.get("grade_id", "?"), float(meta.get("points", 0))
        if meta.get("solution"):  # an answer a person reads
            found.append(Result(gid, "written answer", "written", points, ""))
        else:
            kind = "hidden" if "hidden" in gid else "visible"
            found.append(Result(gid, function_of(gid), kind, points, message(cell)))
    return found


def message(cell: NotebookNode) -> str:
    """PASSED if a code cell ran without an error, else its error as `Name: message` (the hint included)."""
    error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
    if error is None:
        return PASSED
    return f"{error.ename}: {error.evalue}".strip() if error.evalue else error.ename


def first_line(text: str) -> str:
    """A message's first line, the one that says what failed (the hint follows it)."""
    return text.strip().splitlines()[0] if text.strip() else ""
