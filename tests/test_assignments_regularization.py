"""The regularisation assignment's references and helpers (dlbook.assignments.regularization), checked against
NumPy formulas written out here and finite differences, never against themselves."""

import numpy as np
import pytest
import torch

from dlbook.assignments import regularization as reference
from finite_differences import finite_differences


def numpy_batchnorm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n = len(x)
    if training:
        mean = x.sum(axis=0) / n
        var = ((x - mean) ** 2).sum(axis=0) / n
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * ((x - mean) ** 2).sum(axis=0) / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def numpy_layernorm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + eps) + beta


def numpy_adam(w, grad, m, v, t, lr, betas, eps, decay, decoupled):
    if not decoupled:
        grad = grad + decay * w
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    if decoupled:
        w = w * (1 - lr * decay)
    return w - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps), m, v


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_batchnorm_is_the_numpy_formula_in_both_modes(rng):
    x, gamma, beta = rng.normal(size=(7, 3)) + 5, rng.normal(size=3), rng.normal(size=3)
    running_mean, running_var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    for training in (True, False):
        for settings in ({}, dict(momentum=0.3, eps=0.1)):
            got = reference.batchnorm(x, gamma, beta, running_mean, running_var, training, **settings)
            expected = numpy_batchnorm(x, gamma, beta, running_mean, running_var, training, **settings)
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    out, mean, var = reference.batchnorm(x[:1], gamma, beta, running_mean, running_var, False)  # a batch of one
    np.testing.assert_allclose(out, gamma * (x[:1] - running_mean) / np.sqrt(running_var + 1e-5) + beta, rtol=1e-12)
    assert mean is not running_mean and var is not running_var


def test_batchnorm_grads_match_finite_differences(rng):
    dout, x, gamma = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=3)
    beta = np.zeros(3)
    loss = lambda x, gamma, beta: float(np.sum(numpy_batchnorm(x, gamma, beta, 0, 1, True)[0] * dout))  # noqa: E731
    dx, dgamma, dbeta = reference.batchnorm_grads(dout, x, gamma)
    np.testing.assert_allclose(dx, finite_differences(lambda v: loss(v, gamma, beta), x), atol=1e-7)
    np.testing.assert_allclose(dgamma, finite_differences(lambda v: loss(x, v, beta), gamma), atol=1e-7)
    np.testing.assert_allclose(dbeta, dout.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(reference.batchnorm_grads(dout, x, gamma, eps=0.5)[0],
                               finite_differences(lambda v: float(np.sum(numpy_batchnorm(v, gamma, beta, 0, 1, True,
                                                                                         eps=0.5)[0] * dout)), x),
                               atol=1e-7)


def test_layernorm_is_the_numpy_formula_for_any_leading_axes(rng):
    for shape in ((4,), (3, 4), (2, 3, 4), (1, 2, 1, 4)):
        x, gamma, beta = rng.normal(size=shape) + 100, rng.normal(size=4), rng.normal(size=4)
        np.testing.assert_allclose(reference.layernorm(x, gamma, beta), numpy_layernorm(x, gamma, beta), atol=1e-10)
        np.testing.assert_allclose(reference.layernorm(x, gamma, beta, eps=2.0),
                                   numpy_layernorm(x, gamma, beta, eps=2.0), atol=1e-10)
    np.testing.assert_allclose(reference.layernorm(np.ones((2, 1)), np.ones(1), np.full(1, 3.0)), np.full((2, 1), 3.0))


def test_l2_penalty_by_hand_and_by_finite_differences(rng):
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.0]]), "b1": np.array([3.0, -1.0]), "W2": np.array([[2.0], [-1.0]]),
              "bias": np.array(4.0), "w": rng.normal(size=3)}
    penalty, grads = reference.l2_penalty(params, 0.1)
    assert isinstance(penalty, float)
    assert penalty == pytest.approx(0.05 * (10.25 + np.sum(params["w"] ** 2)), rel=1e-14)
    assert list(grads) == list(params)
    for name in ("W1", "W2", "w"):
        np.testing.assert_allclose(grads[name], 0.1 * params[name], rtol=1e-14)
        again = lambda v: reference.l2_penalty(dict(params, **{name: v}), 0.1)[0]  # noqa: E731
        np.testing.assert_allclose(grads[name], finite_differences(again, params[name]), atol=1e-8)
    for name in ("b1", "bias"):
        assert grads[name].shape == np.shape(params[name]) and not grads[name].any()
    penalty, grads = reference.l2_penalty({"b": np.ones(3)}, 2.0)  # biases only: no penalty
    assert penalty == 0.0 and list(grads) == ["b"]
    np.testing.assert_array_equal(grads["b"], np.zeros(3))


