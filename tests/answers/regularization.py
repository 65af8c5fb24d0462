"""Regularisation: typical mistakes and right answers written differently (see answers/__init__.py).

No function of this assignment calls another, so each mistake costs the points of its own function only; the
tamperers lose the cells their tampering reaches.
"""

import numpy as np

from answers import body, correct, wrong

DF_TESTS, DF_HIDDEN = "dropout_forward-tests", "dropout_forward-hidden-tests"
DB_TESTS, DB_HIDDEN = "dropout_backward-tests", "dropout_backward-hidden-tests"
BF_TESTS, BF_HIDDEN = "batchnorm_forward-tests", "batchnorm_forward-hidden-tests"
BB_TESTS, BB_HIDDEN = "batchnorm_backward-tests", "batchnorm_backward-hidden-tests"
LN_TESTS, LN_HIDDEN = "layernorm_forward-tests", "layernorm_forward-hidden-tests"
L2_TESTS, L2_HIDDEN = "l2_penalty_grad-tests", "l2_penalty_grad-hidden-tests"
AW_TESTS, AW_HIDDEN = "adamw_step-tests", "adamw_step-hidden-tests"
ES_TESTS, ES_HIDDEN = "early_stopping_epoch-tests", "early_stopping_epoch-hidden-tests"
DF, DB, BF, BB = [DF_TESTS, DF_HIDDEN], [DB_TESTS, DB_HIDDEN], [BF_TESTS, BF_HIDDEN], [BB_TESTS, BB_HIDDEN]
LN, L2, AW, ES = [LN_TESTS, LN_HIDDEN], [L2_TESTS, L2_HIDDEN], [AW_TESTS, AW_HIDDEN], [ES_TESTS, ES_HIDDEN]
NOT_NUMPY = "broke a rule of this assignment: it calls"
PRECISION = "the mean of the squares minus the squared mean loses its digits here"


# ---- part 1: dropout ----

def dropout_without_rescaling(x, p, training, rng):  # drops, but forgets to divide the kept units by 1 - p
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask, mask


def dropout_scaled_by_p(x, p, training, rng):  # 1/p for 1/(1 - p): the same only at p = 0.5
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask / p, mask


def dropout_scaling_in_eval(x, p, training, rng):  # "the same scaling in both modes"
    if not training:
        return x / (1 - p), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_in_eval_too(x, p, training, rng):  # ignores the mode: drops in evaluation as well
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_keeping_with_p(x, p, training, rng):  # keeps a unit with probability p instead of dropping it
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) < p
    return x * mask / (1 - p), mask


def dropout_global_random(x, p, training, rng):  # np.random's own generator: the seed has no effect
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = np.random.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_fixed_seed(x, p, training, rng):  # a new generator with a fixed seed: the same mask every call
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = np.random.default_rng(0).random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_exact_count(x, p, training, rng):  # drops exactly round(p * size) units: not independent
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    dropped = rng.permutation(x.size)[:round(p * x.size)]
    mask = np.ones(x.size, dtype=bool)
    mask[dropped] = False
    mask = mask.reshape(x.shape)
    return x * mask / (1 - p), mask


def dropout_in_place(x, p, training, rng):  # zeroes and scales the caller's x
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    x *= mask / (1 - p)
    return x, mask


def dropout_returning_x_in_eval(x, p, training, rng):  # "nothing to do": returns x itself
    if not training:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_mask_as_multiplier(x, p, training, rng):  # returns the multiplier mask / (1 - p) as the mask
    if not training:
        return x.copy(), np.ones(x.shape)
    scale = (rng.random(x.shape) >= p) / (1 - p)
    return x * scale, scale


def dropout_backward_without_rescaling(dout, mask, p):
    return dout * mask


def dropout_backward_by_p(dout, mask, p):
    return dout * mask / p


def dropout_backward_by_kept_fraction(dout, mask, p):  # rescales by the fraction this mask keeps, not 1 - p
    return dout * mask / mask.mean()


def dropout_backward_in_place(dout, mask, p):  # zeroes the caller's dout
    dout[~mask] = 0.0
    dout /= 1 - p
    return dout


# ---- part 2: batch normalisation ----

def bn_batch_stats_in_eval(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)  # the batch's statistics in both modes
    if training:
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        new_mean, new_var = running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_unbiased_normalisation(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)  # unbiased everywhere
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_biased_running_var(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)  # biased everywhere
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_momentum_swapped(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)
        new_mean = momentum * running_mean + (1 - momentum) * mean  # the other convention (Keras's)
        new_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_running_stats_in_place(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)
        running_mean *= 1 - momentum  # as a layer keeps its buffers, but these are the caller's arrays
        running_mean += momentum * mean
        running_var *= 1 - momentum
        running_var += momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean.copy(), running_var.copy()


