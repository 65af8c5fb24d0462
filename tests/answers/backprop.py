"""Backpropagation: typical mistakes and right answers written differently (see answers/__init__.py).

Each test cell grades its own function: the tests of mlp_loss_and_grads run it with reference layers, so a
mistake in linear_backward, relu_backward or softmax_cross_entropy costs that function's points only.
"""

import numpy as np

from answers import body, correct, wrong

FORWARD_TESTS, FORWARD_HIDDEN = "linear_forward-tests", "linear_forward-hidden-tests"
BACKWARD_TESTS, BACKWARD_HIDDEN = "linear_backward-tests", "linear_backward-hidden-tests"
RELU_TESTS, RELU_HIDDEN = "relu_backward-tests", "relu_backward-hidden-tests"
CE_TESTS, CE_HIDDEN = "softmax_cross_entropy-tests", "softmax_cross_entropy-hidden-tests"
MLP_TESTS, MLP_HIDDEN = "mlp_loss_and_grads-tests", "mlp_loss_and_grads-hidden-tests"
NUMGRAD_TESTS, NUMGRAD_HIDDEN = "numerical_gradient-tests", "numerical_gradient-hidden-tests"
FORWARD, BACKWARD, RELU = [FORWARD_TESTS, FORWARD_HIDDEN], [BACKWARD_TESTS, BACKWARD_HIDDEN], [RELU_TESTS, RELU_HIDDEN]
CE, MLP, NUMGRAD = [CE_TESTS, CE_HIDDEN], [MLP_TESTS, MLP_HIDDEN], [NUMGRAD_TESTS, NUMGRAD_HIDDEN]
NOT_NUMPY = "broke a rule of this assignment: it calls"


# ---- part 1: the linear layer ----

def forward_without_bias(X, W, b):
    return X @ W


def forward_squeezed(X, W, b):  # "a vector when D_out is 1": drops the batch axis too when N is 1
    return np.squeeze(X @ W + b)


def forward_either_orientation(X, W, b):  # also accepts W as (D_out, D_in), as in y = W x: wrong for a square W
    if W.shape[1] == X.shape[1]:
        W = W.T
    return X @ W + b


def backward_dw_transposed(dY, X, W):  # the transpose on the wrong side: dW comes out (D_out, D_in)
    return dY @ W.T, dY.T @ X, dY.sum(axis=0)


def backward_db_mean(dY, X, W):  # averages the bias gradient over the batch instead of summing it
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)


def backward_db_squeezed(dY, X, W):  # keepdims, then squeeze back to (D_out,): () when D_out is 1
    return dY @ W.T, X.T @ dY, np.sum(dY, axis=0, keepdims=True).squeeze()


def backward_dw_transposed_to_fit(dY, X, W):  # dY.T @ X, transposed when its shape is not W's: wrong for a square W
    dW = dY.T @ X
    if dW.shape != W.shape:
        dW = dW.T
    return dY @ W.T, dW, dY.sum(axis=0)


# ---- part 2: ReLU ----

def relu_passes_zero(dY, Z):  # lets the gradient through at exactly 0
    return dY * (Z >= 0)


def relu_in_place(dY, Z):  # zeroes the caller's dY
    dY[Z <= 0] = 0
    return dY


def relu_with_tolerance(dY, Z):  # "exactly 0" tested with a tolerance: a tiny positive Z gets no gradient
    return dY * ((Z > 0) & ~np.isclose(Z, 0))


def relu_forgets_upstream(dY, Z):  # the ReLU's slope alone, not times dY
    return (Z > 0).astype(float)


# ---- part 3: softmax cross-entropy ----

def ce_grad_not_divided(logits, y):  # the gradient of the summed loss, not of the mean
    n = len(y)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1
    return float(-log_p[np.arange(n), y].mean()), d


def ce_log_of_softmax(logits, y):  # shifted, but log(softmax) underflows to log(0) for a far-off label
    n = len(y)
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    d = p.copy()
    d[np.arange(n), y] -= 1
    return float(-np.log(p[np.arange(n), y]).mean()), d / n


def ce_global_max(logits, y):  # shifts by the largest logit of the whole batch: a row far below it underflows
    n = len(y)
    shifted = logits - np.max(logits)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1
    return float(-log_p[np.arange(n), y].mean()), d / n


def ce_shifts_logits_in_place(logits, y):  # the stable shift, done on the caller's array
    n = len(y)
    logits -= logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1
    return float(-log_p[np.arange(n), y].mean()), d / n


# ---- part 4: the network ----

