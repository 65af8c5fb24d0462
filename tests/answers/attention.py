"""Attention and transformers: typical mistakes and right answers written differently (see answers/__init__.py).

multi_head_attention is graded with the reference softmax_attention, so a mistake in softmax_attention costs its own
points only; the other functions are independent. Mistakes in different functions that a student could well make
together share a submission (each cell still loses exactly the points of its own function), which keeps the number
of notebooks the round trip runs, each training the language model twice, in bounds. The tamperers lose the cells
their tampering reaches.
"""

import inspect

import numpy as np
import torch
from torch import nn

from answers import body, correct, wrong
from answers.regularization import (  # the same mistakes in layer normalisation, made in this assignment
    ln_axis_one, ln_centring_in_place, ln_eps_outside_sqrt, ln_one_pass, ln_over_the_batch, ln_unbiased, ln_with_std)

SA_TESTS, SA_HIDDEN = "softmax_attention-tests", "softmax_attention-hidden-tests"
CM_TESTS, CM_HIDDEN = "causal_mask-tests", "causal_mask-hidden-tests"
MH_TESTS, MH_HIDDEN = "multi_head_attention-tests", "multi_head_attention-hidden-tests"
SP_TESTS, SP_HIDDEN = "sinusoidal_positions-tests", "sinusoidal_positions-hidden-tests"
LN_TESTS, LN_HIDDEN = "layer_norm-tests", "layer_norm-hidden-tests"
LM_TESTS, LM_HIDDEN = "build_transformer_lm-tests", "build_transformer_lm-hidden-tests"
SA, CM, MH = [SA_TESTS, SA_HIDDEN], [CM_TESTS, CM_HIDDEN], [MH_TESTS, MH_HIDDEN]
SP, LN, LM = [SP_TESTS, SP_HIDDEN], [LN_TESTS, LN_HIDDEN], [LM_TESTS, LM_HIDDEN]
NOT_NUMPY = "broke a rule of this assignment: it calls"
PRECISION = "the mean of the squares minus the squared mean loses its digits here"
NO_POSITIONS = "it does not know where the tokens are"


# ---- part 1: softmax_attention ----

def attention_unscaled(Q, K, V, mask=None):  # no 1/sqrt(d)
    scores = Q @ np.swapaxes(K, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_scaled_by_d(Q, K, V, mask=None):
    scores = Q @ np.swapaxes(K, -1, -2) / Q.shape[-1]
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_scaled_by_dv(Q, K, V, mask=None):  # the size of the values: right only when d_v = d
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(V.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_over_queries(Q, K, V, mask=None):  # the softmax over axis -2: each key's column sums to 1
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-2, keepdims=True))
    weights /= weights.sum(axis=-2, keepdims=True)
    return weights @ V, weights


def attention_mask_after_softmax(Q, K, V, mask=None):  # zeroes the masked weights: the rows no longer sum to 1
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    if mask is not None:
        weights = weights * mask
    return weights @ V, weights


def attention_renormalised_after_softmax(Q, K, V, mask=None):  # right on paper; 0 / 0 when a masked key dominates
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = weights * mask
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_mask_inverted(Q, K, V, mask=None):  # nn.MultiheadAttention's convention: True = blocked
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, -1e9, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_mask_times_inf(Q, K, V, mask=None):  # adds (1 - mask) * -inf: 0 * inf is NaN where the mask is True
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores + (1 - np.asarray(mask, dtype=float)) * -np.inf
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_unstable(Q, K, V, mask=None):  # exp of the raw scores: overflows above 709
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = np.exp(scores)
    if mask is not None:
        weights = np.where(mask, weights, 0.0)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_two_dimensional(Q, K, V, mask=None):  # K.T reverses every axis: right for 2-D arrays only
    scores = Q @ K.T / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_global_max(Q, K, V, mask=None):  # the largest score of the whole array, not of each row
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max())
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_indexing_the_mask(Q, K, V, mask=None):  # scores[..., ~mask]: a (T_q, T_k) mask only, no broadcasting
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores[..., ~mask] = -np.inf
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_scaling_q_in_place(Q, K, V, mask=None):  # divides the caller's Q
    Q /= np.sqrt(Q.shape[-1])
    scores = Q @ np.swapaxes(K, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_weights_first(Q, K, V, mask=None):  # (weights, out)
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights, weights @ V


def attention_with_torch(Q, K, V, mask=None):
    import torch
    q, k, v = torch.from_numpy(Q), torch.from_numpy(K), torch.from_numpy(V)
    m = None if mask is None else torch.from_numpy(np.asarray(mask))
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)
    scores = q @ k.transpose(-1, -2) / Q.shape[-1] ** 0.5
    if m is not None:
        scores = scores.masked_fill(~m, float("-inf"))
    return out.numpy(), torch.softmax(scores, -1).numpy()


