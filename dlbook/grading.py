"""nbgrader, hardened for hostile and broken submissions: the preprocessors that nbgrader_config.py plugs into
nbgrader's own pipelines, and the checks `dlbook grade` runs on each submission before grading.

- `SafeExecute` runs a notebook under limits in CPU seconds per cell and per notebook, bounds each cell's
  output, and when the kernel dies marks the cells it never ran as failed (stock nbgrader gives up on the whole
  notebook);
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
from traitlets import Float, Integer

from dlbook.limits import DEFAULT, WALL_FACTOR
from dlbook.sandbox import CellTimeLimit, NotebookTimeLimit

NOT_RUN = "NotRunError"
HIDDEN = "ErrorHiddenFromGrader"  # a cell failed, but code in the notebook kept the error out of its output
TRUNCATED = "\n[output truncated by the grader]\n"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)


class SafeExecute(Execute):
    """nbgrader's Execute with time limits in CPU seconds (wall-clock backstops for cells that wait), bounded
    outputs, and survival of a dead kernel. The limits' defaults live in dlbook.limits."""

    cell_timeout = Float(DEFAULT.cell_seconds, help="CPU seconds a cell may run; it then fails.").tag(config=True)
    notebook_timeout = Float(DEFAULT.notebook_seconds,
                             help="CPU seconds the whole notebook may run; the cells left fail.").tag(config=True)
    max_output_chars = Integer(DEFAULT.output_chars,
                               help="Characters of output kept per cell; the rest is dropped.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._cell_wall = int(self.cell_timeout * WALL_FACTOR) + 1
        self._deadline = time.monotonic() + self.notebook_timeout * WALL_FACTOR
        self._sizes, self._truncated, self._done = {}, {}, set()
        self._stopped = None  # why the remaining cells are not run
        self._limited = False  # whether the kernel has its CPU-time limits yet
        self.timeout_func = self._time_left
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError):  # the latter: no reply, not even to an interrupt
            # one reason for both: which of the two a broken kernel shows first is a matter of timing
            reason = "the kernel died in cell {} (os._exit, a crash, the memory limit, or it stopped responding)"
        self.log.warning(reason.format("?"))
        return self._mark_unrun(nb, reason), resources

    def _time_left(self, cell) -> int:
        """Seconds of wall-clock time this cell may take: the cell's backstop, or what is left of the notebook's."""
        left = int(self._deadline - time.monotonic())
        if left < self._cell_wall:
            why = f"no reply within the {max(1, left)} s of wall-clock time left to the notebook: its backstop"
        else:
            why = f"no reply within {self._cell_wall} s of wall-clock time: the cell limit's backstop"
        self.error_on_timeout = {"ename": "CellTimeoutError", "evalue": why, "traceback": [f"CellTimeoutError: {why}"]}
        return max(1, min(self._cell_wall, left))

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and not self._limited:
            code = f"__import__('dlbook.sandbox').sandbox.install_time_limits({self.cell_timeout}, {self.notebook_timeout})"
            # a call without a cell waits nbgrader's `timeout`, 30 s of wall-clock time: on a busy machine a new
            # kernel's first reply can take longer, and that must not fail the notebook; it gets a cell's backstop
            self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False), cell)
            self._limited = True
        if cell.cell_type == "code" and self._stopped:
            mark_not_run(cell, self._stopped)
        else:
            cell, resources = super().preprocess_cell(cell, resources, index)
            timeout = next((o for o in cell.get("outputs", []) if o.output_type == "error" and o.ename in
                            (NotebookTimeLimit.__name__, "CellTimeoutError")), None)
            if timeout and (timeout.ename != "CellTimeoutError" or time.monotonic() > self._deadline):
                self._stopped = f"timed out in cell {label(cell, index + 1)} ({timeout.evalue})"
        self._done.add(index)
        return cell, resources

    def on_cell_executed(self, **kwargs):
        """A cell whose error the kernel reported but whose output shows none hid it (set_custom_exc, a
        silenced traceback): it fails all the same, and the output says so."""
        cell, reply = kwargs["cell"], kwargs["execute_reply"]["content"]
        if reply["status"] == "error" and reply.get("ename") != "CellTimeoutError" \
                and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=HIDDEN, evalue=f"{reply.get('ename')}: {reply.get('evalue')}",
                traceback=[f"{HIDDEN}: the cell raised {reply.get('ename')}, and code in the notebook hid it"]))
        return super().on_cell_executed(**kwargs)

    def output(self, outs, msg, display_id, cell_index):
        self._sizes[cell_index] = self._sizes.get(cell_index, 0) + _characters(msg.get("content", {}))
        if self._sizes[cell_index] > self.max_output_chars:
            if not self._truncated.get(cell_index):
                self._truncated[cell_index] = True
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _mark_unrun(self, nb, reason: str):
        """Fail every code cell that did not finish, the one running when execution stopped included."""
        running = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in self._done]
        reason = reason.format(label(nb.cells[running[0]], running[0] + 1) if running else "?")
        for index in running:
            mark_not_run(nb.cells[index], reason)
        return nb



