"""What each assignment's test cells share, one module per assignment (`dlbook.assignments.history`, ...).

Each module holds reference versions of the functions that later functions of the assignment depend on,
computed by torch so that they are no NumPy answer to copy (and the rules forbid calling them), plus the
helpers several of its test cells use. Nothing here reveals a hidden test: hidden cases stay in the notebooks.
"""

from dlbook.checks import read_only  # noqa: E402  (after the docstring: the package itself is light)

read_only(__name__)  # dlbook.assignments.history = fake raises
