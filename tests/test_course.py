"""dlbook.course: the course's folders come from nbgrader's own configuration and path formatting."""

from conftest import REPO
from dlbook.course import Course


def test_folders_follow_the_course_configuration(tmp_path):
    course = Course(REPO)
    assert course.folder("source", "rnn") == REPO / "solutions" / "rnn"
    assert course.folder("release", "rnn") == REPO / "exercises" / "rnn"
    assert course.folder("autograded", "rnn", "ada") == REPO / "autograded" / "ada" / "rnn"
    assert "rnn" in course.assignments() and list(course.released("rnn")) == ["rnn.ipynb"]
    assert course.gradebook == REPO / "gradebook.db"


def test_a_copy_has_the_configuration_and_only_the_assignments_asked_for(tmp_path):
    copy = Course(REPO).copy(tmp_path / "course", ["rnn"])
    assert (copy.root / "nbgrader_config.py").read_text() == (REPO / "nbgrader_config.py").read_text()
    assert copy.assignments() == ["rnn"] and list(copy.released("rnn")) == ["rnn.ipynb"]
    other = Course(REPO).copy(tmp_path / "other", ["rnn"], config="c = get_config()\n")
    assert other.folder("release", "rnn") == tmp_path / "other" / "release" / "rnn"  # nbgrader's defaults
