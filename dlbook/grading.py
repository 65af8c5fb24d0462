"""nbgrader, hardened for hostile and broken submissions: the preprocessors that nbgrader_config.py plugs into
nbgrader's own pipelines, and the checks `dlbook grade` runs on each submission before grading.

- `SafeExecute` runs a notebook under a per-notebook deadline, bounds each cell's output, and when the kernel
  dies marks the cells it never ran as failed (stock nbgrader gives up on the whole notebook);
- `StderrIsNotFailure` keeps an honest warning on stderr from zeroing a test (nbgrader #1904);
- `HideHiddenTests` removes hidden test code, and the tracebacks that quote it, from feedback (nbgrader #917);
- `read_submission` and `restore_test_cells` turn any file into a gradable notebook, with the instructor's
  test cells put back where a student deleted, edited, re-typed or re-weighted them (nbgrader #1682).
"""

import copy
import json
import re
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from traitlets import Integer

NOT_RUN = "NotRunError"
TRUNCATED = "\n[output truncated by the grader]\n"
MARKER = "dlbook"  # cell metadata key where grading notes what happened
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)


class SafeExecute(Execute):
    """nbgrader's Execute with a deadline for the whole notebook, bounded outputs, and survival of a dead kernel."""

    notebook_timeout = Integer(600, help="Seconds the whole notebook may run; later cells are not run.").tag(config=True)
    max_output_chars = Integer(20_000, help="Characters of output kept per cell; the rest is dropped.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._sizes, self._truncated, self._done = {}, {}, set()
        self.timeout_func = self._time_left
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as error:
            reason, detail = "kernel died (os._exit, a crash or the memory limit)", error
        except CellTimeoutError as error:  # no reply at all, not even to an interrupt: the kernel is wedged
            reason, detail = "kernel stopped responding", error
        self.log.warning("%s: %s", reason, detail)
        return self._mark_unrun(nb, reason), resources

    def _time_left(self, cell) -> int:
        return max(1, min(self.timeout, int(self._deadline - time.monotonic())))

    def preprocess_cell(self, cell, resources, index):
        if time.monotonic() > self._deadline and cell.cell_type == "code":
            self._not_run(cell, f"the notebook ran longer than {self.notebook_timeout} s")
        else:
            cell, resources = super().preprocess_cell(cell, resources, index)
        self._done.add(index)
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        self._sizes[cell_index] = self._sizes.get(cell_index, 0) + size
        if self._sizes[cell_index] > self.max_output_chars:
            if not self._truncated.get(cell_index):
                self._truncated[cell_index] = True
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _mark_unrun(self, nb, reason: str):
        """Fail every code cell that did not finish, the one running when execution stopped included."""
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and index not in self._done:
                self._not_run(cell, reason)
        return nb

    @staticmethod
    def _not_run(cell, reason: str) -> None:
        cell.outputs = [nbformat.v4.new_output("error", ename=NOT_RUN, evalue=f"not run: {reason}",
                                               traceback=[f"{NOT_RUN}: not run: {reason}"])]
        cell.metadata.setdefault(MARKER, {})["not_run"] = reason


class StderrIsNotFailure(NbGraderPreprocessor):
    """Show what a test cell printed on stderr as ordinary output: only an error fails a test (nbgrader #1904)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
        return cell, resources


class HideHiddenTests(ClearHiddenTests):
    """For feedback: drop hidden test code and replace tracebacks that quote it by the failure message alone."""

    enforce_metadata = False

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and self._remove_hidden_test_region(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


# What a submission's file can be, and what the grader makes of it.

def read_submission(path) -> tuple[NotebookNode | None, str | None]:
    """The notebook at `path` as nbformat 4 (or None), and what was wrong with the file (or None)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        return None, f"notebook could not be read ({error.strerror})"
    except UnicodeDecodeError:
        return None, "notebook is not a text file (is it really an .ipynb file?)"
    if not text.strip():
        return None, "notebook is an empty file"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None, "notebook is not valid JSON (is it really an .ipynb file?)"
    version = data.get("nbformat") if isinstance(data, dict) else None
    if version not in (3, 4):
        return None, f"notebook has the wrong format (nbformat {version}; Jupyter notebooks are nbformat 4)"
    try:
        nb = nbformat.reads(text, as_version=4)  # converts nbformat 3
        for cell in nb.cells:  # what validation would reject but grading can repair
            cell.setdefault("metadata", {})
            if cell.cell_type == "code":
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
    except Exception:  # nbformat raises several kinds of errors for malformed notebooks
        return None, "notebook is not a valid Jupyter notebook"
    return nb, "notebook was in the old nbformat 3 and has been converted" if version == 3 else None


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_answers(folder: Path) -> dict[str, str]:
    """grade_id -> answer of every solution cell in the instructor's notebooks in `folder`, markers removed:
    what a perfect student writes."""
    return {grade_id(cell): SOLUTION_MARKERS.sub("", cell.source)
            for path in sorted(folder.glob("*.ipynb")) for cell in nbformat.read(path, as_version=4).cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def _locked(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def restore_test_cells(nb: NotebookNode, release: NotebookNode) -> tuple[NotebookNode, bool]:
    """Put every locked or test cell of the student version back as released: deleted ones where they belong,
    edited, re-typed or re-weighted ones as they were. Returns the notebook and whether anything changed."""
    nb = copy.deepcopy(nb)
    released = {grade_id(c): c for c in release.cells if grade_id(c)}
    changed = False
    by_id = {}
    for cell in list(nb.cells):
        gid = grade_id(cell)
        if gid in by_id or (gid and gid not in released):
            cell.metadata.pop("nbgrader", None)  # duplicated or invented grade ids are ordinary cells
            changed = True
        elif gid:
            by_id[gid] = cell
    for gid, original in released.items():
        if not _locked(original):
            continue
        cell = by_id.get(gid)
        if cell is None:
            changed = True
            nb.cells.insert(_insert_position(nb, release, gid), _as_released(original))
        elif (cell.cell_type != original.cell_type or cell.source != original.source
              or cell.metadata.get("nbgrader") != original.metadata.get("nbgrader")):
            changed = True
            nb.cells[nb.cells.index(cell)] = _as_released(original)
    return nb, changed


def _as_released(original: NotebookNode) -> NotebookNode:
    """A fresh copy of a released cell, ready to run."""
    fresh = copy.deepcopy(original)
    if fresh.cell_type == "code":
        fresh.outputs, fresh.execution_count = [], None
    return fresh


def _insert_position(nb: NotebookNode, release: NotebookNode, gid: str) -> int:
    """Just after the nearest released cell before `gid` that the submission still has."""
    ids = [grade_id(c) for c in release.cells]
    present = {grade_id(c): i for i, c in enumerate(nb.cells) if grade_id(c)}
    for previous in reversed(ids[:ids.index(gid)]):
        if previous in present:
            return present[previous] + 1
    return 0


# What went wrong, in words, from a graded notebook.

def problems_in(nb: NotebookNode) -> list[str]:
    """Plain-language problems visible in an executed notebook's outputs."""
    found = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        name = grade_id(cell) or f"cell {number}"
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            text = f"{output.ename}: {output.evalue}"
            if output.ename == "CellTimeoutError":
                found.append(f"timed out in cell {name}")
            elif output.ename == NOT_RUN:
                found.append(output.evalue.removeprefix("not run: ") + "; the cells after it were not run")
            elif output.ename == "MemoryError" or "can't allocate memory" in text or "out of memory" in text.lower():
                found.append(f"out of memory in cell {name}")
            elif output.ename == "StdinNotImplementedError":
                found.append(f"input() cannot be answered during grading (cell {name})")
            elif "replaced by code in this notebook" in text:
                found.append(f"code replaced library functions that the tests use (cell {name})")
    return list(dict.fromkeys(p for p in found if p))  # each once, in order


def align_validate_with_autograde() -> None:
    """Make `nbgrader validate` judge test cells as autograding does here: stderr output alone fails nothing.

    nbgrader's Validator takes no configurable preprocessors, so nbgrader_config.py calls this to wrap it.
    """
    from nbgrader.validator import Validator

    original = Validator._preprocess
    if getattr(original, "aligned_by_dlbook", False):
        return

    def _preprocess(self, nb):
        return StderrIsNotFailure().preprocess(original(self, nb), {})[0]

    _preprocess.aligned_by_dlbook = True
    Validator._preprocess = _preprocess
