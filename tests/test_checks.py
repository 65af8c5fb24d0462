"""Do the assignment checks agree with NumPy's own comparisons, and say what went wrong?"""

import time

import numpy as np
import pytest

from dlbook import checks


@pytest.mark.parametrize("seed", range(20))
def test_check_close_agrees_with_numpy_allclose(seed):
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=(3, 4))
    got = expected + rng.normal(scale=10.0 ** rng.integers(-14, -6), size=(3, 4))
    atol = 1e-10
    if np.allclose(got, expected, rtol=0, atol=atol):
        checks.check_close(got, expected, "f(x)", atol=atol)
    else:
        with pytest.raises(AssertionError, match=r"f\(x\) is off by up to"):
            checks.check_close(got, expected, "f(x)", atol=atol)


def test_check_close_names_nan_and_gives_the_hint():
    with pytest.raises(AssertionError) as info:
        checks.check_close([np.nan, 1.0], [0.0, 1.0], "softmax([1000, 1001])", hint="subtract the max before exp")
    assert "softmax([1000, 1001]) returned nan at index 0" in str(info.value)
    assert "Hint: subtract the max before exp" in str(info.value)


def test_check_close_reports_shape_and_none():
    with pytest.raises(AssertionError, match=r"has shape \(3, 1\), expected \(3,\)"):
        checks.check_close(np.zeros((3, 1)), np.zeros(3), "f(x)")
    with pytest.raises(AssertionError, match="returned None: did you forget a `return`"):
        checks.check_close(None, np.zeros(3), "f(x)")


def test_check_close_accepts_matching_infinities_and_nans():
    checks.check_close([np.inf, np.nan, 1.0], [np.inf, np.nan, 1.0], "f(x)")
    with pytest.raises(AssertionError):
        checks.check_close([-np.inf], [np.inf], "f(x)")


def test_check_equal_reports_first_difference():
    checks.check_equal(np.array([1, -1, 1]), [1, -1, 1], "predict")
    with pytest.raises(AssertionError, match="predict is wrong at index 2: expected 1, got -1"):
        checks.check_equal(np.array([1, -1, -1]), [1, -1, 1], "predict")
    with pytest.raises(AssertionError, match="b is wrong: expected 3, got 2"):
        checks.check_equal(2, 3, "b")


def test_time_limit_stops_a_slow_block_and_lets_a_fast_one_pass():
    with checks.time_limit(2, "fast"):
        pass
    start = time.process_time()  # CPU time: on a busy machine the wall clock says nothing about the limit
    with pytest.raises(AssertionError, match="slow loop did not finish within 1 s of CPU time\nHint: stop early"):
        with checks.time_limit(1, "slow loop", hint="stop early"):
            while True:
                pass
    assert time.process_time() - start < 1.5


def test_checks_are_not_fooled_by_monkeypatched_numpy(monkeypatch):
    """A submission that replaces NumPy functions after the checks loaded fails the checks instead of passing."""
    for name in ("allclose", "array_equal", "abs", "any", "where", "isfinite", "asarray"):
        monkeypatch.setattr(np, name, lambda *args, **kwargs: True)
    with pytest.raises(AssertionError, match=r"np\.abs, np\.allclose.* replaced by code in this notebook"):
        checks.check_close([1.0, 2.0], [1.0, 2.0], "f(x)")
    assert checks.reference_numpy.allclose is not np.allclose
    assert checks.reference_numpy.abs(-1.0) == 1.0


def test_checks_notice_a_library_function_swapped_for_another(monkeypatch):
    """Not only functions written in the notebook: np.abs = np.zeros_like is caught too."""
    monkeypatch.setattr(np, "abs", np.zeros_like)
    with pytest.raises(AssertionError, match=r"np\.abs replaced"):
        checks.check_close([1.0], [2.0], "f(x)")


def test_reference_snapshots_and_the_checks_are_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        checks.reference_numpy.abs = lambda x: 0 * x
    with pytest.raises(AttributeError, match="read-only"):
        del checks.reference_numpy.abs
    with pytest.raises(AttributeError, match="read-only"):
        type(checks.reference_numpy).__getattribute__ = lambda self, name: None
    with pytest.raises(AttributeError, match="read-only"):
        checks.reference_torch.sigmoid = lambda x: x
    with pytest.raises(AttributeError, match="read-only"):
        checks.check_close = lambda *args, **kwargs: None
    with pytest.raises(AttributeError, match="read-only"):  # a new name too: it would shadow the lazy snapshot
        checks.reference_torch = object()
    with pytest.raises(AttributeError):  # no dictionary of its own to write into behind its back
        object.__getattribute__(checks.reference_numpy, "__dict__")
    checks.check_close([1.0], [1.0], "f(x)")


