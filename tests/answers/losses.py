"""Loss functions: typical mistakes and right answers written differently (see answers/__init__.py)."""

import numpy as np

from answers import body, correct, wrong

MSE_TESTS, MSE_HIDDEN = "mse-tests", "mse-hidden-tests"
GRAD_TESTS, GRAD_HIDDEN = "mse_grad-tests", "mse_grad-hidden-tests"
BCE_TESTS, BCE_HIDDEN = "binary_cross_entropy-tests", "binary_cross_entropy-hidden-tests"
LOGITS_TESTS, LOGITS_HIDDEN = "binary_cross_entropy_with_logits-tests", "binary_cross_entropy_with_logits-hidden-tests"
CE_TESTS, CE_HIDDEN = "cross_entropy-tests", "cross_entropy-hidden-tests"
CE_GRAD_TESTS, CE_GRAD_HIDDEN = "cross_entropy_grad-tests", "cross_entropy_grad-hidden-tests"
MSE, MSE_GRAD = [MSE_TESTS, MSE_HIDDEN], [GRAD_TESTS, GRAD_HIDDEN]
BCE, LOGITS = [BCE_TESTS, BCE_HIDDEN], [LOGITS_TESTS, LOGITS_HIDDEN]
CE, CE_GRAD = [CE_TESTS, CE_HIDDEN], [CE_GRAD_TESTS, CE_GRAD_HIDDEN]
TORCH = "broke a rule of this assignment: it calls torch"


# Mean squared error

def mse_summed(y_true, y_pred):  # the sum, not the mean
    return float(np.sum((y_pred - y_true) ** 2))


def mse_per_row(y_true, y_pred):  # divides by the batch size instead of the number of elements
    return float(np.sum((y_pred - y_true) ** 2) / len(y_pred))


def mse_n_times_d(y_true, y_pred):  # M = N * D taken literally: right for (N,) and (N, D), not for more axes
    n = y_pred.shape[0]
    d = y_pred.shape[1] if y_pred.ndim > 1 else 1
    return float(np.sum((y_pred - y_true) ** 2) / (n * d))


def mse_keeping_dims(y_true, y_pred):  # the right number, inside an array
    return np.mean((y_pred - y_true) ** 2, keepdims=True)


def mse_with_torch(y_true, y_pred):  # PyTorch's own loss: the rules say NumPy only
    import torch
    return torch.nn.functional.mse_loss(torch.as_tensor(y_pred), torch.as_tensor(y_true)).item()


def mse_with_rebound_references():
    """Returns 0 and rebinds, in the notebook, the names test cells use for their references and checks."""
    import types

    def mse(y_true, y_pred):
        return 0.0

    always_zero = types.SimpleNamespace(mse=lambda *args: 0.0, check_loss=lambda *args, **kwargs: None)
    reference = torch_ref = np_ref = always_zero  # noqa: F841
    check_close = check_equal = lambda *args, **kwargs: None  # noqa: F841


def mse_grad_without_two(y_true, y_pred):  # forgets the factor 2 of the derivative of a square
    return (y_pred - y_true) / y_pred.size



def bce_logits_hard_labels_only(y_true, logits):  # stable, but right for labels of 0 and 1 only, not soft ones
    softplus = lambda z: np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))  # noqa: E731
    return float(np.mean(np.where(y_true == 1, softplus(-logits), softplus(logits))))

def mse_grad_per_row(y_true, y_pred):  # divides by the batch size instead of the number of elements
    return 2 * (y_pred - y_true) / len(y_pred)


def mse_grad_n_times_d(y_true, y_pred):  # M = N * D taken literally: right for (N,) and (N, D) only
    n = y_pred.shape[0]
    d = y_pred.shape[1] if y_pred.ndim > 1 else 1
    return 2 * (y_pred - y_true) / (n * d)


def mse_grad_in_place(y_true, y_pred):  # saves a copy by reusing the caller's array
    y_pred -= y_true
    return 2 * y_pred / y_pred.size


def mse_grad_from_the_package(y_true, y_pred):  # the tests' own reference: the rules forbid dlbook
    from dlbook.assignments import losses
    return losses.mse_grad(y_true, y_pred)


# Binary cross-entropy

def bce_without_clipping(y_true, p, eps=1e-7):  # log(0) for confident answers
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_clipping_in_place(y_true, p, eps=1e-7):  # clips the caller's probabilities
    np.clip(p, eps, 1 - eps, out=p)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_with_a_fixed_eps(y_true, p, eps=1e-7):  # ignores the eps argument
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_replacing_only_0_and_1(y_true, p, eps=1e-7):  # guards log(0) only: p = 1e-9 is left as it is
    p = np.where(p == 0, eps, np.where(p == 1, 1 - eps, p))
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_per_row(y_true, p, eps=1e-7):  # 1/N with N = len(y_true): the number of rows, not of elements
    p = np.clip(p, eps, 1 - eps)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)) / len(y_true))


