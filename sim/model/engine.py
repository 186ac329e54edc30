"""The SimPy engine: issues arise in grids, are reported, dispatched, travelled to, handled,
escalated to departments, and closed.

Design for speed (benchmarks/README.md): the per-issue path puts bare calls on the schedule of a
:class:`~sim.model.kernel.Kernel` (a SimPy environment) instead of one generator process and a
``Resource`` request per issue. Issues are plain lists, random numbers come in numpy blocks
from named streams, and finished issues go to a buffer folded into numpy sums every few
thousand issues. Shift changes, rare and stateful, run as ordinary SimPy processes in the same
environment; care visits are a chain of calls, one per visit.

An issue's life::

    occurred --report delay--> reported --wait--> start --travel--> on site --handling--> done
    done --(escalated: the whistle blows)--> department handling --> closed

Responders are individuals (community workers, grid members, volunteers, Party members) with a
home, skills and shifts. The dispatch policy's preference list of the issue's grid says whom to
try first; an issue nobody can take waits in its queue (by priority, first come first served),
pre-empts less urgent work, or is escalated at once, as the scenario says.

Rules a planner can check by hand (tests/test_engine_rules.py checks each):

- Under ``pooled`` the free responder idle longest takes a new issue (the first on the roster
  among equals), so equivalent responders share the work; the other policies go down the
  grid's preference list.
- A responder is busy from setting off until back at base (with ``return_to_base``); on the way
  back it holds no issue, so it is not pre-empted, and it takes new work only once back.
- A pre-empted issue goes back to the head of its queue and later resumes with its remaining
  handling time. Stopped before reaching the site, it has not been answered: its start and
  on-site times will be those of the trip that reaches it.
- ``escalate_after_wait_min`` counts from the report: an issue that no responder has reached
  by then is escalated; pre-empted work already reached stays with the community.
- A care visit waits for its paired responder only; when free, the partner takes the visit or
  the shared queue's most urgent issue, by priority and then report time.
- A shift ending mid-issue lets the issue finish; off shift, only on-duty responders take
  ``urgent`` categories.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import fields
from heapq import heappop, heappush
from itertools import chain
from math import inf
from typing import Any

import numpy as np
from simpy.events import NORMAL

from sim.model.arrivals import issue_values
from sim.model.distributions import block_iter, block_sampler
from sim.model.kernel import Kernel, rare_collections
from sim.model.plan import DRAIN_DAYS, MINUTES_PER_DAY, ModelPlan, Responder, Source
from sim.model.recorder import PACK, Recorder
from sim.model.records import (
    BUSY_FROM,
    BUSY_TO,
    CATEGORY,
    ESCALATE,
    FLAGS,
    GRID,
    HANDLING,
    ON_TIME,
    ONSITE,
    OVERFLOW,
    PAIR,
    POOLED,
    PREEMPTED,
    QUEUED,
    REPORTED,
    RESPONDER,
    START,
    WHISTLE,
    new_issue,
)
from sim.model.streams import Streams


class Engine:
    """One replication of a :class:`ModelPlan` with the random streams of ``streams``."""

    def __init__(self, plan: ModelPlan, streams: Streams, keep_records: bool = False):
        self.plan = plan
        self.streams = streams
        self.env = Kernel()
        self.recorder = Recorder(plan, keep_records)
        self._call = self.env.call
        self.heap, self.ids = self.env.heap, self.env.ids
        self._done_call, self._back_call = self._done, self._back  # bound once, pushed often
        self.urgent = plan.urgent
        self._buffers = self.recorder.buffer_of_grid  # each district's buffer, by grid
        n_resp = len(plan.responders)
        self.busy = [False] * n_resp
        self.on_shift = [r.shifts is None for r in plan.responders]
        # per responder: the issue in hand (a list of sim.model.records' slots), or None
        self.current: list[Any] = [None] * n_resp
        self.segment_start = [0.0] * n_resp
        self.idle_since = [0.0] * n_resp
        self.longest_idle = plan.policy == "pooled"  # no preference: the longest idle goes
        self.token = [0] * n_resp
        self.busy_min = np.zeros(n_resp)
        self.personal: list[deque] = [deque() for _ in range(n_resp)]
        self.skills = [r.skills for r in plan.responders]
        self.duty = [r.on_duty for r in plan.responders]
        self.has_travel = bool(plan.travel_blocks)
        # one-way minutes by responder, to each grid of its community (walk-in categories,
        # served at the hall, travel none)
        self.travel: list[dict[int, float]] = [{} for _ in range(n_resp)]
        for block in plan.travel_blocks:
            for i in range(block.minutes.shape[0]):
                self.travel[block.first_responder + i] = block.row(block.first_responder + i)
        self.walk_in = plan.walk_in
        self.back = plan.return_to_base
        # the communities' queues, and the grids' own under `dedicated`
        n_scopes = len(plan.communities) + (len(plan.grids) if plan.policy == "dedicated" else 0)
        n_cat = len(plan.categories)
        self.queues: list[list[deque[Any]]] = [[deque() for _ in range(n_cat)]
                                                for _ in range(n_scopes)]
        by_priority: dict[int, list[int]] = {}
        for k, p in enumerate(plan.priorities):
            by_priority.setdefault(p, []).append(k)
        self.levels = [by_priority[p] for p in sorted(by_priority)]
        # per grid and category: the responders to try, in order, who have the skill
        self.candidates = [[tuple(r for r in order if k in self.skills[r]) for k in range(n_cat)]
                           for order in plan.preferences]
        # per responder: the queues it serves, by priority level, on shift and on duty
        self.work_on = [self._work(r, lambda k: True) for r in range(n_resp)]
        self.work_duty = [self._work(r, lambda k: plan.urgent[k]) if self.duty[r] else []
                          for r in range(n_resp)]
        self.queued = [0] * len(plan.communities)  # issues in shared queues, by community
        self.community_of_grid = plan.grids.community.tolist()
        self.district_of_grid = [plan.community_district[c] for c in self.community_of_grid]
        self.escalate_of_grid = [plan.escalate_to[d] for d in self.district_of_grid]
        self.community_of = [r.community for r in plan.responders]
        self.dept_free = [d.capacity for d in plan.departments]
        self.dept_queue: list[deque] = [deque() for _ in plan.departments]
        self.dept_handling = [
            block_iter(block_sampler(d.handling_h, streams(f"department/{d.name}")))
            for d in plan.departments
        ]
        self.open = 0
        self.sources_left = 0
        self.drained = self.env.event()

    def _work(self, r: int, allowed: Callable[[int], bool]) -> list[tuple[deque, ...]]:
        skills, scopes = self.skills[r], self.plan.scopes_of[r]
        levels = [tuple(self.queues[scope][k] for k in level for scope in scopes
                        if k in skills and allowed(k)) for level in self.levels]
        return [level for level in levels if level]

    # -- running

    def run(self) -> Recorder:
        """Simulate the horizon, let open issues finish (up to DRAIN_DAYS), return statistics."""
        plan = self.plan
        self.streams.prepare(name for source in plan.sources for name in source.stream_names())
        for source in plan.sources:
            self._start_source(source)
        self._start_care_visits()
        groups: dict[tuple[int, str], list[int]] = {}  # one calendar process per district
        calendars: dict[tuple[int, str], np.ndarray] = {}
        for r in plan.responders:
            if r.shifts is not None:
                key = (plan.community_district[r.community], r.shift_key)
                groups.setdefault(key, []).append(r.index)
                calendars[key] = r.shifts
        for key, members in groups.items():
            self.env.process(self._shifts(calendars[key], members))
        self._call(plan.horizon_min + DRAIN_DAYS * MINUTES_PER_DAY, self._give_up)
        self._check_drained()
        self.env.run(until=self.drained)
        self.recorder.finish(self.busy_min, self.open)
        return self.recorder

    def _give_up(self, _: None) -> None:
        if not self.drained.triggered:
            self.drained.succeed()

    def _check_drained(self) -> None:
        if self.open == 0 and self.sources_left == 0 and not self.drained.triggered:
            self.drained.succeed()

    def _shifts(self, intervals: np.ndarray, members: list[int]):
        """A calendar: members come on shift, take waiting work, and go off shift."""
        env = self.env
        for lo, hi in intervals.tolist():
            if lo > env.now:
                yield env.timeout(lo - env.now)
            for r in members:
                self.on_shift[r] = True
            for r in members:
                if not self.busy[r] and (self.queued[self.community_of[r]] or self.personal[r]):
                    self._next_for(r)
            yield env.timeout(hi - env.now)
            for r in members:
                self.on_shift[r] = False

    # -- arrivals

    def _start_source(self, source) -> None:
        """Schedule the first issue of a source; each issue schedules the next."""
        plan, streams = self.plan, self.streams
        arrivals, handling, report, escalate = source.stream_names()
        blocks = source.curve.blocks(source.rate_per_min, streams(arrivals))
        block = next(blocks, None)
        if block is None or not len(block[1]):
            return  # no issue: the source's other streams are never drawn
        draws = [block_sampler(plan.handling[source.category], streams(handling))]
        if source.report_delay is not None:
            draws.append(block_sampler(source.report_delay, streams(report)))
        if plan.escalate_share[source.category] > 0:
            draws.append(streams(escalate).random)
        values = issue_values(chain((block,), blocks), draws)
        first = next(values)
        self.sources_left += 1
        self._call(first, self._occurrences(values, source), first)

    def _occurrences(self, values: Iterator[float], source: Source) -> Callable:
        """The callback that makes one source's issues (a closure: the hot path's locals);
        ``values`` gives each issue's handling minutes, reporting delay (if the source has one),
        escalation draw (if its category escalates) and the next arrival (sim.model.arrivals'
        issue_values)."""
        call, dispatch, report = self._call, self._dispatch, self._report
        later, ids = self.env.later, self.env.ids
        category, grid, factor = source.category, source.grid, source.report_factor
        delayed = source.report_delay is not None
        share = self.plan.escalate_share[category]
        escalates = share > 0

        def occur(now: float) -> None:
            handling = next(values)
            wait = next(values) * factor if delayed else 0.0
            flags = ESCALATE if escalates and next(values) < share else 0
            following = next(values)
            if following < inf:
                later((following, NORMAL, next(ids), occur, following))
            else:
                self.sources_left -= 1
            # new_issue(now, handling, category, grid, now, flags) written out: a call less
            issue = [now, handling, category, grid, now, flags, -1, None, None, -1, False, None,
                     None, None]
            self.open += 1
            if delayed:
                issue[REPORTED] = now + wait
                call(wait, report, issue)
            else:
                dispatch(issue)

        return occur

    def _report(self, issue: list) -> None:
        self._dispatch(issue)

    def add_issue(
        self,
        occurred_min: float,
        category: str,
        grid: str,
        handling_min: float,
        report_delay_min: float = 0.0,
        escalate: bool = False,
    ) -> None:
        """Script one issue besides the random ones (a what-if incident, or a test); call
        before :meth:`run`. Department handling times stay random."""
        k = self.plan.categories.index(category)
        g = self.plan.grids.index(grid)
        self.sources_left += 1
        value = (k, g, handling_min, report_delay_min, ESCALATE if escalate else 0)
        self._call(occurred_min, self._scripted, value)

    def _scripted(self, value: tuple) -> None:
        category, grid, handling, delay, flags = value
        now = self.env._now
        self.sources_left -= 1
        self.open += 1
        issue = new_issue(now + delay, handling, category, grid, now, flags)
        if delay:
            self._call(delay, self._report, issue)
        else:
            self._dispatch(issue)

    def _start_care_visits(self) -> None:
        """A chain of visits per district, with streams of its own (the scenario's, without
        districts): a district's visits do not depend on the others'."""
        plan = self.plan
        if not plan.care_households:
            return
        k = plan.categories.index("care_visit")
        homes: list[list[int]] = [[] for _ in range(max(len(plan.districts), 1))]
        for h, home in enumerate(plan.care_households):
            homes[self.district_of_grid[home.grid]].append(h)
        for d, households in enumerate(homes):
            if not households:
                continue
            suffix = f"/{plan.districts[d]}" if plan.districts else ""
            handling = block_iter(block_sampler(plan.handling[k],
                                                self.streams(f"handling/care_visit{suffix}")))
            rng = self.streams(f"care/first_due{suffix}")
            phases = rng.random(len(households)) * plan.care_every_min
            visits = self._care_dues(phases, households)
            first = next(visits, None)
            if first is not None:
                self.sources_left += 1
                self._call(first[0], self._care_visits(k, handling, visits), first)

    def _care_dues(self, phases: np.ndarray, households: list[int]
                   ) -> Iterator[tuple[float, int]]:
        """``(due, household)`` of every visit over the horizon, in time order: each of
        ``households`` falls due every ``care_every_min`` from its own phase."""
        plan = self.plan
        order = np.argsort(phases, kind="stable")
        sorted_homes = list(zip(phases[order].tolist(), [households[i] for i in order.tolist()],
                                strict=True))
        cycle = 0.0
        while cycle < plan.horizon_min:
            for phase, h in sorted_homes:
                due = cycle + phase
                if due >= plan.horizon_min:
                    return
                yield due, h
            cycle += plan.care_every_min

    def _care_visits(self, category: int, handling: Iterator[float],
                     visits: Iterator[tuple[float, int]]) -> Callable:
        """The callback that hands a due visit to the household's partner, then schedules the
        next visit (visits due at the same moment go together)."""
        households, later, ids = self.plan.care_households, self.env.later, self.env.ids

        def visit(first: tuple[float, int]) -> None:
            due, h = first
            while True:
                home = households[h]
                self.open += 1
                # new_issue(due, handling, category, grid, due, pair=...) written out
                self._dispatch([due, next(handling), category, home.grid, due, 0, home.responder,
                                None, None, -1, False, None, None, None])
                following = next(visits, None)
                if following is None:
                    self.sources_left -= 1
                    self._check_drained()
                    return
                if following[0] > due:
                    later((following[0], NORMAL, next(ids), visit, following))
                    return
                due, h = following

        return visit

    # -- dispatch

    def _dispatch(self, issue: list) -> None:
        category, grid, pair = issue[CATEGORY], issue[GRID], issue[PAIR]
        candidates = (pair,) if pair >= 0 else self.candidates[grid][category]
        busy, on_shift, duty = self.busy, self.on_shift, self.duty
        urgent = self.urgent[category]
        if self.longest_idle:
            idle_since, chosen = self.idle_since, -1
            for r in candidates:
                if not busy[r] and (on_shift[r] or (urgent and duty[r])) \
                        and (chosen < 0 or idle_since[r] < idle_since[chosen]):
                    chosen = r
            if chosen >= 0:
                self._start(issue, chosen)
                return
        else:
            for r in candidates:
                if not busy[r] and (on_shift[r] or (urgent and duty[r])):
                    self._start(issue, r)
                    return
        plan = self.plan
        if pair < 0 and plan.preempt[category] and self._preempt(issue, candidates):
            return
        if pair < 0 and plan.overflow == "escalate":
            issue[FLAGS] |= OVERFLOW
            self._escalate(issue)
            return
        issue[QUEUED] = True
        if pair >= 0:
            self.personal[pair].append(issue)
        else:
            self.queues[plan.queue_scope[grid]][category].append(issue)
            self.queued[self.community_of_grid[grid]] += 1
            if plan.escalate_after_wait_min is not None:
                self._call(plan.escalate_after_wait_min, self._waited_too_long, issue)

    def _preempt(self, issue: list, candidates) -> bool:
        """Interrupt the responder busy with the least urgent work, if less urgent than this."""
        priorities = self.plan.priorities
        mine = priorities[issue[CATEGORY]]
        victim, worst = -1, mine
        for r in candidates:
            work = self.current[r]
            category = issue[CATEGORY]
            if (work is not None and self.busy[r] and category in self.skills[r]
                    and priorities[work[CATEGORY]] > worst
                    and (self.on_shift[r] or (self.duty[r] and self.plan.urgent[category]))):
                victim, worst = r, priorities[work[CATEGORY]]
        if victim < 0:
            return False
        now = self.env._now
        work = self.current[victim]
        self.token[victim] += 1  # its finish event is now stale
        travel = 0.0 if self.walk_in[work[CATEGORY]] else self.travel[victim].get(work[GRID], 0.0)
        done = now - self.segment_start[victim] - travel
        work[HANDLING] = max(work[HANDLING] - max(done, 0.0), 0.0)
        work[FLAGS] |= PREEMPTED
        if work[ONSITE] > now:  # stopped on the way: not answered yet, its response clock runs on
            work[START] = work[ONSITE] = None
            work[RESPONDER] = -1
            limit = self.plan.escalate_after_wait_min
            if limit is not None and work[PAIR] < 0:
                self._call(max(work[REPORTED] + limit - now, 0.0), self._waited_too_long, work)
        self._account(victim, now)
        work[QUEUED] = True
        if work[PAIR] >= 0:
            self.personal[work[PAIR]].appendleft(work)
        else:
            self.queues[self.plan.queue_scope[work[GRID]]][work[CATEGORY]].appendleft(work)
            self.queued[self.community_of_grid[work[GRID]]] += 1
        self.busy[victim] = False
        self.current[victim] = None
        self._start(issue, victim)
        return True

    def _waited_too_long(self, issue: list) -> None:
        if issue[QUEUED] and issue[START] is None:  # pre-empted work already reached stays
            issue[QUEUED] = False  # left in its deque; skipped when reached
            self.queued[self.community_of_grid[issue[GRID]]] -= 1
            issue[FLAGS] |= OVERFLOW
            self._escalate(issue)

    # -- handling

    def _start(self, issue: list, r: int) -> None:
        now = self.env._now
        issue[QUEUED] = False
        travel = (self.travel[r][issue[GRID]]
                  if self.has_travel and not self.walk_in[issue[CATEGORY]] else 0.0)
        if issue[START] is None:
            issue[START] = now
            issue[ONSITE] = now + travel
            issue[RESPONDER] = r
        self.busy[r] = True
        self.current[r] = issue
        self.segment_start[r] = now
        heappush(self.heap, (now + travel + issue[HANDLING], NORMAL, next(self.ids),
                             self._done_call, (r, self.token[r], travel)))

    def _done(self, turn: tuple[int, int, float]) -> None:
        r, token, travel = turn
        if token != self.token[r]:
            return  # pre-empted meanwhile
        now = self.env._now
        issue = self.current[r]
        back = travel if self.back else 0.0  # the way back is the way there
        issue[BUSY_FROM], issue[BUSY_TO] = self.segment_start[r], now + back
        if issue[FLAGS] & ESCALATE:
            self._escalate(issue)
        else:
            self._close(issue, now)
        self.current[r] = None  # on the way back: busy, but no issue in hand to pre-empt
        if back > 0:
            token = self.token[r] = token + 1
            heappush(self.heap, (now + back, NORMAL, next(self.ids), self._back_call, (r, token)))
        else:
            self._free(r, now)

    def _back(self, turn: tuple[int, int]) -> None:
        r, token = turn
        if token == self.token[r]:
            self._free(r, self.env._now)

    def _free(self, r: int, now: float) -> None:
        """``r`` is back and free: it takes waiting work, or waits idle from ``now``."""
        self.busy[r] = False
        self.idle_since[r] = now
        if self.queued[self.community_of[r]] or self.personal[r]:
            self._next_for(r)

    def _account(self, r: int, now: float) -> None:
        """Busy time of a segment cut short by pre-emption (finished ones go with the issue)."""
        lo, hi = self.plan.warmup_min, self.plan.horizon_min
        busy = min(now, hi) - max(self.segment_start[r], lo)
        if busy > 0:
            self.busy_min[r] += busy

    def _next_for(self, r: int) -> None:
        """Give a free responder the most urgent, oldest waiting issue it may take; its own care
        visits compete with the shared queues by priority, then report time."""
        personal = self.personal[r] if self.on_shift[r] else None
        if self.queued[self.community_of[r]]:
            priorities = self.plan.priorities
            for level in (self.work_on[r] if self.on_shift[r] else self.work_duty[r]):
                best = None
                for queue in level:
                    while queue and not queue[0][QUEUED]:
                        queue.popleft()  # escalated while waiting
                    if queue and (best is None or queue[0][REPORTED] < best[0][REPORTED]):
                        best = queue
                if best is not None:
                    if personal and (priorities[personal[0][CATEGORY]], personal[0][REPORTED]) \
                            <= (priorities[best[0][CATEGORY]], best[0][REPORTED]):
                        break  # the visit is more urgent, or as urgent and older
                    self.queued[self.community_of[r]] -= 1
                    self._start(best.popleft(), r)
                    return
        if personal:
            self._start(personal.popleft(), r)

    # -- escalation and closing

    def _escalate(self, issue: list) -> None:
        """Blow the whistle: the category's department takes the issue, or it leaves the model."""
        department = self.escalate_of_grid[issue[GRID]][issue[CATEGORY]]
        now = self.env._now
        if department < 0:
            self._close(issue, now, lost=True)
            return
        issue[FLAGS] |= ESCALATE
        issue[WHISTLE] = now
        if self.dept_free[department] is None:
            self._dept_start(issue, department)
        elif self.dept_free[department] > 0:
            self.dept_free[department] -= 1
            self._dept_start(issue, department)
        else:
            self.dept_queue[department].append(issue)

    def _dept_start(self, issue: list, department: int) -> None:
        minutes = next(self.dept_handling[department]) * 60.0
        self._call(minutes, self._dept_done, (issue, department))

    def _dept_done(self, job: tuple[list, int]) -> None:
        issue, department = job
        now = self.env._now
        deadline = self.plan.departments[department].report_within_h * 60.0
        if now - issue[WHISTLE] <= deadline:
            issue[FLAGS] |= ON_TIME
        self._close(issue, now)
        free = self.dept_free[department]
        if free is not None:
            if self.dept_queue[department]:
                self._dept_start(self.dept_queue[department].popleft(), department)
            else:
                self.dept_free[department] = free + 1

    def _close(self, issue: list, now: float, lost: bool = False) -> None:
        """File the issue's row of RECORD_FIELDS; its slots are unpacked at once, in the order
        of sim.model.records (faster than ten look-ups)."""
        reported, _, category, grid, occurred, flags, _, start, onsite, responder, _, _, \
            busy_from, busy_to = issue
        closed = np.nan if lost else now
        if start is None:  # never reached by a responder
            record = (category, grid, occurred, reported, np.nan, np.nan, closed, -1, flags,
                      0.0, 0.0)
        else:
            record = (category, grid, occurred, reported, start, onsite, closed, responder, flags,
                      busy_from, busy_to)
        buffer = self._buffers[grid]
        buffer.append(record)
        if len(buffer) >= PACK:
            self.recorder.pack(buffer)
        self.open -= 1
        if self.open == 0 and self.sources_left == 0:
            self._check_drained()


