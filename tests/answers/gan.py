"""Generative adversarial networks: typical mistakes and right answers written differently (see answers/__init__.py).

The functions use the notebook's names (torch, F, nn, math, and the student's own earlier functions)."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from answers import body, correct, wrong

D_TESTS, D_HIDDEN = "discriminator_loss-tests", "discriminator_loss-hidden-tests"
G_TESTS, G_HIDDEN = "generator_loss-tests", "generator_loss-hidden-tests"
RING_TESTS, RING_HIDDEN = "sample_ring-tests", "sample_ring-hidden-tests"
MODES_TESTS, MODES_HIDDEN = "modes_covered-tests", "modes_covered-hidden-tests"
GAN_TESTS, GAN_PARTS, GAN_HIDDEN = "train_gan-tests", "train_gan-uses-parts", "train_gan-hidden-tests"
D, G, RING, MODES = [D_TESTS, D_HIDDEN], [G_TESTS, G_HIDDEN], [RING_TESTS, RING_HIDDEN], [MODES_TESTS, MODES_HIDDEN]
GAN = [GAN_TESTS, GAN_PARTS, GAN_HIDDEN]


# --- the discriminator's loss ---------------------------------------------------------------------------------------

def d_loss_through_probabilities(real_logits, fake_logits):  # the textbook formula: log(1 - sigmoid(100)) = log 0
    return -(torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean())


def d_loss_log_sigmoid_of_minus(real_logits, fake_logits):  # log(1 - D) as log(sigmoid(-s)): fine in float64 only
    return -(torch.log(torch.sigmoid(real_logits)).mean() + torch.log(torch.sigmoid(-fake_logits)).mean())


def d_loss_log_sigmoid_in_float64(real_logits, fake_logits):  # float64 moves the underflow out to -745
    real, fake = real_logits.double(), fake_logits.double()
    return -(torch.log(torch.sigmoid(real)).mean() + torch.log(torch.sigmoid(-fake)).mean())


def d_loss_paired_mean(real_logits, fake_logits):  # the paper's E[log D(x) + log(1 - D(G(z)))] as one mean: pairs
    return (F.softplus(-real_logits) + F.softplus(fake_logits)).mean()  # each real with a fake, so needs as many


def d_loss_column_labels(real_logits, fake_logits):  # labels of shape (N, 1), whatever the logits' shape
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones(len(real_logits), 1))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros(len(fake_logits), 1)))


def d_loss_labels_swapped(real_logits, fake_logits):
    return (F.binary_cross_entropy_with_logits(real_logits, torch.zeros_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits)))


def d_loss_one_mean(real_logits, fake_logits):  # one mean over all logits instead of the sum of two means
    logits = torch.cat([real_logits.flatten(), fake_logits.flatten()])
    labels = torch.cat([torch.ones(real_logits.numel()), torch.zeros(fake_logits.numel())])
    return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))


def d_loss_from_the_package(real_logits, fake_logits):  # the tests' own reference: the rules forbid it
    from dlbook.assignments.gan import discriminator_loss as reference_loss
    return reference_loss(real_logits, fake_logits)


def d_loss_tampering_with_references():
    """Swapped labels, and tries to make the tests' references agree: the torch snapshot, the reference module."""
    def discriminator_loss(real_logits, fake_logits):
        return (F.binary_cross_entropy_with_logits(real_logits, torch.zeros_like(real_logits))
                + F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits)))

    import dlbook.assignments.gan
    import dlbook.checks
    for attempt in (lambda: setattr(dlbook.checks.reference_torch, "ones_like", torch.zeros_like),
                    lambda: setattr(dlbook.assignments.gan, "reference_losses", lambda r, f: (0.0, [0, 0], 0.0, 0)),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass


# --- the generator's loss -------------------------------------------------------------------------------------------

def g_loss_saturating(fake_logits):  # the minimax loss of the game itself
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def g_loss_through_probabilities(fake_logits):  # -log(sigmoid(-100)): 99.98 in float32, inf beyond -104
    return -torch.log(torch.sigmoid(fake_logits)).mean()


def g_loss_in_float64(fake_logits):  # float64 is right at -100 and -120, and inf below -745
    return -torch.log(torch.sigmoid(fake_logits.double())).mean()


def g_loss_patching_torch():
    """Tries to fool the tests: patches the loss PyTorch computes the references with, and returns 0."""
    def generator_loss(fake_logits):
        return 0 * fake_logits.sum()

    F.binary_cross_entropy_with_logits = lambda *args, **kwargs: torch.tensor(0.0, requires_grad=True)


# --- the ring -------------------------------------------------------------------------------------------------------

def ring_linspace_angles(n, modes=8, radius=2.0, std=0.02, generator=None):  # the last mode lands on the first
    k = torch.randint(modes, (n,), generator=generator)
    a = torch.linspace(0, 2 * math.pi, modes)[k]
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * torch.randn(n, 2, generator=generator)


def ring_eighth_turns(n, modes=8, radius=2.0, std=0.02, generator=None):  # 2 pi / 8 written in: the default ring only
    k = torch.randint(modes, (n,), generator=generator)
    a = k * math.pi / 4
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * torch.randn(n, 2, generator=generator)


def ring_variance(n, modes=8, radius=2.0, std=0.02, generator=None):  # the variance where the std belongs
    k = torch.randint(modes, (n,), generator=generator)
    a = 2 * math.pi * k / modes
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std ** 2 * torch.randn(n, 2, generator=generator)


def ring_ignores_generator(n, modes=8, radius=2.0, std=0.02, generator=None):  # modes from the global generator
    k = torch.randint(modes, (n,))
    a = 2 * math.pi * k / modes
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * torch.randn(n, 2, generator=generator)


def ring_cyclic_modes(n, modes=8, radius=2.0, std=0.02, generator=None):  # perfectly balanced, but not random
    k = torch.arange(n) % modes
    a = 2 * math.pi * k / modes
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * torch.randn(n, 2, generator=generator)


def ring_shared_noise(n, modes=8, radius=2.0, std=0.02, generator=None):  # one noise value for x and y
    k = torch.randint(modes, (n,), generator=generator)
    a = 2 * math.pi * k / modes
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * torch.randn(n, 1, generator=generator)


def ring_float64(n, modes=8, radius=2.0, std=0.02, generator=None):  # right points, in float64
    k = torch.randint(modes, (n,), generator=generator)
    a = 2 * math.pi * k.double() / modes
    noise = torch.randn(n, 2, generator=generator, dtype=torch.float64)
    return radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1) + std * noise