def mlp_skips_relu(params, X, y):  # forgets to backpropagate through the ReLU
    Z1 = linear_forward(X, params["W1"], params["b1"])  # noqa: F821 (the notebook's functions)
    A1 = np.maximum(Z1, 0)
    Z2 = linear_forward(A1, params["W2"], params["b2"])  # noqa: F821
    loss, dZ2 = softmax_cross_entropy(Z2, y)  # noqa: F821
    dA1, dW2, db2 = linear_backward(dZ2, A1, params["W2"])  # noqa: F821
    _, dW1, db1 = linear_backward(dA1, X, params["W1"])  # noqa: F821
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def mlp_params_by_position(params, X, y):  # relies on the order of the keys in params
    W1, b1, W2, b2 = params.values()
    Z1 = linear_forward(X, W1, b1)  # noqa: F821
    A1 = np.maximum(Z1, 0)
    loss, dZ2 = softmax_cross_entropy(linear_forward(A1, W2, b2), y)  # noqa: F821
    dA1, dW2, db2 = linear_backward(dZ2, A1, W2)  # noqa: F821
    _, dW1, db1 = linear_backward(relu_backward(dA1, Z1), X, W1)  # noqa: F821
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def mlp_layers_in_dict_order(params, X, y):  # weights and biases by kind, but the layers in the dict's order
    W1, W2 = [params[name] for name in params if name.startswith("W")]
    b1, b2 = [params[name] for name in params if name.startswith("b")]
    Z1 = linear_forward(X, W1, b1)  # noqa: F821
    A1 = np.maximum(Z1, 0)
    loss, dZ2 = softmax_cross_entropy(linear_forward(A1, W2, b2), y)  # noqa: F821
    dA1, dW2, db2 = linear_backward(dZ2, A1, W2)  # noqa: F821
    _, dW1, db1 = linear_backward(relu_backward(dA1, Z1), X, W1)  # noqa: F821
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def mlp_inlined(params, X, y):  # right numbers, but none of the functions the specification says to use
    n = len(y)
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    shifted = Z2 - Z2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dZ2 = np.exp(log_p)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)
    grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
    return float(-log_p[np.arange(n), y].mean()), grads


# ---- part 5: gradient checking ----

def numgrad_one_sided(f, x, h=1e-5):  # forward differences: an error of order h
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x)) / h
    return g


def numgrad_ignores_h(f, x, h=1e-5):  # a step of its own
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = 1e-5
        g[i] = (f(x + e) - f(x - e)) / 2e-5
    return g


def numgrad_perturbs_in_place(f, x, h=1e-5):  # x is the caller's array (asarray copies nothing), restored after
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def numgrad_over_len(f, x, h=1e-5):  # one step per entry of len(x): a whole row at once when x is a matrix
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numgrad_rows_and_columns(f, x, h=1e-5):  # a vector as one row, then rows and columns: 1-D and 2-D x only
    x = np.asarray(x, dtype=float)
    rows = np.atleast_2d(x)
    g = np.zeros_like(rows)
    for i in range(rows.shape[0]):
        for j in range(rows.shape[1]):
            e = np.zeros_like(rows)
            e[i, j] = h
            g[i, j] = (f((rows + e).reshape(x.shape)) - f((rows - e).reshape(x.shape))) / (2 * h)
    return g.reshape(x.shape)


# ---- NumPy only: the answers computed by the libraries the rules keep for the tests ----

def forward_with_torch(X, W, b):
    import torch
    return (torch.as_tensor(X) @ torch.as_tensor(W) + torch.as_tensor(b)).numpy()


def backward_with_autograd(dY, X, W):
    import torch
    Xt, Wt = torch.tensor(X, requires_grad=True), torch.tensor(W, requires_grad=True)
    bt = torch.zeros(W.shape[1], dtype=torch.float64, requires_grad=True)
    (Xt @ Wt + bt).backward(torch.tensor(dY))
    return Xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


def relu_with_autograd(dY, Z):
    import torch
    Zt = torch.tensor(Z, requires_grad=True)
    torch.relu(Zt).backward(torch.tensor(dY))
    return Zt.grad.numpy()


def mlp_with_autograd(params, X, y):
    import torch
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    scores = torch.relu(torch.tensor(X) @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y))
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in p.items()}


def ce_with_the_checks_helper(logits, y):  # the package's own test helper
    import torch
    from dlbook.checks import torch_reference
    value, (grad, _) = torch_reference(torch.nn.functional.cross_entropy, logits, y)
    return float(value), grad


def mlp_with_the_reference(params, X, y):  # the reference the tests compare with
    from dlbook.assignments import backprop
    return backprop.mlp_loss_and_grads(params, X, y)


