"""dlbook.submissions on its own: finding each student's files in folders, zips and Canvas downloads, and
staging them within the limits."""

import json
import zipfile

import nbformat
import pytest

from conftest import REPO
from dlbook import submissions
from dlbook.limits import Limits

EXPECTED = ["rnn.ipynb"]
NOTEBOOK = (REPO / "exercises" / "rnn" / "rnn.ipynb").read_bytes()


def released():
    return {"rnn.ipynb": nbformat.read(REPO / "exercises" / "rnn" / "rnn.ipynb", as_version=4)}


def test_folders_with_and_without_the_assignment_level_and_their_other_files(tmp_path):
    (tmp_path / "ada" / "rnn" / "data").mkdir(parents=True)
    (tmp_path / "ada" / "rnn" / "rnn.ipynb").write_bytes(NOTEBOOK)
    (tmp_path / "ada" / "rnn" / "data" / "x.csv").write_text("1,2")
    (tmp_path / "ada" / "rnn" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "ada" / "rnn" / ".ipynb_checkpoints" / "rnn-checkpoint.ipynb").write_bytes(NOTEBOOK)
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "rnn.ipynb").write_bytes(NOTEBOOK)
    (tmp_path / "bob" / "secrets").symlink_to("/etc/passwd")  # links are not followed
    found = {s.student: s for s in submissions.collect(tmp_path, "rnn", EXPECTED)}
    assert set(found) == {"ada", "bob"}
    assert found["ada"].notebooks == {"rnn.ipynb": tmp_path / "ada" / "rnn" / "rnn.ipynb"}
    assert found["ada"].files == {"data/x.csv": tmp_path / "ada" / "rnn" / "data" / "x.csv"}
    assert found["bob"].files == {} and found["bob"].problems == []


def test_canvas_names_give_students_files_lateness_and_tell_namesakes_apart(tmp_path):
    for name in ("doejane_11_901_rnn.ipynb", "doejane_11_901_data.csv", "roejohn_LATE_12_902_rnn-1.ipynb",
                 "doejane_13_903_rnn.ipynb"):
        (tmp_path / name).write_bytes(NOTEBOOK)
    found = {s.student: s for s in submissions.collect(tmp_path, "rnn", EXPECTED)}
    assert set(found) == {"doejane", "roejohn", "doejane_13"}
    assert found["doejane"].files == {"data.csv": tmp_path / "doejane_11_901_data.csv"}
    assert found["roejohn"].notebooks == {"rnn.ipynb": tmp_path / "roejohn_LATE_12_902_rnn-1.ipynb"}
    assert found["roejohn"].problems == ["Canvas marked this submission late",
                                         "notebook was named 'rnn-1.ipynb' instead of 'rnn.ipynb'; graded anyway"]


def test_loose_files_in_no_known_naming_are_refused_with_the_fix(tmp_path):
    (tmp_path / "rnn.ipynb").write_bytes(NOTEBOOK)
    with pytest.raises(submissions.SubmissionsError, match="folder named after the student"):
        submissions.collect(tmp_path, "rnn", EXPECTED)


def test_a_zip_is_unpacked_without_escaping_and_oversized_members_only_in_part(tmp_path):
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("submitted/ada/rnn/rnn.ipynb", NOTEBOOK)
        z.writestr("submitted/ada/rnn/huge.bin", bytes(2**22))
    folder = submissions.unpack(archive, tmp_path / "out", "rnn", Limits(file_mib=1))
    assert folder == tmp_path / "out" / "submitted"
    assert (folder / "ada" / "rnn" / "rnn.ipynb").read_bytes() == NOTEBOOK
    assert (folder / "ada" / "rnn" / "huge.bin").stat().st_size == 2**20 + 1  # enough to be refused by stage
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("../../escaped.txt", "x")
    with pytest.raises(submissions.SubmissionsError, match="outside the target folder"):
        submissions.unpack(tmp_path / "evil.zip", tmp_path / "evil", "rnn", Limits())


def test_staging_keeps_files_at_the_size_limit_and_drops_larger_ones_and_bad_timestamps(tmp_path):
    source = tmp_path / "ada"
    source.mkdir()
    (source / "rnn.ipynb").write_bytes(NOTEBOOK)
    (source / "fits.bin").write_bytes(bytes(2**20))
    (source / "too-big.bin").write_bytes(bytes(2**20 + 1))
    (source / "timestamp.txt").write_text("soon")
    [submission] = submissions.collect(tmp_path, "rnn", EXPECTED)
    submissions.stage(submission, released(), tmp_path / "staged", Limits(file_mib=1))
    assert sorted(p.name for p in (tmp_path / "staged").iterdir()) == ["fits.bin", "rnn.ipynb"]
    assert sorted(submission.problems) == ["timestamp.txt does not hold a date and was not kept",
                                           "too-big.bin is larger than the limit of 1 MiB and was not kept"]


def test_an_unreadable_notebook_is_staged_as_the_blank_assignment_saying_why(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "rnn.ipynb").write_text(json.dumps({"nbformat": 5}))
    [submission] = submissions.collect(tmp_path, "rnn", EXPECTED)
    submissions.stage(submission, released(), tmp_path / "staged", Limits())
    nb = nbformat.read(tmp_path / "staged" / "rnn.ipynb", as_version=4)
    assert "could not be graded: notebook has the wrong format" in nb.cells[0].source
    assert nb.cells[1:] == released()["rnn.ipynb"].cells
    assert submission.problems == ["notebook has the wrong format (nbformat 5; Jupyter notebooks are nbformat 4); "
                                   "graded as blank"]