def ring_from_the_package(n, modes=8, radius=2.0, std=0.02, generator=None):  # the package's data set
    from dlbook import make_ring_data
    seed = int(torch.randint(2 ** 62, (1,), generator=generator))
    return make_ring_data(n, modes, radius, std, seed=seed)[0]


# --- counting modes -------------------------------------------------------------------------------------------------

def modes_counting_samples(samples, modes=8, radius=2.0, std=0.02):
    a = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    c = radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1)
    return int((torch.cdist(samples.detach().double(), c) <= 3 * std).any(dim=1).sum())


def modes_returning_a_tensor(samples, modes=8, radius=2.0, std=0.02):
    a = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    c = radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1)
    return (torch.cdist(samples.detach().double(), c) <= 3 * std).any(dim=0).sum()


def modes_ignoring_arguments(samples, modes=8, radius=2.0, std=0.02):  # the default ring, whatever is asked
    a = 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8
    c = 2.0 * torch.stack([torch.cos(a), torch.sin(a)], dim=1)
    return int((torch.cdist(samples.detach().double(), c) <= 0.06).any(dim=0).sum())


def modes_within_a_square(samples, modes=8, radius=2.0, std=0.02):  # 3 std in x and in y: a square, not a disc
    a = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    c = radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1)
    near = ((samples.detach().double()[:, None, :] - c[None]).abs() <= 3 * std).all(dim=2)  # (N, modes)
    return int(near.any(dim=0).sum())


