"""Does device() pick the best backend, and does seed_everything() make runs repeatable?"""

import random

import numpy as np
import pytest
import torch

import dlbook
from dlbook import runtime


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv(runtime.DEVICE_VARIABLE, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert runtime.device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert runtime.device() == torch.device("cpu")


def test_dlbook_device_overrides_the_choice(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    for name, expected in (("cpu", "cpu"), ("CUDA", "cuda"), (" cuda:1 ", "cuda:1")):
        monkeypatch.setenv(runtime.DEVICE_VARIABLE, name)
        assert runtime.device() == torch.device(expected)
    monkeypatch.setenv(runtime.DEVICE_VARIABLE, "")  # empty: as if unset
    assert runtime.device() == torch.device("cuda")


def test_dlbook_device_naming_an_absent_device_fails_clearly(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    for name in ("cuda", "cuda:0", "mps"):
        monkeypatch.setenv(runtime.DEVICE_VARIABLE, name)
        with pytest.raises(RuntimeError, match=rf"DLBOOK_DEVICE={name} asks for a device this machine does not "
                                               r"have \(it has: cpu;"):
            runtime.device()
    for name in ("gpu", "cuda:x", "cpu:0", "tpu"):
        monkeypatch.setenv(runtime.DEVICE_VARIABLE, name)
        with pytest.raises(RuntimeError, match="is not a device: use cpu, cuda, cuda:N or mps"):
            runtime.device()


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
