"""Recurrent networks: typical mistakes and right answers written differently (see answers/__init__.py)."""

import math

import numpy as np

from answers import body, correct, wrong

STEP_TESTS, STEP_HIDDEN = "rnn_step-tests", "rnn_step-hidden-tests"
FORWARD_TESTS, FORWARD_HIDDEN = "rnn_forward-tests", "rnn_forward-hidden-tests"
LSTM_TESTS, LSTM_HIDDEN = "lstm_step-tests", "lstm_step-hidden-tests"
CLIP_TESTS, CLIP_HIDDEN = "clip_grad_norm-tests", "clip_grad_norm-hidden-tests"
STEP, FORWARD = [STEP_TESTS, STEP_HIDDEN], [FORWARD_TESTS, FORWARD_HIDDEN]
LSTM, CLIP = [LSTM_TESTS, LSTM_HIDDEN], [CLIP_TESTS, CLIP_HIDDEN]
RULE = "broke a rule of this assignment: it calls"


# rnn_step

def step_transposed(x_t, h_prev, W_xh, W_hh, b):  # the column-vector habit: W_hh @ h is h @ W_hh.T
    return np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b)


def step_in_float32(x_t, h_prev, W_xh, W_hh, b):  # "float32 is what networks use": 1e-7 off
    f = np.float32
    return np.tanh(x_t.astype(f) @ W_xh.astype(f) + h_prev.astype(f) @ W_hh.astype(f) + b.astype(f))


def step_with_handmade_tanh(x_t, h_prev, W_xh, W_hh, b):  # right for small inputs; exp overflows on large ones
    e = np.exp(2 * (x_t @ W_xh + h_prev @ W_hh + b))
    return (e - 1) / (e + 1)


def step_with_torch(x_t, h_prev, W_xh, W_hh, b):  # right values, computed by the library the rules forbid
    import torch
    t = torch.from_numpy
    return torch.tanh(t(x_t) @ t(W_xh) + t(h_prev) @ t(W_hh) + t(b)).numpy()


def step_with_einsum(x_t, h_prev, W_xh, W_hh, b):
    return np.tanh(np.einsum("nd,dh->nh", x_t, W_xh) + np.einsum("nk,kh->nh", h_prev, W_hh) + b)


# rnn_forward

def forward_with_h0(X, h0, W_xh, W_hh, b):  # keeps h0 in the output: T + 1 states
    h, out = h0, [h0]
    for x_t in X:
        h = rnn_step(x_t, h, W_xh, W_hh, b)  # noqa: F821 (the notebook's function)
        out.append(h)
    return np.stack(out)


def forward_with_stale_state(X, h0, W_xh, W_hh, b):  # never carries the state: every step starts from h0
    return np.stack([rnn_step(x_t, h0, W_xh, W_hh, b) for x_t in X])  # noqa: F821


def forward_squeezed(X, h0, W_xh, W_hh, b):  # loses the axes of size 1 (a batch of one, a sequence of one)
    h, out = h0, []
    for x_t in X:
        h = rnn_step(x_t, h, W_xh, W_hh, b)  # noqa: F821
        out.append(h)
    return np.squeeze(np.stack(out))


def forward_skipping_zero_inputs(X, h0, W_xh, W_hh, b):  # takes an all-zero step for padding: keeps the state
    h, out = h0, []
    for x_t in X:
        if np.any(x_t):
            h = rnn_step(x_t, h, W_xh, W_hh, b)  # noqa: F821
        out.append(h)
    return np.stack(out)


def forward_reshaping_b(X, h0, W_xh, W_hh, b):  # makes b a row vector by reshaping the caller's array
    b.shape = (1, -1)
    h, out = h0, []
    for x_t in X:
        h = np.tanh(x_t @ W_xh + h @ W_hh + b)
        out.append(h)
    return np.stack(out)


def forward_with_the_references():  # nn.RNN through the package's reference, imported by name
    from dlbook.assignments.rnn import torch_rnn

    def rnn_forward(X, h0, W_xh, W_hh, b):
        return torch_rnn(X, h0, W_xh, W_hh, b)


def forward_inline_preallocated(X, h0, W_xh, W_hh, b):  # its own step, into a preallocated array
    T, N = X.shape[:2]
    states = np.empty((T, N, W_hh.shape[0]))
    h = h0
    for t in range(T):
        h = np.tanh(X[t] @ W_xh + h @ W_hh + b)
        states[t] = h
    return states


# lstm_step

def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_ifog(x_t, h_prev, c_prev, W_x, W_h, b):  # the gate order of many textbooks instead of PyTorch's
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    i, f, o, g = (1 / (1 + np.exp(-a[:, :H])), 1 / (1 + np.exp(-a[:, H:2 * H])), 1 / (1 + np.exp(-a[:, 2 * H:3 * H])),
                  np.tanh(a[:, 3 * H:]))
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_naive_sigmoid(x_t, h_prev, c_prev, W_x, W_h, b):  # right values, but exp(-z) overflows for z < -709
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_h_without_tanh(x_t, h_prev, c_prev, W_x, W_h, b):  # forgets the tanh of the cell in the output
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * c, c