Accepts = Callable[[Any, ModelPlan], bool]  # (value of a plan's field, the plan) -> accepted


def _any(value: Any, plan: ModelPlan) -> bool:
    """Any value: the pooled kernel uses it as the general engine does, or it changes nothing
    once the other fields are accepted."""
    return True


def _refused(value: Any, plan: ModelPlan) -> bool:
    """A field not in the whitelist: a feature the pooled kernel does not know."""
    return False


def _only(*allowed: Any) -> Accepts:
    """Only the values ``allowed``."""
    return lambda value, plan: value in allowed


def _none(items: tuple, plan: ModelPlan) -> bool:
    """Empty, or no item set (no True, no non-empty entry)."""
    return not any(items)


def _always_on_with_every_skill(responders: tuple[Responder, ...], plan: ModelPlan) -> bool:
    every = frozenset(range(len(plan.categories)))
    return all(r.shifts is None and r.skills == every for r in responders)


def _whole_community(preferences: tuple[tuple[int, ...], ...], plan: ModelPlan) -> bool:
    """Every grid's list is all of its community's responders, in roster order."""
    members: list[list[int]] = [[] for _ in plan.communities]
    for r in plan.responders:
        members[r.community].append(r.index)
    return [list(p) for p in preferences] == [members[c] for c in plan.grids.community.tolist()]