def test_adamw_and_adam_with_l2_are_their_update_rules(rng):
    w, m, v = rng.normal(size=(2, 3)), np.zeros((2, 3)), np.zeros((2, 3))
    settings = dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3)
    for t in range(1, 6):
        grad = 3 * w - 1
        for decoupled, step in ((True, reference.adamw), (False, reference.adam_with_l2)):
            got = step(w, grad, m, v, t, weight_decay=0.2, **settings)
            expected = numpy_adam(w, grad, m, v, t, settings["lr"], settings["betas"], settings["eps"], 0.2, decoupled)
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-15)
        w, m, v = reference.adamw(w, grad, m, v, t, weight_decay=0.2, **settings)
    w_new, _, _ = reference.adamw(np.array(2.0), np.array(0.5), np.array(0.0), np.array(0.0), 1)  # 0-d, defaults
    assert w_new == pytest.approx(2.0 * (1 - 1e-5) - 1e-3 * 0.5 / (0.5 + 1e-8), rel=1e-14)


def test_steps_of_adamw_chain_torch_steps_from_zero_moments(rng):
    steps = reference.steps_of_adamw(rng.normal(size=3), lambda w: 2 * w, 4, lr=0.1)
    assert [start[4] for start, _ in steps] == [1, 2, 3, 4]
    assert not steps[0][0][2].any() and not steps[0][0][3].any()
    for (start, after), (following, _) in zip(steps, steps[1:]):
        np.testing.assert_array_equal(following[0], after[0])
        np.testing.assert_array_equal(following[1], 2 * after[0])
        np.testing.assert_array_equal(following[2], after[1])


def test_the_mistakes_are_what_their_answers_return(rng):
    x, gamma, beta = rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=3)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    hints = {h: v for v, h in reference.batchnorm_mistakes(x, gamma, beta, rm, rv, True)["running_var"]}
    biased = [h for h in hints if "unbiased" in h][0]
    np.testing.assert_allclose(hints[biased], 0.9 * rv + 0.1 * x.var(axis=0), rtol=1e-12)
    (batch_out, hint), = reference.batchnorm_mistakes(x, gamma, beta, rm, rv, False)["out"]
    np.testing.assert_allclose(batch_out, numpy_batchnorm(x, gamma, beta, rm, rv, True)[0], rtol=1e-12)
    assert "running statistics, not the batch's" in hint
    assert reference.batchnorm_mistakes(x[:1], gamma, beta, rm, rv, False) == {"out": [], "running_mean": [],
                                                                               "running_var": []}
    dout = rng.normal(size=(6, 3))
    (constant, _), *_ = reference.batchnorm_backward_mistakes(dout, x, gamma)["dx"]
    np.testing.assert_allclose(constant, dout * gamma / np.sqrt(x.var(axis=0) + 1e-5), rtol=1e-12)
    over_batch = [v for v, h in reference.layernorm_mistakes(x, gamma, beta) if "over the batch" in h][0]
    np.testing.assert_allclose(over_batch, numpy_batchnorm(x, gamma, beta, 0, 1, True)[0], rtol=1e-12)
    w, grad = rng.normal(size=4), rng.normal(size=4)
    found = {h.split(":")[0]: v for v, h in reference.adamw_mistakes(w, grad, np.zeros(4), np.zeros(4), 2, lr=0.1)}
    adam_with_l2 = numpy_adam(w, grad, np.zeros(4), np.zeros(4), 2, 0.1, (0.9, 0.999), 1e-8, 1e-2, False)[0]
    np.testing.assert_allclose(found["weight decay is decoupled"], adam_with_l2, rtol=1e-12)
    np.testing.assert_allclose(found["decay every w, whatever its shape"],
                               numpy_adam(w, grad, np.zeros(4), np.zeros(4), 2, 0.1, (0.9, 0.999), 1e-8, 0.0, True)[0],
                               rtol=1e-12)