def attention_tampering_with_sdpa():
    """Makes F.scaled_dot_product_attention, which the tests' reference uses, return zeros, and returns zeros too:
    every cell after this one sees the replacement."""
    import torch

    def softmax_attention(Q, K, V, mask=None):
        return np.zeros(Q.shape[:-1] + V.shape[-1:]), np.zeros(Q.shape[:-1] + K.shape[-2:-1])

    torch.nn.functional.scaled_dot_product_attention = lambda q, k, v, *args, **kwargs: 0 * q[..., :1] * v[..., :1, :]


# ---- part 2: causal_mask ----

def mask_strict(T):  # a query cannot see itself: row 0 has no key at all
    return np.tril(np.ones((T, T), dtype=bool), k=-1)


def mask_upper(T):  # j >= i: the future, not the past
    return np.triu(np.ones((T, T), dtype=bool))


def mask_of_floats(T):  # 1.0 and 0.0: the right pattern, not booleans
    return np.tril(np.ones((T, T)))


def mask_blocked(T):  # True where a query may NOT attend: nn.Transformer's convention
    return np.triu(np.ones((T, T), dtype=bool), k=1)


def mask_cached():
    """One mask for the longest sequence, sliced: nanoGPT's block_size buffer, here 256 positions."""
    _CAUSAL = np.tril(np.ones((256, 256), dtype=bool))

    def causal_mask(T):
        return _CAUSAL[:T, :T].copy()


def mask_with_torch(T):
    import torch
    return torch.ones(T, T, dtype=torch.bool).tril().numpy()


# ---- part 3: multi_head_attention ----

def heads_without_output_projection(x, params, heads, mask=None):
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821 (the notebook's function)
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model)


