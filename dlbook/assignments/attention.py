"""The attention assignment: PyTorch's own attention given the assignment's arrays (the references the test cells
compare with: F.scaled_dot_product_attention, nn.MultiheadAttention, F.layer_norm, and the sinusoidal positions
written in torch), the reference softmax_attention that multi_head_attention's tests run it with, what the common
mistakes return (so that a failure can name the mistake), and the checks and the fixed training of
build_transformer_lm.

The references are computed by torch (NumPy in, NumPy out), so they are no NumPy answer to copy, and the rules
forbid the students' NumPy functions to call them. The language model trains on the recurrent networks chapter's
split of the book's text (dlbook.char_split), with windows drawn by dlbook.text_windows.
"""

import math
import sys

import numpy
import torch
import torch._dynamo  # noqa: F401  (torch.optim loads it on first use, and it rewraps torch.manual_seed: loaded
import torch.nn.functional as F  # here, before check_untampered below first sees torch, it is not taken for tampering)

from dlbook.checks import _fail, call_quietly, check_named, check_shape, check_untampered, expect, guard, matches
from dlbook.checks import read_only, time_limit, unpack
from dlbook.checks import reference_numpy as np
from dlbook.data import char_split, load_text, text_windows
from dlbook.runtime import seed_everything
from dlbook.training import evaluate, fit


# build_transformer_lm's fixed training: what the instructions state
D_MODEL, HEADS, LAYERS, CONTEXT = 32, 4, 2, 32  # the model the tests train: build_transformer_lm(vocab, 32, 4, 2, 32)
STEPS, BATCH_SIZE, LEARNING_RATE = 400, 16, 1e-2  # Adam, 400 steps of 16 random windows of 32 characters
# Held-out bits per character to reach. Measured over seeds 0 to 5 (0 to 7 for the last two): the solution 2.93 to
# 3.11, a post-norm model with dropout 0.1 and zero-initialised positions 2.90 to 3.10, a hand-written post-norm
# block with sinusoidal positions 2.93 to 3.09; the solution without positions 3.24 to 3.34 (check_uses_positions
# is what catches it), a count-based bigram model 3.40, uniform guessing log2(53) = 5.73.
MAX_BITS = 3.25
CPU_SECONDS = 10  # for one training run on one thread; the solution needs about 3.5 s

# What the references run, besides what check_untampered watches: the layer and optimizer classes (and their
# bases), whose methods a notebook could replace (nn.MultiheadAttention.forward = ...), and the modules holding
# their functions.
_GUARDED = (torch.nn.Module, torch.nn.MultiheadAttention, torch.nn.Linear, torch.nn.Embedding, torch.nn.LayerNorm,
            torch.nn.modules.linear.NonDynamicallyQuantizableLinear, torch.optim.Optimizer, torch.optim.Adam,
            *(sys.modules[name] for name in ("torch.nn.modules.activation", "torch.nn.modules.linear",
                                             "torch.nn.modules.sparse", "torch.nn.modules.normalization",
                                             "torch.optim.optimizer", "torch.optim.adam")))


def _tensor(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64))


def _mask(mask) -> torch.Tensor:
    return torch.tensor(np.asarray(mask, dtype=bool))


def _numpy(t: torch.Tensor) -> numpy.ndarray:
    return t.detach().numpy().copy()


# ---- references ----

