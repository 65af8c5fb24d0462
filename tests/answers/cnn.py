"""Convolutional networks: typical mistakes and right answers written differently (see answers/__init__.py)."""

import numpy as np
import torch
from torch import nn

from answers import body, correct, wrong

SIZE_TESTS, SIZE_HIDDEN = "conv_output_size-tests", "conv_output_size-hidden-tests"
CONV_TESTS, CONV_HIDDEN = "conv2d-tests", "conv2d-hidden-tests"
POOL_TESTS, POOL_HIDDEN = "max_pool2d-tests", "max_pool2d-hidden-tests"
CNN_TESTS, CNN_HIDDEN = "build_cnn-tests", "build_cnn-hidden-tests"
SIZE, CONV, POOL, CNN = [SIZE_TESTS, SIZE_HIDDEN], [CONV_TESTS, CONV_HIDDEN], [POOL_TESTS, POOL_HIDDEN], [CNN_TESTS,
                                                                                                        CNN_HIDDEN]
NUMPY_ONLY = "broke a rule of this assignment: it calls torch"


# conv_output_size

def size_rounding_up(n, k, stride=1, padding=0):
    return -(-(n + 2 * padding - k) // stride) + 1


def size_one_sided_padding(n, k, stride=1, padding=0):
    return (n + padding - k) // stride + 1


def size_true_division(n, k, stride=1, padding=0):  # a float, and a fraction when the stride does not divide
    return (n + 2 * padding - k) / stride + 1


def size_rounding_to_nearest(n, k, stride=1, padding=0):  # an int, and right when the remainder is at most 1/2
    return round((n + 2 * padding - k) / stride) + 1


def size_with_torch(n, k, stride=1, padding=0):
    return torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride,
                                      padding=padding).shape[-1]


# conv2d

def conv_loops(x, w, b=None, stride=1, padding=0):  # the legacy answer all variants below start from
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    F, C, KH, KW = w.shape
    OH = (x.shape[2] - KH) // stride + 1
    OW = (x.shape[3] - KW) // stride + 1
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out = out + b[None, :, None, None]
    return out


def conv_flipping_the_kernel(x, w, b=None, stride=1, padding=0):  # a true convolution, not PyTorch's
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    F, C, KH, KW = w.shape
    OH, OW = (x.shape[2] - KH) // stride + 1, (x.shape[3] - KW) // stride + 1
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w[:, :, ::-1, ::-1], axes=([1, 2, 3], [1, 2, 3]))
    return out if b is None else out + b[None, :, None, None]


def conv_ignoring_padding(x, w, b=None, stride=1, padding=0):
    F, C, KH, KW = w.shape
    OH, OW = (x.shape[2] - KH) // stride + 1, (x.shape[3] - KW) // stride + 1
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out if b is None else out + b[None, :, None, None]


