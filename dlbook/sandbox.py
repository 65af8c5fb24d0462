"""The kernel that runs a submission during grading: memory-limited, time-limited in CPU seconds and, where
bubblewrap exists, unable to see anything but its own folder (no solutions/, no gradebook, no other students).

`dlbook grade` points nbgrader at a kernel spec whose command is `python -m dlbook.sandbox CONNECTION_FILE`;
grading's SafeExecute then calls `install_time_limits` in whichever kernel runs the notebook.
"""

import contextlib
import ctypes
import os
import queue
import resource
import shutil
import signal
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

from dlbook.limits import DEFAULT

MEMORY_LIMIT = "DLBOOK_MEMORY_LIMIT"  # bytes of address space per kernel
FILE_LIMIT = "DLBOOK_FILE_LIMIT"  # bytes: the largest file a kernel may write
SANDBOX = "DLBOOK_SANDBOX"  # "bwrap" (default where installed) or "none"
CPUS = "DLBOOK_CPUS"  # the cores a kernel may run on, "0,1"; its torch and BLAS use that many threads
FORK_SERVER = "DLBOOK_FORK_SERVER"  # the socket, outside the sandbox, where a batch's fork server listens
FORK_SLOT = "DLBOOK_FORK_SLOT"  # the folder a forked kernel runs in, the same path inside and outside the sandbox
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# Students' code runs on the CPU only: a GPU shared by kernels would let one disturb (or read) another's memory. No
# GPU is visible to CUDA or ROCm, and dlbook.device() (runtime.DEVICE_VARIABLE) is the CPU; under bubblewrap the
# kernel's /dev holds no GPU device either.
NO_GPU = {"CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": "", "DLBOOK_DEVICE": "cpu"}
PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: between fork and exec a child must not load
PR_SET_PDEATHSIG = 1  # prctl(2)


def cpu_sets(jobs: int) -> list[list[int]]:
    """The machine's cores split evenly between `jobs` kernels running at once (at least one core each)."""
    cores = sorted(os.sched_getaffinity(0))
    per_job = max(1, len(cores) // jobs)
    return [cores[(k * per_job) % len(cores):][:per_job] for k in range(jobs)]


class CoreSets:
    """The cores split between `jobs` batches running at once (`cpu_sets`); each running batch holds one set, so
    kernels of different batches never share a core."""

    def __init__(self, jobs: int):
        self.free = queue.SimpleQueue()
        for cpus in cpu_sets(jobs):
            self.free.put(cpus)

    @contextlib.contextmanager
    def held(self) -> Iterator[list[int]]:
        cpus = self.free.get()
        try:
            yield cpus
        finally:
            self.free.put(cpus)


def ends_with_parent(parent: int) -> None:
    """SIGKILL this process (and what it execs) when the thread of `parent` that started it ends: used between fork
    and exec (`preexec_fn`) and by the kernel's launcher, so a grading process (or a cluster's worker) killed
    mid-batch leaves neither nbgrader nor a kernel running on its own."""
    if PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL) != 0 or os.getppid() != parent:  # the parent died before this
        os.write(2, b"dlbook: the process that grades this batch has ended\n")
        os._exit(1)


def pin(cpus: list[int]) -> None:
    """Run this process (and what it starts) on `cpus` only, with one torch/BLAS thread per core: parallel
    kernels then share the machine instead of each starting a thread per core and thrashing."""
    os.sched_setaffinity(0, cpus)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(len(cpus))


