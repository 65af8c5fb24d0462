"""`make gpu-check` (bench/gpu_check.py): what it checks, shown on the CPU with the GPU's place taken by the CPU."""

import sys

import nbformat
import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import gpu_check  # noqa: E402


@pytest.fixture
def training_notebook(tmp_path):
    """A chapter in miniature: it asks dlbook.device() for its device and trains on it."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("import dlbook, torch\ndevice = dlbook.device()\nprint(device)"),
        nbformat.v4.new_code_cell("w = torch.ones(3, device=device, requires_grad=True)\n(w * 2).sum().backward()"),
    ])
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    return path


def test_run_counts_the_cells_that_train_and_those_that_used_the_gpu(training_notebook):
    run = gpu_check.run(training_notebook, "cpu")
    assert run.training_cells == [2] and run.gpu_cells == [] and run.peak_bytes is None
    assert gpu_check.check(training_notebook, run) == "asks dlbook.device() for its device but allocated nothing " \
                                                      "on the GPU"


def test_a_notebook_that_never_reached_the_gpu_fails_the_check(training_notebook, monkeypatch, capsys):
    monkeypatch.setattr(gpu_check, "gpu", lambda: "cpu")  # as if the CPU were the GPU: it allocates nothing there
    with pytest.raises(SystemExit, match="allocated nothing on the GPU"):
        gpu_check.main([str(training_notebook), "--no-cpu"])
    assert "| notebook | GPU s |" in capsys.readouterr().out


def test_a_failing_cell_fails_the_check_and_names_the_error(tmp_path, monkeypatch):
    path = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = torch.ones(2).numpy()")]), path)
    monkeypatch.setattr(gpu_check, "gpu", lambda: "cpu")
    with pytest.raises(SystemExit, match="NameError"):
        gpu_check.main([str(path), "--no-cpu"])


def test_without_a_gpu_it_says_so_and_checks_nothing(monkeypatch, capsys):
    monkeypatch.setattr(gpu_check, "gpu", lambda: None)
    monkeypatch.setattr(gpu_check, "run", lambda *args: pytest.fail("ran a notebook without a GPU"))
    gpu_check.main([])
    assert "no GPU here" in capsys.readouterr().out


def test_it_checks_every_chapter_and_every_solution():
    names = {p.relative_to(REPO).as_posix() for p in gpu_check.notebooks()}
    assert {f"solutions/{p.parent.name}/{p.name}" for p in (REPO / "solutions").glob("*/*.ipynb")} <= names
    assert "book/attention.ipynb" in names and "book/history.ipynb" in names


def test_the_kernel_gets_the_device_and_this_process_keeps_its_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    path = tmp_path / "device.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nassert os.environ['DLBOOK_DEVICE'] == 'cpu'")]), path)
    gpu_check.run(path, "cpu")
    assert "DLBOOK_DEVICE" not in gpu_check.os.environ
