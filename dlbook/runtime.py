"""Where tensors live and how runs are made repeatable."""

import os
import random

import numpy as np
import torch


DEVICE_VARIABLE = "DLBOOK_DEVICE"  # cpu, cuda (or cuda:N) or mps: the device to use instead of the best one


def device() -> torch.device:
    """The device to compute on: the one DLBOOK_DEVICE names, else the best available (CUDA, Apple MPS, the CPU).
    Raises RuntimeError when DLBOOK_DEVICE names a device this machine does not have."""
    requested = os.environ.get(DEVICE_VARIABLE, "").strip().lower()
    if requested:
        return _requested(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def _requested(name: str) -> torch.device:
    """The device DLBOOK_DEVICE names, after checking that this machine has it."""
    kind, _, index = name.partition(":")
    present = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": _mps_available()}
    if kind not in present or (index and (kind != "cuda" or not index.isdigit())):
        raise RuntimeError(f"{DEVICE_VARIABLE}={name!r} is not a device: use cpu, cuda, cuda:N or mps "
                           f"(or unset it to use the best one available)")
    if not present[kind] or (index and int(index) >= torch.cuda.device_count()):
        have = ", ".join(k for k, ok in present.items() if ok)
        raise RuntimeError(f"{DEVICE_VARIABLE}={name} asks for a device this machine does not have (it has: {have}; "
                           f"torch {torch.__version__}). Unset {DEVICE_VARIABLE}, or set it to cpu")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global random generators (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by subprocesses such as DataLoader workers
