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


def bce_with_torch(y_true, p, eps=1e-7):
    import torch
    q = torch.as_tensor(p).clamp(eps, 1 - eps)
    return torch.nn.functional.binary_cross_entropy(q, torch.as_tensor(y_true)).item()


def bce_logits_via_sigmoid(y_true, logits):  # sigmoid first, then the textbook formula: overflows
    p = 1 / (1 + np.exp(-logits))
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_logits_without_max(y_true, logits):  # the stable form with its max(z, 0) term left out
    return float(np.mean(-logits * y_true + np.log1p(np.exp(-np.abs(logits)))))


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
    wrong("mse-per-row", lose=[MSE_HIDDEN], says={MSE_HIDDEN: "average over all N * D elements"}, mse=mse_per_row),
    wrong("mse-array", lose=MSE, says={MSE_TESTS: "expected a single float"}, mse=mse_keeping_dims),
    wrong("mse-torch", lose=MSE, says={MSE_TESTS: TORCH}, mse=mse_with_torch),
    wrong("mse-rebinds-references", lose=MSE, says={MSE_TESTS: "mse on four examples is wrong: expected 0.625, got 0.0"},
          mse=body(mse_with_rebound_references)),
    wrong("mse-grad-no-two", lose=MSE_GRAD, says={GRAD_TESTS: "2 * (y_pred - y_true) / M"},
          mse_grad=mse_grad_without_two),
    wrong("mse-grad-per-row", lose=[GRAD_HIDDEN], says={GRAD_HIDDEN: "not the number of rows"},
          mse_grad=mse_grad_per_row),
    wrong("mse-grad-in-place", lose=MSE_GRAD, says={GRAD_TESTS: "mse_grad modified its input y_pred"},
          mse_grad=mse_grad_in_place),
    wrong("mse-grad-dlbook", lose=MSE_GRAD, says={GRAD_TESTS: "it calls dlbook.assignments.losses"},
          mse_grad=mse_grad_from_the_package),
    wrong("bce-no-clip", lose=BCE, says={BCE_TESTS: "clip p to [eps, 1 - eps]"}, binary_cross_entropy=bce_without_clipping),
    wrong("bce-clip-in-place", lose=BCE, says={BCE_TESTS: "binary_cross_entropy modified its input p"},
          binary_cross_entropy=bce_clipping_in_place),
    wrong("bce-fixed-eps", lose=[BCE_HIDDEN], says={BCE_HIDDEN: "clip with the eps argument"},
          binary_cross_entropy=bce_with_a_fixed_eps),
    wrong("bce-torch", lose=BCE, says={BCE_TESTS: TORCH}, binary_cross_entropy=bce_with_torch),
    wrong("bce-logits-via-sigmoid", lose=LOGITS, says=dict.fromkeys(LOGITS, "never overflows"),
          binary_cross_entropy_with_logits=bce_logits_via_sigmoid),
    wrong("bce-logits-hard-labels", lose=[LOGITS_HIDDEN], says={LOGITS_HIDDEN: "with soft targets"},
          binary_cross_entropy_with_logits=bce_logits_hard_labels_only),
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
    wrong("ce-grad-naive", lose=[CE_GRAD_HIDDEN], says={CE_GRAD_HIDDEN: "subtract each row's maximum"},
          cross_entropy_grad=cross_entropy_grad_naive),
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