def numgrad_with_scipy(f, x, h=1e-5):
    from scipy.optimize._numdiff import approx_derivative
    shape = np.shape(x)
    flat = np.ravel(x).astype(float)
    return approx_derivative(lambda v: f(v.reshape(shape)), flat, method="3-point", abs_step=h).reshape(shape)


# ---- answers read from the tests' own variables (the tests used to compute them before calling) ----

def backward_from_test_globals():
    """Binds the names the tests once held their expected values in, so that they are the notebook's own, and
    returns them: dX, dW, db (linear_backward), dZ (relu_backward), value, dlogits (softmax_cross_entropy)."""
    dX = dW = db = dZ = value = dlogits = expected_loss = expected = None  # noqa: F841

    def linear_backward(dY, X, W):
        return dX, dW, db


def relu_from_test_globals(dY, Z):
    return dZ  # noqa: F821


def ce_from_test_globals(logits, y):
    return value, dlogits  # noqa: F821


def mlp_from_test_globals(params, X, y):
    return expected_loss, expected  # noqa: F821


def numgrad_from_test_globals(f, x, h=1e-5):
    return expected  # noqa: F821


# ---- tamper attempts: each scores 0 on the cells it targets, and nothing else changes ----

def mlp_with_rebound_checks():
    """Zero gradients, after trying to fool the tests by rebinding what a test cell might look up: blocked
    assignments to the references and the checks, the notebook's own names (which test cells import again),
    and the torch snapshot."""
    import types

    import dlbook.assignments.backprop
    import dlbook.checks

    def mlp_loss_and_grads(params, X, y):
        return 0.0, {k: np.zeros_like(v) for k, v in params.items()}

    zero = lambda *args, **kwargs: (0.0, {})  # noqa: E731
    for attempt in (lambda: setattr(dlbook.assignments.backprop, "mlp_loss_and_grads", zero),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(dlbook.checks, "reference_torch", types.SimpleNamespace())):
        try:
            attempt()
        except AttributeError:
            pass
    reference = types.SimpleNamespace(mlp_loss_and_grads=zero)  # noqa: F841
    check_close = graded = lambda *args, **kwargs: None  # noqa: F841
    torch_ref = np_ref = None  # noqa: F841


def numgrad_with_patched_references():
    """Zero gradients, after patching the reference network and NumPy behind the modules' backs."""
    import dlbook.assignments.backprop
    import dlbook.checks

    def numerical_gradient(f, x, h=1e-5):
        return np.zeros_like(x)

    vars(dlbook.assignments.backprop)["mlp_loss_and_grads"] = (
        lambda params, X, y: (0.0, {k: np.zeros_like(v) for k, v in params.items()}))
    vars(dlbook.checks)["check_close"] = lambda *args, **kwargs: None
    np.cos = np.sin = lambda x: 0 * x


# ---- right answers written differently ----

def backward_with_einsum(dY, X, W):
    dX = np.einsum("nj,ij->ni", dY, W)
    dW = np.einsum("ni,nj->ij", X, dY)
    return dX, dW, np.einsum("nj->j", dY)


def relu_with_where(dY, Z):
    return np.where(Z > 0, dY, 0.0)


def ce_with_logaddexp(logits, y):
    n = logits.shape[0]
    lse = np.logaddexp.reduce(logits, axis=1)
    loss = np.mean(lse - logits[np.arange(n), y])
    p = np.exp(logits - lse[:, None])
    return loss, (p - np.eye(logits.shape[1])[y]) / n


def numgrad_nditer_on_a_copy(f, x, h=1e-5):  # perturbs in place, but its own copy (np.array copies)
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def forward_with_dot(X, W, b):
    return np.dot(X, W) + b[np.newaxis, :]


def backward_as_a_list(dY, X, W):  # [dX, dW, db] where the specification writes (dX, dW, db)
    return [dY @ W.T, X.T @ dY, np.sum(dY, axis=0)]


def relu_with_heaviside(dY, Z):
    return dY * np.heaviside(Z, 0.0)


def ce_row_by_row(logits, y):  # a loop over the examples, returned as a list
    n, k = logits.shape
    loss, d = 0.0, np.zeros((n, k))
    for i in range(n):
        row = logits[i] - np.max(logits[i])
        log_sum = np.log(np.sum(np.exp(row)))
        loss += (log_sum - row[y[i]]) / n
        d[i] = np.exp(row - log_sum) / n
        d[i, y[i]] -= 1 / n
    return [loss, d]