def bce_hard_labels_only(y_true, p, eps=1e-7):  # picks log(p) or log(1 - p) by the label: wrong for soft targets
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(np.where(y_true == 1, np.log(p), np.log(1 - p))))


def bce_with_torch(y_true, p, eps=1e-7):
    import torch
    q = torch.as_tensor(p).clamp(eps, 1 - eps)
    return torch.nn.functional.binary_cross_entropy(q, torch.as_tensor(y_true)).item()


def bce_logits_via_sigmoid(y_true, logits):  # sigmoid first, then the textbook formula: overflows
    p = 1 / (1 + np.exp(-logits))
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_logits_without_max(y_true, logits):  # the stable form with its max(z, 0) term left out
    return float(np.mean(-logits * y_true + np.log1p(np.exp(-np.abs(logits)))))


def bce_logits_linear_tails(y_true, logits):  # drops log(1 + exp(-|z|)) beyond |z| = 10 as "negligible"
    softplus = np.where(np.abs(logits) > 10, np.maximum(logits, 0), np.log1p(np.exp(np.clip(logits, -10, 10))))
    return float(np.mean(softplus - logits * y_true))


def bce_logits_in_place(y_true, logits):  # reuses the caller's logits for -|z|
    loss = np.maximum(logits, 0) - logits * y_true
    np.negative(np.abs(logits, out=logits), out=logits)
    return float(np.mean(loss + np.log1p(np.exp(logits))))


def bce_logits_with_scipy(y_true, logits):  # SciPy's stable log-sigmoid: the rules say NumPy only
    from scipy.special import log_expit
    return float(-np.mean(y_true * log_expit(logits) + (1 - y_true) * log_expit(-logits)))


# Multi-class cross-entropy

def cross_entropy_naive(logits, targets):  # log of a softmax computed without the max
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(p)), targets])))


def cross_entropy_global_max(logits, targets):  # one maximum for the whole batch, not one per row
    m = logits.max()
    log_sum_exp = m + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(len(logits)), targets]))


def cross_entropy_as_binary(logits, targets):  # binary and multi-class confused: independent sigmoids
    onehot = np.eye(logits.shape[1])[targets]
    return binary_cross_entropy_with_logits(onehot, logits)  # noqa: F821 (the notebook's function)


def cross_entropy_with_scipy(logits, targets):
    from scipy.special import logsumexp
    return float(np.mean(logsumexp(logits, axis=1) - logits[np.arange(len(logits)), targets]))


def cross_entropy_grad_of_the_sum(logits, targets):  # the gradient of the sum, not of the mean
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    s[np.arange(len(logits)), targets] -= 1
    return s


def cross_entropy_grad_naive(logits, targets):  # softmax without the max: exp overflows for large logits
    s = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    s[np.arange(len(logits)), targets] -= 1
    return s / len(logits)


def cross_entropy_grad_global_max(logits, targets):  # one maximum for the whole batch, not one per row
    e = np.exp(logits - logits.max())
    s = e / e.sum(axis=1, keepdims=True)
    s[np.arange(len(logits)), targets] -= 1
    return s / len(logits)


def cross_entropy_grad_shifting_in_place(logits, targets):  # the stable shift, done on the caller's array
    logits -= logits.max(axis=1, keepdims=True)
    s = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    s[np.arange(len(logits)), targets] -= 1
    return s / len(logits)


def cross_entropy_grad_by_autograd(logits, targets):
    import torch
    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.as_tensor(targets).long()).backward()
    return z.grad.numpy()


