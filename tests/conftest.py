"""Shared fixtures: the repository's paths and a temporary nbgrader course built from solutions/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# DLBOOK_ASSIGNMENTS=07_rnn,08_gan limits the assignment tests to those (while writing one); CI tests all.
ALL_ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
ASSIGNMENTS = [a for a in ALL_ASSIGNMENTS if a in os.environ.get("DLBOOK_ASSIGNMENTS", a).split(",")]


def run_env() -> dict[str, str]:
    """The environment for child tools: the venv's bin/ first (nbgrader calls alembic), no progress bars."""
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", DLBOOK_PROGRESS="0")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run an nbgrader command in `course`, failing the test with its log if it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=run_env(),
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