def limit_resources(memory_bytes: int, file_bytes: int) -> None:
    """Cap the kernel's address space and the size of files it writes; no core dumps."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class CellTimeLimit(BaseException):
    """A cell used more CPU time than a cell may (BaseException: `except Exception` in the cell cannot catch it)."""


class NotebookTimeLimit(BaseException):
    """The notebook has used all the CPU time it may; this cell and the ones after it fail."""


def install_time_limits(cell_seconds: float, notebook_seconds: float) -> None:
    """In a kernel: fail any cell that uses more than `cell_seconds` of CPU time (all its threads), and every
    cell once the notebook has used `notebook_seconds`. The kernel's own CPU limit ends it soon after, should
    the cell switch its timer off; a cell that sleeps is stopped by the grader's wall-clock backstop."""
    from IPython import get_ipython

    shell = get_ipython()
    cpu = lambda: sum(os.times()[:2])  # noqa: E731  (user + system seconds of this process)
    end = cpu() + notebook_seconds
    hard = int(end) + 30  # the operating system's backstop: SIGKILL
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    armed = {}

    def on_timer(signum, frame):
        if armed.pop("notebook", False):
            raise NotebookTimeLimit(f"the notebook limit of {notebook_seconds:g} CPU seconds is used up")
        raise CellTimeLimit(f"the cell limit of {cell_seconds:g} CPU seconds is used up")

    def arm(info=None):
        left = end - cpu()
        armed["notebook"] = left <= cell_seconds
        signal.signal(signal.SIGPROF, on_timer)
        signal.setitimer(signal.ITIMER_PROF, max(1e-6, min(left, cell_seconds)))

    def disarm(result=None):
        signal.setitimer(signal.ITIMER_PROF, 0)

    shell.events.register("pre_run_cell", arm)
    shell.events.register("post_run_cell", disarm)


def readable_paths() -> list[Path]:
    """What Python, NumPy, torch and dlbook need to run: the system, the interpreter, the venv, the package."""
    system = [Path(p) for p in ("/usr", "/etc", "/opt") if Path(p).exists()]
    python = {Path(sys.base_prefix), Path(sys.prefix), Path(sysconfig.get_paths()["purelib"])}
    return system + sorted(python) + [Path(__file__).resolve().parent]


def bwrap_command(workdir: Path, command: list[str], readable: tuple[Path, ...] = ()) -> list[str]:
    """bubblewrap around `command`: a read-only system (and `readable`), the work folder writable, everything
    else (home, course, other students) absent."""
    # --cap-drop ALL: run by root, bwrap would leave the sandbox every capability (mounting, tracing, ...)
    cmd = ["bwrap", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if Path(f"/{link}").is_symlink():
            cmd += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    for path in readable_paths():
        cmd += ["--ro-bind", str(path), str(path)]
    for path in readable:
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir),
            "--setenv", "HOME", str(workdir), "--setenv", "MPLCONFIGDIR", str(workdir / ".matplotlib"),
            "--unsetenv", "JPY_PARENT_PID"]  # the kernel's parent is the sandbox's init; --die-with-parent ends it
    return cmd + command


def main() -> None:
    connection_file = Path(sys.argv[1]).resolve()
    if os.environ.get("JPY_PARENT_PID"):  # nbgrader, via jupyter_client: end with it, bubblewrap and kernel too
        ends_with_parent(int(os.environ["JPY_PARENT_PID"]))
    if os.environ.get(FORK_SERVER):  # the batch's fork server starts kernels in a tenth of the time
        from dlbook import forkserver

        try:
            sys.exit(forkserver.launch(os.environ[FORK_SERVER], Path(os.environ[FORK_SLOT]), connection_file))
        except OSError:
            pass  # the server is gone: start a kernel of our own
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection_file),
              "--HistoryManager.hist_file=:memory:"]
    limit_resources(int(os.environ.get(MEMORY_LIMIT, DEFAULT.memory_bytes)),
                    int(os.environ.get(FILE_LIMIT, DEFAULT.file_bytes)))
    if os.environ.get(CPUS):
        pin([int(cpu) for cpu in os.environ[CPUS].split(",")])
    if os.environ.get(SANDBOX, "bwrap") == "bwrap" and shutil.which("bwrap"):
        command = bwrap_command(Path.cwd().resolve(), kernel, readable=(connection_file,))
    else:
        command = kernel
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
