"""A simulated accelerator for CPU-only machines: tensors that PyTorch places on another device, computed on the CPU.

On a GPU, a CPU tensor meeting a model on the GPU, `.numpy()` of a GPU tensor, or a CPU generator drawing numbers
on the GPU raise errors; on a CPU-only machine everything is on the CPU and such mistakes pass unseen. Inside
`simulated_accelerator()`, `dlbook.device()` returns PyTorch's `meta` device (the only other device a CPU build of
PyTorch can differentiate on), and a tensor put there holds real CPU data, so results are the CPU's bit for bit, but
its device is `meta`: the mistakes above raise the errors a GPU raises.
"""

import contextlib

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._mode_utils import no_dispatch
from torch.utils._pytree import tree_flatten, tree_map, tree_unflatten

import dlbook.runtime

ACCELERATOR = torch.device("meta")
MIXED = "Expected all tensors to be on the same device, but found at least two devices, meta and cpu!"
INDEXING = {"index", "index_put", "index_put_", "_index_put_impl_"}  # a GPU tensor may be indexed by CPU indices
CROSSING = {"copy_", "_to_copy", "_local_scalar_dense"}  # device moves, and item()


def on_accelerator(device) -> bool:
    return device is not None and torch.device(device) == ACCELERATOR


class OnAccelerator(torch.Tensor):
    """A tensor on the simulated accelerator: PyTorch sees its device as `meta`; its data (`cpu`) is on the CPU."""

    made = 0  # how many there have been: whether code ran on the accelerator at all

    @staticmethod
    def __new__(cls, cpu: torch.Tensor):
        OnAccelerator.made += 1
        tensor = torch.Tensor._make_wrapper_subclass(
            cls, cpu.shape, strides=cpu.stride(), storage_offset=cpu.storage_offset(), dtype=cpu.dtype,
            layout=cpu.layout, device=ACCELERATOR, requires_grad=cpu.requires_grad)
        tensor.cpu_data = cpu
        return tensor

    def __repr__(self, **kwargs):
        return f"{self.cpu_data!r} (on the simulated accelerator)"

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = func.overloadpacket.__name__
        tensors = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        if name in INDEXING:  # the indices (a list, the second argument) may be on the CPU
            indices = [t for t in tree_flatten(args[1])[0] if isinstance(t, torch.Tensor)]
            tensors = [t for t in tensors if not any(t is index for index in indices)]
        if any(t.is_meta and not isinstance(t, OnAccelerator) for t in tensors):
            raise NotImplementedError(f"the simulated accelerator cannot run {name}: PyTorch made a tensor on the meta "
                                      f"device inside it, which holds no data (run the function that calls it on the "
                                      f"CPU data: add it to FUSED)")
        elsewhere = [t for t in tensors if not isinstance(t, OnAccelerator) and t.dim() > 0]
        if elsewhere and name not in CROSSING:
            raise RuntimeError(f"{MIXED} (in {name})")
        moved_to = kwargs.get("device")
        if on_accelerator(moved_to):
            kwargs = dict(kwargs, device=torch.device("cpu"))
        result = func(*tree_map(unwrap, args), **tree_map(unwrap, kwargs))
        if name == "_local_scalar_dense" or (moved_to is not None and not on_accelerator(moved_to)):
            return result  # item(), or a copy to the CPU
        if name == "copy_":
            return args[0]
        if name.endswith("_") and isinstance(args[0], OnAccelerator):  # in place: the same tensor, which an op such
            tensor, data = args[0], args[0].cpu_data                     # as transpose_ may have reshaped
            if tensor.shape != data.shape or tensor.stride() != data.stride():
                with no_dispatch():  # the wrapper's own sizes and strides, set by the meta device's kernel
                    torch.ops.aten.as_strided_(tensor, data.shape, data.stride(), data.storage_offset())
            return tensor
        return tree_map(wrap, result)


def unwrap(x):
    return x.cpu_data if isinstance(x, OnAccelerator) else x


def wrap(x):
    return OnAccelerator(x) if isinstance(x, torch.Tensor) and not isinstance(x, OnAccelerator) else x


