"""Are all notebooks committed without outputs? The book build and the tests execute them."""

import nbformat
import pytest

from conftest import REPO

NOTEBOOKS = sorted(p for folder in ("book", "solutions", "exercises") for p in (REPO / folder).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"clear the outputs of {path.name}: jupyter nbconvert --clear-output --inplace {path}"
    assert nb.metadata.kernelspec.name == "python3"
