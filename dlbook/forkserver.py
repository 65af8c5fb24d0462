"""Grading kernels that start in a tenth of a second: one fork server per batch imports torch, NumPy and the
kernel once, inside the batch's sandbox, and forks a fresh kernel for each notebook.

Each kernel is a new process that sees only the sandbox's one writable folder, the slot, which holds the
files of the notebook it runs. Before a notebook's files are copied into the slot, the server kills every
process the previous notebook left and empties the slot, /tmp and /dev/shm; nothing else in the sandbox is
writable, and the server itself never runs a student's code and cannot be traced. Where the server is gone
(a kernel killed it), each kernel starts in a sandbox of its own instead (dlbook.sandbox).
"""

import contextlib
import ctypes
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlbook import sandbox

SERVER, SLOT = sandbox.FORK_SERVER, sandbox.FORK_SLOT
PRELOAD = ("numpy", "torch", "ipykernel.kernelapp", "dlbook.checks", "dlbook.rules")
SCRATCH = (Path("/tmp"), Path("/dev/shm"))  # other folders a kernel can write, emptied between notebooks
PR_SET_DUMPABLE = 4


def dumpable(flag: bool) -> None:
    """Allow or refuse ptrace and /proc/PID/mem access to this process by others of the same user."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, int(flag), 0, 0, 0)


# Inside the sandbox: the server.

def serve(listener: socket.socket, slot: Path) -> None:
    """Import once, then fork one kernel per connection, one at a time, cleaning up after each."""
    for name in PRELOAD:
        importlib.import_module(name)
    dumpable(False)
    if len(os.listdir("/proc/self/task")) != 1:  # fork copies one thread: libraries must not have started any
        raise RuntimeError(f"the fork server has {len(os.listdir('/proc/self/task'))} threads; forking is unsafe")
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        with connection:
            serve_one(connection, listener, slot)


def serve_one(connection: socket.socket, listener: socket.socket, slot: Path) -> None:
    reader = connection.makefile("r")
    request = json.loads(reader.readline() or "null")
    clean(slot)
    connection.sendall(b"clean\n")
    if reader.readline().strip() != "go":  # the launcher copies the notebook's files into the slot first
        return
    pid = os.fork()
    if pid == 0:
        listener.close()
        connection.close()
        run_kernel(request["connection"], slot)
    status = wait(pid, connection)
    with contextlib.suppress(OSError):
        connection.sendall(f"{status}\n".encode())
    clean(slot)


def run_kernel(connection_info: dict, slot: Path) -> None:
    """In the forked child: become an IPython kernel in the slot, under the kernel's limits; never return."""
    try:
        os.setsid()
        dumpable(True)
        sandbox.limit_resources(int(os.environ.get(sandbox.MEMORY_LIMIT, sandbox.DEFAULT.memory_bytes)),
                                int(os.environ.get(sandbox.FILE_LIMIT, sandbox.DEFAULT.file_bytes)))
        os.chdir(slot)
        os.environ.update(HOME=str(slot), MPLCONFIGDIR=str(slot / ".matplotlib"))
        use_all_cores()
        connection_file = Path("/tmp") / f"kernel-{os.getpid()}.json"
        connection_file.write_text(json.dumps(connection_info))
        sys.path.insert(0, "")  # as `python -m ipykernel_launcher` has it: the notebook's folder comes first
        sys.argv = ["ipykernel_launcher", "-f", str(connection_file), "--HistoryManager.hist_file=:memory:"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    finally:
        os._exit(0)


def use_all_cores() -> None:
    """One torch and BLAS thread per core this kernel may run on (the server imported them with one thread,
    as forking a process that has started threads is unsafe)."""
    threads = len(os.sched_getaffinity(0))
    os.environ.update({variable: str(threads) for variable in sandbox.THREAD_VARIABLES})
    if threads > 1:
        import threadpoolctl
        import torch

        torch.set_num_threads(threads)
        threadpoolctl.threadpool_limits(threads)


def wait(pid: int, connection: socket.socket) -> int:
    """The kernel's exit code; the kernel is killed as soon as its launcher goes away (nbgrader killed it)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        readable, _, _ = select.select([connection], [], [], 0.05)
        if readable and not connection.recv(1):
            os.kill(pid, signal.SIGKILL)


def clean(slot: Path) -> None:
    """Kill every process but this server and the sandbox's init, and empty the folders kernels can write."""
    me = os.getpid()
    for _ in range(1000):
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        alive = [pid for pid in _processes() if pid not in (1, me)]
        if not alive:
            break
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    else:
        raise RuntimeError("processes left by a notebook could not be stopped")
    keep = {slot, *_mount_points()}  # the sandbox's mounts (the venv may lie under /tmp) stay
    for folder in (slot, *SCRATCH):
        _empty(folder, keep)


def _mount_points() -> set[Path]:
    with open("/proc/self/mountinfo") as f:
        return {Path(line.split()[4]) for line in f}


def _empty(folder: Path, keep: set[Path]) -> None:
    """Remove everything in `folder` but the paths in `keep` and the folders on the way down to them."""
    for entry in folder.iterdir() if folder.is_dir() else []:
        if entry in keep:
            continue
        if any(path.is_relative_to(entry) for path in keep):
            _empty(entry, keep)
        else:
            _remove(entry)


def _processes() -> list[int]:
    """Pids of the living (not zombie) processes in this sandbox."""
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(name))
    return pids


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for root, dirs, _ in os.walk(path):  # a folder the notebook made unreadable is made readable again
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o700)
        shutil.rmtree(path)
    else:
        path.unlink()


