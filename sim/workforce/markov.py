"""The career system as a Markov manpower model: states, one year's flows, expected and simulated.

A worker's state is (post, grade, years in grade), years counted up to the post's
``years_in_grade`` (from then on the worker is *eligible* to step up). In a year each worker of
a state has one of five outcomes, with the post's shares as probabilities:

0. leaves (``attrition_share``), 1. is promoted out (``promotion_out_share``),
2. goes to the post above (``to_post_share``, eligible only; grade kept, raised to the new
   post's lowest), 3. steps up a grade (``grade_step_share``, eligible and below the post's
   highest grade), 4. stays (the rest; one more year in grade).

Hires join at the end of the year in their route's post and grade. The expected head count
follows exactly from the transition matrix, ``n[t+1] = n[t] P + hires[t+1]``; the stochastic
version draws every state's outcomes as one multinomial per path (seeded), so its paths give
the intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import numpy as np

from sim.scenario.policy import PayTable, Position
from sim.scenario.workforce import EntryRoute, PostName, PostRules, Workforce

POST_NAMES: tuple[PostName, ...] = get_args(PostName)
"""The four posts, in the order of ``sim.scenario.policy.POSTS``."""
OUTCOMES = ("attrition", "promotion_out", "to_post", "grade_step", "stay")
EXIT = -1


@dataclass(frozen=True)
class Chain:
    """The states and one year's outcomes of the workforce.

    ``post``, ``grade``, ``years`` per state; ``prob`` (states x 5) and ``dest`` (states x 5,
    -1 for the two exits) per outcome; ``cost`` the yearly cost of a worker of each state;
    ``on_duty`` the share of the year each state's workers are on duty.
    """

    post: np.ndarray  # str
    grade: np.ndarray  # int
    years: np.ndarray  # int
    prob: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    on_duty: np.ndarray

    def __len__(self) -> int:
        return len(self.post)

    def index(self, post: str, grade: int, years: int = 0) -> int:
        hits = np.flatnonzero((self.post == post) & (self.grade == grade)
                              & (self.years == years))
        return int(hits[0])

    def matrix(self) -> np.ndarray:
        """The transition matrix among states (rows: from; they sum to 1 - exit shares)."""
        size = len(self)
        p = np.zeros((size, size))
        for k in range(2, len(OUTCOMES)):
            np.add.at(p, (np.arange(size), self.dest[:, k]), self.prob[:, k])
        return p

    def start(self, workforce: Workforce) -> np.ndarray:
        """Today's head count per state."""
        n = np.zeros(len(self))
        for row in workforce.headcount:
            cap = int(self.years[(self.post == row.post)].max())
            n[self.index(row.post, row.grade, min(row.years_in_grade, cap))] += row.count
        return n


def build_chain(workforce: Workforce, pay: PayTable) -> Chain:
    """The states of every post's grades (from ``pay``) and their outcomes."""
    rules = {p: workforce.posts.get(p, PostRules()) for p in POST_NAMES}
    index: dict[tuple[PostName, int, int], int] = {}
    for post in POST_NAMES:
        for grade in range(pay.posts[post].min_grade, pay.posts[post].max_grade + 1):
            for years in range(rules[post].years_in_grade + 1):
                index[(post, grade, years)] = len(index)
    size = len(index)
    prob = np.zeros((size, len(OUTCOMES)))
    dest = np.full((size, len(OUTCOMES)), EXIT)
    for (post, grade, years), s in index.items():
        r, top = rules[post], pay.posts[post].max_grade
        eligible = years >= r.years_in_grade
        stay = index[(post, grade, min(years + 1, r.years_in_grade))]
        prob[s, 0], prob[s, 1] = r.attrition_share, r.promotion_out_share
        dest[s, 2:] = stay
        if eligible and r.to_post is not None and r.to_post_share > 0:
            above = pay.posts[r.to_post]
            prob[s, 2] = r.to_post_share
            dest[s, 2] = index[(r.to_post, min(max(grade, above.min_grade), above.max_grade), 0)]
        if eligible and grade < top:
            prob[s, 3] = r.grade_step_share
            dest[s, 3] = index[(post, grade + 1, 0)]
        prob[s, 4] = max(1.0 - prob[s, :4].sum(), 0.0)
    keys = list(index)
    return Chain(
        post=np.array([k[0] for k in keys]), grade=np.array([k[1] for k in keys]),
        years=np.array([k[2] for k in keys]), prob=prob, dest=dest,
        cost=np.array([pay.annual_cost(Position(post=k[0], grade=k[1])) for k in keys]),
        on_duty=np.array([1.0 - rules[k[0]].training_absence_share for k in keys]))


def entry_state(chain: Chain, route: EntryRoute) -> int:
    return chain.index(route.post, route.grade, 0)


# ---------------------------------------------------------------- expected and simulated


@dataclass(frozen=True)
class Flows:
    """Head count per state at each year 0..N and the year's flows (index t: into year t;
    0 at year 0). Expected values, or one array per path (leading axis) when simulated."""

    headcount: np.ndarray  # (..., years + 1, states)
    entries: np.ndarray  # (..., years + 1)
    attrition: np.ndarray
    promotion_out: np.ndarray


def expected(chain: Chain, start: np.ndarray, hires: np.ndarray) -> Flows:
    """The expected path: ``hires`` (years + 1, states) join at the end of each year."""
    p = chain.matrix()
    years = hires.shape[0] - 1
    n = np.zeros((years + 1, len(chain)))
    n[0] = start
    attrition, out = np.zeros(years + 1), np.zeros(years + 1)
    for t in range(1, years + 1):
        attrition[t] = n[t - 1] @ chain.prob[:, 0]
        out[t] = n[t - 1] @ chain.prob[:, 1]
        n[t] = n[t - 1] @ p + hires[t]
    return Flows(n, hires.sum(axis=1), attrition, out)


def simulate(chain: Chain, start: np.ndarray, hires: np.ndarray, paths: int,
             rng: np.random.Generator) -> Flows:
    """``paths`` independent paths: each state's workers draw their outcomes as one
    multinomial a year; hires (whole numbers) join as planned."""
    years, size = hires.shape[0] - 1, len(chain)
    n = np.zeros((paths, years + 1, size), dtype=np.int64)
    n[:, 0] = np.rint(start).astype(np.int64)
    attrition = np.zeros((paths, years + 1), dtype=np.int64)
    out = np.zeros((paths, years + 1), dtype=np.int64)
    whole = np.rint(hires).astype(np.int64)
    moves = range(2, len(OUTCOMES))
    offset = (np.arange(paths) * size)[:, None, None]
    targets = (offset + chain.dest[None, :, 2:]).ravel()
    for t in range(1, years + 1):
        draws = rng.multinomial(n[:, t - 1], chain.prob)  # (paths, states, outcomes)
        attrition[:, t] = draws[:, :, 0].sum(axis=1)
        out[:, t] = draws[:, :, 1].sum(axis=1)
        moved = np.bincount(targets, weights=draws[:, :, list(moves)].ravel(),
                            minlength=paths * size)
        n[:, t] = np.rint(moved).astype(np.int64).reshape(paths, size) + whole[t]
    entries = np.broadcast_to(whole.sum(axis=1), (paths, years + 1))
    return Flows(n, entries, attrition, out)
