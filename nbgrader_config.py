"""nbgrader settings for this course: only what differs from nbgrader's defaults. Run nbgrader from here."""

c = get_config()  # noqa: F821  (nbgrader provides get_config when it loads this file)

# Instructor versions (solutions and hidden tests) live in solutions/<assignment>/;
# `nbgrader generate_assignment` writes the student versions to exercises/<assignment>/.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