def heads_reshaped_without_transpose(x, params, heads, mask=None):  # (N, T, d) -> (N, heads, T, d_head) directly
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = ((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, heads, T, d_head) for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821
    return out.reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_strided(x, params, heads, mask=None):  # head h takes every heads-th column, h, h + heads, ...
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = ((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, d_head, heads).transpose(0, 3, 1, 2)
               for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821
    return out.transpose(0, 2, 3, 1).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_reversed(x, params, heads, mask=None):  # concatenates the heads last first
    N, T, d_model = x.shape
    d_head = d_model // heads
    outs = []
    for h in range(heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        Q, K, V = ((x @ params[f"W_{p}"] + params[f"b_{p}"])[..., cols] for p in "qkv")
        outs.insert(0, softmax_attention(Q, K, V, mask)[0])  # noqa: F821
    return np.concatenate(outs, axis=-1) @ params["W_o"] + params["b_o"]


def heads_scaled_by_d_model(x, params, heads, mask=None):  # its own attention, with sqrt(d_model)
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    scores = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(d_model)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    concat = (weights @ V).transpose(0, 2, 1, 3).reshape(N, T, d_model)
    return concat @ params["W_o"] + params["b_o"]


def heads_scaled_twice(x, params, heads, mask=None):  # scales Q, and softmax_attention scales again
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    out, _ = softmax_attention(Q / np.sqrt(d_head), K, V, mask)  # noqa: F821
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_ignored(x, params, heads, mask=None):  # one attention over all d_model features
    Q, K, V = (x @ params[f"W_{p}"] + params[f"b_{p}"] for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821
    return out @ params["W_o"] + params["b_o"]


def heads_transposed_weights(x, params, heads, mask=None):  # PyTorch's x @ W.T
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"].T + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"].T + params["b_o"]


def heads_without_biases(x, params, heads, mask=None):
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = ((x @ params[f"W_{p}"]).reshape(N, T, heads, d_head).transpose(0, 2, 1, 3) for p in "qkv")
    out, _ = softmax_attention(Q, K, V, mask)  # noqa: F821
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"]


def heads_ignoring_the_mask(x, params, heads, mask=None):
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    out, _ = softmax_attention(Q, K, V)  # noqa: F821
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_mask_as_a_flag(x, params, heads, mask=None):  # "a mask" taken to mean "the causal mask"
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    out, _ = softmax_attention(Q, K, V, None if mask is None else np.tril(np.ones((T, T), dtype=bool)))  # noqa: F821
    return out.transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_renormalised_after_softmax(x, params, heads, mask=None):  # its own attention: 0 / 0 when a masked key
    N, T, d_model = x.shape                                            # dominates a row
    d_head = d_model // heads
    Q, K, V = (((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head)).transpose(0, 2, 1, 3)
               for p in "qkv")
    scores = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(d_head)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = weights * mask
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return (weights @ V).transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_scaling_w_q_in_place(x, params, heads, mask=None):  # folds 1/sqrt(d_head) into the caller's W_q
    N, T, d_model = x.shape
    d_head = d_model // heads
    W_q = params["W_q"]
    W_q /= np.sqrt(d_head)
    Q = (x @ W_q + params["b_q"] / np.sqrt(d_head)).reshape(N, T, heads, d_head).transpose(0, 2, 1, 3)
    K, V = ((x @ params[f"W_{p}"] + params[f"b_{p}"]).reshape(N, T, heads, d_head).transpose(0, 2, 1, 3) for p in "kv")
    scores = Q @ K.transpose(0, 1, 3, 2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return (weights @ V).transpose(0, 2, 1, 3).reshape(N, T, d_model) @ params["W_o"] + params["b_o"]


def heads_with_torch(x, params, heads, mask=None):
    import torch
    d_model = x.shape[-1]
    layer = torch.nn.MultiheadAttention(d_model, heads, batch_first=True, dtype=torch.float64)
    W = {k: torch.from_numpy(v) for k, v in params.items()}
    layer.load_state_dict({"in_proj_weight": torch.cat([W["W_q"].T, W["W_k"].T, W["W_v"].T]),
                           "in_proj_bias": torch.cat([W["b_q"], W["b_k"], W["b_v"]]),
                           "out_proj.weight": W["W_o"].T, "out_proj.bias": W["b_o"]})
    blocked = None if mask is None else ~torch.from_numpy(mask)
    with torch.no_grad():
        return layer(*(torch.from_numpy(x),) * 3, attn_mask=blocked, need_weights=False)[0].numpy()


def heads_with_the_reference(x, params, heads, mask=None):  # the tests' own reference, one import away
    from dlbook.assignments import attention
    return attention.multi_head_attention(x, params, heads, mask)


def heads_tampering_with_the_layer():
    """Returns zeros, after replacing nn.MultiheadAttention.forward (which the reference runs) by one of torch's own
    functions, so that check_untampered's search for notebook code does not see it; the assignment's references
    compare the layers' methods with the originals."""
    import torch

    def multi_head_attention(x, params, heads, mask=None):
        return np.zeros(x.shape)

    torch.nn.MultiheadAttention.forward = torch.nn.Identity.forward


# ---- part 4: sinusoidal_positions ----

def positions_concatenated(T, d):  # all the sines, then all the cosines
    angles = np.arange(T)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def positions_swapped(T, d):  # cos in the even columns
    angles = np.arange(T)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2], pe[:, 1::2] = np.cos(angles), np.sin(angles)
    return pe


def positions_pair_exponent(T, d):  # i / d with i the pair: half the exponent
    angles = np.arange(T)[:, None] / 10000 ** (np.arange(d // 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def positions_column_exponent(T, d):  # each column its own exponent j / d: the cosines get (2i + 1) / d
    angles = np.arange(T)[:, None] / 10000 ** (np.arange(d) / d)
    pe = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe


def positions_from_one(T, d):
    angles = np.arange(1, T + 1)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def positions_float32(T, d):  # np.zeros(..., dtype=np.float32): float32 values
    angles = np.arange(T)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d), dtype=np.float32)
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def positions_table(T, d):  # the PyTorch tutorial's table of max_len = 5000 positions, sliced
    max_len = 5000
    angles = np.arange(max_len)[:, None] * np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))
    pe = np.zeros((max_len, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe[:T].copy()


def positions_with_torch(T, d):
    import torch
    angles = torch.arange(T, dtype=torch.float64)[:, None] / 10000 ** (torch.arange(0, d, 2) / d)
    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(T, d).numpy()


# ---- part 5: layer_norm ----

def ln_with_torch(x, gamma, beta, eps=1e-5):
    import torch
    return torch.nn.functional.layer_norm(torch.from_numpy(x), gamma.shape, torch.from_numpy(gamma),
                                          torch.from_numpy(beta), eps).numpy()


# ---- part 6: build_transformer_lm ----

def lm_variant(vocab, d_model, heads, layers, context, positions="input", causal="blocked", norm_first=True,
               dropout=0.0, feedforward=None, softmax=False):
    """Not an answer: the helper the language models below share, put in the notebook with them."""
    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, d_model)
            self.positions = nn.Embedding(context, d_model)
            self.logit_positions = nn.Embedding(context, vocab)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=feedforward or 4 * d_model,
                                           dropout=dropout, batch_first=True, norm_first=norm_first)
                for _ in range(layers))
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, x):
            T = x.shape[1]
            where = torch.arange(T)
            h = self.tokens(x) + (self.positions(where) if positions == "input" else 0)
            lower = torch.ones(T, T, dtype=torch.bool).tril()
            mask = {"blocked": ~lower, "allowed": lower, None: None}[causal]
            for block in self.blocks:
                h = block(h, src_mask=mask)
            h = h + (self.positions(where) if positions == "after the blocks" else 0)
            logits = self.head(self.norm(h)) + (self.logit_positions(where) if positions == "logits" else 0)
            return torch.softmax(logits, dim=-1) if softmax else logits

    return LM()