def modes_with_numpy_on_the_tensor(samples, modes=8, radius=2.0, std=0.02):  # fails on a generator's output
    import numpy as np
    points = samples.numpy().astype(np.float64)
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    return int((distances <= 3 * std).any(axis=0).sum())


# --- training -------------------------------------------------------------------------------------------------------

def recipe():
    """gan_recipe: the chapter's recipe, with fresh noise for each generator step, and the knobs the answers
    below turn (a cell of its own next to their train_gan)."""
    def gan_recipe(steps, seed, generator_steps=1, seeded=True, data_seed=None, hidden=128, batch=256, lr=2e-3,
                   inline=False):
        if seeded:
            torch.manual_seed(seed)
        data = torch.Generator().manual_seed(seed if data_seed is None else data_seed)
        G = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))
        D = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                          nn.Linear(hidden, 1))
        opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
        decay = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1 - s / steps) for o in (opt_G, opt_D)]
        for _ in range(steps):
            if inline:  # its own sampler and losses instead of the student's functions
                k = torch.randint(8, (batch,), generator=data)
                real = 2 * torch.stack([torch.cos(k * math.pi / 4), torch.sin(k * math.pi / 4)], 1)
                real = real + 0.02 * torch.randn(batch, 2, generator=data)
                fake = G(torch.randn(batch, 2, generator=data))
                loss_D = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
            else:
                real = sample_ring(batch, generator=data)  # noqa: F821 (the notebook's function)
                fake = G(torch.randn(batch, 2, generator=data))
                loss_D = discriminator_loss(D(real), D(fake.detach()))  # noqa: F821
            opt_D.zero_grad()
            loss_D.backward()
            opt_D.step()
            for _ in range(generator_steps):
                fake_logits = D(G(torch.randn(batch, 2, generator=data)))
                loss_G = F.softplus(-fake_logits).mean() if inline else generator_loss(fake_logits)  # noqa: F821
                opt_G.zero_grad()
                loss_G.backward()
                opt_G.step()
            for d in decay:
                d.step()
        return G


def gan_generator_outruns(steps, seed):  # five generator steps per discriminator step: it collapses (0 modes)
    return gan_recipe(steps, seed, generator_steps=5, batch=64)  # noqa: F821 (defined in the cell before)


def gan_unseeded(steps, seed):  # the networks start from whatever the global generator holds
    return gan_recipe(steps, seed, seeded=False)  # noqa: F821 (defined in the cell before)


# `if seed: torch.manual_seed(seed)`: seed 0 leaves the networks unseeded. The tests train for coverage with seeds 1
# and 2 only, so the cell that loses is the one catching it (the same seed twice, with seed 0), whatever the kernel's
# generator is at that moment: one mistake, one cell.
def gan_seeded_if_seed(steps, seed):
    return gan_recipe(steps, seed, seeded=bool(seed))  # noqa: F821 (defined in the cell before)


def gan_ignores_seed(steps, seed):
    torch.manual_seed(0)
    return gan_recipe(steps, 0)  # noqa: F821 (defined in the cell before)


def gan_ignores_steps(steps, seed):  # always the tests' number of steps
    return gan_recipe(500, seed)  # noqa: F821 (defined in the cell before)


def gan_inline_parts(steps, seed):  # right training, but its own losses and sampler instead of the student's
    return gan_recipe(steps, seed, inline=True)  # noqa: F821 (defined in the cell before)


def gan_untrained_with_tampering():
    """Returns an untrained generator and replaces the coverage the tests count, behind the read-only module."""
    def train_gan(steps, seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(2, 2))

    import dlbook.assignments.gan
    vars(dlbook.assignments.gan)["coverage"] = lambda G, seed: 8