def mlp_clipping_in_place(params, X, y):  # ReLU by clipping its own Z1 in place; backward in another order
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    A1 = linear_forward(X, W1, b1)  # noqa: F821
    A1[A1 < 0] = 0  # its own array: Z1 is now A1, and relu_backward at 0 gives 0 as at Z1 < 0
    loss, dZ2 = softmax_cross_entropy(linear_forward(A1, W2, b2), y)  # noqa: F821
    grads = {}
    dA1, grads["W2"], grads["b2"] = linear_backward(dZ2, A1, W2)  # noqa: F821
    _, grads["W1"], grads["b1"] = linear_backward(relu_backward(dA1, A1), X, W1)  # noqa: F821
    return [loss, grads]


def numgrad_flat(f, x, h=1e-5):  # over a flat copy, reshaped for f
    shape = np.shape(x)
    flat = np.array(x, dtype=float).ravel()
    g = np.empty_like(flat)
    for i in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up.reshape(shape)) - f(down.reshape(shape))) / (2 * h)
    return g.reshape(shape)


WRONG = [
    # one function wrong: it loses that function's points only (the network keeps its 3 with reference layers)
    wrong("linear-forward-no-bias", lose=FORWARD, says={FORWARD_TESTS: "the bias b is added to every row"},
          linear_forward=forward_without_bias),
    wrong("linear-forward-squeezed", lose=FORWARD,
          says={FORWARD_TESTS: "(1, 3) x (3, 2) has shape (2,), expected (1, 2)",
                FORWARD_HIDDEN: "has shape (), expected (1, 1)"}, linear_forward=forward_squeezed),
    wrong("linear-forward-either-orientation", lose=[FORWARD_HIDDEN],
          says={FORWARD_HIDDEN: "with a square W, (6, 6), returned X @ W.T + b"},
          linear_forward=forward_either_orientation),
    wrong("dw-transposed", lose=BACKWARD, says={BACKWARD_TESTS: "has shape (2, 3), expected (3, 2)"},
          linear_backward=backward_dw_transposed),
    wrong("db-mean", lose=BACKWARD, says={BACKWARD_TESTS: "db sums dY over the batch"},
          linear_backward=backward_db_mean),
    wrong("db-squeezed", lose=BACKWARD,
          says={BACKWARD_TESTS: "db from linear_backward for N=4, D_in=3, D_out=1 has shape (), expected (1,)",
                BACKWARD_HIDDEN: "has shape (), expected (1,)"}, linear_backward=backward_db_squeezed),
    wrong("dw-transposed-to-fit", lose=[BACKWARD_HIDDEN],
          says={BACKWARD_HIDDEN: "dW for a square W, (6, 6), is transposed: it is dY.T @ X"},
          linear_backward=backward_dw_transposed_to_fit),
    wrong("relu-at-zero", lose=RELU,
          says={RELU_TESTS: "where Z is exactly 0 is off by", RELU_HIDDEN: "at exactly 0 is 0"},
          relu_backward=relu_passes_zero),
    wrong("relu-with-tolerance", lose=[RELU_HIDDEN], says={RELU_HIDDEN: "without a tolerance such as np.isclose"},
          relu_backward=relu_with_tolerance),
    wrong("relu-in-place", lose=RELU, says={RELU_TESTS: "relu_backward modified its input dY"},
          relu_backward=relu_in_place),
    wrong("relu-forgets-upstream", lose=RELU, says={RELU_TESTS: "the upstream gradient dY times"},
          relu_backward=relu_forgets_upstream),
    wrong("ce-grad-not-divided", lose=CE, says={CE_TESTS: "(softmax(logits) - onehot(y)) / N"},
          softmax_cross_entropy=ce_grad_not_divided),
    wrong("ce-log-of-softmax", lose=CE, says={CE_TESTS: "at logits of ±1e4 warned: divide by zero",
                                               CE_HIDDEN: "warned: divide by zero"},
          softmax_cross_entropy=ce_log_of_softmax),
    wrong("ce-global-max", lose=[CE_HIDDEN], says={CE_HIDDEN: "not the largest logit of the whole batch"},
          softmax_cross_entropy=ce_global_max),
    wrong("ce-shifts-logits-in-place", lose=CE, says={CE_TESTS: "softmax_cross_entropy modified its input logits"},
          softmax_cross_entropy=ce_shifts_logits_in_place),
    wrong("mlp-skips-relu", lose=MLP, says={MLP_TESTS: "then ReLU (at Z1)"}, mlp_loss_and_grads=mlp_skips_relu),
    wrong("mlp-params-by-position", lose=MLP,
          says={MLP_TESTS: "in the order W1, W2, b1, b2", MLP_HIDDEN: "look each parameter up by name"},
          mlp_loss_and_grads=mlp_params_by_position),
    wrong("mlp-layers-in-dict-order", lose=[MLP_HIDDEN],
          says={MLP_HIDDEN: "in the order b2, W2, b1, W1"}, mlp_loss_and_grads=mlp_layers_in_dict_order),
    wrong("mlp-inlined", lose=[MLP_TESTS], says={MLP_TESTS: "does not call linear_forward, linear_backward"},
          mlp_loss_and_grads=mlp_inlined),
    wrong("one-sided-difference", lose=NUMGRAD, says={NUMGRAD_TESTS: "(f(x + h e_i) - f(x - h e_i)) / (2h)"},
          numerical_gradient=numgrad_one_sided),
    wrong("numgrad-ignores-h", lose=NUMGRAD,
          says={NUMGRAD_TESTS: "use the h argument as the step", NUMGRAD_HIDDEN: "use the h argument"},
          numerical_gradient=numgrad_ignores_h),
    wrong("numgrad-perturbs-in-place", lose=NUMGRAD,
          says={NUMGRAD_TESTS: "numerical_gradient changed x while f was running",
                NUMGRAD_HIDDEN: "numerical_gradient changed x while f was running"},
          numerical_gradient=numgrad_perturbs_in_place),
    wrong("numgrad-over-len", lose=NUMGRAD, says={NUMGRAD_TESTS: "at x of shape (2, 3) is off by"},
          numerical_gradient=numgrad_over_len),
    wrong("numgrad-rows-and-columns", lose=[NUMGRAD_HIDDEN], says={NUMGRAD_HIDDEN: "x may have any shape, also 3-D"},
          numerical_gradient=numgrad_rows_and_columns),
    # NumPy only: each function done by torch, SciPy or the package loses its points, saying which rule
    wrong("torch-autograd", lose=FORWARD + BACKWARD + RELU + MLP,
          says={FORWARD_TESTS: f"{NOT_NUMPY} torch", BACKWARD_TESTS: f"{NOT_NUMPY} torch",
                RELU_TESTS: f"{NOT_NUMPY} torch", MLP_TESTS: f"{NOT_NUMPY} torch"},
          linear_forward=forward_with_torch, linear_backward=backward_with_autograd, relu_backward=relu_with_autograd,
          mlp_loss_and_grads=mlp_with_autograd),
    wrong("library-helpers", lose=CE + MLP + NUMGRAD,
          says={CE_TESTS: f"{NOT_NUMPY} dlbook.checks", MLP_TESTS: f"{NOT_NUMPY} dlbook.assignments.backprop",
                NUMGRAD_TESTS: f"{NOT_NUMPY} scipy"},
          softmax_cross_entropy=ce_with_the_checks_helper, mlp_loss_and_grads=mlp_with_the_reference,
          numerical_gradient=numgrad_with_scipy),
    # the tests compute their expected values after the call, where a function cannot read them
    wrong("test-globals", lose=BACKWARD + RELU + CE + MLP + NUMGRAD,
          says={BACKWARD_TESTS: "dX from linear_backward returned None", RELU_TESTS: "returned None"},
          linear_backward=body(backward_from_test_globals), relu_backward=relu_from_test_globals,
          softmax_cross_entropy=ce_from_test_globals, mlp_loss_and_grads=mlp_from_test_globals,
          numerical_gradient=numgrad_from_test_globals),
    # tampering: blocked or found, and the cells it targets score 0
    wrong("mlp-tamperer", lose=MLP, says={MLP_TESTS: "the loss of the two-layer network is wrong: expected"},
          mlp_loss_and_grads=body(mlp_with_rebound_checks)),
    wrong("reference-tamperer", lose=NUMGRAD,
          says={NUMGRAD_TESTS: "replaced by code in this notebook", NUMGRAD_HIDDEN: "replaced by code in this notebook"},
          numerical_gradient=body(numgrad_with_patched_references)),
]

CORRECT = [
    correct("other-forms", linear_backward=backward_with_einsum, relu_backward=relu_with_where,
            softmax_cross_entropy=ce_with_logaddexp, numerical_gradient=numgrad_nditer_on_a_copy),
    correct("lists-and-loops", linear_forward=forward_with_dot, linear_backward=backward_as_a_list,
            relu_backward=relu_with_heaviside, softmax_cross_entropy=ce_row_by_row,
            mlp_loss_and_grads=mlp_clipping_in_place, numerical_gradient=numgrad_flat),
]