def lm_without_causal_mask(vocab, d_model=32, heads=4, layers=2, context=32):  # every position sees the future
    return lm_variant(vocab, d_model, heads, layers, context, causal=None)  # noqa: F821


def lm_mask_in_the_wrong_convention(vocab, d_model=32, heads=4, layers=2, context=32):
    """causal_mask's True-where-allowed passed to nn.TransformerEncoderLayer, which blocks where True."""
    return lm_variant(vocab, d_model, heads, layers, context, causal="allowed")  # noqa: F821


def lm_without_positions(vocab, d_model=32, heads=4, layers=2, context=32):
    return lm_variant(vocab, d_model, heads, layers, context, positions=None)  # noqa: F821


def lm_positions_after_the_blocks(vocab, d_model=32, heads=4, layers=2, context=32):
    return lm_variant(vocab, d_model, heads, layers, context, positions="after the blocks")  # noqa: F821


def lm_positions_on_the_logits(vocab, d_model=32, heads=4, layers=2, context=32):
    return lm_variant(vocab, d_model, heads, layers, context, positions="logits")  # noqa: F821


def lm_with_softmax(vocab, d_model=32, heads=4, layers=2, context=32):  # probabilities, not logits
    return lm_variant(vocab, d_model, heads, layers, context, softmax=True)  # noqa: F821


def lm_default_feedforward(vocab, d_model=32, heads=4, layers=2, context=32):
    """nn.TransformerEncoderLayer's defaults: dim_feedforward 2048 and dropout 0.1, post-norm: five times the work."""
    return lm_variant(vocab, d_model, heads, layers, context, norm_first=False, dropout=0.1,  # noqa: F821
                      feedforward=2048)


def lm_shared_instance():
    """One model built once (with the default arguments): every call returns it."""
    _model = lm_variant(53, 32, 4, 2, 32)  # noqa: F821

    def build_transformer_lm(vocab, d_model=32, heads=4, layers=2, context=32):
        return _model


def lm_fixed_sizes(vocab, d_model=32, heads=4, layers=2, context=32):  # its own d_model and layers, whatever it gets
    return lm_variant(vocab, 32, 4, 2, max(context, 32))  # noqa: F821


def lm_fixed_context(vocab, d_model=32, heads=4, layers=2, context=32):  # positions for 32 tokens, whatever context
    return lm_variant(vocab, d_model, heads, layers, 32)  # noqa: F821


def lm_seeding_with_dlbook(vocab, d_model=32, heads=4, layers=2, context=32):  # calls the package: not allowed
    import dlbook
    dlbook.seed_everything(0)
    return lm_variant(vocab, d_model, heads, layers, context)  # noqa: F821


def lm_tampering_with_the_training():
    """Fakes the evaluation the training reports, behind dlbook.training's back, with a model that learns nothing."""
    import dlbook.training

    def build_transformer_lm(vocab, d_model=32, heads=4, layers=2, context=32):
        return lm_variant(vocab, d_model, heads, layers, context)  # noqa: F821

    vars(dlbook.training)["evaluate"] = lambda *args, **kwargs: {"loss": 0.0}