def bn_eps_outside_sqrt(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta, new_mean, new_var


def bn_returning_the_running_stats(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var  # not copies
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_updating_in_eval(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n, mean, var = x.shape[0], x.mean(axis=0), x.var(axis=0)  # updates the running statistics in both modes
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1) if n > 1 else running_var.copy()
    if not training:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_one_pass_variance(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        n, mean = x.shape[0], x.mean(axis=0)
        var = (x**2).mean(axis=0) - mean**2  # E[x^2] - E[x]^2: right on paper, imprecise for large means
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def bn_backward_constant_stats(dout, x, gamma, eps=1e-5):  # treats the batch mean and variance as constants
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dout * gamma / np.sqrt(x.var(axis=0) + eps), (dout * xhat).sum(axis=0), dout.sum(axis=0)


def bn_backward_mean_only(dout, x, gamma, eps=1e-5):  # through the mean, but not through the variance
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    dx = gamma / np.sqrt(x.var(axis=0) + eps) * (dout - dout.mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def bn_backward_dgamma_without_xhat(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * inv_std
    dx = gamma * inv_std / n * (n * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0))
    return dx, dout.sum(axis=0), dout.sum(axis=0)


def bn_backward_over_features(dout, x, gamma, eps=1e-5):  # dgamma and dbeta summed over the features, axis 1
    n = x.shape[0]
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * inv_std
    dx = gamma * inv_std / n * (n * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=1), dout.sum(axis=1)


def bn_backward_unbiased(dout, x, gamma, eps=1e-5):  # the unbiased variance, unlike the forward pass
    inv_std = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)
    xhat = (x - x.mean(axis=0)) * inv_std
    dx = gamma * inv_std * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def bn_backward_one_pass(dout, x, gamma, eps=1e-5):
    n, mean = x.shape[0], x.mean(axis=0)
    inv_std = 1 / np.sqrt((x**2).mean(axis=0) - mean**2 + eps)
    xhat = (x - mean) * inv_std
    dx = gamma * inv_std / n * (n * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def bn_backward_centring_dout(dout, x, gamma, eps=1e-5):  # centres the caller's dout in place
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dout -= dout.mean(axis=0)
    return gamma * inv_std * (dout - xhat * dgamma / x.shape[0]), dgamma, dbeta


# ---- part 3: layer normalisation ----

def ln_over_the_batch(x, gamma, beta, eps=1e-5):  # batch normalisation's axis
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


def ln_unbiased(x, gamma, beta, eps=1e-5):
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, ddof=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def ln_axis_one(x, gamma, beta, eps=1e-5):  # axis 1: the last axis of an (N, D) batch only
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def ln_all_but_the_first_axis(x, gamma, beta, eps=1e-5):  # every feature of an example, as LayerNorm(x.shape[1:])
    axes = tuple(range(1, x.ndim)) or None
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def ln_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    mean, std = x.mean(axis=-1, keepdims=True), x.std(axis=-1, keepdims=True)
    return gamma * (x - mean) / (std + eps) + beta


def ln_one_pass(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = (x * x).mean(axis=-1, keepdims=True) - mean**2
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def ln_centring_in_place(x, gamma, beta, eps=1e-5):  # centres the caller's x
    x -= x.mean(axis=-1, keepdims=True)
    return gamma * x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) + beta


# ---- part 4: the L2 penalty ----

def l2_without_the_half(params, lam):  # lam * sum(w^2), with its gradient 2 * lam * w: consistent, but not the spec's
    penalty, grads = 0.0, {}
    for name, w in params.items():
        if name.startswith("b"):
            grads[name] = np.zeros_like(w)
        else:
            penalty += lam * np.sum(w**2)
            grads[name] = 2 * lam * w
    return penalty, grads


def l2_gradient_twice(params, lam):  # the penalty right, its gradient 2 * lam * w
    penalty, grads = 0.0, {}
    for name, w in params.items():
        if name.startswith("b"):
            grads[name] = np.zeros_like(w)
        else:
            penalty += lam / 2 * np.sum(w**2)
            grads[name] = 2 * lam * w
    return penalty, grads


def l2_penalising_biases(params, lam):
    penalty = lam / 2 * sum(np.sum(w**2) for w in params.values())
    return penalty, {name: lam * w for name, w in params.items()}


def l2_biases_by_shape(params, lam):  # "a bias is a vector": the common rule of thumb, not the specification's
    penalty, grads = 0.0, {}
    for name, w in params.items():
        if w.ndim <= 1:
            grads[name] = np.zeros_like(w)
        else:
            penalty += lam / 2 * np.sum(w**2)
            grads[name] = lam * w
    return penalty, grads


def l2_weights_only(params, lam):  # gradients for the weights only
    weights = {name: w for name, w in params.items() if not name.startswith("b")}
    return lam / 2 * sum(np.sum(w**2) for w in weights.values()), {name: lam * w for name, w in weights.items()}


def l2_scaling_in_place(params, lam):  # the gradient computed in the caller's arrays
    penalty, grads = 0.0, {}
    for name, w in params.items():
        if name.startswith("b"):
            grads[name] = np.zeros_like(w)
        else:
            penalty += lam / 2 * np.sum(w**2)
            w *= lam
            grads[name] = w
    return penalty, grads


def l2_into_params(params, lam):  # writes the gradients into the caller's dict and returns it
    penalty = 0.0
    for name, w in list(params.items()):
        if name.startswith("b"):
            params[name] = np.zeros_like(w)
        else:
            penalty += lam / 2 * np.sum(w**2)
            params[name] = lam * w
    return penalty, params


# ---- part 5: AdamW ----

def adamw_l2_in_the_gradient(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    grad = grad + weight_decay * w  # Adam with L2, as torch.optim.Adam(weight_decay=...) does
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_without_bias_correction(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    return w * (1 - lr * weight_decay) - lr * m / (np.sqrt(v) + eps), m, v


def adamw_decay_without_lr(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w * (1 - weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_decay_after_the_step(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w * (1 - lr * weight_decay), m, v  # decays the updated w


def adamw_t_from_zero(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    t = t + 1  # "steps count from 0", so the first step would be t = 1
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_eps_inside_sqrt(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w * (1 - lr * weight_decay) - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adamw_moments_in_place(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m *= betas[0]  # as torch.optim keeps its state, but these are the caller's arrays
    m += (1 - betas[0]) * grad
    v *= betas[1]
    v += (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps), m.copy(), v.copy()


def adamw_no_decay_for_vectors(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    if w.ndim < 2:  # "biases and norms are not decayed": the caller's choice, not the step's
        weight_decay = 0.0
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# ---- part 6: early stopping ----

def stop_at_the_minimum(val_losses, patience):  # the best of the whole list: ignores when training stops
    return int(np.argmin(val_losses))


def stop_returning_the_last_epoch(val_losses, patience):  # the epoch at which training stopped
    best, waited = np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
            if waited == patience:
                return epoch
    return int(np.argmin(val_losses))


def stop_one_epoch_late(val_losses, patience):  # waits for patience + 1 epochs without improvement
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        elif waited == patience:
            break
        else:
            waited += 1
    return best_epoch


def stop_one_epoch_early(val_losses, patience):  # stops after patience - 1 epochs without improvement
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience - 1:
                break
    return best_epoch


def stop_ties_improve(val_losses, patience):  # <=: a tie becomes the best epoch
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                break
    return best_epoch


def stop_ties_reset_the_count(val_losses, patience):  # a tie keeps the best epoch but restarts the patience
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        if loss <= best:
            waited = 0
        else:
            waited += 1
            if waited == patience:
                break
    return best_epoch


def stop_with_a_tolerance(val_losses, patience):  # "improvements" of less than 1e-9 do not count
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - 1e-9:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                break
    return best_epoch


def stop_numpy_int(val_losses, patience):  # right epoch, as np.int64
    losses = np.asarray(val_losses, dtype=float)
    best_so_far = np.minimum.accumulate(losses)
    for epoch in range(len(losses)):
        improved = np.flatnonzero(losses[:epoch + 1] == best_so_far[epoch])[0]
        if epoch - improved == patience:
            return np.argmin(losses[:epoch + 1])
    return np.argmin(losses)


def stop_list_only(val_losses, patience):  # list methods: an array has no .index
    best_so_far = val_losses[:1]
    for epoch in range(1, len(val_losses)):
        window = val_losses[:epoch + 1]
        best = min(window)
        if epoch - window.index(best) >= patience:
            break
        best_so_far = window
    return best_so_far.index(min(best_so_far))


# ---- NumPy only: the same answers computed by torch or by the package ----

def dropout_with_torch(x, p, training, rng):
    import torch
    torch.manual_seed(int(rng.integers(2**31)))
    out = torch.nn.functional.dropout(torch.tensor(x), p, training).numpy()
    return out, (out != 0) | (not training)


def dropout_backward_with_torch(dout, mask, p):
    import torch
    return (torch.tensor(dout) * torch.tensor(mask) / (1 - p)).numpy()


def bn_with_torch(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    import torch
    rm, rv = torch.tensor(running_mean), torch.tensor(running_var)  # copies, updated by batch_norm
    out = torch.nn.functional.batch_norm(torch.tensor(x), rm, rv, torch.tensor(gamma), torch.tensor(beta),
                                         training, momentum, eps)
    return out.numpy(), rm.numpy(), rv.numpy()


def bn_backward_with_autograd(dout, x, gamma, eps=1e-5):
    import torch
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(gamma, requires_grad=True)
    bt = torch.zeros(len(gamma), dtype=torch.float64, requires_grad=True)
    torch.nn.functional.batch_norm(xt, None, None, gt, bt, True, 0.0, eps).backward(torch.tensor(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def ln_with_torch(x, gamma, beta, eps=1e-5):
    import torch
    return torch.nn.functional.layer_norm(torch.tensor(x), gamma.shape, torch.tensor(gamma), torch.tensor(beta),
                                          eps).numpy()


def l2_with_autograd(params, lam):
    import torch
    tensors = {name: torch.tensor(w, requires_grad=True) for name, w in params.items()}
    penalty = sum((t**2).sum() for name, t in tensors.items() if not name.startswith("b")) * lam / 2
    penalty.backward()
    return penalty.item(), {name: t.grad.numpy() if t.grad is not None else np.zeros_like(params[name])
                            for name, t in tensors.items()}


def adamw_with_torch(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    import torch
    p = torch.tensor(w, requires_grad=True)
    optimizer = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    optimizer.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": torch.tensor(m), "exp_avg_sq": torch.tensor(v)}
    p.grad = torch.tensor(grad)
    optimizer.step()
    state = optimizer.state[p]
    return p.detach().numpy(), state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()


def bn_with_the_reference(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    from dlbook.assignments import regularization
    return regularization.batchnorm(x, gamma, beta, running_mean, running_var, training, momentum, eps)


def ln_with_the_reference(x, gamma, beta, eps=1e-5):
    from dlbook.assignments import regularization
    return regularization.layernorm(x, gamma, beta, eps)


def l2_with_the_reference(params, lam):
    from dlbook.assignments import regularization
    return regularization.l2_penalty(params, lam)


def adamw_with_the_reference(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    from dlbook.assignments import regularization
    return regularization.adamw(w, grad, m, v, t, lr, betas, eps, weight_decay)


# ---- tamper attempts: each scores 0 on the cells its tampering reaches, and nothing else changes ----

def adamw_tampering_with_torch_optim():
    """Returns w unchanged, after making torch.optim.AdamW take no step (so that the reference would agree)."""
    import torch

    def adamw_step(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        return w.copy(), m.copy(), v.copy()

    def no_step(self, closure=None):
        return None

    torch.optim.AdamW.step = no_step  # a new method on the subclass, overriding Adam.step


def bn_tampering_with_the_base_class():
    """Returns x as it is, after replacing the forward pass of BatchNorm1d's private base class (which check_untampered
    does not list, but the assignment's references guard)."""
    import torch

    def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        return x.copy(), running_mean.copy(), running_var.copy()

    def identity(self, input):
        return input

    torch.nn.modules.batchnorm._BatchNorm.forward = identity


def ln_tampering_with_the_layer():
    """Returns x as it is, after replacing nn.LayerNorm's forward pass: every later test sees the replacement."""
    import torch

    def layernorm_forward(x, gamma, beta, eps=1e-5):
        return x.copy()

    def identity(self, input):
        return input

    torch.nn.LayerNorm.forward = identity


def stop_with_patched_checks():
    """Epoch 0 always, after trying to fool the tests: blocked assignments to the references and the checks, a
    check replaced behind the module's back, and NumPy's argmin."""
    import dlbook.assignments.regularization
    import dlbook.checks

    def early_stopping_epoch(val_losses, patience):
        return 0

    for attempt in (lambda: setattr(dlbook.assignments.regularization, "check_named", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.checks, "check_equal", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.checks.reference_numpy, "array", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass
    vars(dlbook.checks)["check_equal"] = lambda *args, **kwargs: None
    np.argmin = lambda *args, **kwargs: 0


# ---- right answers written differently ----

def dropout_binomial(x, p, training, rng):
    if training:
        mask = rng.binomial(1, 1 - p, size=x.shape).astype(bool)
        return x * mask * (1.0 / (1 - p)), mask
    return np.array(x, copy=True), np.full(x.shape, True)


def dropout_uniform_below(x, p, training, rng):  # kept where a uniform number is below 1 - p; a 0/1 float mask
    keep = (rng.uniform(size=np.shape(x)) < 1 - p).astype(float)
    if not training:
        return x + 0.0, np.ones_like(x)
    return x * keep / (1 - p), keep


def dropout_backward_where(dout, mask, p):
    return np.where(mask, dout / (1 - p), 0.0)


def dropout_backward_multiplied(dout, mask, p):
    scale = 1.0 / (1.0 - p)
    return np.multiply(dout, mask) * scale


def bn_with_ddof(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if not training:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        return [gamma * xhat + beta, running_mean + 0.0, 1.0 * running_var]
    mean = np.einsum("nd->d", x) / x.shape[0]
    xhat = (x - mean) / np.sqrt(np.var(x, axis=0, ddof=0) + eps)
    return [xhat * gamma + beta, momentum * mean + (1 - momentum) * running_mean,
            momentum * np.var(x, axis=0, ddof=1) + (1 - momentum) * running_var]


def bn_feature_by_feature(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n, d = x.shape
    out, new_mean, new_var = np.empty((n, d)), np.array(running_mean, dtype=float), np.array(running_var, dtype=float)
    for j in range(d):
        column = x[:, j]
        if training:
            mu = sum(column) / n
            squares = sum((value - mu) ** 2 for value in column)
            var = squares / n
            new_mean[j] = (1 - momentum) * running_mean[j] + momentum * mu
            new_var[j] = (1 - momentum) * running_var[j] + momentum * squares / (n - 1)
        else:
            mu, var = running_mean[j], running_var[j]
        out[:, j] = gamma[j] * (column - mu) / (var + eps) ** 0.5 + beta[j]
    return out, new_mean, new_var


def bn_backward_staged(dout, x, gamma, eps=1e-5):  # the chain rule step by step, through mean and variance
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc**2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xc, axis=0) * -0.5 * std**-3
    dmu = -np.sum(dxhat, axis=0) / std + dvar * np.mean(-2 * xc, axis=0)
    dx = dxhat / std + dvar * 2 * xc / n + dmu / n
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def bn_backward_einsum(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    xc = x - x.mean(axis=0)
    inv = (np.einsum("nd,nd->d", xc, xc) / n + eps) ** -0.5
    xhat = xc * inv
    dbeta, dgamma = np.einsum("nd->d", dout), np.einsum("nd,nd->d", dout, xhat)
    return [(gamma * inv) * (dout - dbeta / n - xhat * dgamma / n), dgamma, dbeta]


def ln_row_by_row(x, gamma, beta, eps=1e-5):
    rows = np.reshape(x, (-1, x.shape[-1]))
    out = np.empty(rows.shape)
    for i, row in enumerate(rows):
        centred = row - row.mean()
        out[i] = gamma * centred / np.sqrt(np.dot(centred, centred) / len(row) + eps) + beta
    return out.reshape(x.shape)


def ln_with_std(x, gamma, beta, eps=1e-5):
    mean = np.mean(x, axis=-1)[..., np.newaxis]
    std = np.std(x, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(std**2 + eps) * gamma + beta


def l2_loops(params, lam):
    penalty, grads = 0.0, {}
    for name in sorted(params):
        w = params[name]
        grads[name] = 0.0 * w if name[0] == "b" else lam * w
        if name[0] != "b":
            penalty += 0.5 * lam * float(np.vdot(w, w))
    return [penalty, grads]


def l2_comprehensions(params, lam):
    weights = [w for name, w in params.items() if not name.startswith("b")]
    penalty = lam * sum(np.sum(np.square(w)) for w in weights) / 2
    return penalty, {name: np.zeros(np.shape(w)) if name.startswith("b") else np.multiply(lam, w)
                     for name, w in params.items()}


def adamw_torch_form(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    beta1, beta2 = betas
    w = w * (1 - lr * weight_decay)
    m = m + (1 - beta1) * (grad - m)  # torch's lerp
    v = v * beta2 + (1 - beta2) * grad * grad
    bias_correction1, bias_correction2 = 1 - beta1**t, 1 - beta2**t
    denom = np.sqrt(v) / np.sqrt(bias_correction2) + eps
    return w - (lr / bias_correction1) * m / denom, m, v


def adamw_copies_updated_in_place(w, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, m, v = w.copy(), m.copy(), v.copy()  # in place on its own copies
    w *= 1 - lr * weight_decay
    m *= betas[0]
    m += (1 - betas[0]) * grad
    v *= betas[1]
    v += (1 - betas[1]) * np.square(grad)
    w -= lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return [w, m, v]


def stop_while_loop(val_losses, patience):
    best_epoch, epoch, since = 0, 1, 0
    while epoch < len(val_losses) and since < patience:
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch, since = epoch, 0
        else:
            since += 1
        epoch += 1
    return best_epoch


def stop_running_minimum(val_losses, patience):  # the running minimum and where it was last lowered
    losses = list(val_losses)
    for end in range(len(losses)):
        best = min(range(end + 1), key=lambda i: (losses[i], i))
        if end - best >= patience:
            return int(best)
    return int(min(range(len(losses)), key=lambda i: (losses[i], i)))


WRONG = [
    wrong("dropout-no-rescaling", lose=DF, says={DF_TESTS: "dropout must rescale the kept units by 1/(1-p)"},
          dropout_forward=dropout_without_rescaling),
    wrong("dropout-scaled-by-p", lose=DF, says={DF_TESTS: "not by 1/p"}, dropout_forward=dropout_scaled_by_p),
    wrong("dropout-scaling-in-eval", lose=DF, says={DF_TESTS: "in evaluation mode dropout does nothing"},
          dropout_forward=dropout_scaling_in_eval),
    wrong("dropout-in-eval", lose=DF, says={DF_TESTS: "in evaluation mode dropout does nothing"},
          dropout_forward=dropout_in_eval_too),
    wrong("dropout-keeps-with-p", lose=DF, says={DF_TESTS: "p is the probability of DROPPING a unit",
                                                 DF_HIDDEN: "p is the probability of DROPPING a unit"},
          dropout_forward=dropout_keeping_with_p),
    wrong("dropout-global-random", lose=DF,
          says={DF_TESTS: "not from np.random: the same seed must give the same mask"},
          dropout_forward=dropout_global_random),
    wrong("dropout-fixed-seed", lose=DF, says={DF_TESTS: "gave the same mask twice in a row from one generator"},
          dropout_forward=dropout_fixed_seed),
    wrong("dropout-exact-count", lose=[DF_HIDDEN], says={DF_HIDDEN: "each unit must be dropped independently"},
          dropout_forward=dropout_exact_count),
    wrong("dropout-modifies-x", lose=DF, says={DF_TESTS: "dropout_forward modified its input x"},
          dropout_forward=dropout_in_place),
    wrong("dropout-returns-x-in-eval", lose=DF, says={DF_TESTS: "sharing memory with its input x"},
          dropout_forward=dropout_returning_x_in_eval),
    wrong("dropout-mask-as-multiplier", lose=DF, says={DF_TESTS: "holds values other than True/False"},
          dropout_forward=dropout_mask_as_multiplier),
    wrong("dropout-backward-no-rescaling", lose=DB, says={DB_TESTS: "in the backward pass too"},
          dropout_backward=dropout_backward_without_rescaling),
    wrong("dropout-backward-by-p", lose=DB, says={DB_TESTS: "not by p"}, dropout_backward=dropout_backward_by_p),
    wrong("dropout-backward-kept-fraction", lose=[DB_HIDDEN],
          says={DB_HIDDEN: "not by the fraction this mask happens to keep"},
          dropout_backward=dropout_backward_by_kept_fraction),
    wrong("dropout-backward-in-place", lose=DB, says={DB_TESTS: "dropout_backward modified its input dout"},
          dropout_backward=dropout_backward_in_place),
    wrong("bn-batch-stats-in-eval", lose=BF,
          says={BF_TESTS: "in evaluation mode use the running statistics, not the batch's"},
          batchnorm_forward=bn_batch_stats_in_eval),
    wrong("bn-unbiased-normalisation", lose=BF, says={BF_TESTS: "normalise with the biased variance (divide by N)"},
          batchnorm_forward=bn_unbiased_normalisation),
    wrong("bn-biased-running-var", lose=BF,
          says={BF_TESTS: "running_var uses the unbiased variance (divide by N - 1), as PyTorch does"},
          batchnorm_forward=bn_biased_running_var),
    wrong("bn-momentum-swapped", lose=BF, says={BF_TESTS: "momentum weighs the batch"},
          batchnorm_forward=bn_momentum_swapped),
    wrong("bn-running-stats-in-place", lose=BF, says={BF_TESTS: "batchnorm_forward modified its input running_mean"},
          batchnorm_forward=bn_running_stats_in_place),
    wrong("bn-eps-outside-sqrt", lose=BF, says={BF_TESTS: "eps goes inside the square root"},
          batchnorm_forward=bn_eps_outside_sqrt),
    wrong("bn-returns-the-running-stats", lose=BF, says={BF_TESTS: "sharing memory with its input running_mean"},
          batchnorm_forward=bn_returning_the_running_stats),
    wrong("bn-updates-in-eval", lose=BF, says={BF_TESTS: "in evaluation mode return the running statistics unchanged"},
          batchnorm_forward=bn_updating_in_eval),
    wrong("bn-one-pass-variance", lose=[BF_HIDDEN], says={BF_HIDDEN: PRECISION},
          batchnorm_forward=bn_one_pass_variance),
    wrong("bn-backward-constant-stats", lose=BB, says={BB_TESTS: "the batch mean and variance are functions of x too"},
          batchnorm_backward=bn_backward_constant_stats),
    wrong("bn-backward-mean-only", lose=BB, says={BB_TESTS: "the batch mean and variance are functions of x too"},
          batchnorm_backward=bn_backward_mean_only),
    wrong("bn-backward-dgamma-without-xhat", lose=BB, says={BB_TESTS: "not dout alone"},
          batchnorm_backward=bn_backward_dgamma_without_xhat),
    wrong("bn-backward-over-features", lose=BB, says={BB_TESTS: "has shape (6,), expected (4,)"},
          batchnorm_backward=bn_backward_over_features),
    wrong("bn-backward-unbiased", lose=BB, says={BB_TESTS: "use it in the backward pass too"},
          batchnorm_backward=bn_backward_unbiased),
    wrong("bn-backward-one-pass", lose=[BB_HIDDEN], says={BB_HIDDEN: PRECISION},
          batchnorm_backward=bn_backward_one_pass),
    wrong("bn-backward-centres-dout", lose=BB, says={BB_TESTS: "batchnorm_backward modified its input dout"},
          batchnorm_backward=bn_backward_centring_dout),
    wrong("ln-over-the-batch", lose=LN, says={LN_TESTS: "not each feature over the batch"},
          layernorm_forward=ln_over_the_batch),
    wrong("ln-unbiased", lose=LN, says={LN_TESTS: "use the biased variance (divide by D)"},
          layernorm_forward=ln_unbiased),
    wrong("ln-2d-only", lose=LN, says={LN_TESTS: "layernorm_forward on (2, 3, 5) is off by"},
          layernorm_forward=ln_axis_one),
    wrong("ln-all-but-the-first-axis", lose=LN, says={LN_TESTS: "normalise over the last axis only"},
          layernorm_forward=ln_all_but_the_first_axis),
    wrong("ln-eps-outside-sqrt", lose=LN, says={LN_TESTS: "eps goes inside the square root"},
          layernorm_forward=ln_eps_outside_sqrt),
    wrong("ln-one-pass-variance", lose=[LN_HIDDEN], says={LN_HIDDEN: PRECISION}, layernorm_forward=ln_one_pass),
    wrong("ln-modifies-x", lose=LN, says={LN_TESTS: "layernorm_forward modified its input x"},
          layernorm_forward=ln_centring_in_place),
    wrong("l2-without-the-half", lose=L2, says={L2_TESTS: "the 1/2 makes its gradient lam * w"},
          l2_penalty_grad=l2_without_the_half),
    wrong("l2-gradient-twice", lose=L2, says={L2_TESTS: "not 2 * lam * w"}, l2_penalty_grad=l2_gradient_twice),
    wrong("l2-penalises-biases", lose=L2, says={L2_TESTS: "biases (names starting with 'b') are not penalised"},
          l2_penalty_grad=l2_penalising_biases),
    wrong("l2-biases-by-shape", lose=[L2_HIDDEN], says={L2_HIDDEN: "whatever its shape (a vector too)"},
          l2_penalty_grad=l2_biases_by_shape),
    wrong("l2-weights-only", lose=L2, says={L2_TESTS: "grads must be a dict with the keys of params"},
          l2_penalty_grad=l2_weights_only),
    wrong("l2-scales-in-place", lose=L2, says={L2_TESTS: "l2_penalty_grad modified its input params['W1']"},
          l2_penalty_grad=l2_scaling_in_place),
    wrong("l2-into-params", lose=L2, says={L2_TESTS: "grads must be a new dict"}, l2_penalty_grad=l2_into_params),
    wrong("adamw-l2-in-the-gradient", lose=AW,
          says={AW_TESTS: "weight decay is decoupled: do not add it to the gradient"},
          adamw_step=adamw_l2_in_the_gradient),
    wrong("adamw-no-bias-correction", lose=AW, says={AW_TESTS: "the bias correction"},
          adamw_step=adamw_without_bias_correction),
    wrong("adamw-decay-without-lr", lose=AW, says={AW_TESTS: "the decay is multiplied by the learning rate"},
          adamw_step=adamw_decay_without_lr),
    wrong("adamw-decay-after-the-step", lose=AW, says={AW_TESTS: "decay the old w"},
          adamw_step=adamw_decay_after_the_step),
    wrong("adamw-t-from-zero", lose=AW, says={AW_TESTS: "t is the number of this step, counted from 1"},
          adamw_step=adamw_t_from_zero),
    wrong("adamw-eps-inside-sqrt", lose=AW, says={AW_TESTS: "eps is added after the square root"},
          adamw_step=adamw_eps_inside_sqrt),
    wrong("adamw-moments-in-place", lose=AW, says={AW_TESTS: "adamw_step modified its input m"},
          adamw_step=adamw_moments_in_place),
    wrong("adamw-no-decay-for-vectors", lose=[AW_HIDDEN], says={AW_HIDDEN: "decay every w, whatever its shape"},
          adamw_step=adamw_no_decay_for_vectors),
    wrong("stop-at-the-minimum", lose=ES, says={ES_TESTS: "not the best of the whole list"},
          early_stopping_epoch=stop_at_the_minimum),
    wrong("stop-returns-the-last-epoch", lose=ES, says={ES_TESTS: "not the epoch at which training stopped"},
          early_stopping_epoch=stop_returning_the_last_epoch),
    wrong("stop-one-epoch-late", lose=ES, says={ES_TESTS: "not one later"}, early_stopping_epoch=stop_one_epoch_late),
    wrong("stop-one-epoch-early", lose=ES, says={ES_TESTS: "not one earlier"},
          early_stopping_epoch=stop_one_epoch_early),
    wrong("stop-ties-improve", lose=ES, says={ES_TESTS: "a tie is no improvement"},
          early_stopping_epoch=stop_ties_improve),
    wrong("stop-ties-reset-the-count", lose=[ES_HIDDEN], says={ES_HIDDEN: "nor resets the count"},
          early_stopping_epoch=stop_ties_reset_the_count),
    wrong("stop-with-a-tolerance", lose=[ES_HIDDEN], says={ES_HIDDEN: "without a tolerance"},
          early_stopping_epoch=stop_with_a_tolerance),
    wrong("stop-numpy-int", lose=ES, says={ES_TESTS: "returned int64 np.int64(1), not a Python int"},
          early_stopping_epoch=stop_numpy_int),
    wrong("stop-list-only", lose=ES, says={ES_TESTS: "early_stopping_epoch raised AttributeError"},
          early_stopping_epoch=stop_list_only),
    # NumPy only: each function done by torch or by the package's references loses its points, saying which rule
    wrong("torch", lose=DF + DB + BF + BB + LN + L2 + AW,
          says={DF_TESTS: f"{NOT_NUMPY} torch", DB_TESTS: f"{NOT_NUMPY} torch", BF_TESTS: f"{NOT_NUMPY} torch",
                BB_TESTS: f"{NOT_NUMPY} torch", LN_TESTS: f"{NOT_NUMPY} torch", L2_TESTS: f"{NOT_NUMPY} torch",
                AW_TESTS: f"{NOT_NUMPY} torch"},
          dropout_forward=dropout_with_torch, dropout_backward=dropout_backward_with_torch,
          batchnorm_forward=bn_with_torch, batchnorm_backward=bn_backward_with_autograd,
          layernorm_forward=ln_with_torch,
          l2_penalty_grad=l2_with_autograd, adamw_step=adamw_with_torch),
    wrong("package-references", lose=BF + LN + L2 + AW,
          says=dict.fromkeys([BF_TESTS, LN_TESTS, L2_TESTS, AW_TESTS],
                             f"{NOT_NUMPY} dlbook.assignments.regularization"),
          batchnorm_forward=bn_with_the_reference, layernorm_forward=ln_with_the_reference,
          l2_penalty_grad=l2_with_the_reference, adamw_step=adamw_with_the_reference),
    # tampering: found, and the cells it reaches score 0
    wrong("optim-tamperer", lose=AW, says=dict.fromkeys(AW, "AdamW.step replaced by code in this notebook"),
          adamw_step=body(adamw_tampering_with_torch_optim)),
    wrong("batchnorm-base-tamperer", lose=BF + BB + LN + L2 + AW,
          says=dict.fromkeys([BF_TESTS, BB_TESTS, LN_TESTS, L2_TESTS, AW_TESTS],
                             "_BatchNorm.forward replaced by code in this notebook"),
          batchnorm_forward=body(bn_tampering_with_the_base_class)),
    wrong("layernorm-tamperer", lose=LN + L2 + AW + ES,
          says=dict.fromkeys([LN_TESTS, L2_TESTS, AW_TESTS, ES_TESTS], "nn.LayerNorm.forward replaced by code"),
          layernorm_forward=body(ln_tampering_with_the_layer)),
    wrong("checks-tamperer", lose=ES, says=dict.fromkeys(ES, "replaced by code in this notebook"),
          early_stopping_epoch=body(stop_with_patched_checks)),
]

CORRECT = [
    correct("other-forms", dropout_forward=dropout_binomial, dropout_backward=dropout_backward_where,
            batchnorm_forward=bn_with_ddof, batchnorm_backward=bn_backward_staged, layernorm_forward=ln_row_by_row,
            l2_penalty_grad=l2_loops, adamw_step=adamw_torch_form, early_stopping_epoch=stop_while_loop),
    correct("loops-and-lists", dropout_forward=dropout_uniform_below, dropout_backward=dropout_backward_multiplied,
            batchnorm_forward=bn_feature_by_feature, batchnorm_backward=bn_backward_einsum,
            layernorm_forward=ln_with_std, l2_penalty_grad=l2_comprehensions, adamw_step=adamw_copies_updated_in_place,
            early_stopping_epoch=stop_running_minimum),
]