class OnTheCpuData(torch.autograd.Function):
    """`run` on the CPU data of accelerator tensors, gradients passed through: for PyTorch's fused recurrent layers,
    which a tensor subclass would otherwise run operation by operation and time step by time step (very slowly)."""

    @staticmethod
    def forward(ctx, run, *leaves):
        inputs = [unwrap(x).detach().requires_grad_(x.requires_grad) if isinstance(x, torch.Tensor) else x
                  for x in leaves]
        with torch.enable_grad():
            outputs = run(*inputs)
        ctx.inputs, ctx.outputs = inputs, outputs
        ctx.set_materialize_grads(False)  # an unused output's gradient stays None (not zeros on the meta device)
        return tuple(wrap(o.detach()) for o in outputs)

    @staticmethod
    def backward(ctx, *grads):
        pairs = [(o, unwrap(g)) for o, g in zip(ctx.outputs, grads) if o.requires_grad and g is not None]
        wanted = [x for x in ctx.inputs if isinstance(x, torch.Tensor) and x.requires_grad]
        found = iter(torch.autograd.grad([o for o, _ in pairs], wanted, [g for _, g in pairs], allow_unused=True))
        return (None, *[wrap(next(found)) if any(x is w for w in wanted) else None for x in ctx.inputs])


def on_the_cpu_data(function, args, kwargs):
    """function(*args, **kwargs) through OnTheCpuData: the same outputs, on the accelerator."""
    leaves, spec = tree_flatten((args, kwargs))
    if any(isinstance(x, torch.Tensor) and not isinstance(x, OnAccelerator) and x.dim() > 0 for x in leaves):
        raise RuntimeError(f"{MIXED} (in {function.__name__})")
    shape = {}

    def run(*inputs):
        a, k = tree_unflatten(list(inputs), spec)
        outputs, shape["spec"] = tree_flatten(function(*a, **k))
        return outputs

    return tree_unflatten(list(OnTheCpuData.apply(run, *leaves)), shape["spec"])


# Fused kernels that a subclass would run decomposed: nn.LSTM, nn.GRU, nn.RNN, and scaled dot-product attention
# (whose decomposition also makes its causal mask on the meta device itself, a tensor without data).
FUSED = {torch._VF.lstm, torch._VF.gru, torch._VF.rnn_tanh, torch._VF.rnn_relu,
         torch.nn.functional.scaled_dot_product_attention}


class Placement(TorchFunctionMode):
    """Tensors made on or moved to the accelerator become OnAccelerator; `.numpy()` there fails as on a GPU."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in FUSED and any(isinstance(x, OnAccelerator) for x in tree_flatten((args, kwargs))[0]):
            return on_the_cpu_data(func, args, kwargs)
        if func is torch.Tensor.tolist and isinstance(args[0], OnAccelerator):
            return args[0].cpu_data.tolist()  # as item(): the GPU copies to the CPU
        if func in (torch.Tensor.numpy, torch.Tensor.__array__) and isinstance(args[0], OnAccelerator):
            raise TypeError("can't convert meta device type tensor to numpy. Use Tensor.cpu() to copy the tensor to "
                            "host memory first.")
        if func is torch.Tensor.to:
            device, dtype, _, _ = torch._C._nn._parse_to(*args[1:], **kwargs)
            if on_accelerator(device):
                data = unwrap(args[0])
                converted = data if dtype is None else data.to(dtype)
                return args[0] if isinstance(args[0], OnAccelerator) and converted is data else wrap(converted)
        elif on_accelerator(kwargs.get("device")) and not any(isinstance(a, OnAccelerator) for a in args):
            generator = kwargs.get("generator")
            if generator is not None and generator.device != ACCELERATOR:
                raise RuntimeError(f"Expected a 'meta' device type for generator but found '{generator.device.type}'")
            return wrap(func(*args, **dict(kwargs, device=torch.device("cpu"))))  # a factory: torch.zeros(...)
        return func(*args, **kwargs)


def swapping_apply(apply):
    """nn.Module._apply with its parameters swapped in place: module.to(accelerator) keeps its Parameter objects (an
    optimizer made before still trains them), as on a GPU. Only there: load_state_dict copies, as on a GPU."""
    def _apply(module, fn, recurse=True):
        swap = torch.__future__.get_swap_module_params_on_conversion()
        torch.__future__.set_swap_module_params_on_conversion(True)
        try:
            return apply(module, fn, recurse)
        finally:
            torch.__future__.set_swap_module_params_on_conversion(swap)
    return _apply


@contextlib.contextmanager
def simulated_accelerator():
    """`dlbook.device()` is the simulated accelerator; tensors put there behave as on a GPU."""
    device, apply = dlbook.runtime.device, torch.nn.Module._apply
    dlbook.runtime.device = lambda: ACCELERATOR
    torch.nn.Module._apply = swapping_apply(apply)
    try:
        with Placement():
            yield ACCELERATOR
    finally:
        dlbook.runtime.device, torch.nn.Module._apply = device, apply
