"""Do the shared plots draw what they are given, in colours every reader can tell apart?"""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

import dlbook
from dlbook import plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_use_style_sets_the_book_style():
    dlbook.use_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plotting.COLORS[0]


def smallest_difference_with_colour_blindness(colors) -> float:
    """The smallest CAM02-UCS difference between two of `colors` as seen with full protanopia, deuteranopia or
    tritanopia (Machado et al. 2009's simulation, as colorspacious implements it)."""
    rgb = np.array([matplotlib.colors.to_rgb(c) for c in colors])
    smallest = np.inf
    for cvd in ["protanomaly", "deuteranomaly", "tritanomaly"]:
        seen = np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
        for i, j in itertools.combinations(range(len(colors)), 2):
            smallest = min(smallest, deltaE(seen[i], seen[j], input_space="sRGB1"))
    return smallest


def test_palette_survives_colour_blindness():
    # Okabe-Ito: every pair stays at least 10 CAM02-UCS units apart (it is 11.0: orange and pink, tritanopia);
    # matplotlib's default colours fail: its orange and green are 1.6 apart with protanopia.
    assert smallest_difference_with_colour_blindness(plotting.COLORS) >= 10
    default = matplotlib.rcParamsDefault["axes.prop_cycle"].by_key()["color"]
    assert smallest_difference_with_colour_blindness(default[:4]) < 2


def test_decision_grid_evaluates_predict_on_a_covering_meshgrid():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    xx, yy, zz = plotting.decision_grid(lambda p: (p[:, 0] > 1).astype(int), X, resolution=11, padding=0.5)
    ref_x, ref_y = np.meshgrid(np.linspace(-0.5, 2.5, 11), np.linspace(-1.5, 3.5, 11))
    np.testing.assert_allclose(xx, ref_x)
    np.testing.assert_allclose(yy, ref_y)
    np.testing.assert_array_equal(zz, (ref_x > 1).astype(int))


def test_plot_decision_boundary_scatters_every_point_by_class():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([-1, -1, -1, 1])
    ax = dlbook.plot_decision_boundary(lambda p: np.where(p.sum(1) > 1.5, 1, -1), X, y)
    scatters = ax.collections[-2:]  # after the filled contour: one scatter per class
    np.testing.assert_allclose(scatters[0].get_offsets(), X[y == -1])
    np.testing.assert_allclose(scatters[1].get_offsets(), X[y == 1])
    assert ax.get_xlim() == (-0.5, 1.5)


def test_plot_history_draws_each_series():
    history = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.9], "val_loss": [1.1, 0.6, 0.4],
               "val_accuracy": [0.4, 0.6, 0.8]}
    axes = dlbook.plot_history(history)
    assert len(axes) == 2
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), history["loss"])
    np.testing.assert_allclose(axes[0].lines[1].get_ydata(), history["val_loss"])
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), history["accuracy"])
    assert axes[1].get_ylabel() == "accuracy"


def test_plot_history_of_loss_only_has_one_panel():
    axes = dlbook.plot_history({"loss": [3.0, 2.0]})
    assert len(axes) == 1 and len(axes[0].lines) == 1