def test_dropout_checks_accept_any_way_of_drawing_and_name_mistakes():
    x, p = np.arange(1.0, 7.0).reshape(2, 3), 0.25
    mask = np.array([[True, False, True], [True, True, False]])
    keep = reference.check_dropout((np.where(mask, x / (1 - p), 0.0), mask), x, p, "d")
    np.testing.assert_array_equal(keep, mask)
    reference.check_dropout([x * mask.astype(float) / (1 - p), mask.astype(float)], x, p, "d")  # a 0/1 mask, a list
    with pytest.raises(AssertionError, match=r"rescale the kept units by 1/\(1-p\)"):
        reference.check_dropout((x * mask, mask), x, p, "d")
    with pytest.raises(AssertionError, match="not by 1/p"):
        reference.check_dropout((x * mask / p, mask), x, p, "d")
    with pytest.raises(AssertionError, match="values other than True/False"):
        reference.check_dropout((x * mask / (1 - p), mask / (1 - p)), x, p, "d")
    with pytest.raises(AssertionError, match=r"d must return \(out, mask\)"):
        reference.check_dropout(x, x, p, "d")
    draws = np.random.default_rng(3).random((100, 100))
    for kept in (draws >= 0.3, draws < 0.7, np.random.default_rng(4).binomial(1, 0.7, (100, 100)).astype(bool)):
        reference.check_kept_fraction(kept, 0.3, "d")
    with pytest.raises(AssertionError, match="about p, not 1 - p"):
        reference.check_kept_fraction(draws < 0.3, 0.3, "d")
    with pytest.raises(AssertionError, match="kept 0.5"):
        reference.check_kept_fraction(draws < 0.5, 0.3, "d")


def test_check_seeded_wants_the_generator_it_gives():
    def from_rng(x, p, training, rng):
        mask = rng.random(x.shape) >= p
        return x * mask / (1 - p), mask

    def from_global(x, p, training, rng):
        mask = np.random.random(x.shape) >= p
        return x * mask / (1 - p), mask

    def fixed_seed(x, p, training, rng):
        mask = np.random.default_rng(0).random(x.shape) >= p
        return x * mask / (1 - p), mask

    reference.check_seeded(from_rng, np.ones(50), 0.5, 1, "d")
    with pytest.raises(AssertionError, match="two generators with the same seed"):
        reference.check_seeded(from_global, np.ones(50), 0.5, 1, "d")
    with pytest.raises(AssertionError, match="the same mask twice in a row"):
        reference.check_seeded(fixed_seed, np.ones(50), 0.5, 1, "d")


@pytest.mark.parametrize("owner, name", [(torch.optim.AdamW, "step"), (torch.optim.Adam, "step"),
                                         (torch.optim.Optimizer, "zero_grad"),
                                         (torch.nn.modules.batchnorm._BatchNorm, "forward"),
                                         (torch.nn.LayerNorm, "forward")])
def test_the_references_refuse_a_replaced_method(owner, name):
    had, original = name in vars(owner), vars(owner).get(name)
    setattr(owner, name, lambda self, *args, **kwargs: None)
    try:
        with pytest.raises(AssertionError, match=f"{owner.__name__}.{name} replaced by code in this notebook"):
            reference.adamw(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), 1)
    finally:
        if had:
            setattr(owner, name, original)
        else:
            delattr(owner, name)
    reference.adamw(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), 1)  # fine again


def test_the_module_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        reference.batchnorm = lambda *args, **kwargs: None
