"""nbgrader settings for this course: only what differs from nbgrader's defaults. Run nbgrader from here."""

c = get_config()  # noqa: F821  (nbgrader provides get_config when it loads this file)

# Instructor versions (solutions and hidden tests) live in solutions/<assignment>/;
# `nbgrader generate_assignment` (or `dlbook release`) writes the student versions to exercises/<assignment>/.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# The limits a notebook is graded under (CPU time per cell and per notebook, memory, output, file size) live in
# dlbook/limits.py; `dlbook grade --help` lists them and its options override them. Feedback shows at most 200
# lines of a cell's output and 60 of a traceback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# nbgrader's pipelines with dlbook's hardened steps (dlbook/grading.py): time limits in CPU seconds, bounded
# output and survival of a dead kernel; warnings on stderr do not zero a test (nbgrader #1904); feedback never shows hidden
# test code (nbgrader #917); feedback opens with a table of results and marks answers not graded yet.
c.Autograde.autograde_preprocessors = [
    "dlbook.grading.SafeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "dlbook.grading.StderrIsNotFailure",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "dlbook.grading.FeedbackTable",
    "dlbook.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# `nbgrader validate`, which students use to self-check, judges test cells the same way (nbgrader #1844).
import dlbook.grading  # noqa: E402

dlbook.grading.align_validate_with_autograde()

# The gradebook: nbgrader's SQLite file by default. A large course can use any database URL SQLAlchemy
# accepts, for example PostgreSQL: c.CourseDirectory.db_url = "postgresql://user:password@host/course"
