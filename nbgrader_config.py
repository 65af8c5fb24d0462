"""nbgrader settings for this course: only what differs from nbgrader's defaults. Run nbgrader from here."""

c = get_config()  # noqa: F821  (nbgrader provides get_config when it loads this file)

# Instructor versions (solutions and hidden tests) live in solutions/<assignment>/;
# `nbgrader generate_assignment` (or `dlbook release`) writes the student versions to exercises/<assignment>/.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Time limits: a cell that runs longer than 30 s is interrupted and fails; a notebook stops after 10 minutes
# (the cells left are marked as not run). Each cell keeps at most 20,000 characters of output.
c.Execute.timeout = 30
c.SafeExecute.notebook_timeout = 600
c.SafeExecute.max_output_chars = 20_000
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# nbgrader's pipelines with dlbook's hardened steps (dlbook/grading.py): a notebook deadline, bounded output and
# survival of a dead kernel; warnings on stderr do not zero a test (nbgrader #1904); feedback never shows hidden
# test code (nbgrader #917).
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
    "dlbook.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# `nbgrader validate`, which students use to self-check, judges test cells the same way (nbgrader #1844).
import dlbook.grading  # noqa: E402

dlbook.grading.align_validate_with_autograde()

# The gradebook: nbgrader's SQLite file by default. A large course can use any database URL SQLAlchemy
# accepts, for example PostgreSQL: c.CourseDirectory.db_url = "postgresql://user:password@host/course"