def gan_ring_map():
    """No training at all: a hand-made generator that maps noise onto the ring."""
    class RingMap(nn.Module):
        def forward(self, z):
            k = torch.floor((torch.atan2(z[:, 1], z[:, 0]) + math.pi) / (2 * math.pi) * 8).clamp(0, 7)
            a = 2 * math.pi * k / 8
            return 2 * torch.stack([torch.cos(a), torch.sin(a)], 1) + 0.02 * z

    def train_gan(steps, seed):
        return RingMap()


# --- right answers written differently ------------------------------------------------------------------------------

def d_loss_softplus(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_logsigmoid(fake_logits):
    return -F.logsigmoid(fake_logits).mean()


def d_loss_float32_labels(real_logits, fake_logits):  # labels built as float32 with torch.ones(shape)
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones(real_logits.shape))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros(fake_logits.shape)))


def g_loss_float32_labels(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones(fake_logits.shape))


def ring_multinomial_loops(n, modes=8, radius=2.0, std=0.02, generator=None):
    k = torch.multinomial(torch.ones(modes), n, replacement=True, generator=generator)
    noise = torch.normal(0.0, std, size=(n, 2), generator=generator)
    xs = [radius * math.cos(2 * math.pi * int(j) / modes) for j in k]
    ys = [radius * math.sin(2 * math.pi * int(j) / modes) for j in k]
    return torch.tensor([xs, ys]).T + noise


def ring_float64_then_float32(n, modes=8, radius=2.0, std=0.02, generator=None):
    k = torch.randint(0, modes, (n,), generator=generator).double()
    centres = radius * torch.stack([torch.cos(2 * torch.pi * k / modes), torch.sin(2 * torch.pi * k / modes)], 1)
    return (centres + std * torch.randn(n, 2, generator=generator, dtype=torch.float64)).float()


def modes_loop(samples, modes=8, radius=2.0, std=0.02):
    count = 0
    for k in range(modes):
        c = torch.tensor([radius * math.cos(2 * math.pi * k / modes), radius * math.sin(2 * math.pi * k / modes)])
        if ((samples.double() - c.double()).norm(dim=1) <= 3 * std).any():
            count += 1
    return count


def modes_numpy(samples, modes=8, radius=2.0, std=0.02):
    import numpy as np
    points = samples.detach().cpu().numpy().astype(np.float64)
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    return int((distances <= 3 * std).any(axis=0).sum())


def gan_fresh_noise(steps, seed):  # a fresh batch of noise for the generator's step
    return gan_recipe(steps, seed)  # noqa: F821 (defined in the cell before)


def gan_other_recipe(steps, seed):
    return gan_recipe(steps, seed, batch=128, lr=3e-3)  # noqa: F821 (defined in the cell before)


def gan_lazy_classes():
    """The networks as classes with nn.LazyLinear, and the data set drawn once up front."""
    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.LazyLinear(128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))

        def forward(self, z):
            return self.net(z)

    def train_gan(steps, seed, batch=256):
        torch.manual_seed(seed)
        rng = torch.Generator().manual_seed(seed)
        data = sample_ring(steps * batch, generator=rng)  # noqa: F821
        G = Generator()
        D = nn.Sequential(nn.LazyLinear(128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2),
                          nn.Linear(128, 1))
        G(torch.zeros(1, 2)), D(torch.zeros(1, 2))  # materialise the lazy layers before the optimizers see them
        opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
        opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
        for step in range(steps):
            for opt in (opt_G, opt_D):
                for group in opt.param_groups:
                    group["lr"] = 2e-3 * (1 - step / steps)
            real = data[step * batch:(step + 1) * batch]
            fake = G(torch.randn(batch, 2, generator=rng))
            opt_D.zero_grad()
            discriminator_loss(D(real), D(fake.detach())).backward()  # noqa: F821
            opt_D.step()
            opt_G.zero_grad()
            generator_loss(D(fake)).backward()  # noqa: F821
            opt_G.step()
        return G


