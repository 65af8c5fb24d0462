"""Does the grading kernel's sandbox hide the course and cap memory? (Skipped where bubblewrap is missing.)"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlbook import sandbox

REPO = Path(__file__).resolve().parents[1]
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")


def run_sandboxed(workdir: Path, code: str, memory: int = 2 * 2**30) -> subprocess.CompletedProcess:
    """Run `code` with Python inside the same sandbox the grading kernel gets."""
    connection = workdir / "connection.json"
    connection.write_text("{}")
    command = sandbox.bwrap_command(workdir, connection, [sys.executable, "-c", code])
    limit = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))"
    return subprocess.run([sys.executable, "-c", f"{limit}; import os; os.execvp({command[0]!r}, {command!r})"],
                          cwd=workdir, capture_output=True, text=True, timeout=60)


@needs_bwrap
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


@needs_bwrap
def test_sandbox_cannot_write_outside_its_folder(tmp_path):
    result = run_sandboxed(tmp_path, f"open({str(REPO / 'dlbook' / 'hacked.py')!r}, 'w').write('x')")
    assert result.returncode != 0 and "Read-only file system" in result.stderr
    assert not (REPO / "dlbook" / "hacked.py").exists()


@needs_bwrap
def test_memory_limit_raises_memory_error_instead_of_taking_the_machine(tmp_path):
    result = run_sandboxed(tmp_path, "x = bytearray(4 * 2**30)", memory=2**30)
    assert result.returncode != 0 and "MemoryError" in result.stderr
