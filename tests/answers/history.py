"""The perceptron: typical mistakes and right answers written differently (see answers/__init__.py)."""

import numpy as np

from answers import body, correct, wrong

PREDICT_TESTS, PREDICT_HIDDEN = "perceptron_predict-tests", "perceptron_predict-hidden-tests"
FIT_TESTS, FIT_HIDDEN = "perceptron_fit-tests", "perceptron_fit-hidden-tests"
FIT = [FIT_TESTS, FIT_HIDDEN]


def predict_with_sign(X, w, b):  # np.sign gives 0 for a score of 0
    return np.sign(X @ w + b)


def predict_without_bias(X, w, b):
    return np.where(X @ w >= 0, 1, -1)


def predict_with_epsilon(X, w, b):  # fakes the tie rule instead of following it
    return np.sign(X @ w + b + 1e-9).astype(int)


def predict_with_torch(X, w, b):  # right labels, computed by the library the rules forbid
    import torch
    scores = torch.as_tensor(X) @ torch.as_tensor(w) + b
    return torch.where(scores >= 0, 1, -1).numpy()


def fit_every_sample(X, y, epochs=100, lr=1.0):  # the most common slip: the rule applied to every example
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            w = w + lr * y_i * x_i
            b = b + lr * y_i
    return w, b


def fit_never_stops(X, y, epochs=100, lr=1.0):  # right weights in the end, but it runs every epoch
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, b)[0] != y_i:  # noqa: F821 (the notebook's function)
                w = w + lr * y_i * x_i
                b = b + lr * y_i
    return w, b


def fit_without_bias(X, y, epochs=100, lr=1.0):
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, 0.0)[0] != y_i:  # noqa: F821
                w = w + lr * y_i * x_i
                mistakes += 1
        if mistakes == 0:
            break
    return w, 0.0


def fit_with_epsilon(X, y, epochs=100, lr=1.0):  # its own comparison, with a tolerance the spec does not have
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if (1 if x_i @ w + b > -1e-9 else -1) != y_i:
                w, b, mistakes = w + lr * y_i * x_i, b + lr * y_i, mistakes + 1
        if mistakes == 0:
            break
    return w, b


def fit_scaling_inputs_in_place(X, y, epochs=100, lr=1.0):  # folds lr into X, changing the caller's array
    X = np.asarray(X, dtype=float)
    X *= lr
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, b)[0] != y_i:  # noqa: F821
                w, b, mistakes = w + y_i * x_i, b + lr * y_i, mistakes + 1
        if mistakes == 0:
            break
    return w, b


def fit_without_lr(X, y, epochs=100, lr=1.0):  # takes lr as an argument, and forgets to use it
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, b)[0] != y_i:  # noqa: F821
                w, b, mistakes = w + y_i * x_i, b + y_i, mistakes + 1
        if mistakes == 0:
            break
    return w, b


def fit_bias_without_lr(X, y, epochs=100, lr=1.0):  # lr in the update of w, but not in that of b
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, b)[0] != y_i:  # noqa: F821
                w, b, mistakes = w + lr * y_i * x_i, b + y_i, mistakes + 1
        if mistakes == 0:
            break
    return w, b


def fit_with_weights_like_x(X, y, epochs=100, lr=1.0):  # w takes the dtype of X: integers for integer inputs
    w, b = np.zeros_like(X[0]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if perceptron_predict(x_i[None], w, b)[0] != y_i:  # noqa: F821
                w += lr * y_i * x_i
                b += lr * y_i
                mistakes += 1
        if mistakes == 0:
            break
    return w, b


def fit_with_patched_numpy():
    """Tries to fool the tests: patches NumPy, rebinds the checks, and returns zeros."""
    def perceptron_fit(X, y, epochs=100, lr=1.0):
        return np.zeros(X.shape[1]), 0.0

    np.allclose = np.array_equal = lambda *args, **kwargs: True
    np.abs = lambda x: 0 * x
    check_close = check_equal = lambda *args, **kwargs: None  # noqa: F841


def fit_with_patched_references():
    """Tries to fool the tests through their references: the snapshot of NumPy, the reference module, the checks."""
    def perceptron_fit(X, y, epochs=100, lr=1.0):
        return np.zeros(X.shape[1]), 0.0

    import dlbook.assignments.history
    import dlbook.checks
    for attempt in (lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.assignments.history, "gate", lambda name: (np.zeros((4, 2)), np.ones(4)))):
        try:
            attempt()
        except AttributeError:
            pass
    vars(dlbook.checks)["check_close"] = lambda *args, **kwargs: None  # behind the module's back


