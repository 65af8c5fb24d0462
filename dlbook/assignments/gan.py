"""The GAN assignment: reference losses and ring sampler that train_gan's tests run it with, and the helpers the
test cells share (the losses' float32 harness, the ring's checks, modes_covered's call, the mode coverage of a
trained generator, the seed and steps of short trainings)."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from dlbook.checks import StudentError, _fail, call_quietly, check_shape, expect, read_only, time_limit

STEPS = 500  # the tests call train_gan(STEPS, seed)
CPU_SECONDS = 10  # and allow it this much CPU time (the solution needs about 2 s)


def discriminator_loss(real_logits, fake_logits):
    """Mean BCE of the real logits against 1 plus mean BCE of the fake logits against 0, from logits."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits):
    """The non-saturating generator loss: mean BCE of the fake logits against 1, from logits."""
    return F.softplus(-fake_logits).mean()


def sample_ring(n, modes=8, radius=2.0, std=0.02, generator=None):
    """n points (n, 2) float32 from a ring of `modes` Gaussians, every random number drawn from `generator`."""
    k = torch.randint(modes, (n,), generator=generator)
    angle = 2 * math.pi * k / modes
    centres = radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return centres + std * torch.randn(n, 2, generator=generator)


def parts() -> dict:
    """The reference parts train_gan uses, by the names of the notebook's functions (a new dict each time)."""
    return {"discriminator_loss": discriminator_loss, "generator_loss": generator_loss, "sample_ring": sample_ring}


def counting(functions: dict) -> tuple[dict, dict]:
    """Stand-ins for `functions` that count their calls, and the counts (name -> calls so far)."""
    counts = dict.fromkeys(functions, 0)

    def counted(name, fn):
        def call(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return call

    return {name: counted(name, fn) for name, fn in functions.items()}, counts


def reference_losses(real_logits, fake_logits):
    """The two losses and their gradients, computed by torch in float64: (d_value, [d_real, d_fake], g_value,
    g_fake) with the gradients as NumPy arrays."""
    real = real_logits.detach().double().requires_grad_()
    fake = fake_logits.detach().double().requires_grad_()
    d_loss = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
              + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
    g_loss = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    d_grads = torch.autograd.grad(d_loss, (real, fake))
    g_grad, = torch.autograd.grad(g_loss, fake)
    return d_loss.item(), [g.numpy() for g in d_grads], g_loss.item(), g_grad.numpy()


def student_loss(fn, *logits, name, hint=None):
    """fn applied to float32 copies of `logits` that require gradients (the dtype train_gan trains in): its value
    and its gradients with respect to each, as float64 NumPy."""
    inputs = [x.detach().float().requires_grad_() for x in logits]
    loss = call_quietly(fn, *inputs, name=name, hint=hint)
    expect(isinstance(loss, torch.Tensor), f"{name} returned {type(loss).__name__}, expected a torch tensor")
    expect(loss.ndim == 0, f"{name} returned a tensor of shape {tuple(loss.shape)}, expected a scalar: take the mean")
    expect(loss.requires_grad, f"{name} is not differentiable: compute it with torch operations on the logits")
    grads = torch.autograd.grad(loss, inputs, allow_unused=True)
    return loss.item(), [np.zeros(tuple(x.shape)) if g is None else g.double().numpy() for g, x in zip(grads, inputs)]


def ring_centres(modes, radius) -> np.ndarray:
    """The centres (modes, 2) of the ring's Gaussians: mode k at radius * (cos 2 pi k / modes, sin 2 pi k / modes)."""
    angles = 2 * torch.pi * torch.arange(modes, dtype=torch.float64) / modes
    return (radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)).numpy()