def conv_square_kernels(x, w, b=None, stride=1, padding=0):  # K for both KH and KW: right for square kernels only
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    F, C, K, _ = w.shape
    O = (x.shape[2] - K) // stride + 1
    out = np.zeros((x.shape[0], F, O, (x.shape[3] - K) // stride + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, :, i * stride:i * stride + K, j * stride:j * stride + K]
            out[:, :, i, j] = np.tensordot(patch, w[:, :, :K, :K], axes=([1, 2, 3], [1, 2, 3]))
    return out if b is None else out + b[None, :, None, None]


def conv_always_adding_b(x, w, b=None, stride=1, padding=0):  # adds b also when it is None (no bias)
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    F, C, KH, KW = w.shape
    OH, OW = (x.shape[2] - KH) // stride + 1, (x.shape[3] - KW) // stride + 1
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_reshaping_b_in_place(x, w, b=None, stride=1, padding=0):  # b.shape = ... changes the caller's array
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    F, C, KH, KW = w.shape
    OH, OW = (x.shape[2] - KH) // stride + 1, (x.shape[3] - KW) // stride + 1
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        b.shape = (-1, 1, 1)
        out += b
    return out


def conv_size_off_by_one(x, w, b=None, stride=1, padding=0):  # n - k + 1 positions, one every stride: one short
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))  # when the stride divides n + 2p - k
    F, C, KH, KW = w.shape
    OH, OW = (x.shape[2] - KH + 1) // stride, (x.shape[3] - KW + 1) // stride
    out = np.zeros((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out if b is None else out + b[None, :, None, None]


def conv_with_torch(x, w, b=None, stride=1, padding=0):
    t = torch.from_numpy
    return torch.nn.functional.conv2d(t(x), t(w), None if b is None else t(b), stride=stride, padding=padding).numpy()


def conv_with_the_reference(x, w, b=None, stride=1, padding=0):  # the tests' own reference, one import away
    from dlbook.assignments import cnn
    return cnn.conv2d(x, w, b, stride, padding)


def conv_with_own_size(x, w, b=None, stride=1, padding=0):  # uses part 1, as the notebook allows
    F, C, KH, KW = w.shape
    OH = conv_output_size(x.shape[2], KH, stride, padding)  # noqa: F821 (the notebook's function)
    OW = conv_output_size(x.shape[3], KW, stride, padding)  # noqa: F821
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((x.shape[0], F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = xp[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w)
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def conv_sliding_windows(x, w, b=None, stride=1, padding=0):
    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))
    win = win[:, :, ::stride, ::stride]
    out = np.einsum("ncijuv,fcuv->nfij", win, w)
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def conv_with_patched_references():
    """Tries to fool the tests through their references (read-only) and returns zeros of the right shape."""
    def conv2d(x, w, b=None, stride=1, padding=0):
        OH = (x.shape[2] + 2 * padding - w.shape[2]) // stride + 1
        OW = (x.shape[3] + 2 * padding - w.shape[3]) // stride + 1
        return np.zeros((x.shape[0], w.shape[0], OH, OW))

    import dlbook.assignments.cnn
    import dlbook.checks
    for attempt in (lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda a: 0 * a),
                    lambda: setattr(type(dlbook.checks.reference_numpy), "__getattribute__", lambda self, name: None),
                    lambda: setattr(dlbook.assignments.cnn, "conv2d", conv2d),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass


# max_pool2d

def pool_loops(x, kernel_size=2, stride=None):  # the legacy answer the variants below start from
    s = stride or kernel_size
    k = kernel_size
    OH, OW = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def pool_stride_one(x, kernel_size=2, stride=None):  # slides by one whatever the stride
    s, k = stride or 1, kernel_size
    OH, OW = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def pool_ignoring_stride(x, kernel_size=2, stride=None):  # always the kernel size: right for the default only
    s = k = kernel_size
    OH, OW = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def pool_keeping_partial_windows(x, kernel_size=2, stride=None):  # counts windows rounding up: a partial one
    s, k = stride or kernel_size, kernel_size                        # at the border (PyTorch's ceil_mode)
    OH, OW = -(-(x.shape[2] - k) // s) + 1, -(-(x.shape[3] - k) // s) + 1
    out = np.empty(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def pool_rounding_the_count(x, kernel_size=2, stride=None):  # round() for the number of windows: right when the
    s, k = stride or kernel_size, kernel_size                 # part of a window left over is at most half a stride
    OH, OW = round((x.shape[2] - k) / s) + 1, round((x.shape[3] - k) / s) + 1
    out = np.empty(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def pool_starting_at_zero(x, kernel_size=2, stride=None):  # a running maximum that starts at 0
    s, k = stride or kernel_size, kernel_size
    OH, OW = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.zeros(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = np.maximum(out[:, :, i, j], x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3)))
    return out


def pool_with_torch(x, kernel_size=2, stride=None):
    return torch.nn.functional.max_pool2d(torch.from_numpy(x), kernel_size, stride).numpy()


def pool_with_own_size(x, kernel_size=2, stride=None):
    s = kernel_size if stride is None else stride
    OH = conv_output_size(x.shape[2], kernel_size, s)  # noqa: F821 (the notebook's function)
    OW = conv_output_size(x.shape[3], kernel_size, s)  # noqa: F821
    out = np.full(x.shape[:2] + (OH, OW), -np.inf)
    for u in range(kernel_size):
        for v in range(kernel_size):
            out = np.maximum(out, x[:, :, u:u + s * OH:s, v:v + s * OW:s][:, :, :OH, :OW])
    return out


def pool_sliding_windows(x, kernel_size=2, stride=None):
    stride = stride if stride else kernel_size
    win = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return win[:, :, ::stride, ::stride].max(axis=(4, 5))


def pool_with_patched_torch():
    """Makes PyTorch's pooling, which the tests' reference uses, return zeros, and returns zeros too."""
    def max_pool2d(x, kernel_size=2, stride=None):
        s = stride or kernel_size
        return np.zeros(x.shape[:2] + ((x.shape[2] - kernel_size) // s + 1, (x.shape[3] - kernel_size) // s + 1))

    import torch
    torch.nn.functional.max_pool2d = lambda x, k, s=None, *args, **kwargs: 0 * x[..., ::(s or k), ::(s or k)]
    try:
        import dlbook.checks
        dlbook.checks.reference_torch.nn = None
    except AttributeError:
        pass


# build_cnn

def cnn_too_big():  # no pooling: a linear layer on 32 x 8 x 8 values has 131,136 parameters
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2048, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def cnn_without_convolution():  # an MLP: 9,610 parameters, and it reaches 95 % on the digits
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn_with_softmax():  # probabilities instead of logits
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(256, 10), nn.Softmax(dim=1))


def cnn_shared_instance():
    """One network built once: the second training continues the first."""
    _net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(256, 10))

    def build_cnn():
        return _net


def cnn_shared_layers():
    """New containers around the same layers."""
    _layers = [nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 10)]

    def build_cnn():
        return nn.Sequential(*_layers)


def cnn_squeezing_the_batch():
    """(N, 10) becomes (10,) for a batch of one: training never sees one (its last batch holds 29 digits)."""
    class Squeezed(nn.Sequential):
        def forward(self, x):
            return super().forward(x).squeeze()

    def build_cnn():
        return Squeezed(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def cnn_lucky_seed():  # a 16-unit bottleneck before the output: 96.4 % with seed 0, 93.3 % with seed 1
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(256, 16), nn.ReLU(), nn.Linear(16, 10))


def cnn_too_slow():
    """Within the parameter limit (47,818), but 64 channels at every position of the 8x8 image, five times over."""
    import torch.nn.functional as F

    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.shared = nn.Conv2d(1, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
            self.out = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 16, 10))

        def forward(self, x):
            x = F.relu(self.first(x))
            for _ in range(5):
                x = F.relu(self.shared(x))
            return self.out(x)

    def build_cnn():
        return Deep()


def cnn_with_patched_training():
    """Tries to fool the tests: fakes the evaluation and the reference training, with a network that learns little."""
    import dlbook.assignments.cnn
    import dlbook.training

    def build_cnn():
        return nn.Sequential(nn.Conv2d(1, 1, 8), nn.Flatten(), nn.Linear(1, 10))

    dlbook.training.evaluate = lambda *args, **kwargs: {"loss": 0.0, "accuracy": 1.0}
    vars(dlbook.assignments.cnn)["train"] = lambda build, seed: (build(), 1.0)  # behind the module's back


def cnn_lazy_log_softmax():  # LazyLinear (parameters created by the first forward pass) and log-probabilities
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.LazyLinear(64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))


def cnn_own_module():
    """A module of one's own that calls F.conv2d, and a heavier network inside the time budget."""
    import torch.nn.functional as F

    class Digits(nn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = nn.Parameter(torch.randn(32, 1, 3, 3) / 3)
            self.b1 = nn.Parameter(torch.zeros(32))
            self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
            self.hidden, self.out = nn.Linear(64 * 4, 64), nn.Linear(64, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(F.conv2d(x, self.w1, self.b1, padding=1)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            return self.out(F.relu(self.hidden(x.flatten(1))))

    def build_cnn():
        return Digits()


def cnn_one_layer():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 10))


WRONG = [
    wrong("size-rounds-up", lose=SIZE, says={SIZE_TESTS: "rounds down to 2: use // (floor division), not rounding up",
                                              SIZE_HIDDEN: "round down, not up"},
          conv_output_size=size_rounding_up),
    wrong("size-one-sided-padding", lose=SIZE, says={SIZE_TESTS: "padding is added on both sides"},
          conv_output_size=size_one_sided_padding),
    wrong("size-float", lose=SIZE, says={SIZE_TESTS: "conv_output_size(8, 3) returned float 6.0, not an int",
                                          SIZE_HIDDEN: "not an int: use // (floor division)"},
          conv_output_size=size_true_division),
    wrong("size-rounds-to-nearest", lose=[SIZE_HIDDEN], says={SIZE_HIDDEN: "not up or to the nearest (round)"},
          conv_output_size=size_rounding_to_nearest),
    wrong("size-torch", lose=SIZE, says={SIZE_TESTS: NUMPY_ONLY}, conv_output_size=size_with_torch),
    # one mistake, charged once: conv2d and max_pool2d call the wrong size, and are graded with the right one
    wrong("conv-uses-own-size", lose=SIZE, says={SIZE_TESTS: "padding is added on both sides"},
          conv_output_size=size_one_sided_padding, conv2d=conv_with_own_size, max_pool2d=pool_with_own_size),
    wrong("conv-flips-kernel", lose=CONV, says={CONV_TESTS: "do not flip the kernel"}, conv2d=conv_flipping_the_kernel),
    wrong("conv-ignores-padding", lose=CONV, says={CONV_TESTS: "output size"}, conv2d=conv_ignoring_padding),
    wrong("conv-square-kernels", lose=CONV, says={CONV_TESTS: "kernels and images need not be square",
                                                  CONV_HIDDEN: "kernels need not be square"},
          conv2d=conv_square_kernels),
    wrong("conv-always-adds-b", lose=CONV, says={CONV_TESTS: "b=None (the default) means no bias"},
          conv2d=conv_always_adding_b),
    wrong("conv-size-off-by-one", lose=[CONV_HIDDEN], says={CONV_HIDDEN: "(H + 2p - KH + 1) // s is one short"},
          conv2d=conv_size_off_by_one),
    wrong("conv-modifies-b", lose=CONV, says={CONV_TESTS: "conv2d modified its input b"},
          conv2d=conv_reshaping_b_in_place),
    wrong("conv-torch", lose=CONV, says={CONV_TESTS: NUMPY_ONLY}, conv2d=conv_with_torch),
    wrong("conv-reference", lose=CONV, says={CONV_TESTS: "broke a rule of this assignment: it calls dlbook"},
          conv2d=conv_with_the_reference),
    wrong("conv-reference-tamperer", lose=CONV, says={CONV_TESTS: "is off by"},
          conv2d=body(conv_with_patched_references)),
    wrong("pool-stride-one", lose=POOL, says={POOL_TESTS: "defaults to kernel_size"}, max_pool2d=pool_stride_one),
    wrong("pool-ignores-stride", lose=POOL,
          says={POOL_TESTS: "use the stride given", POOL_HIDDEN: "use the stride given"},
          max_pool2d=pool_ignoring_stride),
    wrong("pool-keeps-partial-windows", lose=POOL,
          says={POOL_TESTS: "windows that would extend past the border are dropped"},
          max_pool2d=pool_keeping_partial_windows),
    wrong("pool-rounds-count", lose=[POOL_HIDDEN], says={POOL_HIDDEN: "not round()"},
          max_pool2d=pool_rounding_the_count),
    wrong("pool-starts-at-zero", lose=POOL, says={POOL_TESTS: "values may be negative",
                                                  POOL_HIDDEN: "values may be negative"},
          max_pool2d=pool_starting_at_zero),
    wrong("pool-torch", lose=POOL, says={POOL_TESTS: NUMPY_ONLY}, max_pool2d=pool_with_torch),
    # F.max_pool2d replaced: found by every test after it, build_cnn's too (its training pools with it)
    wrong("pool-tamperer", lose=POOL + CNN, says={POOL_TESTS: "F.max_pool2d replaced by code in this notebook",
                                                  CNN_TESTS: "F.max_pool2d replaced by code in this notebook"},
          max_pool2d=body(pool_with_patched_torch)),
    wrong("cnn-too-big", lose=CNN, says={CNN_TESTS: "the limit is 50,000"}, build_cnn=cnn_too_big),
    wrong("cnn-mlp", lose=CNN, says={CNN_TESTS: "computes no convolution"}, build_cnn=cnn_without_convolution),
    wrong("cnn-softmax", lose=CNN, says={CNN_TESTS: "not logits"}, build_cnn=cnn_with_softmax),
    wrong("cnn-shared-instance", lose=CNN, says={CNN_TESTS: "build a new network on every call"},
          build_cnn=body(cnn_shared_instance)),
    wrong("cnn-shared-layers", lose=CNN, says={CNN_TESTS: "the same network (or the same layers)"},
          build_cnn=body(cnn_shared_layers)),
    wrong("cnn-squeezes-batch", lose=CNN, says={CNN_TESTS: "it must work on a batch of one",
                                                CNN_HIDDEN: "it must work on a batch of one"},
          build_cnn=body(cnn_squeezing_the_batch)),
    wrong("cnn-lucky-seed", lose=[CNN_HIDDEN], says={CNN_HIDDEN: "with another seed the test accuracy is"},
          build_cnn=cnn_lucky_seed),
    wrong("cnn-too-slow", lose=CNN, says={CNN_TESTS: "s of CPU time"}, build_cnn=body(cnn_too_slow)),
    wrong("cnn-tamperer", lose=CNN, says={CNN_TESTS: "replaced by code in this notebook"},
          build_cnn=body(cnn_with_patched_training)),
]

CORRECT = [
    correct("other-forms", conv2d=conv_sliding_windows, max_pool2d=pool_sliding_windows, build_cnn=cnn_one_layer),
    correct("loops-lazy-log-softmax", conv2d=conv_loops, max_pool2d=pool_loops, build_cnn=cnn_lazy_log_softmax),
    correct("uses-own-size-own-module", conv2d=conv_with_own_size, max_pool2d=pool_with_own_size,
            build_cnn=body(cnn_own_module)),
]