def predict_with_loops(X, w, b):  # explicit loops and indices instead of vectorised code
    labels = []
    for i in range(len(X)):
        score = sum(X[i][j] * w[j] for j in range(len(w))) + b
        labels.append(1 if score >= 0 else -1)
    return np.array(labels)


def fit_with_loops(X, y, epochs=100, lr=1.0):
    w = [0.0] * len(X[0])
    b = 0.0
    epoch = 0
    while epoch < epochs:
        changed = False
        for i in range(len(X)):
            guess = perceptron_predict(np.array([X[i]]), np.array(w), b)[0]  # noqa: F821
            if guess != y[i]:
                w = [w[j] + lr * y[i] * X[i][j] for j in range(len(w))]
                b += lr * y[i]
                changed = True
        if not changed:
            break
        epoch += 1
    return np.array(w), b


def predict_with_sign_fixed(X, w, b):
    s = np.sign(X @ w + b)
    return np.where(s == 0, 1, s).astype(int)


def fit_inline_returning_a_list(X, y, epochs=100, lr=1.0):  # its own test of a mistake, and [w, b] for (w, b)
    X = np.array(X, dtype=np.float64)
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y):
            score = np.dot(w, x) + b
            if (score >= 0 and target == -1) or (score < 0 and target == 1):
                w += lr * target * x
                b += lr * target
                mistakes += 1
        if not mistakes:
            break
    return [w, b]


WRONG = [
    wrong("every-sample", lose=FIT, says={FIT_TESTS: "you update on every example"},
          perceptron_fit=fit_every_sample),
    wrong("sign-at-zero", lose=[PREDICT_TESTS, PREDICT_HIDDEN],
          says={PREDICT_TESTS: "a score of exactly 0 gives +1", PREDICT_HIDDEN: "a score of exactly 0 gives +1"},
          perceptron_predict=predict_with_sign),
    wrong("predict-no-bias", lose=[PREDICT_TESTS, PREDICT_HIDDEN],
          says={PREDICT_TESTS: "did you forget to add the bias b?"}, perceptron_predict=predict_without_bias),
    wrong("predict-epsilon", lose=[PREDICT_HIDDEN], says={PREDICT_HIDDEN: "no tolerance"},
          perceptron_predict=predict_with_epsilon),
    wrong("predict-torch", lose=[PREDICT_TESTS, PREDICT_HIDDEN],
          says={PREDICT_TESTS: "broke a rule of this assignment: it calls torch"},
          perceptron_predict=predict_with_torch),
    wrong("never-stops", lose=FIT,
          says={FIT_TESTS: "stop after the first epoch in which no example was misclassified",
                FIT_HIDDEN: "stop after the first epoch in which no example was misclassified"},
          perceptron_fit=fit_never_stops),
    wrong("no-bias", lose=FIT, says={FIT_TESTS: "you never update the bias"}, perceptron_fit=fit_without_bias),
    wrong("fit-epsilon", lose=[FIT_HIDDEN], says={FIT_HIDDEN: "compare with 0, no tolerance"},
          perceptron_fit=fit_with_epsilon),
    wrong("fit-modifies-X", lose=FIT, says={FIT_TESTS: "perceptron_fit modified its input X",
                                            FIT_HIDDEN: "perceptron_fit modified its input X"},
          perceptron_fit=fit_scaling_inputs_in_place),
    wrong("fit-without-lr", lose=FIT, says={FIT_TESTS: "[2, 1, -3] means lr was ignored",
                                            FIT_HIDDEN: "multiply both updates by lr"},
          perceptron_fit=fit_without_lr),
    wrong("fit-bias-without-lr", lose=FIT, says={FIT_TESTS: "[0.5, 0.5, -1] means the bias was updated without lr"},
          perceptron_fit=fit_bias_without_lr),
    wrong("fit-integer-weights", lose=FIT, says={FIT_TESTS: "np.zeros_like of an integer row holds integers",
                                                 FIT_HIDDEN: "perceptron_fit raised UFuncTypeError"},
          perceptron_fit=fit_with_weights_like_x),
    wrong("tamperer", lose=FIT, says={FIT_TESTS: "replaced by code in this notebook"},
          perceptron_fit=body(fit_with_patched_numpy)),
    wrong("reference-tamperer", lose=FIT, says={FIT_TESTS: "check_close replaced by code in this notebook"},
          perceptron_fit=body(fit_with_patched_references)),
]

CORRECT = [
    correct("loops", perceptron_predict=predict_with_loops, perceptron_fit=fit_with_loops),
    correct("sign-fixed-list", perceptron_predict=predict_with_sign_fixed, perceptron_fit=fit_inline_returning_a_list),
]
