"""dlbook.glue hands a chapter's measured numbers to its text as numbers myst-nb can format, and is harmless
where the book is not being built."""

import sys

import numpy as np
import pytest

import dlbook


@pytest.fixture
def glued(monkeypatch):
    import myst_nb
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    return calls


def test_numpy_numbers_reach_myst_nb_as_python_numbers_and_are_not_displayed(glued):
    assert dlbook.glue("accuracy", np.float64(97.5)) is None  # a cell ending with it shows no value: in a
    # figure cell a second output would be a second figure of the same name
    dlbook.glue("epochs", np.int64(8))
    dlbook.glue("label", "AND")
    assert glued == [("accuracy", 97.5, False), ("epochs", 8, False), ("label", "AND", False)]
    assert [type(value) for _, value, _ in glued] == [float, int, str]
    assert format(glued[0][1], ".1f") == "97.5"  # what {glue:text}`accuracy:.1f` does; np.float64's repr would not


def test_without_myst_nb_it_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in Colab or a bare Jupyter: importing it fails
    assert dlbook.glue("accuracy", np.float32(0.5)) is None