# Outside the sandbox: starting the server for a batch, and the launcher nbgrader starts for each kernel.

@contextlib.contextmanager
def started(work: Path, cpus: list[int], memory_bytes: int, file_bytes: int):
    """A fork server for one batch, sandboxed and pinned to `cpus`: yields the environment variables that
    make the batch's kernels come from it (none where it cannot run: no bubblewrap, or it failed to start)."""
    if os.environ.get(sandbox.SANDBOX, "bwrap") != "bwrap" or not shutil.which("bwrap"):
        yield {}
        return
    home = Path(tempfile.mkdtemp(prefix="fork-", dir=work))
    slot = home / "slot"
    slot.mkdir()
    sockets = Path(tempfile.mkdtemp(prefix="dlbook-"))  # a short path: a socket's may not exceed 107 bytes
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(sockets / "server.sock"))
    listener.listen(1)
    env = dict(os.environ, **sandbox.NO_GPU, **{variable: "1" for variable in sandbox.THREAD_VARIABLES},  # kernels
               **{sandbox.MEMORY_LIMIT: str(memory_bytes), sandbox.FILE_LIMIT: str(file_bytes)})  # set their own threads
    command = sandbox.bwrap_command(slot, [sys.executable, "-m", "dlbook.forkserver", str(listener.fileno())])
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=open(home / "server.log", "w"),
                              pass_fds=[listener.fileno()], preexec_fn=lambda: os.sched_setaffinity(0, cpus),
                              start_new_session=True, text=True)
    listener.close()  # the server's copy alone: once it is gone, connecting fails at once
    try:
        ready = select.select([server.stdout], [], [], 120)[0] and server.stdout.readline().strip() == "ready"
        yield {SERVER: str(sockets / "server.sock"), SLOT: str(slot)} if ready else {}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        shutil.rmtree(sockets, ignore_errors=True)


def launch(server: str, slot: Path, connection_file: Path) -> int:
    """The kernel process nbgrader sees: ask the batch's server for a kernel with the files of this folder
    (the notebook's), and exit with the kernel's exit code; if nbgrader kills this process, the server kills
    the kernel. Raises OSError where the server is gone."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(60)  # a server that does not answer is as good as gone
    connection.connect(server)
    reader = connection.makefile("r")
    connection.sendall((json.dumps({"connection": json.loads(connection_file.read_text())}) + "\n").encode())
    if reader.readline().strip() != "clean":
        raise ConnectionError("the fork server did not clean up")
    shutil.copytree(Path.cwd(), slot, dirs_exist_ok=True, symlinks=True)
    connection.settimeout(None)  # from here on the kernel runs as long as nbgrader lets it
    connection.sendall(b"go\n")
    status = reader.readline().strip()
    return int(status) if status else 1


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])), Path.cwd())
