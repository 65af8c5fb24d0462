"""The course on disk, as nbgrader sees it: its configuration (nbgrader_config.py) and its folders, found with
nbgrader's own path formatting. `dlbook grade`, the tests and the benchmark all go through here."""

import shutil
from functools import cached_property
from pathlib import Path

import nbformat

CONFIG = "nbgrader_config.py"


class Course:
    """A course folder: nbgrader_config.py, the instructor's assignments and their student versions."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        if not (self.root / CONFIG).exists():
            raise FileNotFoundError(f"{self.root} has no {CONFIG}: run from the course folder or pass --course")

    @classmethod
    def find(cls, root: Path | None = None) -> "Course":
        """The course at `root`; else the one holding the current folder; else the repository this package was
        installed from (an editable install of the book's repository)."""
        if root is not None:
            return cls(root)
        here = Path.cwd().resolve()
        for folder in [here, *here.parents, Path(__file__).resolve().parents[1]]:
            if (folder / CONFIG).exists():
                return cls(folder)
        raise FileNotFoundError(f"no course here: neither {here} nor a folder above it has {CONFIG}. Run this in "
                                "the book's repository (git clone it first), or pass --course")

    @cached_property
    def config(self):
        """The course's nbgrader configuration, rooted here."""
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(CONFIG, path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        return config

    def api(self, **overrides):
        """nbgrader's Python API on this course, with `overrides` ({"Class.trait": value}) on top of its config."""
        from nbgrader.apps import NbGraderAPI

        config = self.config.copy()
        for key, value in overrides.items():
            section, trait = key.split(".")
            config[section][trait] = value
        return NbGraderAPI(config=config)

    @cached_property
    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    def folder(self, step: str, assignment: str, student: str = ".") -> Path:
        """One of nbgrader's folders: step is "source", "release", "submitted", "autograded" or "feedback"."""
        directory = getattr(self.coursedir, f"{step}_directory")
        return Path(self.coursedir.format_path(directory, student, assignment))

    def assignments(self) -> list[str]:
        """The instructor's assignments (folders of the source directory)."""
        return sorted(p.name for p in self.folder("source", "any").parent.iterdir() if p.is_dir())

    def released(self, assignment: str, folder: Path | None = None) -> dict[str, nbformat.NotebookNode]:
        """The student version's notebooks by file name, from the release folder or `folder` (empty if none)."""
        folder = folder or self.folder("release", assignment)
        return {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}

    @property
    def gradebook(self) -> Path | None:
        """The SQLite gradebook file (nbgrader's default; a course may name a database server instead)."""
        url = self.coursedir.db_url
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    def copy(self, root: Path, assignments: list[str], config: str | None = None,
             steps: tuple[str, ...] = ("source", "release")) -> "Course":
        """A new course in `root` with this one's configuration (or `config`) and the `steps` folders of
        `assignments`, nothing graded."""
        root.mkdir(parents=True, exist_ok=True)
        (root / CONFIG).write_text(config if config is not None else (self.root / CONFIG).read_text())
        course = Course(root)
        for assignment in assignments:
            for step in steps:
                if self.folder(step, assignment).exists():
                    shutil.copytree(self.folder(step, assignment), course.folder(step, assignment))
        return course

    def trial(self, root: Path, assignment: str) -> "Course":
        """A copy of this course in `root` with `assignment` and a copy of its gradebook, for a trial run:
        nothing graded there reaches this course's gradebook or folders."""
        config = (self.root / CONFIG).read_text() + f'\nc.CourseDirectory.db_url = "sqlite:///{root / "gradebook.db"}"\n'
        course = self.copy(root, [assignment], config, steps=("source",))
        if self.gradebook and self.gradebook.exists():
            shutil.copy(self.gradebook, root / "gradebook.db")
        return course
