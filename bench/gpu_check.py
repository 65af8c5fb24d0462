"""Run every chapter and every assignment's solution on the GPU, check that the work ran there, and time it.

Run with `make gpu-check` (or `.venv/bin/python bench/gpu_check.py`). Each notebook runs top to bottom in a fresh
kernel with DLBOOK_DEVICE naming the GPU (CUDA, else Apple MPS); an error in any cell fails the check. The kernel
counts, cell by cell, the memory allocations made on the GPU: a notebook that asks `dlbook.device()` for its device
but allocated nothing there fails too. Each notebook runs again with DLBOOK_DEVICE=cpu, as `make bench` times it, and
a Markdown table gives both times and the speed-up. Without a GPU it says so and checks nothing.
"""

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import REPO, chapters  # noqa: E402 (bench/ is not a package)

from dlbook.runtime import DEVICE_VARIABLE  # noqa: E402

# Run in the kernel before the notebook: after each cell, the number of allocations made on the GPU so far.
COUNTER = '''
import torch as _torch
from IPython import get_ipython as _get_ipython

def _gpu_allocations():
    if _torch.cuda.is_available():
        return _torch.cuda.memory_stats().get("allocation.all.allocated", 0)
    if _torch.backends.mps.is_available():
        return _torch.mps.current_allocated_memory()  # bytes held: counts only where it grows
    return 0  # the CPU

_gpu_check_counts = []
_get_ipython().events.register("post_run_cell", lambda result: _gpu_check_counts.append(_gpu_allocations()))
'''
REPORT = '''
import json as _json
print(_json.dumps({"counts": _gpu_check_counts[1:],  # the counter's own cell first
                   "peak": _torch.cuda.max_memory_allocated() if _torch.cuda.is_available() else None}))
'''


def gpu() -> str | None:
    """The GPU torch can use here, as DLBOOK_DEVICE names it (cuda or mps), or None."""
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else None


def notebooks() -> list[Path]:
    """The chapters in reading order, then each assignment's solution notebooks."""
    return chapters() + sorted((REPO / "solutions").glob("*/*.ipynb"))


@dataclass
class Run:
    seconds: float
    gpu_cells: list[int]  # indexes of the notebook's cells that allocated on the GPU
    training_cells: list[int]  # cells that call .backward() or dlbook.fit
    peak_bytes: int | None


def run(path: Path, device: str, timeout: float = 1800) -> Run:
    """Run the notebook top to bottom with DLBOOK_DEVICE=device; raises nbclient's CellExecutionError on an error."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(COUNTER), *nb.cells, nbformat.v4.new_code_cell(REPORT)]
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=os.environ | {DEVICE_VARIABLE: device, "DLBOOK_PROGRESS": "0"})  # the kernel's environment
    seconds = time.perf_counter() - start
    report = json.loads(nb.cells[-1].outputs[-1]["text"])
    code = [i for i, cell in enumerate(nb.cells[1:-1]) if cell.cell_type == "code"]  # what the counts follow
    counts = dict(zip(code, report["counts"]))
    before = 0
    gpu_cells = []
    for i in code:
        if counts[i] > before:
            gpu_cells.append(i)
        before = counts[i]
    training = [i for i in code if ".backward(" in nb.cells[i + 1].source or "fit(" in nb.cells[i + 1].source]
    return Run(seconds, gpu_cells, training, report["peak"])


def check(path: Path, on_gpu: Run) -> str | None:
    """What is wrong with the GPU run of the notebook at `path`, or None."""
    uses_device = "dlbook.device()" in path.read_text()
    if uses_device and not on_gpu.gpu_cells:
        return "asks dlbook.device() for its device but allocated nothing on the GPU"
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    parser.add_argument("--no-cpu", action="store_true", help="skip the CPU runs (no CPU times or speed-ups)")
    args = parser.parse_args(argv)
    device = gpu()
    if device is None:
        print(f"gpu-check: no GPU here (torch {torch.__version__} sees neither CUDA nor Apple MPS), so nothing was "
              f"checked. Run `make gpu-check` on a machine with an NVIDIA GPU (and a CUDA build of torch) or a Mac "
              f"with Apple silicon.")
        return
    name = torch.cuda.get_device_name() if device == "cuda" else "Apple MPS"
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, torch "
          f"{torch.__version__} with {torch.get_num_threads()} CPU threads, GPU: {name}\n")
    print("| notebook | GPU s | CPU s | speed-up | cells on the GPU | training cells off it | peak GPU MiB |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    failures = []
    for path in [p.resolve() for p in args.notebooks] or notebooks():
        label = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        try:
            on_gpu = run(path, device)
        except Exception as error:  # a failing cell: report it and go on with the others
            failures.append(f"{label}: {type(error).__name__}: {str(error).strip().splitlines()[-1]}")
            print(f"| `{label}` | failed | | | | | |", flush=True)
            continue
        problem = check(path, on_gpu)
        if problem:
            failures.append(f"{label}: {problem}")
        cpu = None if args.no_cpu else run(path, "cpu").seconds
        off = sorted(set(on_gpu.training_cells) - set(on_gpu.gpu_cells))
        peak = "" if on_gpu.peak_bytes is None else f"{on_gpu.peak_bytes / 2**20:.0f}"
        print(f"| `{label}` | {on_gpu.seconds:.1f} | {'' if cpu is None else f'{cpu:.1f}'} | "
              f"{'' if cpu is None else f'{cpu / on_gpu.seconds:.1f}x'} | {len(on_gpu.gpu_cells)} | "
              f"{', '.join(map(str, off)) or 'none'} | {peak} |", flush=True)
    if failures:
        sys.exit("\ngpu-check failed:\n" + "\n".join(failures))
    print("\ngpu-check: every notebook ran on the GPU without an error.")


if __name__ == "__main__":
    main()
