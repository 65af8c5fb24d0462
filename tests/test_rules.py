"""Do the rules that assignments state hold a student's function to them, and leave honest code alone?"""

import linecache
import sys

import numpy as np
import pytest
import torch

from dlbook.rules import graded


def notebook(code: str) -> dict:
    """The namespace of a notebook whose cells ran `code` (functions defined there look up globals in it)."""
    namespace = {"np": np, "torch": torch, "__name__": "__main__"}
    filename = f"<notebook cell {abs(hash(code))}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)  # as IPython does
    exec(compile(code, filename, "exec"), namespace)
    return namespace


def test_numpy_code_passes_and_gives_its_result():
    nb = notebook("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(graded(nb["sigmoid"])(x), 1 / (1 + np.exp(-x)))


@pytest.mark.parametrize("body, named", [
    ("return torch.sigmoid(torch.as_tensor(x)).numpy()", "torch.sigmoid"),
    ("import torch.nn.functional as F\n    return F.relu(torch.as_tensor(x)).numpy()", "torch"),
    ("return torch.as_tensor(x).exp().numpy()", "torch"),
    ("import scipy.special\n    return scipy.special.expit(x)", "scipy"),
    ("from dlbook.data import truth_table\n    truth_table('and')\n    return x", "dlbook.data"),
])
def test_numpy_only_functions_that_call_other_libraries_fail_with_the_rule(body, named):
    nb = notebook(f"def f(x):\n    {body}\n")
    with pytest.raises(AssertionError, match="f broke a rule of this assignment: it calls") as info:
        graded(nb["f"])(np.ones(3))
    assert named in str(info.value) and "NumPy only" in str(info.value)


def test_torch_functions_may_use_torch_but_not_the_packages_references():
    nb = notebook("def f(x):\n    return torch.relu(x)\n"
                  "def g(x):\n    from dlbook.training import accuracy\n    return accuracy(x, x)\n")
    assert torch.equal(graded(nb["f"], library="torch")(torch.ones(2)), torch.ones(2))
    with pytest.raises(AssertionError, match="it calls dlbook.training"):
        graded(nb["g"], library="torch")(torch.ones(2, 2))


def test_a_function_that_modifies_an_input_fails_and_names_it():
    nb = notebook("def f(x, params):\n    params['W'] *= 2\n    return x.sum()\n"
                  "def g(x, params):\n    return x.sum() + params['W'].sum()\n")
    x, params = np.ones(3), {"W": np.ones((2, 2))}
    with pytest.raises(AssertionError, match=r"f modified its input params\['W'\]"):
        graded(nb["f"])(x, params)
    assert graded(nb["g"])(x, {"W": np.ones((2, 2))}) == 7.0


def test_new_results_must_not_share_memory_with_the_inputs():
    nb = notebook("def same(x):\n    return x\ndef view(x):\n    return x[1:]\ndef copy(x):\n    return x.copy()\n")
    for name in ("same", "view"):
        with pytest.raises(AssertionError, match="sharing memory with its input x"):
            graded(nb[name], new=True)(np.ones(3))
    graded(nb["copy"], new=True)(np.ones(3))


def test_dependencies_stand_in_for_the_notebooks_functions_only_during_the_call():
    nb = notebook("def step(x):\n    return x + 100  # a wrong earlier function\n"
                  "def run(x):\n    return [step(x) for _ in range(2)]\n")

    def reference_step(x):  # computed with torch: allowed, since it is the tests' reference
        return torch.as_tensor(x).add(1).numpy()

    assert graded(nb["run"], dependencies={"step": reference_step})(np.zeros(1))[0][0] == 1.0
    assert nb["step"](0) == 100, "the notebook's own function is back after the call"


def test_names_the_test_defines_after_wrapping_are_out_of_reach():
    nb = notebook("def answer(x):\n    return expected\n")
    cheat = graded(nb["answer"])
    nb["expected"] = 42  # the test computes its expected value after wrapping
    with pytest.raises(AssertionError, match="answer raised NameError: name 'expected' is not defined"):
        cheat(0)
    assert nb["expected"] == 42


def test_switching_off_the_watch_fails():
    nb = notebook("import sys\ndef f(x):\n    sys.setprofile(None)\n    return x\n")
    previous = sys.getprofile()
    with pytest.raises(AssertionError, match="turned off the checks"):
        graded(nb["f"])(1)
    assert sys.getprofile() is previous


def test_an_error_in_the_function_names_the_students_line_the_shapes_on_it_and_the_hint():
    """The mistake the walkthrough met: W_hh @ h_prev raises NumPy's matmul error; the student is told which
    line of theirs raised it, the shapes of the arrays on it, and the hint for that mistake."""
    nb = notebook("def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n    z = x_t @ W_xh\n    return np.tanh(z + W_hh @ h_prev + b)\n")
    step = graded(nb["rnn_step"], hint="h_prev @ W_hh, not W_hh @ h_prev")
    with pytest.raises(AssertionError) as info:
        step(np.ones((3, 4)), np.ones((3, 5)), np.ones((4, 5)), np.ones((5, 5)), np.ones(5))
    assert str(info.value) == (
        "rnn_step raised ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
        "signature (n?,k),(k,m?)->(n?,m?) (size 3 is different from 5), in line 3 of your rnn_step: "
        "`return np.tanh(z + W_hh @ h_prev + b)`, where z is (3, 5), W_hh is (5, 5), h_prev is (3, 5) and b is (5,)"
        "\nHint: h_prev @ W_hh, not W_hh @ h_prev")


def test_errors_of_the_function_itself_are_not_disguised():
    nb = notebook("def f(x):\n    raise NotImplementedError()\n")
    with pytest.raises(NotImplementedError):
        graded(nb["f"])(np.ones(2))


def test_functions_the_test_passes_in_may_use_the_tests_references():
    """A numerical gradient receives the test's f, which computes with the read-only NumPy snapshot and torch."""
    from dlbook.checks import reference_numpy as np_ref

    nb = notebook("def numerical_gradient(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)\n")
    g = graded(nb["numerical_gradient"])(lambda x: np_ref.sin(x) + torch.as_tensor(x).item() * 0, 0.0)
    assert abs(g - 1.0) < 1e-6


def test_work_done_in_a_thread_the_function_starts_is_watched_too():
    nb = notebook("import threading\ndef f(x):\n    out = []\n"
                  "    t = threading.Thread(target=lambda: out.append(torch.sigmoid(torch.as_tensor(x)).numpy()))\n"
                  "    t.start(); t.join()\n    return out[0]\n")
    with pytest.raises(AssertionError, match="it calls torch"):
        graded(nb["f"])(np.ones(2))