def mark_not_run(cell, reason: str) -> None:
    """Fail a code cell as not run, for `reason`."""
    cell.outputs = [nbformat.v4.new_output("error", ename=NOT_RUN, evalue=f"not run: {reason}",
                                           traceback=[f"{NOT_RUN}: not run: {reason}"])]


def _characters(content: dict) -> int:
    """Characters of output in a message: the text of a stream, each format of a display, an error's lines."""
    if "text" in content:
        return len(content["text"])
    if "data" in content:
        return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in content["data"].values())
    if "traceback" in content:
        return len(content.get("evalue", "")) + sum(map(len, content["traceback"]))
    return 0


def label(cell, number: int) -> str:
    """How problems name a cell: by its grade id, "`rnn_step`", or by its position, "3"."""
    return f"`{grade_id(cell)}`" if grade_id(cell) else str(number)


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


class FeedbackTable(NbGraderPreprocessor):
    """For feedback, after GetGrades: a table on top (function, visible and hidden points, message), and a note
    on each written answer nobody has graded yet, so that its placeholder 0 does not read as a grade."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        from dlbook import results

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            pending = {g.name for g in notebook.grades if awaits_a_person(g)}
        scores = {grade_id(c): c.metadata.nbgrader.get("score") or 0 for c in nb.cells if grade_id(c)}
        rows: dict[str, dict] = {}
        for result in results.results(nb):
            row = rows.setdefault(result.function, {"message": ""})
            if result.kind == "written":
                score = "not graded yet" if result.cell in pending else f"{scores[result.cell]:g}"
                row["written"] = f"{score} / {result.points:g}"
                continue
            got, out_of = row.get(result.kind, (0.0, 0.0))
            row[result.kind] = (got + scores[result.cell], out_of + result.points)  # a function may have two
            if not result.passed and not row["message"]:
                row["message"] = result.message
        for index in [i for i, c in enumerate(nb.cells) if grade_id(c) in pending][::-1]:
            nb.cells.insert(index, nbformat.v4.new_markdown_cell(
                "**Not graded yet.** Your instructor has not read this answer yet: the 0 points shown below are a "
                "placeholder, not a grade."))
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(_table(rows, sum(
            c.metadata.nbgrader.get("points", 0) for c in nb.cells if grade_id(c) in pending))))
        return nb, resources


def awaits_a_person(grade) -> bool:
    """Whether a grade is still to be given by a person (a written answer nobody has graded; a manual 0 is a grade)."""
    return bool(grade.needs_manual_grade) and grade.manual_score is None


def _table(rows: dict[str, dict], pending_points: float) -> str:
    """The feedback's summary as HTML: one row per function (or written answer)."""
    from html import escape

    lines = ["<h2>Your results</h2>", "<table>", "<tr><th>function</th><th>visible tests</th><th>hidden tests</th>"
             "<th>message</th></tr>"]
    for function, row in rows.items():
        if "written" in row:
            lines.append(f"<tr><td>{escape(function)}</td><td colspan=2>{escape(row['written'])}</td>"
                         "<td>read by your instructor</td></tr>")
            continue
        message = "passed" if not row["message"] else escape(row["message"]).replace("\n", "<br>")
        points = {kind: f"{row[kind][0]:g} / {row[kind][1]:g}" if kind in row else "-" for kind in ("visible", "hidden")}
        lines.append(f"<tr><td><code>{escape(function)}</code></td><td>{points['visible']}</td>"
                     f"<td>{points['hidden']}</td><td>{message}</td></tr>")
    lines.append("</table>")
    if pending_points:
        lines.append(f"<p><strong>{pending_points:g} points of written answers are not graded yet:</strong> the "
                     "score above counts them as 0 until your instructor grades them.</p>")
    return "\n".join(lines)


