"""Wrong answers to each assignment, written as students write them, and the points each test cell owes them.

Each submission replaces the named solution cells of the student version; every cell not named keeps
the student version's stub. `points` gives every autograded test cell's expected score, and `messages`
text that a failing cell's output must show, so that the hints stay useful.
"""

from dataclasses import dataclass, field


@dataclass
class Submission:
    student: str
    code: dict[str, str]
    points: dict[str, float]
    messages: dict[str, str] = field(default_factory=dict)


PREDICT = """
def perceptron_predict(X, w, b):
    return np.where(X @ w + b >= 0, 1, -1)
"""

FIT_TEMPLATE = """
def perceptron_fit(X, y, epochs=100, lr=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            {body}
        {stop}
    return w, b
"""
ON_MISTAKE = """if perceptron_predict(x_i[None], w, b)[0] != y_i:
                w = w + lr * y_i * x_i
                b = b + lr * y_i
                mistakes += 1"""
STOP = "if mistakes == 0:\n            break"


def fit(body: str = ON_MISTAKE, stop: str = STOP) -> str:
    return FIT_TEMPLATE.format(body=body, stop=stop)


HISTORY = "01_history"
WRONG = {
    HISTORY: [
        Submission(  # the most common slip: the rule applied to every example
            "every-sample",
            {"perceptron_predict": PREDICT,
             "perceptron_fit": fit(body="w = w + lr * y_i * x_i\n            b = b + lr * y_i", stop="")},
            {"perceptron_predict-tests": 1, "perceptron_predict-hidden-tests": 1,
             "perceptron_fit-tests": 0, "perceptron_fit-hidden-tests": 0},
            {"perceptron_fit-tests": "you update on every example"},
        ),
        Submission(  # np.sign gives 0 for a score of 0, and the fit inherits the mistake
            "sign-at-zero",
            {"perceptron_predict": "def perceptron_predict(X, w, b):\n    return np.sign(X @ w + b)\n",
             "perceptron_fit": fit()},
            {"perceptron_predict-tests": 1, "perceptron_predict-hidden-tests": 0,
             "perceptron_fit-tests": 0, "perceptron_fit-hidden-tests": 0},
            {"perceptron_predict-hidden-tests": "a score of exactly 0 gives +1",
             "perceptron_fit-tests": "a score of 0 predicts +1"},
        ),
        Submission(  # right weights in the end, but it never stops early
            "never-stops",
            {"perceptron_predict": PREDICT, "perceptron_fit": fit(stop="")},
            {"perceptron_predict-tests": 1, "perceptron_predict-hidden-tests": 1,
             "perceptron_fit-tests": 2, "perceptron_fit-hidden-tests": 0},
            {"perceptron_fit-hidden-tests": "stop after the first epoch in which no example was misclassified"},
        ),
        Submission(  # forgets the bias
            "no-bias",
            {"perceptron_predict": PREDICT,
             "perceptron_fit": fit(body=ON_MISTAKE.replace("b = b + lr * y_i", "pass"))},
            {"perceptron_predict-tests": 1, "perceptron_predict-hidden-tests": 1,
             "perceptron_fit-tests": 0, "perceptron_fit-hidden-tests": 0},
            {"perceptron_fit-tests": "you never update the bias"},
        ),
    ],
}