def test_time_limit_counts_cpu_time_not_waiting():
    """A busy machine makes code wait, not work harder: waiting does not count against the limit."""
    with checks.time_limit(0.5, "a sleeping block"):
        time.sleep(1.0)


def test_snapshot_refuses_a_module_patched_beforehand(monkeypatch):
    def fake(*args, **kwargs):
        return True

    fake.__module__ = "__main__"  # as if defined in a notebook cell
    monkeypatch.setattr(np, "allclose", fake)
    with pytest.raises(ImportError, match="allclose replaced"):
        checks.snapshot(np)
    monkeypatch.undo()
    assert checks.snapshot(np).allclose is np.allclose


def test_snapshot_reaches_lazily_loaded_submodules():
    rng = checks.reference_numpy.random.default_rng(0)
    assert rng.integers(10, size=3).tolist() == np.random.default_rng(0).integers(10, size=3).tolist()


def test_snapshot_accepts_pristine_torch():
    import torch
    import torch.nn.functional as F

    assert checks.snapshot(torch).sigmoid is torch.sigmoid
    assert checks.snapshot(F).softmax is F.softmax


def notebook_function(*args, **kwargs):
    return True


notebook_function.__module__ = "__main__"  # as if defined in a notebook cell


def test_checks_fail_when_notebook_code_replaced_a_library_function(monkeypatch):
    monkeypatch.setattr(np, "allclose", notebook_function)
    with pytest.raises(AssertionError, match=r"np\.allclose replaced by code in this notebook"):
        checks.check_close([1.0], [1.0], "f(x)")


def test_checks_notice_a_replaced_tensor_method(monkeypatch):
    import torch

    monkeypatch.setattr(torch.Tensor, "numpy", notebook_function)
    with pytest.raises(AssertionError, match=r"torch\.Tensor\.numpy replaced"):
        checks.check_equal([1], [1], "f(x)")


def test_checks_notice_a_replaced_layer_method_or_utility(monkeypatch):
    from torch import nn

    monkeypatch.setattr(nn.LSTMCell, "forward", notebook_function)
    with pytest.raises(AssertionError, match=r"nn\.LSTMCell\.forward replaced"):
        checks.check_close([1.0], [1.0], "f(x)")
    monkeypatch.undo()
    monkeypatch.setattr(nn.utils, "clip_grad_norm_", notebook_function)
    with pytest.raises(AssertionError, match=r"nn\.utils\.clip_grad_norm_ replaced"):
        checks.check_close([1.0], [1.0], "f(x)")


def test_call_quietly_returns_the_result_or_names_the_warning():
    assert checks.call_quietly(np.exp, np.array([1.0]), name="exp(1)")[0] == pytest.approx(np.e)
    with pytest.raises(AssertionError, match=r"exp\(1e4\) warned: overflow encountered in exp"):
        checks.call_quietly(np.exp, np.array([1e4]), name="exp(1e4)")
    with np.errstate(all="ignore"):  # a global setting cannot hide the overflow
        with pytest.raises(AssertionError, match="overflow"):
            checks.call_quietly(np.exp, np.array([1e4]), name="exp(1e4)")


def test_torch_reference_matches_analytic_derivatives():
    import torch

    x = np.linspace(-5, 5, 11)
    value, (grad,) = checks.torch_reference(torch.sin, x)
    np.testing.assert_allclose(value, np.sin(x), rtol=1e-15)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-15)
    value, (ga, gb) = checks.torch_reference(lambda a, b: a * 3.0, x, x)
    np.testing.assert_allclose(ga, 3.0)
    assert gb is None


def test_torch_reference_keeps_integer_labels_as_integers():
    import torch.nn.functional as F

    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    labels = np.array([0, 2])
    value, (grad, none) = checks.torch_reference(F.cross_entropy, logits, labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.log(probs[[0, 1], labels]).mean())
    np.testing.assert_allclose(grad, (probs - np.eye(3)[labels]) / 2, rtol=1e-12)
    assert none is None


def test_checks_notice_a_replaced_dlbook_helper(monkeypatch):
    import dlbook.training

    monkeypatch.setattr(dlbook.training, "optimizer_trajectory", notebook_function)
    with pytest.raises(AssertionError, match=r"dlbook\.training\.optimizer_trajectory replaced"):
        checks.check_close([1.0], [1.0], "f(x)")