# What a submission's file can be, and what the grader makes of it.

def read_submission(path, max_bytes: int = DEFAULT.file_bytes) -> tuple[NotebookNode | None, str | None]:
    """The notebook at `path` as nbformat 4 (or None), and what was wrong with the file (or None)."""
    try:
        if path.stat().st_size > max_bytes:
            return None, f"notebook is larger than the limit of {max_bytes / 2**20:g} MiB"
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


def _grading_metadata(cell) -> dict:
    """A cell's nbgrader metadata less its checksum, which editors and tools may drop or recompute."""
    return {k: v for k, v in cell.get("metadata", {}).get("nbgrader", {}).items() if k != "checksum"}


def restore_test_cells(nb: NotebookNode, release: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """Put every locked or test cell of the student version back as released (deleted ones where they belong;
    edited, re-typed or re-weighted ones as they were) and the grading metadata of answer cells too. Returns
    the notebook and what had been changed, in words (nothing for a checksum missing)."""
    nb = copy.deepcopy(nb)
    released = {grade_id(c): c for c in release.cells if grade_id(c)}
    problems = []
    by_id = {}
    for cell in list(nb.cells):
        gid = grade_id(cell)
        if gid in by_id or (gid and gid not in released):
            cell.metadata.pop("nbgrader", None)  # duplicated or invented grade ids are ordinary cells
            problems.append("test cells were modified and have been restored")
        elif gid:
            by_id[gid] = cell
    for gid, original in released.items():
        cell = by_id.get(gid)
        if not _locked(original):  # an answer: the student's source, the instructor's metadata
            if cell is not None and _grading_metadata(cell) != _grading_metadata(original):
                problems.append(f"the grading metadata of cell `{gid}` was modified and has been restored")
            if cell is not None:
                cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
        elif cell is None:
            problems.append("test cells were modified and have been restored")
            nb.cells.insert(_insert_position(nb, release, gid), _as_released(original))
        elif (cell.cell_type, cell.source, _grading_metadata(cell)) != \
                (original.cell_type, original.source, _grading_metadata(original)):
            problems.append("test cells were modified and have been restored")
            nb.cells[nb.cells.index(cell)] = _as_released(original)
        else:
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
    return nb, list(dict.fromkeys(problems))


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
    """Plain-language problems visible in an executed notebook's outputs, each once, in order."""
    found = {}
    for number, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type != "error":
                continue
            name, text = label(cell, number), f"{output.ename}: {output.evalue}"
            if output.ename in ("CellTimeoutError", CellTimeLimit.__name__, NotebookTimeLimit.__name__):
                found.setdefault(f"timed out in cell {name} ({output.evalue})", "")
            elif output.ename == NOT_RUN:
                found[output.evalue.removeprefix("not run: ")] = "; the cells after it were not run"
            elif output.ename == "MemoryError" or "can't allocate memory" in text or "out of memory" in text.lower():
                found.setdefault(f"out of memory in cell {name}", "")
            elif "File too large" in text:
                found.setdefault(f"a file written in cell {name} grew past the file-size limit", "")
            elif output.ename == "StdinNotImplementedError":
                found.setdefault(f"input() cannot be answered during grading (cell {name})", "")
            elif output.ename == HIDDEN:
                found.setdefault(f"code in the notebook hid the errors of cell {name} from its output "
                                 "(the cell fails all the same)", "")
            elif "replaced by code in this notebook" in text:
                found.setdefault(f"code replaced library functions that the tests use (cell {name})", "")
    return [problem + suffix for problem, suffix in found.items()]


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
