"""The simulated accelerator (tests/simulated_accelerator.py) raises what a GPU raises, and computes what the CPU does.

It is what lets the CPU-only suite catch device mix-ups in the chapters and in dlbook: each mistake below is one a
GPU rejects, with the same kind of error; each right use gives the CPU's numbers exactly.
"""

import numpy as np
import pytest
import torch
from torch import nn

import dlbook
from simulated_accelerator import ACCELERATOR, OnAccelerator, simulated_accelerator


@pytest.fixture
def accelerator():
    with simulated_accelerator() as device:
        yield device


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))


def test_dlbook_device_is_the_accelerator_inside_and_the_usual_device_after():
    usual = dlbook.device()
    with simulated_accelerator():
        assert dlbook.device() == ACCELERATOR
    assert dlbook.device() == usual


def test_a_model_on_the_accelerator_fed_cpu_data_fails(accelerator):
    model = mlp().to(accelerator)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        model(torch.randn(4, 3))
    assert model(torch.randn(4, 3).to(accelerator)).device == accelerator


def test_numpy_of_a_tensor_on_the_accelerator_fails(accelerator):
    y = mlp().to(accelerator)(torch.randn(4, 3, device=accelerator))
    with pytest.raises(TypeError, match="can't convert meta device type tensor to numpy"):
        y.detach().numpy()
    with pytest.raises(TypeError, match="Use Tensor.cpu()"):
        np.asarray(y.detach())
    assert y.detach().cpu().numpy().shape == (4, 2)


def test_a_cpu_generator_drawing_on_the_accelerator_fails(accelerator):
    generator = torch.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="Expected a 'meta' device type for generator but found 'cpu'"):
        torch.randn(3, generator=generator, device=accelerator)
    assert torch.randn(3, generator=generator).to(accelerator).device == accelerator  # drawn on the CPU, then moved


def test_indices_may_be_on_the_cpu_but_a_cpu_tensor_not_indexed_from_the_accelerator(accelerator):
    x = torch.arange(5.0, device=accelerator)
    assert x[torch.tensor([0, 2])].cpu().tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match="same device"):
        torch.arange(5.0)[torch.tensor([0, 2], device=accelerator)]


def test_scalars_item_and_zero_dimensional_cpu_tensors_mix_as_on_a_gpu(accelerator):
    x = torch.ones(3, device=accelerator)
    assert (x * torch.tensor(2.0)).sum().item() == 6.0


def test_module_to_keeps_its_parameters_so_an_optimizer_made_before_still_trains_it(accelerator):
    model = mlp()
    weight = model[0].weight
    model.to(accelerator)
    assert model[0].weight is weight and isinstance(weight, OnAccelerator)


def test_a_recurrent_model_reloads_a_copy_of_its_state_and_tolist_works(accelerator):
    model = nn.LSTM(2, 4).to(accelerator)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        model.weight_ih_l0.zero_()
    model.load_state_dict(saved)  # copied in place, as on a GPU
    assert torch.equal(model.weight_ih_l0.cpu(), saved["weight_ih_l0"].cpu())
    out = model(torch.ones(3, 1, 2, device=accelerator))[0]  # (3, 1, 4)
    assert out.argmax(dim=-1).tolist() == out.cpu().argmax(dim=-1).numpy().tolist()
    assert torch.arange(3, device=accelerator).tolist() == [0, 1, 2]


def test_training_on_the_accelerator_gives_the_cpu_numbers_exactly():
    X, y = torch.randn(64, 3, generator=torch.Generator().manual_seed(1)), torch.arange(64) % 2

    def train():
        model = mlp()
        history = dlbook.fit(model, (X, y), nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), 0.01),
                             epochs=3, batch_size=16, val=(X, y), progress=False)
        return history, model[0].weight.detach().cpu()

    on_cpu = train()
    with simulated_accelerator():
        on_accelerator = train()
    assert on_accelerator[0] == on_cpu[0] and torch.equal(on_accelerator[1], on_cpu[1])
    assert on_cpu[0]["loss"][-1] < on_cpu[0]["loss"][0]  # it trained


def test_in_place_reshaping_and_recurrent_layers_match_the_cpu():
    """transpose_ and friends reshape a tensor in place (PyTorch's batch-first RNNs use it): the CPU's gradients."""
    def gradients(kind):
        torch.manual_seed(0)
        rnn = getattr(nn, kind)(2, 8, batch_first=True).to(dlbook.device())
        x = torch.randn(4, 6, 2).to(dlbook.device())
        x.t_() if x.dim() == 2 else x.unsqueeze_(0).squeeze_(0)
        rnn(x)[0].sum().backward()
        return [p.grad.cpu() for p in rnn.parameters()]

    for kind in ("RNN", "LSTM", "GRU"):
        on_cpu = gradients(kind)
        with simulated_accelerator():
            on_accelerator = gradients(kind)
        assert all(torch.equal(a, c) for a, c in zip(on_accelerator, on_cpu, strict=True)), kind


def test_attention_with_a_causal_mask_matches_the_cpu():
    def attend():
        q, k, v = torch.randn(3, 2, 5, 4, generator=torch.Generator().manual_seed(0)).to(dlbook.device()).unbind(0)
        q.requires_grad_(True)
        out = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        out.sum().backward()
        return out.detach().cpu(), q.grad.cpu()

    on_cpu = attend()
    with simulated_accelerator():
        on_accelerator = attend()
    assert all(torch.equal(a, c) for a, c in zip(on_accelerator, on_cpu))