# ---- right answers written differently ----

def attention_einsum(Q, K, V, mask=None):  # einsum, a huge negative number, log-sum-exp
    scores = np.einsum("...qd,...kd->...qk", Q, K) / Q.shape[-1] ** 0.5
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -1e30)
    peak = np.max(scores, axis=-1, keepdims=True)
    log_weights = scores - peak - np.log(np.sum(np.exp(scores - peak), axis=-1, keepdims=True))
    weights = np.exp(log_weights)
    return [np.einsum("...qk,...kv->...qv", weights, V), weights]


def attention_loops(Q, K, V, mask=None):  # a loop over the leading axes, row by row
    lead = Q.shape[:-2]
    full = np.broadcast_to(True if mask is None else mask, lead + (Q.shape[-2], K.shape[-2]))
    out = np.empty(lead + (Q.shape[-2], V.shape[-1]))
    weights = np.empty(lead + (Q.shape[-2], K.shape[-2]))
    for index in np.ndindex(*lead):
        for i, q in enumerate(Q[index]):
            s = K[index] @ q / np.sqrt(len(q))
            keep = full[index][i]
            e = np.zeros_like(s)
            e[keep] = np.exp(s[keep] - s[keep].max())
            weights[index][i] = e / e.sum()
            out[index][i] = weights[index][i] @ V[index]
    return out, weights


def mask_by_comparison(T):
    return np.arange(T)[:, None] >= np.arange(T)[None, :]


def mask_tri(T):
    return np.tri(T, dtype=bool)


def heads_loop(x, params, heads, mask=None):  # a loop over the heads, slicing columns
    d_head = x.shape[-1] // heads
    Q, K, V = (x @ params["W_" + p] + params["b_" + p] for p in "qkv")
    outs = [softmax_attention(Q[..., h * d_head:(h + 1) * d_head], K[..., h * d_head:(h + 1) * d_head],  # noqa: F821
                              V[..., h * d_head:(h + 1) * d_head], mask)[0] for h in range(heads)]
    return np.concatenate(outs, axis=-1) @ params["W_o"] + params["b_o"]


def heads_own_attention(x, params, heads, mask=None):  # its own attention, with einsum and split/stack
    N, T, d_model = x.shape
    d_head = d_model // heads
    Q, K, V = (np.stack(np.split(x @ params[f"W_{p}"] + params[f"b_{p}"], heads, axis=-1), axis=1) for p in "qkv")
    scores = np.einsum("nhqd,nhkd->nhqk", Q, K) / np.sqrt(d_head)
    if mask is not None:
        scores = np.where(mask[None, None], scores, -np.inf)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    concat = np.concatenate(list(np.moveaxis(weights @ V, 1, 0)), axis=-1)
    return concat @ params["W_o"] + params["b_o"]


def positions_stacked(T, d):  # sin and cos stacked on a new last axis, then flattened: interleaved
    frequencies = np.exp(-np.log(10000.0) * np.arange(0, d, 2) / d)
    angles = np.outer(np.arange(T), frequencies)
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(T, d)


def positions_loops(T, d):
    pe = np.zeros((T, d))
    for pos in range(T):
        for i in range(d // 2):
            angle = pos / 10000 ** (2 * i / d)
            pe[pos, 2 * i], pe[pos, 2 * i + 1] = np.sin(angle), np.cos(angle)
    return pe


def ln_einsum(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(-1, keepdims=True)
    var = np.einsum("...d,...d->...", centred, centred)[..., None] / x.shape[-1]
    return centred * (gamma / np.sqrt(var + eps)) + beta


def lm_handwritten():
    """A block of one's own (F.scaled_dot_product_attention with is_causal=True, GELU), sinusoidal positions as
    a buffer computed for each length, post-norm, log-probabilities (fine as logits: cross_entropy gives the same)."""
    import math

    import torch.nn.functional as F

    class Block(nn.Module):
        def __init__(self, d_model, heads):
            super().__init__()
            self.heads = heads
            self.qkv, self.out = nn.Linear(d_model, 3 * d_model), nn.Linear(d_model, d_model)
            self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))
            self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

        def forward(self, h):
            B, T, D = h.shape
            q, k, v = (t.reshape(B, T, self.heads, -1).transpose(1, 2) for t in self.qkv(h).chunk(3, dim=-1))
            attended = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, D)
            h = self.norm1(h + self.out(attended))
            return self.norm2(h + self.mlp(h))

    def sinusoids(T, d):
        angles = torch.arange(T)[:, None] * torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(T, d)

    class Model(nn.Module):
        def __init__(self, vocab, d_model, heads, layers):
            super().__init__()
            self.d_model = d_model
            self.embed = nn.Embedding(vocab, d_model)
            self.blocks = nn.Sequential(*[Block(d_model, heads) for _ in range(layers)])
            self.head = nn.Linear(d_model, vocab)

        def forward(self, x):
            h = self.embed(x) + sinusoids(x.shape[1], self.d_model)
            return F.log_softmax(self.head(self.blocks(h)), dim=-1)

    def build_transformer_lm(vocab, d_model=32, heads=4, layers=2, context=32):
        return Model(vocab, d_model, heads, layers)


