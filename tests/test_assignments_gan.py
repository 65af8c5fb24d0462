"""The GAN assignment's references and test helpers (dlbook.assignments.gan), against closed forms and NumPy."""

import math

import numpy as np
import pytest
import torch

from dlbook.assignments import gan


def log_sigmoid(s):
    return -np.logaddexp(0.0, -np.asarray(s, dtype=np.float64))


@pytest.mark.parametrize("real, fake", [([0.3, -1.2, 2.0], [0.5, -0.7]), ([100.0, -100.0], [-120.0, 120.0, 0.0])])
def test_reference_losses_match_the_formulas(real, fake):
    real_t, fake_t = torch.tensor(real), torch.tensor(fake)
    d_value, (d_real, d_fake), g_value, g_fake = gan.reference_losses(real_t, fake_t)
    r, f = real_t.double().numpy(), fake_t.double().numpy()  # the float32 values, exactly
    assert d_value == pytest.approx(-log_sigmoid(r).mean() - log_sigmoid(-f).mean(), rel=1e-12)
    assert g_value == pytest.approx(-log_sigmoid(f).mean(), rel=1e-12)
    sigmoid = lambda s: 1 / (1 + np.exp(-s))  # noqa: E731
    np.testing.assert_allclose(d_real, (sigmoid(r) - 1) / len(r), atol=1e-15)
    np.testing.assert_allclose(d_fake, sigmoid(f) / len(f), atol=1e-15)
    np.testing.assert_allclose(g_fake, (sigmoid(f) - 1) / len(f), atol=1e-15)
    for fn, args in ((gan.discriminator_loss, (real_t, fake_t)), (gan.generator_loss, (fake_t,))):
        assert torch.isfinite(fn(*args))
    assert gan.discriminator_loss(real_t.double(), fake_t.double()).item() == pytest.approx(d_value, rel=1e-12)
    assert gan.generator_loss(fake_t.double()).item() == pytest.approx(g_value, rel=1e-12)


def test_reference_loss_gradient_matches_finite_differences():
    real, fake = torch.tensor([0.4, -0.9], dtype=torch.float64), torch.tensor([1.1, -0.2, 0.3], dtype=torch.float64)
    _, (_, d_fake), _, _ = gan.reference_losses(real, fake)
    h = 1e-6
    for j in range(3):
        step = torch.zeros(3, dtype=torch.float64)
        step[j] = h
        numeric = (gan.discriminator_loss(real, fake + step) - gan.discriminator_loss(real, fake - step)) / (2 * h)
        assert d_fake[j] == pytest.approx(numeric.item(), abs=1e-8)


def test_student_loss_runs_in_float32_and_exposes_unstable_losses():
    seen = []

    def loss(logits):
        seen.append(logits.dtype)
        return -torch.log(torch.sigmoid(logits)).mean()

    value, (grad,) = gan.student_loss(loss, torch.tensor([-1.0, 2.0], dtype=torch.float64), name="loss")
    assert seen == [torch.float32] and grad.dtype == np.float64
    assert value == pytest.approx(-log_sigmoid([-1.0, 2.0]).mean(), rel=1e-6)
    assert gan.student_loss(loss, torch.tensor([-100.0]), name="loss")[0] != pytest.approx(100.0, rel=1e-5)
    assert math.isinf(gan.student_loss(loss, torch.tensor([-120.0]), name="loss")[0])
    with pytest.raises(AssertionError, match="expected a scalar"):
        gan.student_loss(lambda s: -torch.nn.functional.logsigmoid(s), torch.zeros(3), name="loss")


def test_ring_centres_and_nearest_mode():
    angles = 2 * np.pi * np.arange(5) / 5
    np.testing.assert_allclose(gan.ring_centres(5, 3.0), 3.0 * np.stack([np.cos(angles), np.sin(angles)], 1),
                               atol=1e-12)
    points = gan.ring_centres(5, 3.0)[[4, 1]] + [[0.1, 0.0], [0.0, 0.0]]
    mode, distance = gan.nearest_mode(points, 5, 3.0)
    assert mode.tolist() == [4, 1]
    np.testing.assert_allclose(distance, [0.1, 0.0], atol=1e-12)


def test_reference_sample_ring():
    points = gan.sample_ring(20000, modes=4, radius=1.5, std=0.05, generator=torch.Generator().manual_seed(0))
    assert points.dtype == torch.float32 and points.shape == (20000, 2)
    mode, distance = gan.nearest_mode(points.numpy(), 4, 1.5)
    np.testing.assert_allclose(np.bincount(mode) / 20000, 0.25, atol=0.02)
    noise = points.double().numpy() - gan.ring_centres(4, 1.5)[mode]
    np.testing.assert_allclose(noise.std(axis=0), 0.05, rtol=0.05)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.05
    again = gan.sample_ring(20000, modes=4, radius=1.5, std=0.05, generator=torch.Generator().manual_seed(0))
    assert torch.equal(points, again)


def test_check_ring_accepts_the_reference_and_rejects_the_variance():
    gan.check_ring(gan.sample_ring, 4000, 8, 2.0, 0.02, seed=0, name="reference")

    def variance(n, modes=8, radius=2.0, std=0.02, generator=None):
        return gan.sample_ring(n, modes, radius, std ** 2, generator)

    with pytest.raises(AssertionError, match="not std \\*\\* 2"):
        gan.check_ring(variance, 4000, 8, 2.0, 0.1, seed=0, name="variance")


def test_counting_and_parts():
    stand_ins, counts = gan.counting(gan.parts())
    stand_ins["generator_loss"](torch.zeros(3))
    stand_ins["generator_loss"](torch.zeros(3))
    assert counts == {"discriminator_loss": 0, "generator_loss": 2, "sample_ring": 0}
    gan.parts().clear()
    assert set(gan.parts()) == {"discriminator_loss", "generator_loss", "sample_ring"}


def test_coverage_counts_modes_of_a_generator():
    class OnTheRing(torch.nn.Module):  # maps noise to the nearest of the first `k` centres, exactly
        def __init__(self, k):
            super().__init__()
            self.centres = torch.tensor(gan.ring_centres(8, 2.0)[:k], dtype=torch.float32)

        def forward(self, z):
            return self.centres[torch.arange(len(z)) % len(self.centres)]

    assert gan.coverage(OnTheRing(8), seed=0) == 8
    assert gan.coverage(OnTheRing(3), seed=0) == 3
    collapsed = torch.nn.Linear(2, 2)
    torch.nn.init.zeros_(collapsed.weight)  # every sample at the bias: one point, near one mode at most
    assert gan.coverage(collapsed, seed=0) <= 1


def test_trained_checks_the_result_and_the_module_is_read_only():
    assert isinstance(gan.trained(lambda steps, seed: torch.nn.Linear(2, 2), 5, seed=0), torch.nn.Module)
    with pytest.raises(AssertionError, match="expected a torch.nn.Module"):
        gan.trained(lambda steps, seed: None, 5, seed=0)
    with pytest.raises(AttributeError):
        gan.sample_ring = None
