"""The fork server that starts grading kernels: each kernel has torch already imported and its notebook's
files, and nothing of the notebook before it (files, processes) nor of the course; the server cannot be
traced, and kernels start on their own where it is gone."""

import contextlib
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from conftest import REPO
from dlbook import autograde, forkserver

pytestmark = pytest.mark.usefixtures("bwrap")


@pytest.fixture(params=[1, None], ids=["one-core", "all-cores"])
def server(request, tmp_path, monkeypatch):
    """A fork server for one batch (on one core, or on all), and the kernel spec that asks it for kernels."""
    monkeypatch.setenv("JUPYTER_PATH", str(autograde.kernel_spec(tmp_path / "jupyter")))
    with forkserver.started(tmp_path, sorted(os.sched_getaffinity(0))[:request.param], 2**32, 2**26) as env:
        assert set(env) == {forkserver.SERVER, forkserver.SLOT}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield Path(env[forkserver.SLOT])


def run(folder: Path, *sources: str) -> list[str]:
    """Run cells in a kernel from the server with `folder` as the notebook's folder; return their outputs."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=60, kernel_name="python3", shutdown_kernel="immediate", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return ["".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in c.outputs).strip()
            for c in nb.cells]


def notebook_folder(root: Path, name: str, **files: str) -> Path:
    folder = root / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


def test_a_kernel_runs_in_the_slot_with_its_files_torch_loaded_and_a_thread_per_core(tmp_path, server):
    folder = notebook_folder(tmp_path, "ada", **{"data.txt": "ada's data"})
    cwd, data, loaded, threads = run(folder, "import os; print(os.getcwd())", "print(open('data.txt').read())",
                                     "import sys; print('torch' in sys.modules)",
                                     "import os, torch; print(len(os.sched_getaffinity(0)) == torch.get_num_threads())")
    assert (cwd, data, loaded, threads) == (str(server), "ada's data", "True", "True")


def test_nothing_one_notebook_leaves_reaches_the_next(tmp_path, server):
    first = notebook_folder(tmp_path, "ada", **{"answers.py": "secret = 42"})
    run(first, "import subprocess\n"
               "for folder in ('.', '/tmp', '/dev/shm'):\n    open(f'{folder}/left.txt', 'w').write('x')\n"
               "subprocess.Popen(['sh', '-c', 'sleep 1000 & sleep 1000'], start_new_session=True)")
    second = notebook_folder(tmp_path, "bob")
    files, processes = run(second, "import os\nprint(sorted(os.listdir('.') + os.listdir('/tmp') + os.listdir('/dev/shm')))",
                           "import os\nprint([open(f'/proc/{p}/cmdline').read().split(chr(0))[0:3] "
                           "for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid())])")
    assert "left.txt" not in files and "answers.py" not in files, files
    assert "sleep" not in processes and processes.count("[") == 2, processes  # the server alone


def test_a_kernel_sees_no_course_and_cannot_trace_the_server(tmp_path, server):
    folder = notebook_folder(tmp_path, "ada")
    course, traced = run(folder, f"import os; print(os.path.exists({str(REPO / 'solutions')!r}), "
                                 f"os.path.exists({str(tmp_path / 'ada')!r}))",
                         "import os\nserver = os.getppid()\ntry:\n    print(open(f'/proc/{server}/maps').read()[:20])\n"
                         "except OSError as error:\n    print(type(error).__name__)")
    assert course == "False False"
    assert traced == "PermissionError"


def test_kernels_start_on_their_own_once_the_server_is_gone(tmp_path, server):
    folder = notebook_folder(tmp_path, "ada", **{"data.txt": "still graded"})
    with contextlib.suppress(DeadKernelError):  # the kernel goes with its server, before or after it replies
        run(folder, "import os, signal; os.kill(os.getppid(), signal.SIGKILL)")
    cwd, data = run(folder, "import os; print(os.getcwd())", "print(open('data.txt').read())")
    assert cwd == str(folder) and data == "still graded"  # a sandbox of its own, in the notebook's folder
