"""Convolutional networks: the reference output size that the tests of conv2d and max_pool2d run with, PyTorch's
convolution and pooling on NumPy arrays (the expected values), and the checks and training of build_cnn."""

import numpy as np
import torch
import torch._dynamo  # noqa: F401  (torch.optim loads it on first use, and it rewraps torch.manual_seed: loaded
import torch.nn.functional as F  # here, before check_untampered below first sees torch, it is not taken for tampering)
from torch.overrides import TorchFunctionMode

from dlbook.checks import _fail, check_untampered, read_only, time_limit
from dlbook.data import load_digits_split
from dlbook.runtime import seed_everything
from dlbook.training import evaluate, fit

MAX_PARAMETERS = 50_000
EPOCHS, BATCH_SIZE, LEARNING_RATE, MIN_ACCURACY = 15, 64, 1e-3, 0.95
CPU_SECONDS = 10  # for one training run on one thread; the solution's network needs about 1 s
CONVOLUTIONS = {F.conv1d, F.conv2d, F.conv3d, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d,
                torch.conv1d, torch.conv2d, torch.conv3d, torch.convolution}


def conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """The output length of a convolution along one dimension, as PyTorch finds it (a conv1d of zeros)."""
    zeros = F.conv1d(torch.zeros(1, 1, int(n)), torch.zeros(1, 1, int(k)), stride=int(stride), padding=int(padding))
    return int(zeros.shape[-1])


def conv2d(x, w, b=None, stride: int = 1, padding: int = 0) -> np.ndarray:
    """torch.nn.functional.conv2d of float64 copies of NumPy arrays, as a NumPy array."""
    tensor = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))
    out = F.conv2d(tensor(x), tensor(w), None if b is None else tensor(b), stride=stride, padding=padding)
    return out.numpy()


def max_pool2d(x, kernel_size: int = 2, stride: int | None = None) -> np.ndarray:
    """torch.nn.functional.max_pool2d of a float64 copy of a NumPy array, as a NumPy array."""
    return F.max_pool2d(torch.tensor(np.asarray(x, dtype=np.float64)), kernel_size, stride).numpy()


class _Calls(TorchFunctionMode):
    """Records the torch functions a forward pass calls (F.conv2d inside nn.Conv2d or a module of one's own)."""

    def __init__(self):
        super().__init__()
        self.called = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.called.add(func)
        return func(*args, **(kwargs or {}))


def dry_run(model: torch.nn.Module, batch: int = 2) -> tuple[torch.Tensor, set]:
    """The output of `model` on zeros of shape (batch, 1, 8, 8), without gradients and in eval mode (this also
    creates the parameters of lazy layers such as nn.LazyLinear), and the torch functions it called."""
    was_training = model.training
    calls = _Calls()
    try:
        with torch.no_grad(), calls:
            out = model.eval()(torch.zeros(batch, 1, 8, 8))
    finally:
        model.train(was_training)
    return out, calls.called


def count_parameters(model: torch.nn.Module) -> int:
    """The number of parameters of `model` after a dry run (lazy layers included), counted by nn.Module itself
    (a model's own `parameters` method is not asked)."""
    dry_run(model)
    return sum(p.numel() for p in torch.nn.Module.parameters(model))


def check_network(model, another) -> None:
    """The rules of build_cnn, for two networks it built: new ones on each call, each a torch.nn.Module with a
    convolution, mapping (N, 1, 8, 8) to (N, 10) (N = 5 and N = 1), with at most MAX_PARAMETERS parameters."""
    if not isinstance(model, torch.nn.Module):
        _fail(f"build_cnn returned {type(model).__name__}, not a torch.nn.Module", "return nn.Sequential(...) or "
              "an instance of your own nn.Module subclass")
    shared = {id(p) for p in torch.nn.Module.parameters(model)} & {id(p) for p in torch.nn.Module.parameters(another)}
    if another is model or shared:
        _fail("build_cnn returned the same network (or the same layers) on two calls",
              "build a new network on every call: the tests train it from scratch, so create the layers inside "
              "build_cnn, not once outside it")
    out, called = dry_run(model, batch=5)
    if tuple(out.shape) != (5, 10):
        _fail(f"build_cnn maps (5, 1, 8, 8) to {tuple(out.shape)}, expected (5, 10)",
              "end with nn.Flatten() and a linear layer with 10 outputs")
    one_hint = "keep the batch axis: flatten with nn.Flatten() or x.flatten(1), and do not squeeze"
    try:
        one = tuple(dry_run(model, batch=1)[0].shape)
    except Exception as error:  # the network's own error, said as a broken rule
        _fail(f"build_cnn's network fails on a batch of one, (1, 1, 8, 8): {type(error).__name__}: {error}", one_hint)
    if one != (1, 10):
        _fail(f"build_cnn maps a batch of one, (1, 1, 8, 8), to {one}: it must work on a batch of one", one_hint)
    if not called & CONVOLUTIONS:
        _fail("build_cnn's network computes no convolution: this part asks for a convolutional network",
              "start with nn.Conv2d layers (the chapter's LeNet-style network), not only nn.Linear")
    parameters = count_parameters(model)
    if parameters > MAX_PARAMETERS:
        _fail(f"build_cnn has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}",
              "use fewer channels or a smaller linear layer")


def train(build, seed: int) -> tuple[torch.nn.Module, float]:
    """A network from `build()` trained with the fixed budget (EPOCHS epochs of Adam with LEARNING_RATE, batches
    of BATCH_SIZE, on one CPU thread, within CPU_SECONDS of CPU time), and its accuracy on the test split."""
    # Everything the training uses is bound here, before build() runs the student's code.
    digits, cpu, adam, cross_entropy = load_digits_split(), torch.device("cpu"), torch.optim.Adam, F.cross_entropy
    fit_, evaluate_, parameters_of, untampered = fit, evaluate, torch.nn.Module.parameters, check_untampered
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # parallel grading must not oversubscribe the cores; CPU time is then comparable
    try:
        with time_limit(CPU_SECONDS, f"training build_cnn()'s network ({EPOCHS} epochs, one thread)",
                        hint=f"the solution's network trains in about 1 s of CPU time: use fewer channels or "
                             f"pool earlier (your convolutions run at every position of every image)"):
            seed_everything(seed)
            model = build()
            dry_run(model)  # lazy layers get their parameters before the optimizer is built
            untampered()
            optimizer = adam(list(parameters_of(model)), lr=LEARNING_RATE)
            fit_(model, (digits.X_train, digits.y_train), cross_entropy, optimizer, epochs=EPOCHS,
                 batch_size=BATCH_SIZE, device=cpu, progress=False)
            accuracy = evaluate_(model, (digits.X_test, digits.y_test), cross_entropy, device=cpu)["accuracy"]
    finally:
        torch.set_num_threads(threads)
    untampered()
    return model, accuracy


def check_logits(model: torch.nn.Module) -> None:
    """Fail if a trained network's outputs on the test digits all lie in [0, 1]: probabilities, not logits."""
    with torch.no_grad():
        out = model.eval()(load_digits_split().X_test[:128])
    if float(out.min()) >= 0 and float(out.max()) <= 1:
        _fail("build_cnn's outputs all lie in [0, 1] after training: they look like probabilities, not logits",
              "remove the final Softmax (or Sigmoid): F.cross_entropy applies the softmax to the logits itself")


check_untampered()  # remember torch and dlbook.training as they are now, before any solution cell runs
read_only(__name__)  # solution cells cannot swap the references for their own functions
