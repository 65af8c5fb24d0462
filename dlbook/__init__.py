"""Companion package of the deep learning textbook.

Chapters import what supports the lesson from here; the lesson itself stays in the chapter.
"""

from dlbook.runtime import device, seed_everything
from dlbook.data import load_digits_split, make_moons_data, make_ring_data, truth_table
from dlbook.training import accuracy, evaluate, fit
from dlbook.plotting import plot_decision_boundary, plot_history, use_style

__all__ = [
    "accuracy",
    "device",
    "evaluate",
    "fit",
    "load_digits_split",
    "make_moons_data",
    "make_ring_data",
    "plot_decision_boundary",
    "plot_history",
    "seed_everything",
    "truth_table",
    "use_style",
]