def softmax_attention(Q, K, V, mask=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """F.scaled_dot_product_attention of float64 copies (True in `mask`: the query may attend to the key), and the
    weights it uses, softmax(Q K^T / sqrt(d)) with masked scores at -inf, recomputed by torch: (out, weights)."""
    untampered()
    q, k, v = _tensor(Q), _tensor(K), _tensor(V)
    m = None if mask is None else _mask(mask)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if m is not None:
        scores = scores.masked_fill(~m, -math.inf)
    return _numpy(out), _numpy(torch.softmax(scores, dim=-1))


def causal_mask(T: int) -> numpy.ndarray:
    """The (T, T) boolean mask of a decoder: True on and below the diagonal (query i may attend to keys j <= i)."""
    untampered()
    return torch.ones(T, T, dtype=torch.bool).tril().numpy()


def multi_head_attention(x, params: dict, heads: int, mask=None) -> numpy.ndarray:
    """nn.MultiheadAttention(d_model, heads, batch_first=True) given the assignment's weights (x @ W + b: PyTorch
    stores W transposed, the three input projections stacked) on x (N, T, d_model); True in the (T, T) `mask`: the
    query may attend to the key (nn.MultiheadAttention's boolean attn_mask says the opposite, so it gets ~mask)."""
    untampered()
    return _multi_head_attention(x, params, heads, mask)


def _multi_head_attention(x, params, heads, mask):
    X = _tensor(x)
    W = {name: _tensor(value) for name, value in params.items()}
    layer = torch.nn.MultiheadAttention(X.shape[-1], heads, batch_first=True, dtype=torch.float64)
    layer.load_state_dict({"in_proj_weight": torch.cat([W["W_q"].T, W["W_k"].T, W["W_v"].T]),
                           "in_proj_bias": torch.cat([W["b_q"], W["b_k"], W["b_v"]]),
                           "out_proj.weight": W["W_o"].T, "out_proj.bias": W["b_o"]})
    with torch.no_grad():
        out, _ = layer(X, X, X, attn_mask=None if mask is None else ~_mask(mask), need_weights=False)
    return _numpy(out)


def sinusoidal_positions(T: int, d: int) -> numpy.ndarray:
    """Vaswani et al.'s positional encodings (T, d): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...),
    for pos = 0 .. T-1, computed by torch in float64."""
    untampered()
    angles = _angles(T, d, torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angles), torch.cos(angles)
    return pe.numpy()


def _angles(T, d, exponents, first=0):
    """pos / 10000^exponent for pos = first .. first + T - 1 (rows) and each exponent (columns)."""
    return torch.arange(first, first + T, dtype=torch.float64)[:, None] / torch.pow(10000.0, exponents)


def layer_norm(x, gamma, beta, eps: float = 1e-5) -> numpy.ndarray:
    """F.layer_norm over the last axis with weight gamma and bias beta (nn.LayerNorm(D, eps))."""
    untampered()
    return _layer_norm(x, gamma, beta, eps)


def _layer_norm(x, gamma, beta, eps):
    X = _tensor(x)
    return _numpy(F.layer_norm(X, X.shape[-1:], _tensor(gamma), _tensor(beta), eps))


# the hints of errors raised inside the students' functions
LEADING_AXES = ("Q, K and V may have leading axes: transpose only the last two axes of K (np.swapaxes(K, -1, -2)), "
                "not K.T, which reverses them all; and let the mask broadcast (np.where(mask, scores, -np.inf)) "
                "rather than index with it")
SPLIT_HEADS = ("x is (N, T, d_model): split a projection into heads with .reshape(N, T, heads, d_head), then move the "
               "head axis forward with .transpose(0, 2, 1, 3); the (T, T) mask broadcasts over the batch and the heads")


# ---- what the common mistakes return, each with the hint that names it (computed by torch) ----

SCALE = "divide the scores Q K^T by sqrt(d), where d = Q.shape[-1] is the size of the queries and keys"
MASK_BEFORE = ("apply the mask to the scores BEFORE the softmax (a masked score becomes -inf, or a huge negative "
               "number), so that each row of weights sums to 1 over the keys it may attend to; zeroing weights after "
               "the softmax leaves rows that no longer sum to 1")
MASK_TRUE = ("True in the mask means the query MAY attend to that key (PyTorch's boolean attn_mask convention): "
             "mask out the scores where the mask is False")
KEY_AXIS = "the softmax runs over the keys, the last axis (axis=-1), so that each query's weights sum to 1"


def attention_mistakes(Q, K, V, mask=None) -> dict[str, list]:
    """For "out" and "weights": (value, hint) of each common mistake of softmax_attention."""
    q, k, v = _tensor(Q), _tensor(K), _tensor(V)
    d, d_v = q.shape[-1], v.shape[-1]
    m = None if mask is None else _mask(mask)
    scores = q @ k.transpose(-1, -2)

    def masked(s, keep=m):
        return s if keep is None else s.masked_fill(~keep, -math.inf)

    found = [(torch.softmax(masked(scores), -1), "divide the scores by sqrt(d) before the softmax: " + SCALE),
             (torch.softmax(masked(scores / d), -1), "divide the scores by sqrt(d), not by d"),
             (torch.softmax(masked(scores / math.sqrt(d)), -2), KEY_AXIS + ", not over the queries (axis -2)")]
    if d_v != d:
        found.append((torch.softmax(masked(scores / math.sqrt(d_v)), -1),
                      "d is the size of the queries and keys, Q.shape[-1], not of the values V.shape[-1]"))
    if m is not None:
        plain = torch.softmax(scores / math.sqrt(d), -1)
        found += [(plain * m, MASK_BEFORE),
                  (plain, "use the mask: set the scores where it is False to -inf before the softmax"),
                  (torch.softmax(masked(scores / math.sqrt(d), ~m), -1), MASK_TRUE)]
    return {"weights": [(_numpy(w), hint) for w, hint in found],
            "out": [(_numpy(w @ v), hint) for w, hint in found]}


def heads_mistakes(x, params, heads, mask=None) -> list:
    """(value, hint) of each common mistake of multi_head_attention."""
    X = _tensor(x)
    W = {name: _tensor(value) for name, value in params.items()}
    N, T, d_model = X.shape
    d_head = d_model // heads
    m = None if mask is None else _mask(mask)

    def attend(q, k, v, scale, keep):
        scores = q @ k.transpose(-1, -2) / scale
        if keep is not None:
            scores = scores.masked_fill(~keep, -math.inf)
        return torch.softmax(scores, -1) @ v

    def project(name, transpose=False, bias=True):
        w = W[f"W_{name}"].T if transpose else W[f"W_{name}"]
        return X @ w + (W[f"b_{name}"] if bias else 0)

    def split(a):  # (N, T, d_model) -> (N, heads, T, d_head), head h = columns h*d_head:(h+1)*d_head
        return a.reshape(N, T, heads, d_head).transpose(1, 2)

    def merge(a):
        return a.transpose(1, 2).reshape(N, T, d_model)

    def heads_of(split_, merge_, scale=math.sqrt(d_head), transpose=False, bias=True, output=True, keep=m):
        Q, K, V = (split_(project(name, transpose, bias)) for name in "qkv")
        concat = merge_(attend(Q, K, V, scale, keep))
        if not output:
            return concat
        return concat @ (W["W_o"].T if transpose else W["W_o"]) + (W["b_o"] if bias else 0)

    found = [(heads_of(split, merge, output=False), "multiply the concatenated heads by W_o and add b_o: the output "
              "projection mixes the heads"),
             (heads_of(split, merge, scale=math.sqrt(d_model)), "each head scales its scores by sqrt(d_head), the size "
              "of its own queries and keys, not by sqrt(d_model) (calling softmax_attention on each head's slices does "
              "that for you)"),
             (heads_of(lambda a: a.reshape(N, heads, T, d_head), lambda a: a.reshape(N, T, d_model)),
              "split the features, not the time steps: reshape (N, T, d_model) to (N, T, heads, d_head) and then move "
              "the head axis forward (to (N, heads, T, d_head)); reshaping straight to (N, heads, T, d_head) mixes "
              "time steps and features"),
             (heads_of(lambda a: a.reshape(N, T, d_head, heads).permute(0, 3, 1, 2),
                       lambda a: a.permute(0, 2, 3, 1).reshape(N, T, d_model)),
              "head h uses the consecutive columns h*d_head:(h+1)*d_head of the projections, not every heads-th column "
              "(reshape to (N, T, heads, d_head), not (N, T, d_head, heads))"),
             (heads_of(split, merge, scale=d_head), "softmax_attention already divides the scores by sqrt(d_head): "
              "do not scale Q or the scores yourself as well"),
             (heads_of(split, lambda a: merge(a.flip(1))), "concatenate the heads' outputs in order, head 0 first"),
             (heads_of(lambda a: a[:, None], lambda a: a[:, 0], scale=math.sqrt(d_model)),
              f"split the projections into {heads} heads, each attending on its own d_head = d_model // heads columns, "
              "not one attention over all d_model features"),
             (heads_of(split, merge, transpose=True), "the projections are x @ W + b, with W of shape (d_model, "
              "d_model) as given, not x @ W.T"),
             (heads_of(split, merge, bias=False), "add the biases: x @ W_q + b_q, and so on, and b_o at the end")]
    if m is not None:
        found.append((heads_of(split, merge, keep=None), "pass the mask on to every head: the scores where it is False "
                      "become -inf before the softmax"))
    return [(_numpy(value), hint) for value, hint in found]


def positions_mistakes(T, d) -> list:
    """(value, hint) of each common mistake of sinusoidal_positions."""
    pair = torch.arange(0, d, 2, dtype=torch.float64) / d  # 2i / d, one exponent per pair of columns
    angles = _angles(T, d, pair)

    def interleaved(sin, cos):
        pe = torch.zeros(T, d, dtype=torch.float64)
        pe[:, 0::2], pe[:, 1::2] = sin, cos
        return pe

    by_column = _angles(T, d, torch.arange(d, dtype=torch.float64) / d)
    found = [(torch.cat([torch.sin(angles), torch.cos(angles)], 1), "interleave the columns: sin in the even ones "
              "(0, 2, 4, ...) and cos in the odd ones (1, 3, 5, ...), not all sines first and then all cosines"),
             (interleaved(torch.cos(angles), torch.sin(angles)), "sin goes in the even columns 2i, cos in the odd "
              "columns 2i + 1"),
             (interleaved(torch.sin(_angles(T, d, pair / 2)), torch.cos(_angles(T, d, pair / 2))),
              "the exponent is 2i/d, where i counts the PAIRS of columns (column 2i and 2i + 1), not i/d"),
             (interleaved(torch.sin(by_column[:, 0::2]), torch.cos(by_column[:, 1::2])),
              "columns 2i and 2i + 1 share one frequency, 1 / 10000^(2i/d): the cos column 2i + 1 uses the exponent "
              "2i/d of its pair, not (2i + 1)/d"),
             (interleaved(torch.sin(_angles(T, d, pair, first=1)), torch.cos(_angles(T, d, pair, first=1))),
              "positions count from 0: the first row is pos = 0 (sin 0 = 0, cos 0 = 1)")]
    return [(_numpy(value), hint) for value, hint in found]


def layer_norm_mistakes(x, gamma, beta, eps: float = 1e-5) -> list:
    """(value, hint) of each common mistake of layer normalisation."""
    X, G, B = _tensor(x), _tensor(gamma), _tensor(beta)
    mean, biased = X.mean(-1, keepdim=True), X.var(-1, unbiased=False, keepdim=True)
    found = [(G * (X - mean) / (torch.sqrt(biased) + eps) + B,
              "eps goes inside the square root: (x - mean) / sqrt(var + eps)")]
    if X.shape[-1] > 1:
        found.append((G * (X - mean) / torch.sqrt(X.var(-1, unbiased=True, keepdim=True) + eps) + B,
                      "use the biased variance (divide by D, as np.var does), as nn.LayerNorm does"))
    if X.ndim >= 2 and X.shape[0] > 1:
        found.append((G * (X - X.mean(0)) / torch.sqrt(X.var(0, unbiased=False) + eps) + B,
                      "normalise each vector over its own features, the LAST axis, not each feature over the batch"))
    if X.ndim >= 3:
        axes = tuple(range(1, X.ndim))
        over_all = (X - X.mean(axes, keepdim=True)) / torch.sqrt(X.var(axes, unbiased=False, keepdim=True) + eps)
        found.append((G * over_all + B, "normalise over the last axis only: each vector x[..., :] of D features on its "
                      "own, whatever the leading axes"))
    return [(_numpy(value), hint) for value, hint in found]


# ---- checks the test cells share ----




def check_float64(got, name: str) -> None:
    """Fail if `got` holds floats of less than 64 bits: the rules ask for float64 in and out."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating) and np.finfo(dtype).bits < 64:
        _fail(f"{name} returned {dtype} values: compute in float64, as the rules say",
              f"do not convert to {dtype}: float64 arrays in, float64 arrays out")


STABLE = ("exp of a large score overflows: subtract each row's maximum score (axis=-1, keepdims=True) before np.exp, "
          "which changes no weight")


def check_attention(attend, Q, K, V, mask, name: str, hint: str | None = None) -> None:
    """The student's softmax_attention (wrapped by the rules) against F.scaled_dot_product_attention and the weights
    it uses, without warnings; each failure names the mistake that gives its value, else says `hint` (if given) or
    what to compute. mask=None calls it without a mask, as softmax_attention(Q, K, V)."""
    args = (Q, K, V) if mask is None else (Q, K, V, mask)
    got = unpack(call_quietly(attend, *args, name=name, hint=hint or STABLE), ("out", "weights"), name)
    expected = softmax_attention(*args)
    if (not matches(got[0], expected[0]) and matches(got[0], expected[1]) and matches(got[1], expected[0])):
        _fail(f"{name} returned (weights, out)", "return (out, weights): the output first, as the specification says")
    found = []  # the mistakes, computed once and only if needed

    def known(part):
        def mistakes():
            if not found:
                found.append(attention_mistakes(*args))
            return found[0][part]
        return mistakes

    shapes = {"weights": "the weights are (..., T_q, T_k): one row per query, one column per key",
              "out": "out = weights @ V has shape (..., T_q, d_v)"}
    defaults = {"weights": "softmax over the keys (the last axis) of Q K^T / sqrt(d), with the scores where the mask "
                           "is False set to -inf first", "out": "out = weights @ V"}
    for part, value, want in (("weights", got[1], expected[1]), ("out", got[0], expected[0])):
        what = f"{part} from {name}"
        check_shape(value, np.shape(want), what, hint=shapes[part])
        check_float64(value, what)
        check_named(value, want, what, hint=hint or defaults[part], mistakes=known(part))


def check_mask(made, T: int, name: str, hint: str | None = None) -> None:
    """The student's causal_mask(T) (wrapped by the rules): a boolean (T, T) array, True on and below the diagonal.
    `hint`, if given, is said when the shape is wrong."""
    got = made(T)
    check_shape(got, (T, T), name, hint=hint or "one row per query and one column per key: shape (T, T)")
    dtype = np.asarray(got).dtype
    expect(dtype == np.bool_, f"{name} returned an array of {dtype}, not of booleans",
           hint="return a boolean array (dtype=bool), True where a query may attend: for example "
                "np.tril(np.ones((T, T), dtype=bool)); a float mask of 0s and 1s is not the convention here")
    expected = causal_mask(T)
    ones = torch.ones(T, T, dtype=torch.bool)
    mistakes = {"a query may attend to itself: the diagonal is True as well (keys j <= i, not j < i)":
                ones.tril(-1), "True on and BELOW the diagonal: query i (row i) may attend to the keys j <= i "
                               "(columns 0 .. i), not to the later ones": ones.triu(),
                "that marks the keys a query may NOT attend to (the convention of nn.Transformer's masks); here True "
                "means it MAY attend, on and below the diagonal": ones.triu(1)}
    got = np.asarray(got)
    if not np.array_equal(got, expected):
        said = next((said for said, wrong in mistakes.items() if np.array_equal(got, wrong.numpy())),
                    "True where the key's position j is at most the query's position i (row i, column j)")
        rows, cols = np.nonzero(got != expected)
        row, col = int(rows[0]), int(cols[0])
        _fail(f"{name} is wrong at row {row}, column {col}: expected {bool(expected[row, col])}, got {got[row, col]!r}",
              said)


def random_params(d_model: int, seed: int, scale: float = 1.0) -> dict:
    """Random weights (d_model, d_model) and biases (d_model,) of multi_head_attention, with this scale."""
    rng = np.random.default_rng(seed)
    weights = {f"W_{p}": rng.normal(scale=scale / math.sqrt(d_model), size=(d_model, d_model)) for p in "qkvo"}
    return weights | {f"b_{p}": rng.normal(scale=0.5, size=d_model) for p in "qkvo"}


def check_heads(mha, x, params, heads: int, mask, name: str, hint: str | None = None) -> None:
    """The student's multi_head_attention (wrapped by the rules, with the reference softmax_attention) against
    nn.MultiheadAttention, without warnings; a failure names the mistake that gives its value. mask=None calls it
    without a mask."""
    args = (x, params, heads) if mask is None else (x, params, heads, mask)
    got = call_quietly(mha, *args, name=name, hint=hint or STABLE)
    check_shape(got, np.shape(x), name, hint="the output has the shape of x, (N, T, d_model): the heads' outputs "
                "concatenated back to d_model features, then projected by W_o")
    check_float64(got, name)
    check_named(got, multi_head_attention(*args), name, hint=hint or "project (x @ W + b), split the features into "
                "heads, attend within each head, concatenate the heads in order, project with W_o and add b_o",
                mistakes=lambda: heads_mistakes(*args))


def check_positions(positions, T: int, d: int, name: str, hint: str | None = None) -> None:
    """The student's sinusoidal_positions (wrapped by the rules) against the formula computed by torch."""
    got = positions(T, d)
    check_shape(got, (T, d), name, hint=hint or "one row per position and one column per feature: (T, d)")
    check_float64(got, name)
    check_named(got, sinusoidal_positions(T, d), name, hint=hint or "PE[pos, 2i] = sin(pos / 10000**(2i/d)) and "
                "PE[pos, 2i+1] = cos(pos / 10000**(2i/d)), for pos = 0 .. T-1 and i = 0 .. d/2 - 1",
                mistakes=lambda: positions_mistakes(T, d))


def check_layer_norm(ln, x, gamma, beta, name: str, hint: str | None = None, **settings) -> None:
    """The student's layer_norm (wrapped by the rules) against F.layer_norm, a failure naming the mistake that gives
    its value, else saying `hint` (if given) or what to compute. `settings`: eps, if not the default."""
    got = ln(x, gamma, beta, **settings)
    check_shape(got, np.shape(x), name, hint="out has the shape of x: normalise over the last axis, keeping the "
                "others (keepdims=True)")
    check_float64(got, name)
    check_named(got, layer_norm(x, gamma, beta, **settings), name,
                hint=hint or "gamma * (x - mean) / sqrt(var + eps) + beta, with the mean and biased variance of each "
                             "vector x[..., :] over its last axis",
                mistakes=lambda: layer_norm_mistakes(x, gamma, beta, **settings))


# ---- build_transformer_lm: its checks and its fixed training ----

def text_split() -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """The recurrent networks chapter's split of the book's text (dlbook.char_split): its characters in order (the
    vocabulary), and the ids of the first 90 % of the text (training) and of the rest (held out)."""
    split = char_split(load_text())
    return split.chars, split.train_ids, split.val_ids


def held_out(ids: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The held-out text cut into consecutive windows of `length` characters (inputs) and the targets after them."""
    n = (len(ids) - 1) // length
    return ids[:n * length].reshape(n, length), ids[1:n * length + 1].reshape(n, length)


def _logits(model, x: torch.Tensor, name: str) -> torch.Tensor:
    """The model's output on x, without gradients and in eval mode (the mode is restored), checked to be a tensor."""
    was_training = model.training
    try:
        with torch.no_grad():
            out = model.eval()(x)
    except Exception as error:  # the model's own error, said with the input that raised it
        _fail(f"{name} raised {type(error).__name__} on a batch of shape {tuple(x.shape)}: {error}",
              "the model maps token ids (B, T), for any B >= 1 and 1 <= T <= context, to logits (B, T, vocab)")
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        _fail(f"{name} returned {type(out).__name__}, not a tensor of logits",
              "forward(x) returns one tensor, the logits (B, T, vocab)")
    return out


def check_network(model, another, vocab: int, context: int, name: str) -> None:
    """The rules of build_transformer_lm for two models it built: new ones on each call, each a torch.nn.Module
    mapping token ids (B, T) to finite logits (B, T, vocab) for T = context, a shorter T and T = 1, B = 1 too; and
    logits, not probabilities."""
    untampered()
    if not isinstance(model, torch.nn.Module):
        _fail(f"{name} returned {type(model).__name__}, not a torch.nn.Module",
              "return an instance of your own nn.Module subclass (or an nn.Sequential)")
    shared = {id(p) for p in torch.nn.Module.parameters(model)} & {id(p) for p in torch.nn.Module.parameters(another)}
    if another is model or shared:
        _fail(f"{name} returned the same model (or the same layers) on two calls",
              "build a new model on every call: the tests train it from scratch, so create the layers inside "
              "build_transformer_lm (in your module's __init__), not once outside it")
    generator = torch.Generator().manual_seed(vocab * 1000 + context)
    for B, T in ((2, context), (3, max(1, context // 2 - 1)), (1, 1)):
        x = torch.randint(vocab, (B, T), generator=generator)
        out = _logits(model, x, f"{name}'s model")
        if tuple(out.shape) != (B, T, vocab):
            _fail(f"{name}'s model maps token ids of shape {(B, T)} to {tuple(out.shape)}, expected {(B, T, vocab)}",
                  "one vector of vocab logits per position: keep the batch and time axes (no squeeze, no flatten), "
                  "and end with a linear layer to vocab outputs")
        if not torch.isfinite(out).all():
            _fail(f"{name}'s model returned NaN or infinite logits on token ids of shape {(B, T)}",
                  "a row of the attention mask that blocks every key gives NaN: each position must see itself. "
                  "nn.TransformerEncoderLayer and nn.MultiheadAttention take a boolean mask with True where a query "
                  "may NOT attend (the opposite of this assignment's causal_mask): pass ~causal_mask, or "
                  "nn.Transformer.generate_square_subsequent_mask(T)")
    probabilities(out, name)


def probabilities(out: torch.Tensor, name: str) -> None:
    """Fail if `out` (..., vocab) looks like probabilities: all in [0, 1], each position's summing to 1."""
    if float(out.min()) >= 0 and float(out.max()) <= 1 and torch.allclose(out.sum(-1), torch.ones(())):
        _fail(f"{name}'s model returns probabilities (each position's outputs lie in [0, 1] and sum to 1), not logits",
              "remove the final softmax: F.cross_entropy applies it to the logits itself")


def check_causal(model, vocab: int, T: int, seed: int, name: str) -> None:
    """The logits at positions 0 .. t do not change when the tokens after t do, for t = 0, T // 2 and T - 2 (in eval
    mode, on two sequences of T random tokens)."""
    untampered()
    generator = torch.Generator().manual_seed(seed)
    x = torch.randint(vocab, (2, T), generator=generator)
    before = _logits(model, x, f"{name}'s model")
    for t in sorted({0, T // 2, T - 2} - {-1, T - 1}):
        changed = x.clone()
        changed[:, t + 1:] = (x[:, t + 1:] + torch.randint(1, vocab, (2, T - t - 1), generator=generator)) % vocab
        after = _logits(model, changed, f"{name}'s model")
        moved = float((after[:, :t + 1] - before[:, :t + 1]).abs().max())
        scale = float(before.abs().max()) + 1.0
        if not moved <= 1e-4 * scale:
            _fail(f"{name}'s model looks into the future: changing the tokens after position {t} of {T} changed its "
                  f"logits at positions 0 .. {t} (by up to {moved:.3g})",
                  "each position may attend only to itself and the positions before it: pass a causal mask to every "
                  "attention layer (nn.TransformerEncoderLayer: src_mask=~causal_mask(T) as a tensor, or "
                  "nn.Transformer.generate_square_subsequent_mask(T)), and mix nothing across time elsewhere")


def check_uses_positions(build, vocab: int, seed: int, name: str) -> None:
    """A one-layer model from build (d_model 16, 2 heads, context 8), after 10 steps of Adam on the text (so that
    positional parameters initialised at zero are no longer zero): swapping the first two tokens of a sequence must
    change the logits at its last position. Without positions a single attention layer sees its keys as a set: the
    logits there could not change."""
    untampered()
    chars, train_ids, _ = text_split()
    seed_everything(seed)
    model = build(vocab, d_model=16, heads=2, layers=1, context=8)
    expect(isinstance(model, torch.nn.Module), f"{name} returned {type(model).__name__}, not a torch.nn.Module")
    untampered()
    optimizer = torch.optim.Adam(list(torch.nn.Module.parameters(model)), lr=1e-2)
    generator = torch.Generator().manual_seed(seed)
    ids = train_ids % vocab
    for _ in range(10):
        x, y = text_windows(ids, 8, 8, generator)
        loss = F.cross_entropy(model.train()(x).reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    untampered()
    x = torch.randint(vocab, (4, 8), generator=generator)
    x[:, 1] = (x[:, 0] + torch.randint(1, vocab, (4,), generator=generator)) % vocab  # two different tokens
    swapped = x.clone()
    swapped[:, [0, 1]] = x[:, [1, 0]]
    last, other = _logits(model, x, f"{name}'s model")[:, -1], _logits(model, swapped, f"{name}'s model")[:, -1]
    moved = float((last - other).abs().max())
    expect(moved > 1e-4 * (float(last.abs().max()) + 1.0),
           f"{name}'s model (one layer) gives the same logits at the last position when the first two tokens swap "
           f"places (they moved by {moved:.2g}): it does not know where the tokens are",
           hint="add positional information to the token embeddings, before the first attention layer (sinusoidal "
                "positions or a learned nn.Embedding(context, d_model) of the positions 0 .. T-1, not of the tokens): "
                "attention alone treats its keys as a set, and positions added after the attention layers (or to "
                "the logits) come too late for it")


def check_size(build, vocab: int, name: str, d_model: int = 16, heads: int = 2, context: int = 8) -> None:
    """More layers and a larger d_model give more parameters: the model honours its arguments (1 and 3 layers,
    d_model and 2 * d_model)."""
    untampered()

    def count(**settings):
        model = build(vocab, heads=heads, context=context, **settings)
        return sum(p.numel() for p in torch.nn.Module.parameters(model))

    small = count(d_model=d_model, layers=1)
    expect(count(d_model=d_model, layers=3) > small,
           f"{name} built models of the same size for layers=1 and layers=3 (d_model={d_model}, heads={heads})",
           hint="stack `layers` transformer blocks: use the arguments, not fixed numbers")
    expect(count(d_model=2 * d_model, layers=1) > small,
           f"{name} built models of the same size for d_model={d_model} and d_model={2 * d_model}",
           hint="use d_model as the size of the embeddings and of every block: use the arguments, not fixed numbers")


def train(build, seed: int) -> tuple[torch.nn.Module, float]:
    """A model from build(vocab, D_MODEL, HEADS, LAYERS, CONTEXT) trained with the fixed budget (STEPS steps of Adam
    with LEARNING_RATE on batches of BATCH_SIZE random windows of CONTEXT characters of the training text, on one
    CPU thread, within CPU_SECONDS of CPU time), and its held-out bits per character."""
    # Everything the training uses is bound here, before build() runs the student's code.
    chars, train_ids, val_ids = text_split()
    vocab, cpu, adam, cross_entropy = len(chars), torch.device("cpu"), torch.optim.Adam, F.cross_entropy
    log2 = math.log(2)
    fit_, evaluate_, parameters_of, untampered_ = fit, evaluate, torch.nn.Module.parameters, untampered

    def loss(logits, targets):  # mean cross-entropy over every position of every window, in nats
        return cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # parallel grading must not oversubscribe the cores; CPU time is then comparable
    try:
        with time_limit(CPU_SECONDS, f"training build_transformer_lm's model ({STEPS} steps, one thread)",
                        hint="the solution's model trains in about 3.5 s of CPU time. nn.TransformerEncoderLayer's "
                             "dim_feedforward defaults to 2048: use 4 * d_model"):
            seed_everything(seed)
            model = build(vocab, d_model=D_MODEL, heads=HEADS, layers=LAYERS, context=CONTEXT)
            untampered_()
            optimizer = adam(list(parameters_of(model)), lr=LEARNING_RATE)
            data = text_windows(train_ids, STEPS * BATCH_SIZE, CONTEXT, torch.Generator().manual_seed(seed))
            fit_(model, data, loss, optimizer, epochs=1, batch_size=BATCH_SIZE, device=cpu, metric=None,
                 progress=False)
            bits = evaluate_(model, held_out(val_ids, CONTEXT), loss, device=cpu, metric=None)["loss"] / log2
    finally:
        torch.set_num_threads(threads)
    untampered_()
    return model, bits


def check_trained(model, bits: float, seed: int, name: str) -> None:
    """The trained model returns logits (not probabilities) and reached MAX_BITS held-out bits per character."""
    chars, _, val_ids = text_split()
    x, _ = held_out(val_ids, CONTEXT)
    probabilities(_logits(model, x[:4], f"{name}'s trained"), f"{name}'s trained")
    expect(math.isfinite(bits) and bits < MAX_BITS,
           f"after the fixed training (seed {seed}) {name}'s model reached {bits:.3f} bits per character on the "
           f"held-out text; it must reach less than {MAX_BITS}",
           hint="the solution's model (token and learned position embeddings, two pre-norm nn.TransformerEncoderLayer "
                "blocks with dropout=0 and dim_feedforward=4*d_model, a final nn.LayerNorm and a linear layer to the "
                "vocabulary) reaches about 3.0; check the causal mask, the positions and the learning signal")


# One training step of Adam and one pass through nn.MultiheadAttention first: the first optimizer step loads
# torch._dynamo, which wraps some torch functions once, and each optimizer class wraps its own `step` once; recorded
# before that, they would look replaced by the notebook.
_layer = torch.nn.Linear(2, 2)
_optimizer = torch.optim.Adam(_layer.parameters())
_layer(torch.ones(1, 2)).sum().backward()
_optimizer.step()
_eye = numpy.eye(2)
_multi_head_attention(_eye[None], {f"{w}_{p}": _eye if w == "W" else _eye[0] for w in "Wb" for p in "qkvo"}, 1, None)
_layer_norm(_eye, _eye[0], _eye[0], 1e-5)
del _layer, _optimizer, _eye
untampered = guard(*_GUARDED)  # the references and the training check these, besides what check_untampered watches
check_untampered()  # records torch, torch.optim and dlbook.training as they are, before any student code runs
read_only(__name__)  # solution cells cannot swap the references for their own functions
