"""Grading batches on a Dask cluster (`dlbook grade --scheduler ADDRESS`): each batch runs on a worker exactly as a
local batch runs, and comes back as files for the one writer on the instructor's machine.

A task carries what its batch needs and nothing else: the assignment's student version and a gradebook that holds
only its structure (no other student's grade, no solutions folder), and the batch's staged submissions. On the
worker `autograde.execute` runs it in a scratch folder, sandboxed and limited as on one machine, on its share of the
worker's cores (one batch per worker thread); the executed notebooks and the batch's logs travel back. Workers need
only dlbook and its pinned requirements: no shared file system. A batch whose worker dies is run again by Dask on
another worker; one that still fails is split, each of its students sent alone; a student who fails alone gets the
row of a submission that could not be run, as locally.
"""

import contextlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from dlbook import autograde, sandbox
from dlbook.course import Course
from dlbook.limits import Limits

RETRIES = 2  # more runs of a batch whose task failed (Dask also reruns, elsewhere, a task whose worker died)
CONNECT_SECONDS = 30


class ClusterError(Exception):
    """The cluster cannot be used (no scheduler at the address, or no worker)."""


@contextlib.contextmanager
def connect(scheduler: str):
    """A client of the Dask scheduler at `scheduler` (for example tcp://10.0.0.5:8786); says where its dashboard is."""
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach a Dask scheduler at {scheduler} within {CONNECT_SECONDS} s ({error})") \
            from None
    with client:
        threads = client.nthreads()  # worker address -> its threads
        if not threads:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers: start some (dask worker "
                               f"{scheduler}), then grade again")
        print(f"grading on the Dask cluster at {scheduler}: {len(threads)} workers, {sum(threads.values())} "
              f"batches at a time, dashboard {client.dashboard_link}", file=sys.stderr)
        yield client


@contextlib.contextmanager
def local_cluster(workers: int):
    """A Dask cluster on this machine (for tests and `make bench`): `workers` worker processes of one thread, each
    pinned to its own share of the cores (again when restarted), as `taskset` pins workers that share a machine."""
    from distributed import Client, LocalCluster, WorkerPlugin

    class Pinned(WorkerPlugin):
        def __init__(self, cores: list[list[int]]):
            self.cores = cores

        def setup(self, worker):  # in the worker's main thread, before it starts the threads that run tasks
            os.sched_setaffinity(0, self.cores[worker.name])

    with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=0, dashboard_address=":0",
                      silence_logs=40) as dask_cluster, Client(dask_cluster) as client:
        client.register_plugin(Pinned(sandbox.cpu_sets(workers)))
        yield dask_cluster


def slots(client) -> int:
    """How many batches the cluster runs at once: its workers' threads."""
    return sum(client.nthreads().values())


def pack(folders: dict[str, Path]) -> bytes:
    """A tar archive (gzip) of each folder under its name."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, folder in folders.items():
            tar.add(folder, arcname=name)
    return buffer.getvalue()


def unpack(data: bytes, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(into, filter="data")  # no absolute paths, links out or devices


def shipped_template(template: Path, into: Path) -> Path:
    """The private template without the instructor's source folder (solutions/): what a worker needs to grade."""
    source = Course(template).folder("source", "any").parent.resolve()

    def instructors_only(folder, names):
        return [name for name in names if Path(folder, name).resolve() == source]

    shutil.copytree(template, into, ignore=instructors_only)
    return into


CORES: dict[str, sandbox.CoreSets] = {}  # on a worker process: each worker's cores, split between its threads
CORES_LOCK = threading.Lock()


def worker_cores() -> contextlib.AbstractContextManager[list[int]]:
    """On a worker: cores for one batch. The worker's cores (its CPU affinity) are split between its threads, as
    `--jobs` splits a machine's, so batches running at once share no core (unless there are more threads than cores)."""
    from distributed import get_worker

    worker = get_worker()
    with CORES_LOCK:
        if worker.id not in CORES:
            CORES[worker.id] = sandbox.CoreSets(worker.state.nthreads)
    return CORES[worker.id].held()


def run_batch(payload: bytes, assignment: str, students: list[str], limits: Limits, notebooks: int) -> bytes:
    """On a worker: grade `students` from `payload` (template/ and staged/) as a local batch; their executed folders
    (executed/STUDENT) and logs (logs/STUDENT.log), packed."""
    with tempfile.TemporaryDirectory(prefix="dlbook-batch-") as scratch, worker_cores() as cores:
        work = Path(scratch)
        unpack(payload, work)
        executed = autograde.execute(work / "template", work, assignment, students, limits, cores, notebooks)
        folders = {f"executed/{student}": folder for student, folder in executed.items() if folder}
        return pack(folders | {"logs": work / "logs"})


def run_batches(client, template: Path, work: Path, assignment: str, batches: list, limits: Limits,
                notebooks: int) -> Iterator[tuple[list, dict[str, Path | None]]]:
    """autograde.run_batches on the cluster behind `client` (a dask.distributed Client): yield each batch with its
    executed folders, in work/cluster/, as it finishes."""
    from distributed import as_completed

    shipped = shipped_template(template, work / "shipped-template")

    def submit(batch):
        students = [s.student for s in batch]
        folders = {"template": shipped} | {f"staged/{s}/{assignment}": autograde.staged(work, s, assignment)
                                           for s in students}
        return client.submit(run_batch, pack(folders), assignment, students, limits, notebooks, pure=False,
                             retries=RETRIES)

    futures = {submit(batch): batch for batch in batches}
    running = as_completed(futures)
    for done, future in enumerate(running):
        batch = futures.pop(future)
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 (a worker lost for good, or the batch's task failed every time)
            if len(batch) > 1:
                for submission in batch:  # each student alone: one submission cannot fail the others
                    futures[single := submit([submission])] = [submission]
                    running.add(single)
                continue
            yield batch, {batch[0].student: None}
            continue
        folder = work / "cluster" / str(done)
        unpack(result, folder)
        shutil.copytree(folder / "logs", work / "logs", dirs_exist_ok=True)
        yield batch, {s.student: folder / "executed" / s.student if (folder / "executed" / s.student).exists()
                      else None for s in batch}
