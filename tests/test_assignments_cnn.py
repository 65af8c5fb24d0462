"""The references and checks of the cnn assignment (dlbook.assignments.cnn), against the formulas and NumPy."""

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.assignments import cnn


def test_conv_output_size_is_the_floor_formula():
    for n in range(1, 12):
        for k in range(1, 6):
            for stride in (1, 2, 3):
                for padding in (0, 1, 2):
                    if k <= n + 2 * padding:
                        size = cnn.conv_output_size(n, k, stride, padding)
                        assert type(size) is int and size == (n + 2 * padding - k) // stride + 1


def test_conv2d_and_max_pool2d_match_sums_and_maxima_written_out():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    stride, padding = 2, 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = cnn.conv2d(x, w, b, stride, padding)
    assert out.shape == (2, 4, 4, 4) and out.dtype == np.float64
    for i in range(4):
        for j in range(4):
            patch = xp[:, :, stride * i:stride * i + 3, stride * j:stride * j + 2]
            expected = np.einsum("nchw,fchw->nf", patch, w) + b
            np.testing.assert_allclose(out[:, :, i, j], expected, atol=1e-12)
    np.testing.assert_allclose(cnn.conv2d(x, w, None, stride, padding), out - b[:, None, None], atol=1e-12)
    pooled = cnn.max_pool2d(x, 3, 2)
    assert pooled.shape == (2, 3, 3, 2)
    assert pooled[1, 2, 2, 1] == x[1, 2, 4:7, 2:5].max()
    assert np.array_equal(cnn.max_pool2d(x), x[:, :, :6, :6].reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5)))


def solution():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.LazyLinear(64), nn.ReLU(), nn.Linear(64, 10))


def test_count_parameters_materialises_lazy_layers_and_ignores_an_overridden_parameters():
    model = solution()
    assert cnn.count_parameters(model) == 160 + 4640 + 128 * 64 + 64 + 650
    model.parameters = lambda recurse=True: iter([])
    assert cnn.count_parameters(model) == 13_706


class Squeezed(nn.Sequential):
    """A network that drops the batch axis of a batch of one."""

    def forward(self, x):
        return super().forward(x).squeeze()


def test_check_network_names_the_broken_rule():
    cnn.check_network(solution(), solution())
    net, layers = solution(), [nn.Conv2d(1, 1, 8), nn.Flatten(), nn.Linear(1, 10)]
    mlp = lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    big = lambda: nn.Sequential(nn.Conv2d(1, 128, 3, padding=1), nn.Flatten(), nn.Linear(8192, 10))
    cases = [(net, net, "same network"), (nn.Sequential(*layers), nn.Sequential(*layers), "same layers"),
             (mlp(), mlp(), "no convolution"), (big(), big(), "the limit is 50,000"),
             (nn.Conv2d(1, 10, 8), nn.Conv2d(1, 10, 8), "expected \\(5, 10\\)"), (3, 4, "not a torch"),
             (Squeezed(nn.Conv2d(1, 1, 8), nn.Flatten(), nn.Linear(1, 10)),
              Squeezed(nn.Conv2d(1, 1, 8), nn.Flatten(), nn.Linear(1, 10)), "batch of one")]
    for first, second, message in cases:
        with pytest.raises(AssertionError, match=message):
            cnn.check_network(first, second)


def test_check_logits_rejects_probabilities_and_accepts_log_probabilities():
    torch.manual_seed(0)
    cnn.check_logits(nn.Sequential(nn.Flatten(), nn.Linear(64, 10), nn.LogSoftmax(dim=1)))
    with pytest.raises(AssertionError, match="not logits"):
        cnn.check_logits(nn.Sequential(nn.Flatten(), nn.Linear(64, 10), nn.Softmax(dim=1)))


def test_train_reaches_the_accuracy_on_one_thread_within_its_budget():
    threads = torch.get_num_threads()
    model, accuracy = cnn.train(solution, seed=0)
    assert accuracy >= cnn.MIN_ACCURACY and torch.get_num_threads() == threads
    assert isinstance(model, nn.Sequential)
