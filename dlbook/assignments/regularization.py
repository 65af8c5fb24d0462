"""The regularisation assignment: PyTorch's own layers and optimizer given the assignment's arrays (the references
the test cells compare with: nn.BatchNorm1d, nn.LayerNorm, autograd and torch.optim.AdamW), what the common
mistakes return (so that a failure can name the mistake), and the checks several test cells share.

The references are computed by torch (NumPy in, NumPy out), so they are no NumPy answer to copy, and the rules
forbid the students' functions to call them. Dropout and early stopping have no torch reference that could
share the student's random generator or conventions: their tests check properties and cases worked out by hand.
"""

import sys

import numpy
import torch

from dlbook.checks import _fail, check_named, check_shape, check_untampered, expect, guard, read_only, unpack
from dlbook.checks import reference_numpy as np


# What the references run, besides what check_untampered watches: the optimizer and layer classes (and their bases),
# whose methods a notebook could replace (torch.optim.AdamW.step = ...), and the modules holding their functions.
# Recorded at the end of this module, once torch has set them up (a first optimizer step patches Optimizer).
_GUARDED = (torch.optim.Optimizer, torch.optim.Adam, torch.optim.AdamW, torch.nn.Module, torch.nn.BatchNorm1d,
            torch.nn.modules.batchnorm._BatchNorm, torch.nn.modules.batchnorm._NormBase, torch.nn.LayerNorm,
            *(sys.modules[name] for name in ("torch.optim.optimizer", "torch.optim.adam", "torch.optim.adamw",
                                             "torch.nn.modules.batchnorm", "torch.nn.modules.normalization")))


