"""The kernels that execute the chapters get the same environment whoever builds the book.

`make book`, a plain `jupyter-book build .` and a CI server with MPLBACKEND=Agg must give the same pages: kernels
inherit the builder's environment, so this sets what they depend on before any notebook runs.
"""

import os
from pathlib import Path

from dlbook.live import KERNEL_UNSET

KERNEL_CONFIG = 'c.IPKernelApp.log_level = "ERROR"  # not a warning per notebook about TCP without encryption\n'


def setup(app):
    os.environ["DLBOOK_PROGRESS"] = "0"  # a progress bar is an extra output: a labelled figure's cell would show two
    for name in KERNEL_UNSET:  # MPLBACKEND=Agg would hide the figures
        os.environ.pop(name, None)
    profile = Path(app.doctreedir).parent / "ipython" / "profile_default"  # the kernels' own IPython settings
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
    os.environ["IPYTHONDIR"] = str(profile.parent)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
