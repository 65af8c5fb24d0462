"""Does the grading kernel's sandbox hide the course, cap memory and keep to its cores? (Bubblewrap is required:
`make system` installs it, and the tests fail, not skip, where it is missing.)"""

import functools
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from conftest import alive_after
from dlbook import runtime, sandbox

REPO = Path(__file__).resolve().parents[1]


def run_sandboxed(workdir: Path, code: str, memory: int = 2 * 2**30, file: int = 2**20) -> subprocess.CompletedProcess:
    """Run `code` with Python inside the same sandbox and limits the grading kernel gets."""
    connection = workdir / "connection.json"
    connection.write_text("{}")
    command = sandbox.bwrap_command(workdir, [sys.executable, "-c", code], readable=(connection,))
    limit = f"from dlbook import sandbox; sandbox.limit_resources({memory}, {file})"
    return subprocess.run([sys.executable, "-c", f"{limit}; import os; os.execvp({command[0]!r}, {command!r})"],
                          cwd=workdir, capture_output=True, text=True, timeout=60)


@pytest.mark.usefixtures("bwrap")
def test_sandbox_sees_its_folder_but_not_the_course(tmp_path):
    (tmp_path / "mine.txt").write_text("mine")
    result = run_sandboxed(tmp_path, f"""
import os, pathlib
print(open('mine.txt').read())
pathlib.Path('written.txt').write_text('ok')
for secret in ({str(REPO / 'solutions')!r}, {str(REPO / 'nbgrader_config.py')!r}, {str(REPO / 'tests')!r}, {str(REPO / 'exercises')!r}):
    print(secret, os.path.exists(secret))
print(sorted(os.listdir({str(REPO)!r})))
import numpy, torch, dlbook.checks
print('imports work')
""")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "mine" and (tmp_path / "written.txt").read_text() == "ok"
    assert all(line.endswith("False") for line in lines[1:5]), result.stdout  # the course is not there
    assert set(eval(lines[5])) <= {".venv", "dlbook"}, lines[5]  # only what Python needs of the repository
    assert lines[-1] == "imports work"


@pytest.mark.usefixtures("bwrap")
def test_students_code_sees_no_gpu(tmp_path):
    """Grading runs on the CPU: /dev holds bubblewrap's few devices and no GPU's, CUDA is told there is none, and
    dlbook.device() (through runtime.DEVICE_VARIABLE) is the CPU."""
    result = run_sandboxed(tmp_path, "import os; print(sorted(os.listdir('/dev')))")
    assert result.returncode == 0, result.stderr
    assert set(eval(result.stdout)) <= {"console", "core", "fd", "full", "mqueue", "null", "ptmx", "pts", "random",
                                        "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"}, result.stdout
    assert sandbox.NO_GPU == {"CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": "", runtime.DEVICE_VARIABLE: "cpu"}


@pytest.mark.usefixtures("bwrap")
def test_sandbox_has_no_capabilities_even_when_grading_runs_as_root(tmp_path):
    """Root in the sandbox with capabilities could mount a disk or trace the grader; none are left, not even
    for a program it starts."""
    result = run_sandboxed(tmp_path, "import subprocess\n"
                           "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
                           "print(subprocess.run(['grep', 'CapEff', '/proc/self/status'], capture_output=True, "
                           "text=True).stdout.split()[1])")
    assert result.stdout.split() == ["0000000000000000"] * 2, result.stdout + result.stderr


@pytest.mark.usefixtures("bwrap")
def test_sandbox_cannot_write_outside_its_folder(tmp_path):
    result = run_sandboxed(tmp_path, f"open({str(REPO / 'dlbook' / 'hacked.py')!r}, 'w').write('x')")
    assert result.returncode != 0 and "Read-only file system" in result.stderr
    assert not (REPO / "dlbook" / "hacked.py").exists()


@pytest.mark.usefixtures("bwrap")
@pytest.mark.parametrize("spare, fits", [(-64, True), (64, False)])
def test_memory_limit_allows_up_to_its_edge_and_raises_memory_error_beyond(tmp_path, spare, fits):
    """With a 1 GiB limit, a block 64 MiB smaller than what is left fits; one 64 MiB larger does not."""
    code = ("import re; used = int(re.search(r'VmSize:\\s+(\\d+)', open('/proc/self/status').read())[1]) * 1024\n"
            f"x = bytearray(2**30 - used + {spare} * 2**20); print('allocated')")
    result = run_sandboxed(tmp_path, code, memory=2**30)
    assert (result.stdout.strip() == "allocated") == fits, result.stdout + result.stderr
    assert fits or "MemoryError" in result.stderr


@pytest.mark.usefixtures("bwrap")
@pytest.mark.parametrize("size, fits", [(2**20, True), (2**20 + 1, False)])
def test_file_size_limit_allows_a_file_of_its_size_and_no_larger(tmp_path, size, fits):
    code = f"with open('out.bin', 'wb') as f:\n    f.write(bytes({size}))\nprint('written')"
    result = run_sandboxed(tmp_path, code, file=2**20)
    assert (result.stdout.strip() == "written") == fits, result.stderr
    assert fits or "File too large" in result.stderr
    assert (tmp_path / "out.bin").stat().st_size <= 2**20


def test_cores_are_split_between_parallel_kernels():
    cores = sorted(os.sched_getaffinity(0))
    assert sandbox.cpu_sets(1) == [cores]
    two = sandbox.cpu_sets(2)
    assert len(two) == 2 and all(two)
    if len(cores) >= 2:
        assert not set(two[0]) & set(two[1]), "two kernels must not share a core when there are enough"


def test_a_pinned_kernel_uses_one_torch_thread_per_core_it_has():
    cpus = sorted(os.sched_getaffinity(0))[:1]
    code = ("import os, sys; from dlbook import sandbox; sandbox.pin([int(c) for c in sys.argv[1:]]); "
            "import torch; print(sorted(os.sched_getaffinity(0)), torch.get_num_threads())")
    result = subprocess.run([sys.executable, "-c", code, *map(str, cpus)], capture_output=True, text=True,
                            timeout=60, env={k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")})
    assert result.stdout.split("]")[0] + "]" == str(cpus)
    assert int(result.stdout.split("]")[1]) == len(cpus), result.stdout + result.stderr


def start_a_child_that_ends_with_this_process(pids) -> None:
    """In a process of its own: start a long sleep that ends with this process, report both pids, then wait."""
    child = subprocess.Popen(["sleep", "300"], start_new_session=True,
                             preexec_fn=functools.partial(sandbox.ends_with_parent, os.getpid()))
    pids.put((os.getpid(), child.pid))
    child.wait()


def test_a_child_ends_when_the_process_that_started_it_is_killed():
    pids = multiprocessing.get_context("fork").SimpleQueue()
    parent = multiprocessing.get_context("fork").Process(target=start_a_child_that_ends_with_this_process, args=(pids,))
    parent.start()
    parent_pid, child_pid = pids.get()
    child = psutil.Process(child_pid)
    os.kill(parent_pid, signal.SIGKILL)  # as a cluster's worker may be killed in the middle of a batch
    parent.join()
    assert not alive_after([child], seconds=5), "the child outlived its parent"