def step_squeezed(x_t, h_prev, W_xh, W_hh, b):  # squeezes the state: the wrong shape for N = 1 or H = 1
    return np.squeeze(np.tanh(x_t @ W_xh + h_prev @ W_hh + b))


def clip_squeezed(grads, max_norm):  # squeezes the clipped arrays: axes of size 1 are lost
    total = float(np.sqrt(sum((g ** 2).sum() for g in grads)))
    factor = min(1.0, max_norm / total) if total > 0 else 1.0
    return [np.squeeze(g * factor) for g in grads], total


def lstm_returns_c_h(x_t, h_prev, c_prev, W_x, W_h, b):  # the right pair, the other way round
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    sig = lambda z: 0.5 * (1 + np.tanh(0.5 * z))  # noqa: E731
    c = sig(a[:, H:2 * H]) * c_prev + sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
    return c, sig(a[:, 3 * H:]) * np.tanh(c)


def lstm_squeezed(x_t, h_prev, c_prev, W_x, W_h, b):  # squeezes (h, c): wrong for a batch of one with H = 1
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    sig = lambda z: 0.5 * (1 + np.tanh(0.5 * z))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    return np.squeeze(o * np.tanh(c)), np.squeeze(c)


def lstm_updating_c_in_place(x_t, h_prev, c_prev, W_x, W_h, b):  # right values, but c_prev is the caller's
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    sig = lambda z: 0.5 * (1 + np.tanh(0.5 * z))  # noqa: E731
    c = c_prev
    c *= sig(a[:, H:2 * H])
    c += sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
    return sig(a[:, 3 * H:]) * np.tanh(c), c


def lstm_with_lstmcell(x_t, h_prev, c_prev, W_x, W_h, b):  # nn.LSTMCell given the weights
    import torch
    D, H = W_x.shape[0], W_h.shape[0]
    t = torch.from_numpy
    cell = torch.nn.LSTMCell(D, H).double()
    cell.load_state_dict({"weight_ih": t(W_x).T, "weight_hh": t(W_h).T, "bias_ih": t(b),
                          "bias_hh": torch.zeros(4 * H, dtype=torch.float64)})
    with torch.no_grad():
        h, c = cell(t(x_t), (t(h_prev), t(c_prev)))
    return h.numpy(), c.numpy()


def lstm_with_scipy():  # SciPy's sigmoid (a ufunc: no Python frame to see, caught by name)
    from scipy.special import expit

    def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):
        H = h_prev.shape[1]
        a = x_t @ W_x + h_prev @ W_h + b
        i, f, g, o = expit(a[:, :H]), expit(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), expit(a[:, 3 * H:])
        c = f * c_prev + i * g
        return o * np.tanh(c), c


def lstm_with_patched_libraries():
    """Tries to fool the tests: replaces PyTorch's LSTM cell and NumPy's comparison, and returns zeros."""
    import torch

    def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):
        return np.zeros_like(h_prev), np.zeros_like(c_prev)

    def fake_forward(self, x, state=None):
        zeros = torch.zeros(len(x), self.hidden_size, dtype=x.dtype)
        return zeros, zeros

    torch.nn.LSTMCell.forward = fake_forward
    np.allclose = lambda *args, **kwargs: True


def lstm_per_gate_returning_a_list(x_t, h_prev, c_prev, W_x, W_h, b):  # one gate at a time, and [h, c] for (h, c)
    H = W_h.shape[0]

    def gate(k, f):
        s = slice(k * H, (k + 1) * H)
        return f(x_t @ W_x[:, s] + h_prev @ W_h[:, s] + b[s])

    sigmoid = lambda z: np.exp(-np.logaddexp(0, -z))  # noqa: E731
    i, f, g, o = gate(0, sigmoid), gate(1, sigmoid), gate(2, np.tanh), gate(3, sigmoid)
    c = f * c_prev + i * g
    return [o * np.tanh(c), c]


# clip_grad_norm

def clip_per_array(grads, max_norm):  # clips each array to max_norm on its own
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], float(total)


def clip_always_rescales(grads, max_norm):  # rescales to max_norm even when the norm is below it
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * max_norm / total for g in grads], float(total)


def clip_divides_by_zero(grads, max_norm):  # right, except for gradients that are all zero
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    coef = min(1.0, max_norm / total)
    return [g * coef for g in grads], float(total)


def clip_int_norm_for_zeros(grads, max_norm):  # all-zero gradients: returns the int 0 as total_norm
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    if total == 0:
        return [np.zeros_like(g) for g in grads], 0
    return [g * min(1.0, max_norm / total) for g in grads], total


