"""Does device() pick the best backend, and does seed_everything() make runs repeatable?"""

import random

import numpy as np
import torch

import dlbook
from dlbook import runtime


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert runtime.device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert runtime.device() == torch.device("cpu")


def test_device_is_usable_for_tensors():
    dev = dlbook.device()
    x = torch.ones(3, device=dev)
    assert x.device.type == dev.type
    assert torch.equal(x.cpu(), torch.ones(3))


def draws():
    return random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist()


def test_seed_everything_repeats_every_generator():
    dlbook.seed_everything(123)
    first = draws()
    dlbook.seed_everything(123)
    assert draws() == first
    dlbook.seed_everything(124)
    other = draws()
    # each of the three generators must have been seeded, so each part must change
    assert all(a != b for a, b in zip(first, other))


def test_seed_everything_matches_torch_manual_seed():
    dlbook.seed_everything(7)
    ours = torch.randn(5)
    torch.manual_seed(7)
    assert torch.equal(ours, torch.randn(5))
