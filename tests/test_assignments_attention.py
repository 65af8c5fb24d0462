"""The attention assignment's references and helpers (dlbook.assignments.attention), checked against NumPy formulas
written out here, cases worked out by hand and small PyTorch models, never against themselves."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.assignments import attention as reference


def numpy_attention(Q, K, V, mask=None):
    """softmax(Q K^T / sqrt(d)) V with masked scores at -inf, one query at a time."""
    lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2])
    keep = np.broadcast_to(True if mask is None else mask, lead + (Q.shape[-2], K.shape[-2]))
    weights = np.zeros(lead + (Q.shape[-2], K.shape[-2]))
    for index in np.ndindex(*lead):
        for i in range(Q.shape[-2]):
            scores = K[index] @ Q[index][i] / math.sqrt(Q.shape[-1])
            allowed = keep[index][i]
            e = np.exp(scores[allowed] - scores[allowed].max())
            weights[index][i][allowed] = e / e.sum()
    return weights @ V, weights


def numpy_heads(x, params, heads, mask=None):
    """Multi-head attention with a loop over the heads and the x @ W + b convention."""
    d_head = x.shape[-1] // heads
    Q, K, V = (x @ params[f"W_{p}"] + params[f"b_{p}"] for p in "qkv")
    outs = []
    for h in range(heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        outs.append(numpy_attention(Q[..., cols], K[..., cols], V[..., cols], mask)[0])
    return np.concatenate(outs, axis=-1) @ params["W_o"] + params["b_o"]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_softmax_attention_is_the_formula_for_any_leading_axes_and_masks(rng):
    cases = [((3, 4), (5, 4), (5, 2), None),
             ((2, 3, 4), (2, 5, 4), (2, 5, 6), rng.random((3, 5)) < 0.6),
             ((2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 1), np.tril(np.ones((4, 4), dtype=bool))),
             ((3, 2, 8), (3, 6, 8), (3, 6, 5), (np.arange(6) < np.array([6, 1, 3])[:, None])[:, None, :])]
    for q, k, v, mask in cases:
        if mask is not None:
            mask = mask | (np.arange(mask.shape[-1]) == 0)  # every query keeps a key
        Q, K, V = rng.normal(size=q), rng.normal(size=k), rng.normal(size=v)
        out, weights = reference.softmax_attention(Q, K, V, mask)
        expected_out, expected_weights = numpy_attention(Q, K, V, mask)
        np.testing.assert_allclose(weights, expected_weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out, expected_out, rtol=1e-12, atol=1e-12)
        if mask is not None:
            assert (weights[..., ~np.broadcast_to(mask, weights.shape)] == 0).all()  # exactly 0 where masked


def test_softmax_attention_is_stable_and_ignores_masked_keys_whatever_their_score():
    out, weights = reference.softmax_attention(np.array([[1000.0], [-1000.0]]), np.array([[1.0], [-1.0], [0.1]]),
                                               np.eye(3))
    np.testing.assert_allclose(weights, [[1, 0, 0], [0, 1, 0]], atol=1e-300)
    np.testing.assert_array_equal(out, weights)
    out, weights = reference.softmax_attention(np.array([[1000.0]]), np.array([[1.0], [0.0], [0.001]]), np.eye(3),
                                               np.array([[False, True, True]]))
    s = np.array([0.0, 1.0])  # the scores left: 0 and 1000 * 0.001
    np.testing.assert_allclose(weights, [[0.0, *np.exp(s) / np.exp(s).sum()]], rtol=1e-12)


def test_causal_mask_is_the_lower_triangle():
    np.testing.assert_array_equal(reference.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    for T in (1, 5, 40):
        mask = reference.causal_mask(T)
        assert mask.dtype == bool and mask.shape == (T, T)
        np.testing.assert_array_equal(mask, np.arange(T)[:, None] >= np.arange(T))


def test_multi_head_attention_is_heads_of_the_formula(rng):
    for (N, T, d_model), heads, mask in (((2, 5, 8), 2, None), ((3, 6, 12), 3, np.tril(np.ones((6, 6), dtype=bool))),
                                         ((1, 1, 4), 4, None), ((2, 4, 6), 1, np.eye(4, dtype=bool))):
        x, params = rng.normal(size=(N, T, d_model)), reference.random_params(d_model, seed=T)
        np.testing.assert_allclose(reference.multi_head_attention(x, params, heads, mask),
                                   numpy_heads(x, params, heads, mask), rtol=1e-10, atol=1e-12)


def test_random_params_are_the_shapes_of_the_specification():
    params = reference.random_params(6, seed=1)
    assert sorted(params) == ["W_k", "W_o", "W_q", "W_v", "b_k", "b_o", "b_q", "b_v"]
    assert all(params[f"W_{p}"].shape == (6, 6) and params[f"b_{p}"].shape == (6,) for p in "qkvo")
    np.testing.assert_array_equal(params["W_q"], reference.random_params(6, seed=1)["W_q"])


def test_sinusoidal_positions_by_hand_and_as_rotations():
    np.testing.assert_allclose(reference.sinusoidal_positions(2, 4),
                               [[0, 1, 0, 1], [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)]], rtol=1e-15)
    np.testing.assert_allclose(reference.sinusoidal_positions(5, 2), np.stack([np.sin(np.arange(5)),
                                                                              np.cos(np.arange(5))], 1), rtol=1e-15)
    pe, k = reference.sinusoidal_positions(30, 8), 3
    for i in range(4):  # each pair of columns moves by a fixed rotation from pos to pos + k
        w = 1 / 10000 ** (2 * i / 8)
        rotation = np.array([[math.cos(k * w), -math.sin(k * w)], [math.sin(k * w), math.cos(k * w)]])
        np.testing.assert_allclose(pe[k:, 2 * i:2 * i + 2], pe[:-k, 2 * i:2 * i + 2] @ rotation, atol=1e-12)


def test_layer_norm_is_the_formula(rng):
    for shape in ((4,), (3, 4), (2, 3, 4)):
        x, gamma, beta = rng.normal(size=shape) + 100, rng.normal(size=4), rng.normal(size=4)
        mean = x.mean(axis=-1, keepdims=True)
        for eps in (1e-5, 2.0):
            expected = gamma * (x - mean) / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + eps) + beta
            np.testing.assert_allclose(reference.layer_norm(x, gamma, beta, eps), expected, atol=1e-10)


def test_the_mistakes_are_what_their_answers_return(rng):
    Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 6))
    mask = rng.random((3, 5)) < 0.6
    mask[:, 0] = True
    found = {hint.split(":")[0]: value for value, hint in reference.attention_mistakes(Q, K, V, mask)["weights"]}
    unscaled = numpy_attention(Q * math.sqrt(4), K, V, mask)[1]
    np.testing.assert_allclose(found["divide the scores by sqrt(d) before the softmax"], unscaled, rtol=1e-12)
    plain = numpy_attention(Q, K, V)[1]
    np.testing.assert_allclose(found[reference.MASK_BEFORE.split(":")[0]], plain * mask, rtol=1e-12)
    x, params = rng.normal(size=(2, 5, 8)), reference.random_params(8, seed=3)
    found = {hint.split(":")[0]: value for value, hint in reference.heads_mistakes(x, params, 2)}
    np.testing.assert_allclose(found["multiply the concatenated heads by W_o and add b_o"],
                               numpy_heads(x, params | {"W_o": np.eye(8), "b_o": np.zeros(8)}, 2), rtol=1e-10)
    every_other = np.r_[0:8:2, 1:8:2]  # head 0 takes the columns 0, 2, 4, 6 and head 1 the rest: permuted weights
    strided = {k: v[..., every_other] if k != "W_o" else v[every_other] for k, v in params.items() if k != "b_o"}
    strided["b_o"] = params["b_o"]
    found_strided = [v for v, h in reference.heads_mistakes(x, params, 2) if "every heads-th column" in h][0]
    np.testing.assert_allclose(found_strided, numpy_heads(x, strided, 2), rtol=1e-10)
    concatenated = [v for v, h in reference.positions_mistakes(3, 4) if "sines first" in h][0]
    angles = np.arange(3)[:, None] / 10000 ** (np.array([0, 2]) / 4)
    np.testing.assert_allclose(concatenated, np.concatenate([np.sin(angles), np.cos(angles)], 1), rtol=1e-15)
    x, gamma, beta = rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=3)
    over_batch = [v for v, h in reference.layer_norm_mistakes(x, gamma, beta) if "over the batch" in h][0]
    np.testing.assert_allclose(over_batch, gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + beta, rtol=1e-12)


def test_check_attention_names_mistakes_and_accepts_a_list(rng):
    Q, K, V = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))

    def right(Q, K, V, mask=None):
        return list(numpy_attention(Q, K, V, mask))

    reference.check_attention(right, Q, K, V, None, "a")
    with pytest.raises(AssertionError, match=r"returned \(weights, out\)"):
        reference.check_attention(lambda *args: right(*args)[::-1], Q, K, V, None, "a")
    with pytest.raises(AssertionError, match="not by d"):
        reference.check_attention(lambda Q, K, V: numpy_attention(Q / math.sqrt(4), K, V), Q, K, V, None, "a")
    with pytest.raises(AssertionError, match="returned float32 values"):
        reference.check_attention(lambda Q, K, V: [a.astype(np.float32) for a in right(Q, K, V)], Q, K, V, None, "a")
    with pytest.raises(AssertionError, match="warned: overflow"):
        def unstable(Q, K, V):
            e = np.exp(Q @ K.T)
            return (e / e.sum(1, keepdims=True)) @ V, e / e.sum(1, keepdims=True)
        reference.check_attention(unstable, 1000 * Q, K, V, None, "a")


def test_check_mask_names_the_triangles():
    reference.check_mask(lambda T: np.tri(T, dtype=bool), 4, "m")
    for wrong, said in ((lambda T: np.tri(T, k=-1, dtype=bool), "may attend to itself"),
                        (lambda T: np.triu(np.ones((T, T), dtype=bool)), "True on and BELOW"),
                        (lambda T: np.triu(np.ones((T, T), dtype=bool), 1), "may NOT attend"),
                        (lambda T: np.tri(T), "not of booleans"),
                        (lambda T: np.tri(4, dtype=bool), r"has shape \(4, 4\), expected \(5, 5\)")):
        with pytest.raises(AssertionError, match=said):
            reference.check_mask(wrong, 5, "m")


def test_text_split_is_the_recurrent_chapters():
    chars, train_ids, val_ids = reference.text_split()
    text = reference.load_text()
    assert chars == sorted(set(text)) and len(chars) == 53
    assert len(train_ids) == int(0.9 * len(text)) and len(train_ids) + len(val_ids) == len(text)
    assert "".join(chars[i] for i in val_ids[:50]) == text[len(train_ids):len(train_ids) + 50]
    x, y = reference.held_out(val_ids, 32)
    assert x.shape == y.shape == ((len(val_ids) - 1) // 32, 32)
    torch.testing.assert_close(x.flatten()[1:], y.flatten()[:-1])


class TinyLM(nn.Module):
    """A one-block language model with the switches the checks are about."""

    def __init__(self, vocab, d_model=16, heads=2, layers=1, context=8, causal=True, positions=True, softmax=False):
        super().__init__()
        self.causal, self.use_positions, self.softmax = causal, positions, softmax
        self.tokens, self.positions = nn.Embedding(vocab, d_model), nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout=0.0,
                                                               batch_first=True) for _ in range(layers))
        self.head = nn.Linear(d_model, vocab)

    def forward(self, x):
        T = x.shape[1]
        h = self.tokens(x) + (self.positions(torch.arange(T)) if self.use_positions else 0)
        for block in self.blocks:
            h = block(h, src_mask=torch.ones(T, T, dtype=torch.bool).triu(1) if self.causal else None)
        logits = self.head(h)
        return logits.softmax(-1) if self.softmax else logits


def test_the_language_model_checks_pass_a_right_model_and_name_each_mistake():
    def build(vocab, **settings):
        return TinyLM(vocab, **settings)

    reference.check_network(TinyLM(11), TinyLM(11), 11, 8, "b")
    reference.check_causal(TinyLM(11), 11, 8, 0, "b")
    reference.check_uses_positions(build, 11, 0, "b")
    reference.check_size(build, 11, "b")
    model = TinyLM(11)
    with pytest.raises(AssertionError, match="the same model"):
        reference.check_network(model, model, 11, 8, "b")
    with pytest.raises(AssertionError, match="not logits"):
        reference.check_network(TinyLM(11, softmax=True), TinyLM(11), 11, 8, "b")
    with pytest.raises(AssertionError, match="looks into the future"):
        reference.check_causal(TinyLM(11, causal=False), 11, 8, 0, "b")
    with pytest.raises(AssertionError, match="does not know where the tokens are"):
        reference.check_uses_positions(lambda vocab, **s: TinyLM(vocab, positions=False, **s), 11, 0, "b")
    with pytest.raises(AssertionError, match="raised IndexError"):
        reference.check_network(TinyLM(11, context=8), TinyLM(11, context=8), 11, 16, "b")
    with pytest.raises(AssertionError, match="same size for layers=1 and layers=3"):
        reference.check_size(lambda vocab, **s: TinyLM(vocab), 11, "b")
    with pytest.raises(AssertionError, match="it must reach less than 3.25"):
        reference.check_trained(TinyLM(53, context=32), 3.3, 0, "b")
    reference.check_trained(TinyLM(53, context=32), 3.2, 0, "b")


@pytest.mark.parametrize("owner, name", [(torch.nn.MultiheadAttention, "forward"), (torch.nn.Module, "__call__"),
                                         (torch.optim.Adam, "step"), (torch.nn.LayerNorm, "forward")])
def test_the_references_refuse_a_replaced_method(owner, name, rng):
    x, params = rng.normal(size=(1, 2, 4)), reference.random_params(4, seed=0)
    had, original = name in vars(owner), vars(owner).get(name)
    setattr(owner, name, lambda self, *args, **kwargs: None)
    try:
        with pytest.raises(AssertionError, match=f"{owner.__name__}.{name} replaced by code in this notebook"):
            reference.multi_head_attention(x, params, 2)
    finally:
        if had:
            setattr(owner, name, original)
        else:
            delattr(owner, name)
    reference.multi_head_attention(x, params, 2)  # fine again


def test_the_module_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        reference.softmax_attention = lambda *args, **kwargs: None
