"""The recurrent networks assignment: PyTorch's own layers given the assignment's weights (the references the
test cells compare with), the reference step that rnn_forward's tests run it with, and the clipping check.

Everything here is computed by torch (NumPy in, NumPy out), so it is no NumPy answer to copy, and the rules
forbid the students' functions to call it.
"""

import numpy as np

from dlbook.checks import _fail, call_quietly, check_close, read_only
from dlbook.checks import reference_numpy as np_ref, reference_torch as torch

TOLERANCE = 1e-10  # float64 results agree with PyTorch's to about 1e-15; float32 ones only to about 1e-7


def as_tensor(a) -> "torch.Tensor":
    """A float64 tensor holding a copy of `a`."""
    return torch.tensor(np_ref.asarray(a, dtype=np_ref.float64))


def torch_rnn(X, h0, W_xh, W_hh, b) -> np.ndarray:
    """torch.nn.RNN given our weights (PyTorch stores them transposed): all hidden states (T, N, H)."""
    D, H = np_ref.shape(W_xh)
    rnn = torch.nn.RNN(D, H).double()
    rnn.load_state_dict({"weight_ih_l0": as_tensor(W_xh).T, "weight_hh_l0": as_tensor(W_hh).T,
                         "bias_ih_l0": as_tensor(b), "bias_hh_l0": torch.zeros(H, dtype=torch.float64)})
    with torch.no_grad():
        states, _ = rnn(as_tensor(X), as_tensor(h0)[None])
    return states.numpy()


def rnn_step(x_t, h_prev, W_xh, W_hh, b) -> np.ndarray:
    """One step of torch.nn.RNN: h_t (N, H) from x_t (N, D) and h_prev (N, H)."""
    return torch_rnn(np_ref.asarray(x_t)[None], h_prev, W_xh, W_hh, b)[0]


def torch_lstm_step(x_t, h_prev, c_prev, W_x, W_h, b) -> tuple[np.ndarray, np.ndarray]:
    """torch.nn.LSTMCell given our weights (gates stacked input, forget, cell, output): the next (h, c)."""
    D, H = np_ref.shape(W_x)[0], np_ref.shape(W_x)[1] // 4
    cell = torch.nn.LSTMCell(D, H).double()
    cell.load_state_dict({"weight_ih": as_tensor(W_x).T, "weight_hh": as_tensor(W_h).T, "bias_ih": as_tensor(b),
                          "bias_hh": torch.zeros(4 * H, dtype=torch.float64)})
    with torch.no_grad():
        h, c = cell(as_tensor(x_t), (as_tensor(h_prev), as_tensor(c_prev)))
    return h.numpy(), c.numpy()


def torch_clip(grads, max_norm) -> tuple[list[np.ndarray], float]:
    """torch.nn.utils.clip_grad_norm_ applied to parameters whose gradients are `grads`."""
    params = [torch.zeros(np_ref.shape(g), dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = as_tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


def check_float64(got, expected, name: str, hint: str | None = None, atol: float = TOLERANCE,
                  rtol: float = 0.0) -> None:
    """check_close to `atol` (+ `rtol`), after checking that `got` holds float64 numbers, as the rules ask."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and np_ref.issubdtype(dtype, np_ref.floating) and np_ref.finfo(dtype).bits < 64:
        _fail(f"{name} returned {dtype} values: compute in float64, as the rules say", "do not convert the inputs "
              f"to {dtype}: float64 arrays in, float64 arrays out")
    check_close(got, expected, name, atol=atol, rtol=rtol, hint=hint)


def pair(result, name: str, what: str) -> tuple:
    """The two parts of a result the specification writes as a pair `(a, b)` (a tuple or a list)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        _fail(f"{name} returned {type(result).__name__}, not a pair {what}", f"end with `return {what[1:-1]}`")
    return tuple(result)


def check_not_swapped(h, c, expected_h, expected_c, name: str) -> None:
    """Fail with the hint for that mistake when lstm_step returned its pair the other way round, (c, h)."""
    try:
        swapped = (np_ref.allclose(np_ref.asarray(h, dtype=np_ref.float64), expected_c, rtol=0.0, atol=TOLERANCE)
                   and np_ref.allclose(np_ref.asarray(c, dtype=np_ref.float64), expected_h, rtol=0.0, atol=TOLERANCE))
    except (TypeError, ValueError):  # not arrays of the right shape: the checks that follow say so
        return
    if swapped:
        _fail(f"{name} returned (c, h): the cell state first", "return (h, c): the hidden state first, as "
              "torch.nn.LSTMCell does")


def check_clip(clip, grads, max_norm, name: str) -> None:
    """Run `clip` (the student's clip_grad_norm, wrapped by the rules) on `grads` and compare with PyTorch: a new
    list, the caller's list left as it was, a float total_norm and the clipped arrays."""
    originals = list(grads)  # the rules see arrays changed in place; this sees the list's entries replaced
    result = call_quietly(clip, grads, max_norm, name=name, hint="an array of zeros has norm 0: do not divide by it")
    if len(grads) != len(originals) or any(g is not o for g, o in zip(grads, originals)):
        _fail(f"{name} replaced the arrays in the list grads it was given",
              "leave grads as it is: build a new list, clipped = [g * factor for g in grads]")
    clipped, total = pair(result, name, "(clipped_grads, total_norm)")
    if clipped is grads:
        _fail(f"{name} returned the list grads itself as clipped_grads", "return a new list of new arrays")
    expected, expected_norm = torch_clip(originals, max_norm)
    check_close(total, expected_norm, f"total_norm of {name}", atol=0.0, rtol=TOLERANCE,
                hint="the norm of all gradients together, before clipping: sqrt of the sum of every squared entry")
    if not isinstance(total, float):
        _fail(f"total_norm of {name} is {type(total).__name__} {total!r}, not a float",
              "return float(total_norm), also when the gradients are all zero")
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        _fail(f"{name} did not return a list of {len(grads)} clipped arrays for {len(grads)} gradients",
              "return a list holding one clipped array per gradient, in the order of grads")
    for k, (got, want) in enumerate(zip(clipped, expected)):
        # torch adds 1e-6 to the norm before dividing; the specification does not, so allow a relative 1e-5
        check_float64(got, want, f"clipped_grads[{k}] of {name}", rtol=1e-5,
                      hint="scale every array by the same factor max_norm / total_norm, and only if "
                      "total_norm > max_norm")


read_only(__name__)  # solution cells cannot swap the references for their own functions
