"""Central finite differences: the trusted reference for every gradient the tests check."""

import numpy as np


def finite_differences(f, x, h=1e-6):
    """Central differences of the scalar function f at a float64 array x (f sees copies, never x itself)."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        g[i] = (f(x + step) - f(x - step)) / (2 * h)
    return g
