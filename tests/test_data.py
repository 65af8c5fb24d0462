"""Are the offline data sets what scikit-learn (or the stated formula) says they are?"""

import string
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_moons

import dlbook
from dlbook import data


def test_digits_split_shapes_scale_and_dtypes():
    split = data.load_digits_split()
    assert split.X_train.shape == (1437, 1, 8, 8) and split.X_test.shape == (360, 1, 8, 8)
    assert split.X_train.dtype == torch.float32 and split.y_train.dtype == torch.int64
    assert 0.0 <= split.X_train.min() and split.X_train.max() == 1.0


def test_digits_split_is_a_fixed_partition_of_sklearn_digits():
    digits = load_digits()
    split = data.load_digits_split(flat=True)
    again = data.load_digits_split(flat=True)
    assert torch.equal(split.X_train, again.X_train) and torch.equal(split.y_test, again.y_test)
    ours = np.concatenate([split.X_train.numpy(), split.X_test.numpy()]) * 16
    labels = np.concatenate([split.y_train.numpy(), split.y_test.numpy()])
    # every sklearn image appears exactly once, with its own label
    order_ours = np.lexsort(np.column_stack([ours, labels]).T)
    order_ref = np.lexsort(np.column_stack([digits.data, digits.target]).T)
    np.testing.assert_allclose(ours[order_ours], digits.data[order_ref], atol=1e-5)
    np.testing.assert_array_equal(labels[order_ours], digits.target[order_ref])


def test_digits_split_is_stratified_and_seeded():
    split = data.load_digits_split()
    counts = torch.bincount(split.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 20 % of 174..183 images per class
    other = data.load_digits_split(seed=1)
    assert not torch.equal(split.y_test, other.y_test)


def test_moons_match_sklearn():
    X, y = data.make_moons_data(n=100, noise=0.1, seed=3)
    X_ref, y_ref = make_moons(n_samples=100, noise=0.1, random_state=3)
    np.testing.assert_allclose(X.numpy(), X_ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(y.numpy(), y_ref)
    assert X.dtype == torch.float32 and y.dtype == torch.int64


def test_ring_points_lie_near_their_mode_centres():
    X, mode = data.make_ring_data(4000, modes=8, radius=2.0, std=0.05, seed=0)
    assert X.shape == (4000, 2) and mode.shape == (4000,)
    angle = 2 * np.pi * mode.numpy() / 8
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    offsets = X.numpy() - centres
    assert np.abs(offsets.std(axis=0) - 0.05).max() < 0.005
    assert np.abs(offsets.mean(axis=0)).max() < 0.005
    assert set(mode.tolist()) == set(range(8))
    X2, _ = data.make_ring_data(4000, modes=8, radius=2.0, std=0.05, seed=0)
    assert torch.equal(X, X2)


@pytest.mark.parametrize("op, python_op", [("and", lambda a, b: a and b), ("or", lambda a, b: a or b),
                                           ("xor", lambda a, b: a != b), ("nand", lambda a, b: not (a and b))])
def test_truth_tables_match_python_logic(op, python_op):
    X, y = data.truth_table(op)
    assert X.shape == (4, 2)
    for (a, b), out in zip(X, y):
        assert out == int(python_op(bool(a), bool(b)))


def test_truth_table_rejects_unknown_gates():
    with pytest.raises(ValueError, match="unknown gate"):
        data.truth_table("implies")


def test_load_text_reads_the_shipped_text_and_rejects_unknown_names():
    text = dlbook.load_text()
    shipped = (Path(dlbook.data.__file__).parent / "texts" / "learning_machines.txt").read_text(encoding="utf-8")
    assert text == shipped and len(text) > 10_000
    assert set(text) <= set(string.printable), "plain ASCII keeps the character vocabulary small"
    with pytest.raises(ValueError, match="learning_machines"):
        dlbook.load_text("no such text")


def test_char_split_is_the_recurrent_chapters_vocabulary_and_split():
    text = dlbook.load_text()
    split = dlbook.char_split(text)
    assert split.chars == sorted(set(text)) and len(split.chars) == len(set(text))
    assert all(split.chars[i] == ch for ch, i in split.index.items())
    ids = torch.cat([split.train_ids, split.val_ids])
    assert ids.dtype == torch.int64 and "".join(split.chars[i] for i in ids.tolist()) == text  # nothing lost
    assert len(split.train_ids) == int(0.9 * len(text))
    assert len(dlbook.char_split("abcd" * 5, train_fraction=0.5).train_ids) == 10


def test_text_windows_are_slices_and_their_next_symbols():
    source = torch.arange(100) * 7
    x, y = dlbook.text_windows(source, 16, 10, torch.Generator().manual_seed(3))
    assert x.shape == y.shape == (16, 10) and x.dtype == source.dtype
    for window, target in zip(x, y):
        start = int(window[0]) // 7
        assert torch.equal(window, source[start:start + 10]) and torch.equal(target, source[start + 1:start + 11])
    again, _ = dlbook.text_windows(source, 16, 10, torch.Generator().manual_seed(3))
    assert torch.equal(x, again)  # the generator alone decides the positions
    starts = torch.randint(100 - 10 - 1, (16,), generator=torch.Generator().manual_seed(3))
    assert torch.equal(x[:, 0], source[starts])  # the draw the recurrent-networks chapter makes
    x_cpu, y_cpu = dlbook.text_windows(source, 2, 5, torch.Generator(), device=torch.device("cpu"))
    assert x_cpu.device.type == y_cpu.device.type == "cpu"