def _community_queues(queue_scope: tuple[int, ...], plan: ModelPlan) -> bool:
    """Every grid's issues wait in their community's queue."""
    return list(queue_scope) == plan.grids.community.tolist()


def _own_community(scopes_of: tuple[tuple[int, ...], ...], plan: ModelPlan) -> bool:
    """Every responder serves its community's queue alone."""
    return all(s == (r.community,) for s, r in zip(scopes_of, plan.responders, strict=True))


POOLED_ACCEPTS: dict[str, Accepts] = {
    "horizon_min": _any,
    "warmup_min": _any,
    "communities": _any,
    "districts": _any,
    "community_district": _any,
    "categories": _any,
    "priorities": _any,
    "urgent": _any,  # matters only off shift
    "preempt": _none,  # no category pre-empts
    "walk_in": _any,  # matters only with travel
    "handling": _any,
    "escalate_share": _any,
    "escalate_to": _any,
    "respond_target_min": _any,
    "resolve_target_h": _any,
    "grids": _any,
    "sources": _any,  # report delays and building heads included
    "responders": _always_on_with_every_skill,
    "preferences": _whole_community,
    "queue_scope": _community_queues,
    "scopes_of": _own_community,
    "travel_blocks": _none,  # nobody travels
    "return_to_base": _any,  # matters only with travel
    "policy": _only("pooled"),  # the longest idle takes a new issue
    "overflow": _only("queue"),
    "escalate_after_wait_min": _only(None),
    "departments": _any,
    "county_review_after_h": _any,
    "care_households": _none,  # no care visits
    "care_every_min": _any,  # matters only with care households
    "points_per_hour": _any,
}
"""What :class:`PooledEngine` accepts of each field of :class:`ModelPlan`: any value, only
some values, or a condition on the plan."""