def lm_encoder_with_zero_positions():
    """nn.TransformerEncoder with nn.Transformer's float mask, post-norm with dropout 0.1, and learned positions
    initialised at zero (they become useful after the first steps)."""
    class Model(nn.Module):
        def __init__(self, vocab, d_model, heads, layers, context):
            super().__init__()
            self.embed = nn.Embedding(vocab, d_model)
            self.pos = nn.Parameter(torch.zeros(1, context, d_model))
            layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, x):
            T = x.shape[1]
            mask = nn.Transformer.generate_square_subsequent_mask(T)
            return self.head(self.encoder(self.embed(x) + self.pos[:, :T], mask=mask, is_causal=True))

    def build_transformer_lm(vocab, d_model=32, heads=4, layers=2, context=32):
        return Model(vocab, d_model, heads, layers, context)


VARIANT = inspect.getsource(lm_variant)  # the cell of each language model below defines it too (as it is: unrenamed)

WRONG = [
    # part 1, each with a mistake in another function that a student could make alongside (the language model's
    # mistakes here are found before its training, which keeps the round trip short)
    wrong("sa-unscaled-cm-strict", lose=SA + CM,
          says={SA_TESTS: "divide the scores by sqrt(d) before the softmax", CM_TESTS: "a query may attend to itself"},
          softmax_attention=attention_unscaled, causal_mask=mask_strict),
    wrong("sa-scaled-by-d-cm-upper", lose=SA + CM, says={SA_TESTS: "divide the scores by sqrt(d), not by d",
                                                        CM_TESTS: "True on and BELOW the diagonal"},
          softmax_attention=attention_scaled_by_d, causal_mask=mask_upper),
    wrong("sa-scaled-by-dv-cm-floats", lose=SA + CM, says={SA_TESTS: "not of the values V.shape[-1]",
                                                          CM_TESTS: "not of booleans"},
          softmax_attention=attention_scaled_by_dv, causal_mask=mask_of_floats),
    wrong("sa-over-queries-cm-blocked", lose=SA + CM, says={SA_TESTS: "not over the queries (axis -2)",
                                                           CM_TESTS: "marks the keys a query may NOT attend to"},
          softmax_attention=attention_over_queries, causal_mask=mask_blocked),
    wrong("sa-mask-after-softmax-lm-no-causal-mask", lose=SA + LM,
          says={SA_TESTS: "zeroing weights after the softmax", LM_TESTS: "looks into the future"},
          softmax_attention=attention_mask_after_softmax, build_transformer_lm=(VARIANT, lm_without_causal_mask)),
    wrong("sa-renormalised-lm-mask-convention", lose=SA + LM,
          says={SA_TESTS: "with a masked key of score 1000 warned", LM_TESTS: "NaN or infinite logits"},
          softmax_attention=attention_renormalised_after_softmax,
          build_transformer_lm=(VARIANT, lm_mask_in_the_wrong_convention)),
    wrong("sa-mask-inverted-lm-no-positions", lose=SA + LM,
          says={SA_TESTS: "True in the mask means the query MAY attend", LM_TESTS: NO_POSITIONS},
          softmax_attention=attention_mask_inverted, build_transformer_lm=(VARIANT, lm_without_positions)),
    wrong("sa-mask-times-inf-lm-positions-after-the-blocks", lose=SA + LM,
          says={SA_TESTS: "warned: invalid value encountered in multiply", LM_TESTS: NO_POSITIONS},
          softmax_attention=attention_mask_times_inf, build_transformer_lm=(VARIANT, lm_positions_after_the_blocks)),
    wrong("sa-unstable-lm-positions-on-the-logits", lose=SA + LM,
          says={SA_TESTS: "warned: overflow encountered in exp", LM_TESTS: NO_POSITIONS},
          softmax_attention=attention_unstable, build_transformer_lm=(VARIANT, lm_positions_on_the_logits)),
    wrong("sa-two-dimensional-lm-softmax", lose=SA + LM,
          says={SA_TESTS: "not K.T, which reverses them all", LM_TESTS: "not logits"},
          softmax_attention=attention_two_dimensional, build_transformer_lm=(VARIANT, lm_with_softmax)),
    wrong("sa-global-max-lm-fixed-context", lose=[SA_HIDDEN, LM_HIDDEN],
          says={SA_HIDDEN: "not the maximum of the whole array",
                LM_HIDDEN: "raised IndexError on a batch of shape (2, 64)"},
          softmax_attention=attention_global_max, build_transformer_lm=(VARIANT, lm_fixed_context)),
    wrong("sa-indexing-the-mask-cm-cached", lose=SA + [CM_HIDDEN],
          says={SA_TESTS: "let the mask broadcast", CM_HIDDEN: "has shape (256, 256), expected (300, 300)"},
          softmax_attention=attention_indexing_the_mask, causal_mask=body(mask_cached)),
    wrong("sa-modifies-q-lm-shared-instance", lose=SA + LM,
          says={SA_TESTS: "softmax_attention modified its input Q", LM_TESTS: "build a new model on every call"},
          softmax_attention=attention_scaling_q_in_place, build_transformer_lm=(VARIANT, body(lm_shared_instance))),
    wrong("sa-weights-first-lm-fixed-sizes", lose=SA + LM,
          says={SA_TESTS: "return (out, weights)", LM_TESTS: "built models of the same size for layers=1 and layers=3",
                LM_HIDDEN: "built models of the same size for layers=1 and layers=3 (d_model=12, heads=3)"},
          softmax_attention=attention_weights_first, build_transformer_lm=(VARIANT, lm_fixed_sizes)),
    # part 3: multi_head_attention, graded with the reference softmax_attention
    wrong("mh-no-output-projection-sp-concatenated", lose=MH + SP,
          says={MH_TESTS: "multiply the concatenated heads by W_o", SP_TESTS: "not all sines first"},
          multi_head_attention=heads_without_output_projection, sinusoidal_positions=positions_concatenated),
    wrong("mh-reshaped-without-transpose-sp-swapped", lose=MH + SP,
          says={MH_TESTS: "split the features, not the time steps", SP_TESTS: "sin goes in the even columns"},
          multi_head_attention=heads_reshaped_without_transpose, sinusoidal_positions=positions_swapped),
    wrong("mh-strided-heads-sp-pair-exponent", lose=MH + SP,
          says={MH_TESTS: "not every heads-th column", SP_TESTS: "where i counts the PAIRS of columns"},
          multi_head_attention=heads_strided, sinusoidal_positions=positions_pair_exponent),
    wrong("mh-heads-reversed-sp-column-exponent", lose=MH + SP,
          says={MH_TESTS: "in order, head 0 first", SP_TESTS: "not (2i + 1)/d"},
          multi_head_attention=heads_reversed, sinusoidal_positions=positions_column_exponent),
    wrong("mh-scaled-by-d-model-sp-from-one", lose=MH + SP,
          says={MH_TESTS: "not by sqrt(d_model)", SP_TESTS: "positions count from 0"},
          multi_head_attention=heads_scaled_by_d_model, sinusoidal_positions=positions_from_one),
    wrong("mh-scaled-twice-sp-float32", lose=MH + SP,
          says={MH_TESTS: "already divides the scores by sqrt(d_head)", SP_TESTS: "returned float32 values"},
          multi_head_attention=heads_scaled_twice, sinusoidal_positions=positions_float32),
    wrong("mh-heads-ignored-ln-over-the-batch", lose=MH + LN,
          says={MH_TESTS: "not one attention over all d_model features", LN_TESTS: "not each feature over the batch"},
          multi_head_attention=heads_ignored, layer_norm=ln_over_the_batch),
    wrong("mh-transposed-weights-ln-unbiased", lose=MH + LN,
          says={MH_TESTS: "not x @ W.T", LN_TESTS: "use the biased variance"},
          multi_head_attention=heads_transposed_weights, layer_norm=ln_unbiased),
    wrong("mh-no-biases-ln-eps-outside", lose=MH + LN,
          says={MH_TESTS: "add the biases", LN_TESTS: "eps goes inside the square root"},
          multi_head_attention=heads_without_biases, layer_norm=ln_eps_outside_sqrt),
    wrong("mh-ignores-the-mask-ln-2d-only", lose=MH + LN,
          says={MH_TESTS: "pass the mask on to every head", LN_TESTS: "layer_norm on (2, 3, 5) is off by"},
          multi_head_attention=heads_ignoring_the_mask, layer_norm=ln_axis_one),
    wrong("mh-renormalised-sp-table-ln-one-pass", lose=[MH_HIDDEN, SP_HIDDEN, LN_HIDDEN],
          says={MH_HIDDEN: "set the masked scores to -inf BEFORE the softmax",
                SP_HIDDEN: "has shape (5000, 4), expected (6000, 4)", LN_HIDDEN: PRECISION},
          multi_head_attention=heads_renormalised_after_softmax, sinusoidal_positions=positions_table,
          layer_norm=ln_one_pass),
    wrong("mh-modifies-w-q-ln-modifies-x", lose=MH + LN,
          says={MH_TESTS: "multi_head_attention modified its input params['W_q']",
                LN_TESTS: "layer_norm modified its input x"},
          multi_head_attention=heads_scaling_w_q_in_place, layer_norm=ln_centring_in_place),
    wrong("mh-mask-as-a-flag-lm-default-feedforward", lose=MH + LM,
          says={MH_TESTS: "whatever its pattern", LM_TESTS: "did not finish within 10 s of CPU time"},
          multi_head_attention=heads_mask_as_a_flag, build_transformer_lm=(VARIANT, lm_default_feedforward)),
    wrong("mh-package-reference-lm-seeds-with-dlbook", lose=MH + LM,
          says={MH_TESTS: f"{NOT_NUMPY} dlbook.assignments.attention", LM_TESTS: f"{NOT_NUMPY} dlbook"},
          multi_head_attention=heads_with_the_reference, build_transformer_lm=(VARIANT, lm_seeding_with_dlbook)),
    # NumPy only: each function done by torch loses its points, saying which rule it broke
    wrong("torch", lose=SA + CM + MH + SP + LN,
          says=dict.fromkeys([SA_TESTS, CM_TESTS, MH_TESTS, SP_TESTS, LN_TESTS], f"{NOT_NUMPY} torch"),
          softmax_attention=attention_with_torch, causal_mask=mask_with_torch, multi_head_attention=heads_with_torch,
          sinusoidal_positions=positions_with_torch, layer_norm=ln_with_torch),
    # tampering: found, and the cells it reaches score 0
    wrong("sdpa-tamperer", lose=SA + CM + MH + SP + LN + LM,
          says=dict.fromkeys([SA_TESTS, CM_TESTS, MH_TESTS, SP_TESTS, LN_TESTS, LM_TESTS],
                             "F.scaled_dot_product_attention replaced by code in this notebook"),
          softmax_attention=body(attention_tampering_with_sdpa)),
    wrong("mha-tamperer", lose=MH + SP + LN + LM,
          says=dict.fromkeys([MH_TESTS, SP_TESTS, LN_TESTS, LM_TESTS],
                             "torch.nn.modules.activation.MultiheadAttention.forward replaced by code"),
          multi_head_attention=body(heads_tampering_with_the_layer)),
    wrong("training-tamperer", lose=LM, says={LM_TESTS: "dlbook.training.evaluate replaced by code in this notebook"},
          build_transformer_lm=(VARIANT, body(lm_tampering_with_the_training))),
]

CORRECT = [
    correct("einsum-comparison-own-heads-stacked-std-handwritten", softmax_attention=attention_einsum,
            causal_mask=mask_by_comparison, multi_head_attention=heads_own_attention,
            sinusoidal_positions=positions_stacked, layer_norm=ln_with_std, build_transformer_lm=body(lm_handwritten)),
    correct("loops-tri-head-loop-einsum-encoder", softmax_attention=attention_loops, causal_mask=mask_tri,
            multi_head_attention=heads_loop, sinusoidal_positions=positions_loops, layer_norm=ln_einsum,
            build_transformer_lm=body(lm_encoder_with_zero_positions)),
]