def cross_entropy_grad_with_patched_references():
    """Returns zeros and tries to fool the tests through their references: the snapshot of NumPy, the reference
    module, the library the reference computes with, and the checks."""
    def cross_entropy_grad(logits, targets):
        return np.zeros_like(logits)

    import dlbook.assignments.losses
    import dlbook.checks
    import torch
    zeros = lambda logits, targets: np.zeros_like(logits)  # noqa: E731
    for attempt in (lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(dlbook.checks.reference_torch, "tensor", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.assignments.losses, "cross_entropy_grad", zeros),
                    lambda: setattr(dlbook.assignments.losses, "check_grad", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass
    torch.nn.functional.cross_entropy = lambda z, y: 0 * z.sum()  # the library the reference calls
    vars(dlbook.assignments.losses)["check_grad"] = lambda *args, **kwargs: None  # behind the module's back


# Right answers written differently

def mse_with_a_loop(y_true, y_pred):  # returns a NumPy float64
    total = 0.0
    for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):
        total += (p - t) ** 2
    return total / np.size(y_pred)


def bce_logits_with_logaddexp(y_true, logits):
    return np.mean(np.logaddexp(0, logits) - y_true * logits)


def cross_entropy_with_loops(logits, targets):
    losses = []
    for z, y in zip(logits, targets):
        losses.append(np.logaddexp.reduce(z) - z[y])
    return np.mean(losses)


def cross_entropy_grad_with_onehot(logits, targets):
    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    return (np.exp(log_p) - np.eye(logits.shape[1])[targets]) / logits.shape[0]


def mse_with_dot(y_true, y_pred):
    d = (np.asarray(y_pred) - np.asarray(y_true)).ravel()
    return float(d @ d / d.size)


def mse_grad_on_a_copy(y_true, y_pred):  # in place, but on its own copy
    g = np.array(y_pred, dtype=float)
    g -= y_true
    g *= 2 / g.size
    return g


def bce_clipping_a_copy_in_place(y_true, p, eps=1e-7):
    p = np.array(p, dtype=float)
    np.clip(p, eps, 1 - eps, out=p)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)))


def bce_logits_with_log_sigmoid(y_true, logits):
    def log_sigmoid(z):
        return -np.logaddexp(0.0, -z)
    return float(-np.mean(y_true * log_sigmoid(logits) + (1 - y_true) * log_sigmoid(-logits)))