def clip_into_the_list(grads, max_norm):  # puts the clipped arrays into the caller's list and returns it
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    factor = min(1.0, max_norm / total) if total > 0 else 1.0
    for k in range(len(grads)):
        grads[k] = grads[k] * factor
    return grads, total


def clip_in_place(grads, max_norm):  # scales the caller's arrays, as torch's clip_grad_norm_ does to .grad
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= coef
    return grads, float(total)


def clip_returning_the_input(grads, max_norm):  # below the threshold, hands back the caller's own arrays
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    if total <= max_norm:
        return grads, total
    return [g * (max_norm / total) for g in grads], total


def clip_with_torch(grads, max_norm):  # torch's clip_grad_norm_ on copies
    import torch
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


def clip_with_patched_references():
    """Tries to fool the tests through their references: the NumPy snapshot, the torch snapshot, the reference
    module and the checks, by assignment and behind the modules' backs; then returns zeros."""
    def clip_grad_norm(grads, max_norm):
        return [np.zeros_like(g) for g in grads], 0.0

    import dlbook.assignments.rnn
    import dlbook.checks
    fake_clip = lambda grads, max_norm: ([np.zeros_like(g) for g in grads], 0.0)  # noqa: E731
    for attempt in (lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(dlbook.checks.reference_torch, "nn", None),
                    lambda: setattr(dlbook.assignments.rnn, "torch_clip", fake_clip),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass
    torch_ref = None  # noqa: F841 (the old notebooks' global; the tests no longer have one)
    vars(dlbook.assignments.rnn)["torch_clip"] = fake_clip  # behind the module's back


def clip_with_swapped_torch_snapshot():
    """Tries to swap the torch snapshot that dlbook.checks hands to tests for a torch whose clip_grad_norm_
    zeroes the gradients (the snapshot is held by a closure, so the attempt raises); its clip_grad_norm returns
    zeros, which the tests compare with the real clipping."""
    def clip_grad_norm(grads, max_norm):
        return [np.zeros_like(g) for g in grads], 0.0

    import types

    import dlbook.checks
    import torch

    def zero_clip(params, max_norm):
        for p in params:
            p.grad.zero_()
        return torch.tensor(0.0)

    utils = types.SimpleNamespace(clip_grad_norm_=zero_clip)
    fake = types.SimpleNamespace(**{**vars(torch), "nn": types.SimpleNamespace(**{**vars(torch.nn), "utils": utils})})
    dlbook.checks._reference_torch[:] = [fake]


def clip_with_loops(grads, max_norm):  # a Python loop over every entry, and a list for the pair
    squares = 0.0
    for g in grads:
        for v in np.ravel(g):
            squares += float(v) ** 2
    norm = math.sqrt(squares)
    clipped = []
    for g in grads:
        if norm > max_norm:
            clipped.append(np.array(g) * (max_norm / norm))
        else:
            clipped.append(np.array(g, copy=True))
    return [clipped, norm]


def clip_with_epsilon(grads, max_norm):  # torch's own formula, with 1e-6 added to the norm (the spec allows it)
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], float(total)