def test_check_close_shows_the_largest_error_at_an_index_of_plain_integers():
    """A transposed weight through a saturated tanh is off by 5e-5 at the first element and by 1.6 elsewhere:
    the message shows the element that makes the mistake plain."""
    with pytest.raises(AssertionError, match=r"largest error is at index \(1, 0\): expected 5\.0, got 3\.0"):
        checks.check_close([[1.00005, 2.0], [3.0, 3.0]], [[1.0, 2.0], [5.0, 3.0]], "f(x)")


def test_check_close_on_a_scalar_says_expected_and_got():
    with pytest.raises(AssertionError, match=r"^loss is wrong: expected 0\.25, got 1\.0$"):
        checks.check_close(1.0, 0.25, "loss")


def test_rebinding_the_verification_behind_the_modules_back_is_caught(monkeypatch):
    """vars(dlbook.checks)["check_untampered"] = noop: the checks and graded() keep the verification they were
    loaded with, which notices the swap."""
    from dlbook import rules

    def noop():
        pass

    checks.check_untampered()  # records dlbook.rules as it is, before the swap (later tests check against it)
    original = checks.check_untampered
    vars(checks)["check_untampered"] = noop
    vars(rules)["check_untampered"] = noop
    try:
        with pytest.raises(AssertionError, match=r"check_untampered replaced"):
            checks.check_close([1.0], [2.0], "f(x)")
        with pytest.raises(AssertionError, match=r"check_untampered replaced"):
            rules.graded(lambda x: x)(1.0)
    finally:
        vars(checks)["check_untampered"] = original
        vars(rules)["check_untampered"] = original


def test_guard_notices_a_method_replaced_added_to_a_subclass_or_removed(monkeypatch):
    """A subclass that gains a method overrides its base's: guard fails for a change, an addition and a removal."""
    class Base:
        def step(self):
            return "base"

    class Child(Base):
        def other(self):
            return "child"

    untampered = checks.guard(Base, Child, verify=lambda: None)  # the libraries are another test's concern
    untampered()  # nothing changed yet
    for change in (lambda: monkeypatch.setattr(Child, "other", lambda self: None),
                   lambda: monkeypatch.setattr(Child, "step", lambda self: None, raising=False),
                   lambda: monkeypatch.delattr(Child, "other")):
        change()
        with pytest.raises(checks.TestFailure, match=r"Child\.(other|step) replaced by code in this notebook"):
            untampered()
        monkeypatch.undo()
    untampered()  # restored


def test_matches_compares_shapes_and_values_and_never_raises():
    assert checks.matches([1.0, 2.0], np.array([1.0, 2.0 + 1e-12]))
    assert not checks.matches([1.0, 2.0], [1.0, 2.1]) and not checks.matches([[1.0, 2.0]], [1.0, 2.0])
    assert not checks.matches(None, [1.0]) and not checks.matches("abc", [1.0]) and not checks.matches([[1], [1, 2]], [1.0])
    assert checks.matches([1.0, 2.1], [1.0, 2.0], atol=0.2) and not checks.matches([1.0, 2.1], [1.0, 2.0], atol=0.0, rtol=0.0)


def test_check_named_names_the_mistake_it_recognises():
    expected, mistake = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    checks.check_named([1.0, 2.0], expected, "x")  # right: passes
    checks.check_named(expected, expected, "x", mistakes=lambda: pytest.fail("computed although right"))
    with pytest.raises(AssertionError, match=r"x is off by up to 2.*\nHint: doubled"):
        checks.check_named(mistake, expected, "x", hint="generic", mistakes=[(mistake, "doubled")])
    with pytest.raises(AssertionError, match=r"\nHint: generic"):
        checks.check_named(mistake + 1, expected, "x", hint="generic", mistakes=lambda: [(mistake, "doubled")])
    with pytest.raises(AssertionError, match="returned None"):
        checks.check_named(None, expected, "x", mistakes=[(mistake, "doubled")])


def test_unpack_accepts_a_tuple_or_a_list_and_says_what_it_wanted():
    assert checks.unpack((1, 2), ("loss", "grads"), "f") == (1, 2)
    assert checks.unpack([1, 2], ("loss", "grads"), "f") == (1, 2)
    two_rows = np.ones((2, 3))  # `out` alone, which has two rows: not taken for (out, mask)
    for bad, shown in ((None, "None"), ((1, 2, 3), "tuple"), ({"a": 1, "b": 2}, "dict"), (3.0, "float"),
                       (two_rows, "ndarray")):
        with pytest.raises(AssertionError, match=rf"f must return \(loss, grads\), 2 values; it returned {shown}"):
            checks.unpack(bad, ("loss", "grads"), "f")
    with pytest.raises(AssertionError, match=r"Hint: end with `return loss, grads`"):
        checks.unpack(None, ("loss", "grads"), "f")