def nearest_mode(points, modes, radius) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centre of each point (N, 2), and the distance to it."""
    distances = np.sqrt(((np.asarray(points, dtype=np.float64)[:, None, :] - ring_centres(modes, radius)[None]) ** 2
                         ).sum(axis=2))
    return distances.argmin(axis=1), distances.min(axis=1)


def ring_points(sample_ring, n, modes, radius, std, seed, name) -> torch.Tensor:
    """sample_ring(n, ...) with a generator seeded `seed`, checked to be a tensor of shape (n, 2)."""
    points = sample_ring(n, modes=modes, radius=radius, std=std, generator=torch.Generator().manual_seed(seed))
    expect(isinstance(points, torch.Tensor), f"{name} returned {type(points).__name__}, expected a torch tensor")
    check_shape(points.detach().numpy(), (n, 2), name, hint="one row (x, y) per sample")
    expect(points.dtype == torch.float32, f"{name} returned a tensor of {points.dtype}, expected float32",
           "torch's default dtype is float32; do not build it in float64")
    return points


def check_ring(sample_ring, n, modes, radius, std, seed, name) -> tuple[np.ndarray, np.ndarray]:
    """Check that sample_ring's points lie on the right centres, balanced over the modes, with the right spread;
    return the points (float64 NumPy) and the mode of each."""
    points = ring_points(sample_ring, n, modes, radius, std, seed, name).detach().double().numpy()
    mode, distance = nearest_mode(points, modes, radius)
    far = int((distance > 6 * std).sum())
    expect(far == 0, (f"{name}: {far} of {n} points are more than 6 standard deviations from every centre\n"
                      f"Hint: mode k is centred at radius * (cos(2 pi k / modes), sin(2 pi k / modes)), in radians"))
    share = np.bincount(mode, minlength=modes) / n
    expect(share.min() > 0.8 / modes and share.max() < 1.2 / modes, (
        f"{name}: the modes hold between {share.min():.1%} and {share.max():.1%} of the points, expected about "
        f"{1 / modes:.1%} each\nHint: draw each point's mode uniformly from 0 .. modes - 1; "
        f"np.linspace(0, 2 pi, modes) repeats the first angle as the last"))
    spread = (points - ring_centres(modes, radius)[mode]).std()
    expect(0.9 * std < spread < 1.1 * std, (f"{name}: points scatter around their centre with standard deviation "
                                            f"{spread:.4g}, expected {std}\nHint: add std * randn, not std ** 2 * randn"))
    return points, mode


def check_independent_modes(mode, modes, name) -> None:
    """Fail if the modes of consecutive points follow a pattern: drawn at random and independently, the mode moves
    from one point to the next by 0 .. modes - 1 equally often."""
    n = len(mode)
    moves = np.bincount((mode[1:] - mode[:-1]) % modes, minlength=modes) / (n - 1)
    expect(moves.min() > 0.8 / modes and moves.max() < 1.2 / modes, (
        f"{name}: the modes follow a pattern: {moves.max():.0%} of consecutive points go from mode k to mode "
        f"k + {int(moves.argmax())}, expected about {1 / modes:.0%}"),
        "draw each point's mode at random, independently (torch.randint), not in turn")


def check_generator_used(sample_ring, seed, other_seed, name) -> None:
    """sample_ring(100) with two generators seeded `seed` gives the same points, with one seeded `other_seed` others."""
    def draw(s):
        return ring_points(sample_ring, 100, 8, 2.0, 0.02, s, name).detach().numpy()

    first = draw(seed)
    expect(np.array_equal(first, draw(seed)), f"{name} with two generators of the same seed ({seed}) gave different "
           "points", "pass generator=generator to every torch.randint and torch.randn")
    expect(not np.array_equal(first, draw(other_seed)), f"{name} gave the same points for the generator seeds {seed} "
           f"and {other_seed}", "draw every random number with the generator you are given")


def count_modes(covered, samples, name, **kwargs) -> int:
    """covered(samples, **kwargs) (modes_covered, wrapped by the rules), checked to be an int; an error on samples that
    require gradients (a generator's output) is said as such."""
    try:
        got = covered(samples, **kwargs)
    except StudentError as error:  # the error raised inside modes_covered, with the student's line
        if not samples.requires_grad:
            raise
        raise error.retold("modes_covered, on a tensor that requires gradients,",
                           "call samples.detach() before converting it or working on it") from None
    expect(isinstance(got, int), f"{name} returned {type(got).__name__}, expected an int: use int(...)")
    return got


def generated(G, seed, n=2000) -> np.ndarray:
    """G applied to n points of standard Gaussian noise (n, 2) drawn with `seed`, as float64 NumPy."""
    noise = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        points = G.cpu().eval()(noise)
    expect(isinstance(points, torch.Tensor), f"your generator returned {type(points).__name__}, expected a tensor")
    points = points.detach().double().numpy()
    check_shape(points, (n, 2), f"your generator applied to noise of shape ({n}, 2)")
    return points


def coverage(G, seed) -> int:
    """Modes of the default ring covered (a sample within 3 std = 0.06 of the centre) by 2000 samples of G."""
    mode, distance = nearest_mode(generated(G, seed), 8, 2.0)
    return len(set(mode[distance <= 0.06].tolist()))


def trained(train_gan, steps, seed, seconds=CPU_SECONDS, hint=None):
    """train_gan(steps, seed) on one thread within `seconds` of CPU time; the generator it returns."""
    torch.set_num_threads(1)  # small MLPs: more threads only spin, and CPU time counts every thread
    hint = hint or f"{STEPS} steps of the chapter's recipe take about 2 s of CPU time"
    with time_limit(seconds, f"train_gan({steps}, seed={seed})", hint=hint):
        G = train_gan(steps, seed)
    expect(isinstance(G, torch.nn.Module), f"train_gan returned {type(G).__name__}, expected a torch.nn.Module")
    return G


def check_seed_and_steps(train_gan, steps, more_steps, seed, other_seed) -> None:
    """Short trainings (1 s of CPU time each): the same seed gives the same generator, another seed another one, and
    more steps another one (compared on 200 samples)."""
    hint = "train for `steps` steps, and seed torch and the data generator from `seed` at the start of train_gan"

    def short(steps, seed):
        return generated(trained(train_gan, steps, seed, seconds=1, hint=hint), 7, n=200)

    first = short(steps, seed)
    expect(np.array_equal(first, short(steps, seed)),
           f"train_gan({steps}, seed={seed}) gave a different generator the second time", hint)
    expect(not np.allclose(first, short(steps, other_seed)),
           f"train_gan({steps}, ...) gave the same generator for seeds {seed} and {other_seed}", hint)
    expect(not np.allclose(first, short(more_steps, seed)),
           f"train_gan gave the same generator for {steps} and {more_steps} steps", hint)


read_only(__name__)  # solution cells cannot swap the references for their own functions
