"""`dlbook grade --scheduler`: batches graded on a Dask cluster (here a LocalCluster of two worker processes) give
the grades a run on one machine gives, lose nothing when a worker dies, and regrade to the same result."""

import contextlib
import csv
import os
import shutil
import subprocess
import sys
import time

import psutil
import pytest
from distributed import Client, LocalCluster
from nbgrader.api import Gradebook

from conftest import alive_after, run_env
from dlbook import autograde, cluster, sandbox
from dlbook.gradebook import POINTS_POSSIBLE
from test_cli import ASSIGNMENT, LIMITS, WRONG_LSTM, course_copy, dlbook_grade, write

# Honest and hostile submissions of the rnn assignment (see test_cli.py for what each gets).
MIXED = {
    "honest": {},
    "wrong-lstm": dict(replace={"lstm_step": WRONG_LSTM}),
    "exits": dict(before={"lstm_step": "import os\nos._exit(1)"}),
    "loops-forever": dict(after={"clip_grad_norm": "while True:\n    pass"}),
    "hogs-memory": dict(before={"rnn_step": "hog = bytearray(16 * 2**30)"}),
    "not-json": dict(raw=b'{"cells": ['),
}


@pytest.fixture(scope="module")
def local_cluster():
    with cluster.local_cluster(workers=2) as dask_cluster:
        yield dask_cluster


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    for student, kwargs in MIXED.items():
        write(folder, student, **kwargs)
    return folder


@pytest.fixture(scope="module")
def graded_here(tmp_path_factory, submissions):
    """The same submissions graded on this machine: what the cluster must give."""
    root = tmp_path_factory.mktemp("here")
    return dlbook_grade(course_copy(root), submissions, root / "out", "--jobs", "2", *LIMITS)[0]


def assert_workers_have_cores_of_their_own(dask_cluster) -> None:
    """The two workers of `dask_cluster`, on this machine, never share a core."""
    with Client(dask_cluster) as client:
        client.wait_for_workers(2)
        first, second = client.run(os.sched_getaffinity, 0).values()
        assert first and second and not first & second


def test_a_cluster_grades_as_one_machine_does_and_a_regrade_changes_nothing(tmp_path, local_cluster, submissions,
                                                                              graded_here):
    assert_workers_have_cores_of_their_own(local_cluster)
    course = course_copy(tmp_path)
    rows, printed = dlbook_grade(course, submissions, tmp_path / "out", "--scheduler",
                                 local_cluster.scheduler_address, *LIMITS)
    assert rows == graded_here
    assert (f"grading on the Dask cluster at {local_cluster.scheduler_address}: 2 workers, 2 batches at a time, "
            "dashboard http") in printed
    assert rows["honest"]["score"] != rows["wrong-lstm"]["score"]  # the grades are real ones
    again, _ = dlbook_grade(course, submissions, tmp_path / "again", "--scheduler", local_cluster.scheduler_address,
                            *LIMITS)
    assert again == rows


def test_a_worker_killed_in_the_middle_of_a_run_loses_nothing(tmp_path, local_cluster, submissions, graded_here):
    course = course_copy(tmp_path)
    command = [os.path.join(os.path.dirname(sys.executable), "dlbook"), "grade", ASSIGNMENT, str(submissions),
               "--course", str(course.root), "--out", str(tmp_path / "out"), "--scheduler",
               local_cluster.scheduler_address, *LIMITS]
    grading = subprocess.Popen(command, env=run_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with Client(local_cluster.scheduler_address) as client:
        deadline = time.monotonic() + 900  # the course copy and template take a while on a busy machine
        while not any(client.processing().values()):  # wait for a batch to start on a worker, then kill it
            assert time.monotonic() < deadline and grading.poll() is None, "no batch started"
            time.sleep(0.2)
        busy = next(worker for worker, tasks in client.processing().items() if tasks)
        worker = psutil.Process(client.run(os.getpid, workers=[busy])[busy])
        while not {"-m nbgrader autograde", "-m dlbook.sandbox"} <= running_commands(worker):  # a kernel runs
            assert time.monotonic() < deadline, "no kernel started"
            time.sleep(0.1)
        started = worker.children(recursive=True)
        worker.kill()
    assert not alive_after(started, seconds=5), "the killed worker's nbgrader or kernels kept running"
    printed, _ = grading.communicate(timeout=1800)
    assert grading.returncode == 0, printed[-3000:]
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    rows.pop(POINTS_POSSIBLE)
    assert rows == graded_here
    assert_workers_have_cores_of_their_own(local_cluster)  # the worker that replaced it too


def running_commands(process: psutil.Process) -> set[str]:
    """Which of nbgrader's autograde and the sandboxed kernel run under `process`."""
    commands = set()
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            line = " ".join(child.cmdline())
            commands |= {c for c in ("-m nbgrader autograde", "-m dlbook.sandbox") if c in line}
    return commands


def test_a_worker_runs_each_batch_on_cores_of_its_own(monkeypatch):
    monkeypatch.setattr(cluster, "CORES", {})  # this worker runs in this process

    def hold_cores():
        with cluster.worker_cores() as cores:
            start = time.monotonic()
            time.sleep(1)
            return cores, start, time.monotonic()

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0",
                      silence_logs=40) as dask_cluster, Client(dask_cluster) as client:
        (first, start, end), (second, other_start, other_end) = client.gather(
            [client.submit(hold_cores, pure=False) for _ in range(2)])
    assert start < other_end and other_start < end  # both held their cores at once
    assert sorted([first, second]) == sorted(sandbox.cpu_sets(2))  # the worker's cores, split as --jobs 2 splits them
    if len(os.sched_getaffinity(0)) >= 2:
        assert not set(first) & set(second)


def test_an_address_without_a_scheduler_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)
    with pytest.raises(cluster.ClusterError, match="cannot reach a Dask scheduler at tcp://127.0.0.1:9 within 2 s"):
        with cluster.connect("tcp://127.0.0.1:9"):
            pass


def test_without_a_scheduler_dask_is_not_imported():
    code = "import sys, dlbook.cli, dlbook.autograde; print('distributed' in sys.modules or 'dask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_a_worker_gets_the_student_version_and_a_gradebook_without_grades_but_no_solutions(tmp_path):
    course = course_copy(tmp_path)
    (course.root / "gradebook.db").write_bytes(b"the course's grades")  # never to leave this machine
    release = tmp_path / "release"
    shutil.copytree(course.folder("release", ASSIGNMENT), release / ASSIGNMENT)
    template = autograde.private_template(course, ASSIGNMENT, tmp_path / "work", release / ASSIGNMENT, fresh=True)
    shipped = cluster.shipped_template(template, tmp_path / "shipped")
    files = {p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()}
    assert f"exercises/{ASSIGNMENT}/rnn.ipynb" in files and "gradebook.db" in files
    assert not [f for f in files if f.startswith("solutions/")], files
    with Gradebook(f"sqlite:///{shipped / 'gradebook.db'}") as gb:
        assert gb.find_assignment(ASSIGNMENT).notebooks and not gb.students