def _tensor(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _numpy(t: torch.Tensor) -> numpy.ndarray:
    return t.detach().numpy().copy()


# ---- references ----

def batchnorm(x, gamma, beta, running_mean, running_var, training: bool, momentum: float = 0.1,
              eps: float = 1e-5) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """torch.nn.BatchNorm1d(D, eps, momentum) with these parameters and running statistics, in training or
    evaluation mode: (out, its running_mean and running_var after the call)."""
    untampered()
    return _batchnorm(x, gamma, beta, running_mean, running_var, training, momentum, eps)


def _batchnorm(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    layer = torch.nn.BatchNorm1d(np.shape(x)[1], eps=eps, momentum=momentum).double()
    layer.load_state_dict({"weight": _tensor(gamma), "bias": _tensor(beta), "running_mean": _tensor(running_mean),
                           "running_var": _tensor(running_var), "num_batches_tracked": torch.tensor(0)})
    layer.train(training)
    with torch.no_grad():
        out = layer(_tensor(x))
    return _numpy(out), _numpy(layer.running_mean), _numpy(layer.running_var)


def batchnorm_grads(dout, x, gamma, eps: float = 1e-5) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(dx, dgamma, dbeta) of nn.BatchNorm1d in training mode given dout, by autograd."""
    untampered()
    layer = torch.nn.BatchNorm1d(np.shape(x)[1], eps=eps, track_running_stats=False).double()
    with torch.no_grad():
        layer.weight.copy_(_tensor(gamma))
    X = _tensor(x, grad=True)
    grads = torch.autograd.grad(layer(X), (X, layer.weight, layer.bias), grad_outputs=_tensor(dout))
    return tuple(_numpy(g) for g in grads)


def layernorm(x, gamma, beta, eps: float = 1e-5) -> numpy.ndarray:
    """torch.nn.LayerNorm(D, eps) over the last axis with weight gamma and bias beta."""
    untampered()
    return _layernorm(x, gamma, beta, eps)


def _layernorm(x, gamma, beta, eps):
    layer = torch.nn.LayerNorm(np.shape(x)[-1], eps=eps).double()
    layer.load_state_dict({"weight": _tensor(gamma), "bias": _tensor(beta)})
    with torch.no_grad():
        return _numpy(layer(_tensor(x)))


def is_bias(name: str) -> bool:
    """The assignment's convention: a parameter whose name starts with "b" is a bias."""
    return name.startswith("b")


def l2_penalty(params: dict, lam: float) -> tuple[float, dict]:
    """lam / 2 times the sum of the squared entries of the weights (not the biases), and its gradient with respect to
    every parameter, by autograd."""
    untampered()
    tensors = {name: _tensor(value, grad=True) for name, value in params.items()}
    penalty = sum(((t**2).sum() for name, t in tensors.items() if not is_bias(name)),
                  torch.zeros((), dtype=torch.float64, requires_grad=True)) * (lam / 2)
    grads = torch.autograd.grad(penalty, list(tensors.values()), allow_unused=True, materialize_grads=True)
    return float(penalty.detach()), {name: _numpy(g) for name, g in zip(tensors, grads)}


def _adam_step(optimizer: type, w, grad, m, v, t: int, **settings) -> tuple[numpy.ndarray, ...]:
    """One step of `optimizer` on the parameter w, from the state (m, v) after step t - 1."""
    untampered()
    return _unchecked_adam_step(optimizer, w, grad, m, v, t, **settings)


def _unchecked_adam_step(optimizer, w, grad, m, v, t, **settings):
    p = _tensor(w, grad=True)
    opt = optimizer([p], **settings)
    opt.state[p] = {"step": torch.tensor(float(t - 1), dtype=torch.float64), "exp_avg": _tensor(m),
                    "exp_avg_sq": _tensor(v)}
    p.grad = _tensor(grad)
    opt.step()
    state = opt.state[p]
    if float(state["step"]) != t:  # the state was taken: torch counted the step as we asked
        raise RuntimeError(f"torch.optim counted step {float(state['step'])}, expected {t}")
    return _numpy(p), _numpy(state["exp_avg"]), _numpy(state["exp_avg_sq"])


def adamw(w, grad, m, v, t: int, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 1e-2) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(w, m, v) after step t of torch.optim.AdamW from the moments (m, v) it had after step t - 1."""
    return _adam_step(torch.optim.AdamW, w, grad, m, v, t, lr=lr, betas=tuple(betas), eps=eps,
                      weight_decay=weight_decay)


def adam_with_l2(w, grad, m, v, t: int, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The same step of torch.optim.Adam with weight_decay: the L2 term added to the gradient (not AdamW)."""
    return _adam_step(torch.optim.Adam, w, grad, m, v, t, lr=lr, betas=tuple(betas), eps=eps,
                      weight_decay=weight_decay)


# ---- what the common mistakes return, each with the hint that names it ----

def batchnorm_mistakes(x, gamma, beta, running_mean, running_var, training: bool, momentum: float = 0.1,
                       eps: float = 1e-5) -> dict[str, list]:
    """For "out", "running_mean" and "running_var": (value, hint) of each common mistake, computed by torch."""
    X, G, B = _tensor(x), _tensor(gamma), _tensor(beta)
    rm, rv = _tensor(running_mean), _tensor(running_var)
    if X.shape[0] < 2:  # a batch of one has no variance to speak of (torch refuses to train on it)
        return {"out": [], "running_mean": [], "running_var": []}
    mean, biased, unbiased = X.mean(0), X.var(0, unbiased=False), X.var(0, unbiased=True)
    batch_out = batchnorm(x, gamma, beta, running_mean, running_var, True, momentum, eps)
    if not training:
        return {"out": [(batch_out[0], "in evaluation mode use the running statistics, not the batch's")],
                "running_mean": [(batch_out[1], "in evaluation mode return the running statistics unchanged "
                                                "(as copies): only training updates them")],
                "running_var": [(batch_out[2], "in evaluation mode return the running statistics unchanged "
                                               "(as copies): only training updates them")]}
    swapped = "new = (1 - momentum) * old + momentum * batch statistic: momentum weighs the batch, not the old value"
    return {
        "out": [(_numpy(G * (X - mean) / torch.sqrt(unbiased + eps) + B),
                 "normalise with the biased variance (divide by N), as PyTorch does; the unbiased one (N - 1) is "
                 "for running_var only"),
                (_numpy(G * (X - mean) / (torch.sqrt(biased) + eps) + B),
                 "eps goes inside the square root: (x - mean) / sqrt(var + eps)"),
                (batchnorm(x, gamma, beta, running_mean, running_var, False, momentum, eps)[0],
                 "in training mode normalise with the batch's own mean and variance, not the running statistics")],
        "running_mean": [(_numpy(momentum * rm + (1 - momentum) * mean), swapped)],
        "running_var": [(_numpy((1 - momentum) * rv + momentum * biased),
                         "running_var uses the unbiased variance (divide by N - 1), as PyTorch does"),
                        (_numpy(momentum * rv + (1 - momentum) * unbiased), swapped)]}


def batchnorm_backward_mistakes(dout, x, gamma, eps: float = 1e-5) -> dict[str, list]:
    """For "dx" and "dgamma": (value, hint) of each common mistake, computed by torch."""
    D, X, G = _tensor(dout), _tensor(x), _tensor(gamma)
    mean, var = X.mean(0), X.var(0, unbiased=False)
    constant = ("the batch mean and variance are functions of x too: backpropagate through them as well (dx has "
                "three terms), not only through (x - mean) / sqrt(var + eps)")
    unbiased = X.var(0, unbiased=True)
    xhat_unbiased = (X - mean) / torch.sqrt(unbiased + eps)
    biased = "the forward pass normalises with the biased variance (divide by N): use it in the backward pass too"
    compact = G / torch.sqrt(unbiased + eps) * (D - D.mean(0) - xhat_unbiased * (D * xhat_unbiased).mean(0))
    return {"dx": [(_numpy(D * G / torch.sqrt(var + eps)), constant),
                   (_numpy(G / torch.sqrt(var + eps) * (D - D.mean(0))), constant),
                   (_numpy(compact), biased)],
            "dgamma": [(_numpy(D.sum(0)), "dgamma sums dout * xhat over the batch (xhat, the normalised x), "
                                          "not dout alone"),
                       (_numpy((D * X).sum(0)), "dgamma sums dout * xhat over the batch, with xhat the normalised x, "
                                                "not x itself"),
                       (_numpy((D * xhat_unbiased).sum(0)), biased)]}


def layernorm_mistakes(x, gamma, beta, eps: float = 1e-5) -> list:
    """(value, hint) of each common mistake of layer normalisation, computed by torch."""
    X, G, B = _tensor(x), _tensor(gamma), _tensor(beta)
    mean, biased = X.mean(-1, keepdim=True), X.var(-1, unbiased=False, keepdim=True)
    found = [(_numpy(G * (X - mean) / (torch.sqrt(biased) + eps) + B),
              "eps goes inside the square root: (x - mean) / sqrt(var + eps)")]
    if X.shape[-1] > 1:
        found.append((_numpy(G * (X - mean) / torch.sqrt(X.var(-1, unbiased=True, keepdim=True) + eps) + B),
                      "use the biased variance (divide by D), as nn.LayerNorm does"))
    if X.ndim >= 2 and X.shape[0] > 1:
        over_batch = (X - X.mean(0)) / torch.sqrt(X.var(0, unbiased=False) + eps)
        found.append((_numpy(G * over_batch + B), "layer normalisation normalises each example over its own "
                      "features (the last axis), not each feature over the batch (that is batch normalisation)"))
    if X.ndim >= 3:
        axes = tuple(range(1, X.ndim))
        over_all = (X - X.mean(axes, keepdim=True)) / torch.sqrt(X.var(axes, unbiased=False, keepdim=True) + eps)
        found.append((_numpy(G * over_all + B), "normalise over the last axis only: each vector x[..., :] of D "
                      "features on its own, whatever the leading axes"))
    return found


def adamw_mistakes(w, grad, m, v, t: int, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                   weight_decay: float = 1e-2) -> list:
    """(w after the step, hint) of each common mistake of AdamW; the moments come from torch's own step."""
    _, m_new, v_new = adamw(w, grad, m, v, t, lr, betas, eps, weight_decay)
    w = np.asarray(w, dtype=np.float64)
    b1, b2 = betas
    step = lr * (m_new / (1 - b1**t)) / (np.sqrt(v_new / (1 - b2**t)) + eps)
    # no decay at all first: at t = 1 Adam's step is lr * sign(grad), so Adam with L2 often moves w the same way
    found = [(w - step, "decay every w, whatever its shape: w * (1 - lr * weight_decay), then the Adam step (which "
                        "parameters to decay is the caller's choice, made with weight_decay)"),
             (adam_with_l2(w, grad, m, v, t, lr, betas, eps, weight_decay)[0],
              "weight decay is decoupled: do not add it to the gradient (that is Adam with L2); multiply the old w "
              "by (1 - lr * weight_decay) and give m and v the gradient alone"),
             (w * (1 - lr * weight_decay) - lr * m_new / (np.sqrt(v_new) + eps),
              "divide m by (1 - beta1**t) and v by (1 - beta2**t): the bias correction, with t counted from 1"),
             (w * (1 - weight_decay) - step,
              "the decay is multiplied by the learning rate: w * (1 - lr * weight_decay)"),
             ((w - step) * (1 - lr * weight_decay),
              "decay the old w, as PyTorch and Loshchilov and Hutter do: w * (1 - lr * weight_decay) - lr * "
              "m_hat / (sqrt(v_hat) + eps), not the w after the Adam step"),
             (w * (1 - lr * weight_decay) - lr * (m_new / (1 - b1**t)) / np.sqrt(v_new / (1 - b2**t) + eps),
              "eps is added after the square root: sqrt(v_hat) + eps, not sqrt(v_hat + eps)")]
    for other in (t - 1, t + 1):
        if other >= 1:
            moved = lr * (m_new / (1 - b1**other)) / (np.sqrt(v_new / (1 - b2**other)) + eps)
            found.append((w * (1 - lr * weight_decay) - moved, "t is the number of this step, counted from 1: "
                          "use it as given in 1 - beta1**t and 1 - beta2**t"))
    return found


# ---- checks the test cells share ----

BATCHNORM_HINTS = {
    True: {"out": "normalise each feature with the batch's mean and biased variance: gamma * (x - mean) / "
                  "sqrt(var + eps) + beta",
           "running_mean": "new_running_mean = (1 - momentum) * running_mean + momentum * the batch mean",
           "running_var": "new_running_var = (1 - momentum) * running_var + momentum * the unbiased batch variance "
                          "(divide by N - 1)"},
    False: {"out": "in evaluation mode normalise with the running statistics: gamma * (x - running_mean) / "
                   "sqrt(running_var + eps) + beta",
            "running_mean": "in evaluation mode return the running statistics unchanged (as copies)",
            "running_var": "in evaluation mode return the running statistics unchanged (as copies)"}}


def check_batchnorm(bn, x, gamma, beta, running_mean, running_var, training: bool, name: str, hint: str | None = None,
                    **settings) -> None:
    """The student's batchnorm_forward (wrapped by the rules) against nn.BatchNorm1d, each failure naming the mistake
    that gives its value, else saying `hint` (if given) or what to compute. `settings`: momentum and eps, if not the
    defaults."""
    args = (x, gamma, beta, running_mean, running_var, training)
    got = unpack(bn(*args, **settings), ("out", "new_running_mean", "new_running_var"), name)
    expected = batchnorm(*args, **settings)
    mistakes = []  # computed once, and only if needed

    def known(part):
        def found():
            if not mistakes:
                mistakes.append(batchnorm_mistakes(*args, **settings))
            return mistakes[0][part]
        return found

    for part, value, want in zip(("out", "running_mean", "running_var"), got, expected):
        what = f"{part} from {name}" if part == "out" else f"new_{part} from {name}"
        check_shape(value, np.shape(want), what, hint="out has the shape of x, (N, D); the running statistics (D,)")
        check_named(value, want, what, hint=hint or BATCHNORM_HINTS[training][part], mistakes=known(part))


def check_batchnorm_backward(backward, dout, x, gamma, name: str, hint: str | None = None, **settings) -> None:
    """The student's batchnorm_backward (wrapped by the rules) against autograd through nn.BatchNorm1d in training
    mode, each failure naming the mistake that gives its value, else saying `hint` (if given) or what to compute.
    `settings`: eps, if not the default."""
    got = unpack(backward(dout, x, gamma, **settings), ("dx", "dgamma", "dbeta"), name)
    expected = batchnorm_grads(dout, x, gamma, **settings)
    hints = {"dx": "backpropagate through xhat and through the batch mean and variance, which depend on every row "
                   "of x: dx has three terms",
             "dgamma": "dgamma = the sum over the batch of dout * xhat, with xhat = (x - mean) / sqrt(var + eps)",
             "dbeta": "dbeta = the sum of dout over the batch"}
    for part, value, want in zip(("dx", "dgamma", "dbeta"), got, expected):
        check_shape(value, np.shape(want), f"{part} from {name}", hint="each gradient has the shape of its array: dx "
                    "is (N, D), dgamma and dbeta are (D,): sum over the batch, axis 0")
        check_named(value, want, f"{part} from {name}", hint=hint or hints[part],
                    mistakes=lambda part=part: batchnorm_backward_mistakes(dout, x, gamma, **settings).get(part, []))


def check_layernorm(ln, x, gamma, beta, name: str, hint: str | None = None, **settings) -> None:
    """The student's layernorm_forward (wrapped by the rules) against nn.LayerNorm, a failure naming the mistake
    that gives its value, else saying `hint` (if given) or what to compute. `settings`: eps, if not the default."""
    got = ln(x, gamma, beta, **settings)
    check_shape(got, np.shape(x), name, hint="out has the shape of x: normalise over the last axis, keeping the "
                "others (keepdims=True)")
    check_named(got, layernorm(x, gamma, beta, **settings), name,
                hint=hint or "gamma * (x - mean) / sqrt(var + eps) + beta, with the mean and biased variance of each "
                             "vector x[..., :] over its last axis",
                mistakes=lambda: layernorm_mistakes(x, gamma, beta, **settings))





def mask_of(mask, shape: tuple, name: str) -> numpy.ndarray:
    """The dropout mask as booleans, after checking that it has `shape` and holds only True/False (or 1/0)."""
    check_shape(mask, shape, name, hint="return (out, mask) with a mask of x's shape: True where a unit is kept")
    mask = np.asarray(mask)
    expect(mask.dtype == np.bool_ or bool(np.isin(mask, (0, 1)).all()),
           f"{name} holds values other than True/False (or 1/0)",
           hint="the mask marks the units that are kept: True (or 1) where kept, False (or 0) where dropped, "
                "not the scaled values")
    return mask.astype(bool)


def check_dropout(result, x, p: float, name: str) -> numpy.ndarray:
    """A training-mode result of dropout_forward(x, p, True, rng): (out, mask) with out = x / (1 - p) where the mask
    keeps a unit and 0 elsewhere. Returns the mask as booleans."""
    out, mask = unpack(result, ("out", "mask"), name)
    keep = mask_of(mask, np.shape(x), f"the mask from {name}")
    with np.errstate(divide="ignore", invalid="ignore"):
        mistakes = [(np.where(keep, x, 0.0), "dropout must rescale the kept units by 1/(1-p) (inverted dropout), so "
                     "that each unit's expected output is x"),
                    (np.where(keep, x / p, 0.0), "rescale the kept units by 1/(1-p), one over the probability of "
                     "keeping a unit, not by 1/p"),
                    (np.where(keep, x * (1 - p), 0.0), "inverted dropout divides the kept units by 1 - p during "
                     "training, and does nothing at evaluation"),
                    (np.where(keep, x / max(keep.mean(), 1e-300), 0.0), "rescale by 1/(1-p), the expected fraction "
                     "kept, not by the fraction this mask happens to keep")]
    check_named(out, np.where(keep, x / (1 - p), 0.0), f"out from {name}",
                hint="out = x / (1 - p) where the mask keeps a unit, and 0 where it drops it", mistakes=mistakes,
                atol=1e-12, rtol=1e-12)
    return keep


def check_kept_fraction(keep, p: float, name: str) -> None:
    """The fraction of units a large mask keeps is 1 - p, within six standard deviations of a binomial count."""
    fraction, n = float(np.mean(keep)), np.size(keep)
    spread = 6 * (p * (1 - p) / n) ** 0.5 + 1e-12
    if abs(fraction - p) <= spread < abs(fraction - (1 - p)):
        _fail(f"{name} kept {fraction:.3f} of the units with p={p}: about p, not 1 - p = {1 - p:g}",
              "p is the probability of DROPPING a unit: keep it where rng.random(x.shape) >= p")
    expect(abs(fraction - (1 - p)) <= spread, f"{name} kept {fraction:.4f} of {n} units with p={p}; each unit must "
           f"be kept with probability 1 - p = {1 - p:g}", hint="one uniform number per unit: keep it where "
           "rng.random(x.shape) >= p")


def check_seeded(drop, x, p: float, seed: int, name: str) -> None:
    """Two generators with the same seed give the same mask; a second call with the same generator another."""
    first, again = np.random.default_rng(seed), np.random.default_rng(seed)
    one = mask_of(unpack(drop(x, p, True, first), ("out", "mask"), name)[1], np.shape(x), f"the mask from {name}")
    same = mask_of(unpack(drop(x, p, True, again), ("out", "mask"), name)[1], np.shape(x), f"the mask from {name}")
    expect(np.array_equal(one, same), f"{name} gave two different masks for two generators with the same seed {seed}",
           hint="draw the mask from the generator rng you are given (rng.random(x.shape)), not from np.random: the "
                "same seed must give the same mask")
    other = mask_of(unpack(drop(x, p, True, first), ("out", "mask"), name)[1], np.shape(x), f"the mask from {name}")
    expect(not np.array_equal(one, other), f"{name} gave the same mask twice in a row from one generator",
           hint="draw the mask from rng itself, which moves on with each draw: do not make a new generator with a "
                "fixed seed inside the function")


def steps_of_adamw(w0, grad_fn, steps: int, **settings) -> list[tuple]:
    """The first `steps` steps of torch.optim.AdamW from w0 with gradients grad_fn(w): for each step t, the
    arguments (w, grad, m, v, t) it started from and the state (w, m, v) it ended with."""
    w, m, v = np.array(w0, dtype=np.float64), np.zeros(np.shape(w0)), np.zeros(np.shape(w0))
    found = []
    for t in range(1, steps + 1):
        grad = np.asarray(grad_fn(w), dtype=np.float64)
        after = adamw(w, grad, m, v, t, **settings)
        found.append(((w, grad, m, v, t), after))
        w, m, v = after
    return found


def check_adamw(step, start: tuple, expected: tuple, name: str, **settings) -> None:
    """The student's adamw_step (wrapped by the rules) from `start` = (w, grad, m, v, t) against torch's state
    `expected` = (w, m, v), each failure naming the mistake that gives its value."""
    w, grad, m, v, t = start
    got = unpack(step(w, grad, m, v, t, **settings), ("w_new", "m_new", "v_new"), name)
    coupled = ("weight decay is decoupled: do not add it to the gradient (that is Adam with L2); the moments get the "
               "gradient alone")
    check_named(got[1], expected[1], f"m_new from {name}", hint="m_new = beta1 * m + (1 - beta1) * grad",
                mistakes=lambda: [(adam_with_l2(w, grad, m, v, t, **settings)[1], coupled)])
    check_named(got[2], expected[2], f"v_new from {name}", hint="v_new = beta2 * v + (1 - beta2) * grad**2",
                mistakes=lambda: [(adam_with_l2(w, grad, m, v, t, **settings)[2], coupled)])
    check_named(got[0], expected[0], f"w_new from {name}",
                hint="w * (1 - lr * weight_decay) - lr * m_hat / (sqrt(v_hat) + eps)",
                mistakes=adamw_mistakes(w, grad, m, v, t, **settings))


# One step of AdamW and one pass through each layer first: the first optimizer step loads torch._dynamo, which
# wraps some torch functions once, and each optimizer class wraps its own `step` once; recorded before that, they
# would look replaced by the notebook.
_w = numpy.ones(2)
for _optimizer in (torch.optim.AdamW, torch.optim.Adam):
    _unchecked_adam_step(_optimizer, _w, _w, _w, _w, 2, weight_decay=0.1)
_batchnorm(numpy.eye(2), _w, _w, _w, _w, True, 0.1, 1e-5)
_layernorm(numpy.eye(2), _w, _w, 1e-5)
del _w, _optimizer
untampered = guard(*_GUARDED)
check_untampered()  # records torch and torch.optim as they are, before any student code runs
read_only(__name__)  # solution cells cannot swap the references for their own functions