def cross_entropy_with_log_softmax(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.take_along_axis(log_p, np.asarray(targets)[:, None].astype(int), axis=1).mean()


def cross_entropy_grad_in_place_on_a_copy(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)  # a new array: changing it leaves logits alone
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    z[np.arange(len(z)), targets] -= 1
    z /= len(z)
    return z


WRONG = [
    wrong("mse-sum", lose=MSE, says={MSE_TESTS: "the mean of the squared differences"}, mse=mse_summed),
    wrong("mse-per-row", lose=MSE, mse=mse_per_row,
          says={MSE_TESTS: "mse on (2, 3) arrays is 3 times too large: it was divided by the N = 2 rows",
                MSE_HIDDEN: "divided by the N = 6 rows"}),
    wrong("mse-n-times-d", lose=[MSE_HIDDEN], says={MSE_HIDDEN: "mse on (2, 3, 4) arrays"}, mse=mse_n_times_d),
    wrong("mse-array", lose=MSE, says={MSE_TESTS: "expected a single float"}, mse=mse_keeping_dims),
    wrong("mse-torch", lose=MSE, says={MSE_TESTS: TORCH}, mse=mse_with_torch),
    wrong("mse-rebinds-references", lose=MSE, says={MSE_TESTS: "mse on four examples is wrong: expected 0.625, got 0.0"},
          mse=body(mse_with_rebound_references)),
    wrong("mse-grad-no-two", lose=MSE_GRAD, says={GRAD_TESTS: "2 * (y_pred - y_true) / M"},
          mse_grad=mse_grad_without_two),
    wrong("mse-grad-per-row", lose=MSE_GRAD, says={GRAD_TESTS: "mse_grad on (2, 3) arrays is 3 times too large",
                                                    GRAD_HIDDEN: "divided by the N = 5 rows"},
          mse_grad=mse_grad_per_row),
    wrong("mse-grad-n-times-d", lose=[GRAD_HIDDEN], says={GRAD_HIDDEN: "mse_grad on (2, 3, 4) arrays"},
          mse_grad=mse_grad_n_times_d),
    wrong("mse-grad-in-place", lose=MSE_GRAD, says={GRAD_TESTS: "mse_grad modified its input y_pred"},
          mse_grad=mse_grad_in_place),
    wrong("mse-grad-dlbook", lose=MSE_GRAD, says={GRAD_TESTS: "it calls dlbook.assignments.losses"},
          mse_grad=mse_grad_from_the_package),
    wrong("bce-no-clip", lose=BCE, says={BCE_TESTS: "clip p to [eps, 1 - eps]"}, binary_cross_entropy=bce_without_clipping),
    wrong("bce-clip-in-place", lose=BCE, says={BCE_TESTS: "binary_cross_entropy modified its input p"},
          binary_cross_entropy=bce_clipping_in_place),
    wrong("bce-fixed-eps", lose=BCE, says={BCE_TESTS: "eps=0.01) is wrong", BCE_HIDDEN: "with eps="},
          binary_cross_entropy=bce_with_a_fixed_eps),
    wrong("bce-only-0-and-1", lose=[BCE_HIDDEN], binary_cross_entropy=bce_replacing_only_0_and_1,
          says={BCE_HIDDEN: "every p below eps (not only p = 0) becomes eps"}),
    wrong("bce-per-row", lose=BCE, binary_cross_entropy=bce_per_row,
          says={BCE_TESTS: "soft targets is 3 times too large: it was divided by the N = 2 rows"}),
    wrong("bce-hard-labels", lose=BCE, says={BCE_TESTS: "y may be any probability"},
          binary_cross_entropy=bce_hard_labels_only),
    wrong("bce-torch", lose=BCE, says={BCE_TESTS: TORCH}, binary_cross_entropy=bce_with_torch),
    wrong("bce-logits-via-sigmoid", lose=LOGITS, says=dict.fromkeys(LOGITS, "never overflows"),
          binary_cross_entropy_with_logits=bce_logits_via_sigmoid),
    wrong("bce-logits-hard-labels", lose=LOGITS,
          says={LOGITS_TESTS: "on (2, 3) soft targets is wrong", LOGITS_HIDDEN: "with soft targets"},
          binary_cross_entropy_with_logits=bce_logits_hard_labels_only),
    wrong("bce-logits-linear-tails", lose=[LOGITS_HIDDEN], says={LOGITS_HIDDEN: "small for large |z| but not 0"},
          binary_cross_entropy_with_logits=bce_logits_linear_tails),
    wrong("bce-logits-no-max", lose=LOGITS, says={LOGITS_TESTS: "with p = sigmoid(logits)"},
          binary_cross_entropy_with_logits=bce_logits_without_max),
    wrong("bce-logits-in-place", lose=LOGITS,
          says={LOGITS_TESTS: "binary_cross_entropy_with_logits modified its input logits"},
          binary_cross_entropy_with_logits=bce_logits_in_place),
    wrong("bce-logits-scipy", lose=LOGITS, says={LOGITS_TESTS: "broke a rule of this assignment: it calls scipy"},
          binary_cross_entropy_with_logits=bce_logits_with_scipy),
    wrong("ce-naive", lose=CE, says=dict.fromkeys(CE, "log-sum-exp trick"), cross_entropy=cross_entropy_naive),
    wrong("ce-global-max", lose=[CE_HIDDEN], says={CE_HIDDEN: "subtract each row's maximum"},
          cross_entropy=cross_entropy_global_max),
    wrong("ce-as-binary", lose=CE, says={CE_TESTS: "mean over examples of logsumexp(z_i) - z_i[y_i]"},
          cross_entropy=cross_entropy_as_binary),
    wrong("ce-scipy", lose=CE, says={CE_TESTS: "broke a rule of this assignment: it calls scipy"},
          cross_entropy=cross_entropy_with_scipy),
    wrong("ce-grad-sum", lose=CE_GRAD, says={CE_GRAD_TESTS: "for the mean over N examples"},
          cross_entropy_grad=cross_entropy_grad_of_the_sum),
    wrong("ce-grad-naive", lose=CE_GRAD, says={CE_GRAD_TESTS: "cross_entropy_grad at logits of ±1e4 warned: overflow",
                                              CE_GRAD_HIDDEN: "subtract each row's own maximum"},
          cross_entropy_grad=cross_entropy_grad_naive),
    wrong("ce-grad-global-max", lose=[CE_GRAD_HIDDEN], says={CE_GRAD_HIDDEN: "not one for the whole batch"},
          cross_entropy_grad=cross_entropy_grad_global_max),
    wrong("ce-grad-in-place", lose=CE_GRAD, says={CE_GRAD_TESTS: "cross_entropy_grad modified its input logits"},
          cross_entropy_grad=cross_entropy_grad_shifting_in_place),
    wrong("ce-grad-autograd", lose=CE_GRAD, says={CE_GRAD_TESTS: TORCH},
          cross_entropy_grad=cross_entropy_grad_by_autograd),
    # caught tampering fails every test cell after it: here those of both cross-entropy functions
    wrong("ce-grad-reference-tamperer", lose=CE + CE_GRAD,
          says={CE_TESTS: "F.cross_entropy, dlbook.assignments.losses.check_grad replaced by code in this notebook",
                CE_GRAD_TESTS: "replaced by code in this notebook"},
          cross_entropy_grad=body(cross_entropy_grad_with_patched_references)),
]

CORRECT = [
    correct("other-formulas", mse=mse_with_a_loop, binary_cross_entropy_with_logits=bce_logits_with_logaddexp,
            cross_entropy=cross_entropy_with_loops, cross_entropy_grad=cross_entropy_grad_with_onehot),
    correct("copies-and-log-sigmoid", mse=mse_with_dot, mse_grad=mse_grad_on_a_copy,
            binary_cross_entropy=bce_clipping_a_copy_in_place,
            binary_cross_entropy_with_logits=bce_logits_with_log_sigmoid,
            cross_entropy=cross_entropy_with_log_softmax, cross_entropy_grad=cross_entropy_grad_in_place_on_a_copy),
]