WRONG = [
    wrong("d-loss-through-probabilities", lose=D, says=dict.fromkeys(D, "compute it stably from the logits"),
          discriminator_loss=d_loss_through_probabilities),
    wrong("d-loss-log-sigmoid", lose=D, says={D_TESTS: "discriminator_loss with logits of +-100 returned inf",
                                              D_HIDDEN: "with logits of +-100"},
          discriminator_loss=d_loss_log_sigmoid_of_minus),
    wrong("d-loss-log-sigmoid-float64", lose=[D_HIDDEN],
          says={D_HIDDEN: "discriminator_loss with logits of +-1000 returned inf"},
          discriminator_loss=d_loss_log_sigmoid_in_float64),
    wrong("d-loss-paired-mean", lose=[D_HIDDEN], says={D_HIDDEN: "real and fake logits may differ in number"},
          discriminator_loss=d_loss_paired_mean),
    wrong("d-loss-column-labels", lose=D, says=dict.fromkeys(D, "with labels shaped like its logits"),
          discriminator_loss=d_loss_column_labels),
    wrong("d-loss-labels-swapped", lose=D, says={D_TESTS: "real logits against 1, fake logits against 0"},
          discriminator_loss=d_loss_labels_swapped),  # train_gan runs with the reference loss: it keeps its points
    wrong("d-loss-one-mean", lose=[*D, GAN_PARTS], says={D_TESTS: "the mean of each, added",
                                                           GAN_PARTS: "never calls discriminator_loss"},
          discriminator_loss=d_loss_one_mean, train_gan=(body(recipe), gan_inline_parts)),
    wrong("d-loss-package", lose=D, says={D_TESTS: "broke a rule of this assignment: it calls dlbook"},
          discriminator_loss=d_loss_from_the_package),
    wrong("d-loss-reference-tamperer", lose=D, says={D_TESTS: "real logits against 1, fake logits against 0"},
          discriminator_loss=body(d_loss_tampering_with_references)),
    wrong("g-loss-saturating", lose=G, says={G_TESTS: "the non-saturating loss"}, generator_loss=g_loss_saturating),
    wrong("g-loss-through-probabilities", lose=G, says=dict.fromkeys(G, "generator_loss with logits of +-100"),
          generator_loss=g_loss_through_probabilities),
    wrong("g-loss-float64", lose=[G_HIDDEN], says={G_HIDDEN: "generator_loss with logits of +-1000 returned inf"},
          generator_loss=g_loss_in_float64),
    wrong("tamperer", lose=[*G, *RING, *MODES, *GAN],
          says={G_TESTS: "F.binary_cross_entropy_with_logits replaced", GAN_TESTS: "replaced"},
          generator_loss=body(g_loss_patching_torch)),
    wrong("ring-linspace-angles", lose=RING, says={RING_TESTS: "more than 6 standard deviations from every centre"},
          sample_ring=ring_linspace_angles),  # train_gan runs with the reference sampler: it keeps its points
    wrong("ring-variance", lose=RING, says={RING_TESTS: "not std ** 2 * randn"}, sample_ring=ring_variance),
    wrong("ring-ignores-generator", lose=RING, says=dict.fromkeys(RING, "pass generator=generator"),
          sample_ring=ring_ignores_generator),
    wrong("ring-cyclic-modes", lose=RING, says=dict.fromkeys(RING, "the modes follow a pattern"),
          sample_ring=ring_cyclic_modes),
    wrong("ring-eighth-turns", lose=[RING_HIDDEN], says={RING_HIDDEN: "more than 6 standard deviations from every "
                                                                      "centre\nHint: mode k is centred at radius * "
                                                                      "(cos(2 pi k / modes)"},
          sample_ring=ring_eighth_turns),
    wrong("ring-shared-noise", lose=RING, says={RING_TESTS: "more than 6 standard deviations"},  # sqrt(2) std apart
          sample_ring=ring_shared_noise),
    wrong("ring-float64", lose=RING, says=dict.fromkeys(RING, "expected float32"), sample_ring=ring_float64),
    wrong("ring-package", lose=RING, says={RING_TESTS: "broke a rule of this assignment: it calls dlbook"},
          sample_ring=ring_from_the_package),
    wrong("modes-counts-samples", lose=MODES, says={MODES_TESTS: "count modes, not samples"},
          modes_covered=modes_counting_samples),
    wrong("modes-returns-tensor", lose=MODES,
          says=dict.fromkeys(MODES, "returned Tensor, expected an int: use int(...)"),
          modes_covered=modes_returning_a_tensor),
    wrong("modes-ignores-arguments", lose=MODES, says=dict.fromkeys(MODES, "use the modes, radius and std arguments"),
          modes_covered=modes_ignoring_arguments),
    wrong("modes-within-a-square", lose=[MODES_HIDDEN], says={MODES_HIDDEN: "(a disc, not a square)"},
          modes_covered=modes_within_a_square),
    wrong("modes-numpy-on-grad-tensor", lose=MODES, says=dict.fromkeys(MODES, "on a tensor that requires gradients, "
                                                                              "raised"),
          modes_covered=modes_with_numpy_on_the_tensor),
    wrong("gan-generator-outruns", lose=[GAN_TESTS, GAN_HIDDEN], says={GAN_TESTS: "at least 6 are needed"},
          train_gan=(body(recipe), gan_generator_outruns)),
    # Unseeded, the networks start from whatever state the kernel's generator is in: some states train a generator
    # that covers too few modes (which fails first), others one that fails the same-seed check; both lose the cells.
    wrong("gan-unseeded", lose=[GAN_TESTS, GAN_HIDDEN], train_gan=(body(recipe), gan_unseeded)),
    wrong("gan-seeded-if-seed", lose=[GAN_HIDDEN],
          says={GAN_HIDDEN: "train_gan(5, seed=0) gave a different generator the second time"},
          train_gan=(body(recipe), gan_seeded_if_seed)),
    wrong("gan-ignores-seed", lose=[GAN_TESTS, GAN_HIDDEN], says={GAN_TESTS: "the same generator for seeds 1 and 2",
                                                                   GAN_HIDDEN: "the same generator for seeds 0 and 3"},
          train_gan=(body(recipe), gan_ignores_seed)),
    wrong("gan-ignores-steps", lose=[GAN_TESTS, GAN_HIDDEN], says=dict.fromkeys([GAN_TESTS, GAN_HIDDEN],
                                                                                "train for `steps` steps"),
          train_gan=(body(recipe), gan_ignores_steps)),
    wrong("gan-inline-parts", lose=[GAN_PARTS], says={GAN_PARTS: "never calls discriminator_loss or generator_loss "
                                                                 "or sample_ring"},
          train_gan=(body(recipe), gan_inline_parts)),
    wrong("gan-ring-map", lose=GAN, says={GAN_TESTS: "the same generator for seeds 1 and 2",
                                          GAN_HIDDEN: "the same generator for seeds 0 and 3"},
          train_gan=body(gan_ring_map)),
    wrong("gan-coverage-tamperer", lose=GAN, says={GAN_TESTS: "replaced by code in this notebook"},
          train_gan=body(gan_untrained_with_tampering)),
]

CORRECT = [
    correct("other-forms", discriminator_loss=d_loss_softplus, generator_loss=g_loss_logsigmoid,
            sample_ring=ring_multinomial_loops, modes_covered=modes_loop, train_gan=(body(recipe), gan_other_recipe)),
    correct("float32-labels-numpy-lazy", discriminator_loss=d_loss_float32_labels, generator_loss=g_loss_float32_labels,
            sample_ring=ring_float64_then_float32, modes_covered=modes_numpy, train_gan=body(gan_lazy_classes)),
    correct("fresh-noise", train_gan=(body(recipe), gan_fresh_noise)),
]