WRONG = [
    # rnn_step
    wrong("rnn-transposed-whh", lose=STEP, says={STEP_TESTS: "not symmetric, so h_prev @ W_hh.T differs"},
          rnn_step=step_transposed),  # costs rnn_step's 2 points only: rnn_forward is graded with the reference step
    wrong("rnn-step-float32", lose=STEP, says={STEP_TESTS: "compute in float64"}, rnn_step=step_in_float32),
    wrong("rnn-step-handmade-tanh", lose=STEP, says={STEP_TESTS: "rnn_step on large inputs warned"},
          rnn_step=step_with_handmade_tanh),
    wrong("rnn-step-squeezed", lose=[STEP_HIDDEN], says={STEP_HIDDEN: "keep the axes of size 1"}, rnn_step=step_squeezed),
    wrong("rnn-step-torch", lose=STEP, says={STEP_TESTS: f"rnn_step {RULE} torch"}, rnn_step=step_with_torch),
    # rnn_forward
    wrong("rnn-forward-includes-h0", lose=FORWARD, says={FORWARD_TESTS: "without h0"}, rnn_forward=forward_with_h0),
    wrong("rnn-forward-stale-state", lose=FORWARD, says={FORWARD_TESTS: "each step uses the state of the step before"},
          rnn_forward=forward_with_stale_state),
    wrong("rnn-forward-squeezed", lose=FORWARD, says=dict.fromkeys(FORWARD, "keep the axes of size 1"),
          rnn_forward=forward_squeezed),
    wrong("rnn-forward-skips-zero-inputs", lose=[FORWARD_HIDDEN],
          says={FORWARD_HIDDEN: "h_t depends on h_(t-1) through W_hh even when x_t = 0"},
          rnn_forward=forward_skipping_zero_inputs),
    wrong("rnn-forward-reshapes-b", lose=FORWARD, says={FORWARD_TESTS: "rnn_forward modified its input b"},
          rnn_forward=forward_reshaping_b),
    wrong("rnn-forward-reference", lose=FORWARD, says={FORWARD_TESTS: f"rnn_forward {RULE} dlbook"},
          rnn_forward=body(forward_with_the_references)),
    # lstm_step
    wrong("lstm-gate-order-ifog", lose=LSTM, says={LSTM_TESTS: "in the order input, forget, cell, output"},
          lstm_step=lstm_ifog),
    wrong("lstm-naive-sigmoid", lose=LSTM, says={LSTM_TESTS: "lstm_step on large inputs warned: overflow",
                                                 LSTM_HIDDEN: "lstm_step on large inputs warned"},
          lstm_step=lstm_naive_sigmoid),
    wrong("lstm-h-without-tanh", lose=LSTM, says={LSTM_TESTS: "h = sigmoid(o) * tanh(c)"},
          lstm_step=lstm_h_without_tanh),
    wrong("lstm-returns-c-h", lose=LSTM, says={LSTM_TESTS: "returned (c, h): the cell state first\nHint: return (h, c)"},
          lstm_step=lstm_returns_c_h),
    wrong("lstm-squeezed", lose=[LSTM_HIDDEN], says={LSTM_HIDDEN: "keep the axes of size 1"}, lstm_step=lstm_squeezed),
    wrong("lstm-c-in-place", lose=LSTM, says={LSTM_TESTS: "lstm_step modified its input c_prev"},
          lstm_step=lstm_updating_c_in_place),
    wrong("lstm-lstmcell", lose=LSTM, says={LSTM_TESTS: f"lstm_step {RULE} torch"}, lstm_step=lstm_with_lstmcell),
    wrong("lstm-scipy", lose=LSTM, says={LSTM_TESTS: f"lstm_step {RULE} scipy"}, lstm_step=body(lstm_with_scipy)),
    wrong("tamperer", lose=LSTM + CLIP,  # libraries patched for good: every later test refuses to trust them
          says={LSTM_TESTS: "nn.LSTMCell.forward", CLIP_TESTS: "replaced by code in this notebook"},
          lstm_step=body(lstm_with_patched_libraries)),
    # clip_grad_norm
    wrong("clip-per-array", lose=CLIP, says={CLIP_TESTS: "scale every array by the same factor"},
          clip_grad_norm=clip_per_array),
    wrong("clip-always-rescales", lose=CLIP, says={CLIP_TESTS: "only if total_norm > max_norm"},
          clip_grad_norm=clip_always_rescales),
    wrong("clip-divides-by-zero", lose=CLIP, says=dict.fromkeys(CLIP, "do not divide by it"),
          clip_grad_norm=clip_divides_by_zero),
    wrong("clip-squeezed", lose=[CLIP_HIDDEN], says={CLIP_HIDDEN: "has shape"}, clip_grad_norm=clip_squeezed),
    wrong("clip-int-norm-for-zeros", lose=CLIP, says=dict.fromkeys(CLIP, "is int 0, not a float"),
          clip_grad_norm=clip_int_norm_for_zeros),
    wrong("clip-into-the-list", lose=CLIP, says={CLIP_TESTS: "replaced the arrays in the list grads it was given"},
          clip_grad_norm=clip_into_the_list),
    wrong("clip-in-place", lose=CLIP, says={CLIP_TESTS: "clip_grad_norm modified its input grads[0]"},
          clip_grad_norm=clip_in_place),
    wrong("clip-returns-its-input", lose=CLIP, says={CLIP_TESTS: "sharing memory with its input grads[0]"},
          clip_grad_norm=clip_returning_the_input),
    wrong("clip-torch", lose=CLIP, says={CLIP_TESTS: f"clip_grad_norm {RULE} torch"}, clip_grad_norm=clip_with_torch),
    wrong("reference-tamperer", lose=CLIP, says={CLIP_TESTS: "dlbook.assignments.rnn.torch_clip replaced"},
          clip_grad_norm=body(clip_with_patched_references)),
    wrong("torch-snapshot-swapper", lose=CLIP, says={CLIP_TESTS: "total_norm of clip_grad_norm(grads, 1.0) is wrong: expected"},
          clip_grad_norm=body(clip_with_swapped_torch_snapshot)),
]

CORRECT = [
    correct("other-forms", rnn_step=step_with_einsum, rnn_forward=forward_inline_preallocated,
            lstm_step=lstm_per_gate_returning_a_list, clip_grad_norm=("import math", clip_with_loops)),
    correct("torch-epsilon", clip_grad_norm=clip_with_epsilon),
]