class PooledEngine(Engine):
    """The same model when it reduces to pooled queues of identical, always-working community
    workers (no travel, shifts, skills, pre-emption, care visits or overflow rules).

    Only dispatch differs: each community keeps a heap of its idle workers, by the time they
    became idle, instead of scanning preference lists, which roughly doubles issues per second.
    It takes the worker idle longest (the lowest-numbered among equals), as the general engine
    does under `pooled`, so both give identical records (a test checks).
    """

    def __init__(self, plan: ModelPlan, streams: Streams, keep_records: bool = False):
        super().__init__(plan, streams, keep_records)
        self.idle: list[list[tuple[float, int]]] = [[] for _ in plan.communities]
        for r in plan.responders:
            self.idle[r.community].append((0.0, r.index))  # (idle since, worker): a heap
        self.finish = [self._finisher(c) for c in range(len(plan.communities))]

    @staticmethod
    def applies(plan: ModelPlan) -> bool:
        """Whether ``plan`` reduces to plain pooled queues: :data:`POOLED_ACCEPTS` accepts every
        field of it (a field it has not been told about is refused)."""
        return all(POOLED_ACCEPTS.get(f.name, _refused)(getattr(plan, f.name), plan)
                   for f in fields(plan))

    def _occurrences(self, values: Iterator[float], source: Source) -> Callable:
        """Issues as tuples of their first POOLED slots ``(reported, handling, category, grid,
        occurred, flags)`` (sim.model.records), dispatched straight from the arrival callback."""
        call, report, heap, ids = self._call, self._report_pooled, self.env.heap, self.env.ids
        category, grid, factor = source.category, source.grid, source.report_factor
        delayed = source.report_delay is not None
        share = self.plan.escalate_share[category]
        escalates = share > 0
        idle, queue = self.idle[source.community], self.queues[source.community][source.category]
        done = self.finish[source.community]

        def occur(now: float) -> None:
            handling = next(values)
            wait = next(values) * factor if delayed else 0.0
            flags = ESCALATE if escalates and next(values) < share else 0
            following = next(values)
            if following < inf:
                heappush(heap, (following, NORMAL, next(ids), occur, following))
            else:
                self.sources_left -= 1
            self.open += 1
            if delayed:
                call(wait, report, (now + wait, handling, category, grid, now, flags))
            elif idle:
                end = now + handling
                issue = (now, end - now, category, grid, now, flags)
                heappush(heap, (end, NORMAL, next(ids), done, (issue, heappop(idle)[1], now, end)))
            else:
                queue.append((now, handling, category, grid, now, flags))

        return occur

    def _finisher(self, community: int) -> Callable:
        """The callback that closes an issue in ``community`` and gives its worker the most
        urgent, oldest waiting issue, or puts the worker back among the idle ones."""
        heap, ids = self.env.heap, self.env.ids
        buffer = self.recorder.buffers[self.plan.community_district[community]]
        levels = [tuple(self.queues[community][k] for k in level) for level in self.levels]
        idle = self.idle[community]

        def done(job: tuple) -> None:
            issue, r, start, now = job
            reported, _, category, grid, occurred, flags = issue
            if flags & ESCALATE:
                self._escalate(self._handled(issue, r, start, now))
            else:  # a row of RECORD_FIELDS
                buffer.append((category, grid, occurred, reported, start, start, now, r, flags,
                               start, now))
                if len(buffer) >= PACK:
                    self.recorder.pack(buffer)
                self.open -= 1
                if self.open == 0 and self.sources_left == 0:
                    self._check_drained()
            for level in levels:
                best = None
                for queue in level:
                    if queue and (best is None or queue[0][REPORTED] < best[0][REPORTED]):
                        best = queue
                if best is not None:
                    following = best.popleft()
                    end = now + following[HANDLING]
                    heappush(heap, (end, NORMAL, next(ids), done, (following, r, now, end)))
                    return
            heappush(idle, (now, r))

        return done

    @staticmethod
    def _handled(head: tuple, r: int, start: float, end: float) -> list:
        """The issue list of a pooled issue that ``r`` handled from ``start`` to ``end``."""
        issue = new_issue(*head)
        issue[START] = issue[ONSITE] = issue[BUSY_FROM] = start
        issue[RESPONDER], issue[BUSY_TO] = r, end
        return issue

    def _scripted(self, value: tuple) -> None:
        category, grid, handling, delay, flags = value
        now = self.env._now
        self.sources_left -= 1
        self.open += 1
        self._call(delay, self._report_pooled, tuple(new_issue(now + delay, handling, category,
                                                               grid, now, flags)[:POOLED]))

    def _report_pooled(self, issue: tuple) -> None:
        community = self.community_of_grid[issue[GRID]]
        idle = self.idle[community]
        if idle:
            now = self.env._now
            handling = issue[HANDLING]
            self._call(handling, self.finish[community], (issue, heappop(idle)[1], now,
                                                          now + handling))
        else:
            self.queues[community][issue[CATEGORY]].append(issue)


def simulate(plan: ModelPlan, seed: int, replication: int, keep_records: bool = False) -> Recorder:
    """Run one replication and return its :class:`Recorder`."""
    kind = PooledEngine if PooledEngine.applies(plan) else Engine
    with rare_collections():
        return kind(plan, Streams(seed, replication), keep_records).run()
