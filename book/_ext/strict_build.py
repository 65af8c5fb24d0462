"""Make Sphinx warnings fail the build, also for a plain `jupyter-book build .` (not only with -W).

A warning is a broken reference, a missing figure or a malformed directive: something a reader would see.
Sphinx's keep-going mode reports every warning, then exits with status 1 (as `-W --keep-going` does).
"""


def setup(app):
    app.keep_going = True  # read when the build finishes: any warning sets the status code to 1
    return {"parallel_read_safe": True, "parallel_write_safe": True}
