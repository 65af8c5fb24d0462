"""Shared fixtures: the repository's paths, the built book, and a temporary nbgrader course built from solutions/."""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import yaml

from dlbook.sandbox import THREAD_VARIABLES

REPO = Path(__file__).resolve().parents[1]
# One torch/BLAS thread per process in the suite and everything it starts (kernels, book builds, grading): on a
# 2-core machine that is also running something else, several threads per kernel spin at every parallel region
# and a 12-second chapter took over 300 seconds (measured). The chapters' models are small: one thread is enough.
for _variable in THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")
# DLBOOK_ASSIGNMENTS=rnn,gan limits the assignment tests to those (while writing one); CI tests all, and refuses
# the variables that narrow the suite rather than quietly testing less.
for _variable in ("DLBOOK_ASSIGNMENTS", "DLBOOK_BUILT_BOOK"):
    if os.environ.get("CI") and os.environ.get(_variable):
        raise pytest.UsageError(f"{_variable} is set, but CI must run the whole suite: unset it")
ALL_ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
ASSIGNMENTS = [a for a in ALL_ASSIGNMENTS if a in os.environ.get("DLBOOK_ASSIGNMENTS", a).split(",")]


def toc_pages() -> list[str]:
    """Every page of the book in reading order, as paths without suffix ("book/rnn", "exercises/rnn/rnn")."""
    def walk(entries):
        for entry in entries:
            yield entry["file"]
            yield from walk(entry.get("sections", []))
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [toc["root"], *walk(c for part in toc["parts"] for c in part["chapters"])]


def chapters() -> list[str]:
    """The chapters, the book's notebooks, in reading order ("book/history", ...)."""
    return [p for p in toc_pages() if p.startswith("book/") and (REPO / f"{p}.ipynb").exists()]


def run_env() -> dict[str, str]:
    """The environment for child tools: the venv's bin/ first (nbgrader calls alembic), no progress bars."""
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", DLBOOK_PROGRESS="0")


def dlbook(*args, cwd: Path | None = None, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Run this venv's `dlbook` command as a user would, with `env` added to the tools' environment."""
    return subprocess.run([str(Path(sys.executable).parent / "dlbook"), *map(str, args)], cwd=cwd,
                          env=run_env() | env, capture_output=True, text=True, timeout=timeout)


def nbgrader(course: Path, *args: str, threads: int | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in `course` (its kernels with `threads` torch/BLAS threads each, if given),
    failing the test with its log if it fails."""
    env = run_env() | ({variable: str(threads) for variable in THREAD_VARIABLES} if threads else {})
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """A fresh course folder (config + solutions/) in which every assignment has been generated."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    for assignment in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", assignment, "--force")
    return root


def build_book(source: Path, output: Path, *flags: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess:
    """`jupyter-book build` of `source` into `output`/_build with `flags` (none: `make book`'s) in `env` (none: the
    suite's)."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    flags = flags or ("--warningiserror", "--keep-going")
    return subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(output), *flags],
                          env=env or run_env(), capture_output=True, text=True)


def makefile_variables() -> set[str]:
    """The variables the Makefile exports to what it runs (PATH aside)."""
    exported = re.findall(r"^export (\w+)", (REPO / "Makefile").read_text(), flags=re.MULTILINE)
    return set(exported) - {"PATH"}


def plain_environment() -> dict[str, str]:
    """A newcomer's or a CI server's environment: none of the Makefile's variables but the thread counts (which the
    suite sets for everything it starts), and matplotlib set to Agg."""
    bin_dir, unset = str(Path(sys.executable).parent), makefile_variables() - set(THREAD_VARIABLES)
    return {name: value for name, value in os.environ.items() if name not in unset} | {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """The book built from the repository (every chapter executed): its `_build` folder.

    DLBOOK_BUILT_BOOK=_build reuses a book you just built instead (while working on the browser tests)."""
    if os.environ.get("DLBOOK_BUILT_BOOK"):
        return Path(os.environ["DLBOOK_BUILT_BOOK"]).resolve()
    output = tmp_path_factory.mktemp("book")
    # a plain `jupyter-book build` (no -W) outside the Makefile, with MPLBACKEND=Agg: it must not matter
    result = build_book(REPO, output, "--builder", "html", env=plain_environment())  # html: the default
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the book build failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    assert "WARNING" not in log, log[-5000:]  # Sphinx's warnings, and kernels' (the log says only what to act on)
    return output / "_build"


@pytest.fixture
def bwrap():
    """Fail loudly where bubblewrap is missing: grading without it would not be sandboxed."""
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is missing: `make system` installs it (apt-get install bubblewrap)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_live(html: Path) -> tuple[str, str, subprocess.Popen]:
    """Start `make serve` (python -m dlbook.live) for the book in `html` on free ports; returns the address it
    prints, the Jupyter server's address and the process (terminate it when done)."""
    jupyter_port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "dlbook.live", "--book", str(html), "--port", str(free_port()),
                              "--jupyter-port", str(jupyter_port)], cwd=REPO, env=run_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in serve.stdout:  # the Jupyter server's log, then the address
        output.append(line)
        if address := re.search(r"http://127\.0\.0\.1:\d+/\S+#jupyter=\S+", line):
            break
    else:
        pytest.fail("`python -m dlbook.live` printed no address:\n" + "".join(output))
    threading.Thread(target=serve.stdout.read, daemon=True).start()  # keep its pipe drained
    return address.group(0), f"http://127.0.0.1:{jupyter_port}/", serve


def running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def alive_after(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """Those of `processes` still running after waiting up to `seconds` for them to end."""
    deadline = time.monotonic() + seconds
    while (alive := [p for p in processes if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    return alive
