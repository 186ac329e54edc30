"""The engine's Kernel processes its schedule in exactly SimPy's order.

:class:`~sim.model.kernel.Kernel` is a :class:`simpy.Environment` whose schedule holds bare calls
``(time, priority, id, fn, arg)``, with entries filed through :meth:`Kernel.later` waiting in
``window``-minute buckets until their window opens. These tests check that, whatever the window,
the order of processing is SimPy's (time, then priority, then scheduling order): plain SimPy
models run unchanged, a randomised schedule matches an independent heap, SimPy events and bare
calls interleave by that order, and ``peek``/``step``/``run`` behave as SimPy's do: ``run``'s
contract is checked case by case as SimPy 4.1's own tests of ``Environment.run`` state it, on
both environments.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from math import inf

import pytest
import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, Event

from sim.model.kernel import Kernel

WINDOWS = [1, 7, 60]


def _kernel_or_simpy(kind: str, window: int) -> simpy.Environment:
    return simpy.Environment() if kind == "simpy" else Kernel(window=window)


# -- 1. plain SimPy models run unchanged


def _plain_model(env: simpy.Environment) -> tuple[list[tuple], Event]:
    """Processes, timeouts, a contended Resource, a bare event with callbacks, an Interrupt, a
    failed-and-caught event and conditions; ends by succeeding the returned event."""
    log: list[tuple] = []
    clerks = simpy.Resource(env, capacity=2)
    signal = env.event()
    finished = env.event()
    signal.callbacks.append(lambda ev: log.append((env.now, "signal callback", ev.value)))

    def customer(name: str, arrive: float, service: float):
        yield env.timeout(arrive)
        log.append((env.now, name, "arrives"))
        with clerks.request() as req:
            yield req
            log.append((env.now, name, "served"))
            yield env.timeout(service)
        log.append((env.now, name, "leaves"))
        return name.upper()

    def sleeper():
        try:
            yield env.timeout(500)
            log.append((env.now, "sleeper", "slept through"))
        except simpy.Interrupt as interrupt:
            log.append((env.now, "sleeper", "interrupted", interrupt.cause))
        value = yield signal
        log.append((env.now, "sleeper", "got signal", value))

    def alarm(target: simpy.Process):
        yield env.timeout(59)
        target.interrupt("wake up")
        log.append((env.now, "alarm", "interrupt sent"))
        yield env.timeout(1)  # lands exactly on the 60-minute bucket edge
        signal.succeed("go")
        log.append((env.now, "alarm", "signal sent"))

    def doomed():
        failing = env.event()
        env.process(_fail_later(failing))
        try:
            yield failing
        except ValueError as err:
            log.append((env.now, "doomed", "caught", str(err)))

    def _fail_later(ev: Event):
        yield env.timeout(61)
        ev.fail(ValueError("broken"))

    def boss():
        people = [
            env.process(customer(f"c{i}", arrive, service))
            for i, (arrive, service) in enumerate(
                [(0, 30), (0, 30), (0, 45), (10, 5), (30, 60), (30, 0), (119, 1), (120, 3)]
            )
        ]
        first = yield env.any_of(people[:3])
        log.append((env.now, "boss", "first done", sorted(first.values())))
        done = yield env.all_of(people)
        log.append((env.now, "boss", "all done", [done[p] for p in people]))
        yield env.timeout(0)
        finished.succeed(("finished", env.now))
        log.append((env.now, "boss", "finished"))

    env.process(alarm(env.process(sleeper())))
    env.process(doomed())
    env.process(boss())
    return log, finished


@pytest.mark.parametrize("window", WINDOWS)
def test_plain_simpy_model_runs_identically_on_kernel(window: int) -> None:
    runs = {}
    for kind in ("simpy", "kernel"):
        env = _kernel_or_simpy(kind, window)
        log, finished = _plain_model(env)
        value = env.run(until=finished)
        runs[kind] = (log, value, env.now)

    log, value, now = runs["kernel"]
    assert runs["kernel"] == runs["simpy"]
    assert value == ("finished", now)
    # the model did exercise what it is meant to (guards against a vacuous comparison)
    assert (59, "sleeper", "interrupted", "wake up") in log
    assert (60, "sleeper", "got signal", "go") in log
    assert (61, "doomed", "caught", "broken") in log
    assert (10, "c3", "arrives") in log and (30, "c3", "served") in log  # waited for a clerk


def test_run_returns_value_of_already_processed_until() -> None:
    k = Kernel()
    ev = k.event()
    k.call(3, lambda _: ev.succeed("early"))
    assert k.run(until=ev) == "early"
    assert k.run(until=ev) == "early"  # processed already: returned at once
    assert k.now == 3


# -- 2. order equivalence under stress

N_INITIAL = 300
BUDGET = 4000


def _actions(rng: random.Random, now: float, window: int) -> list[tuple[str, float, int]]:
    """What one callback schedules: (how, absolute time, priority); chosen only from ``rng``."""
    out = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        r = rng.random()
        if r < 0.15:
            t = now  # zero delay
        elif r < 0.45:
            t = now + rng.choice((0.25, 0.5, 1, 1, 2, 3, 5, 10))  # small delays: many ties
        elif r < 0.75:  # exactly on a bucket edge (or a quarter off it)
            edge = (int(now // window) + rng.randint(1, 4)) * window
            t = edge + rng.choice((0, 0, 0, -0.25, 0.25))
            t = max(t, now)
        elif r < 0.9:
            t = now + rng.randint(1, 20) * 15  # coarse grid: ties across callbacks
        else:
            t = float(rng.choice((10_000, 10_000, 250_000, 10**7)))  # far future, tied
            t = max(t, now)
        how = rng.choice(("call", "later", "later", "later_urgent", "heap", "timeout"))
        prio = URGENT if how == "later_urgent" else NORMAL
        out.append((how, t, prio))
    return out


def _initial(rng: random.Random, window: int) -> list[tuple[str, float, int]]:
    out = []
    for _ in range(N_INITIAL):
        t = rng.choice((0, 1, window, 2 * window, 3 * window - 1, rng.randint(0, 500), 10_000))
        how = rng.choice(("call", "later", "later_urgent", "heap", "timeout"))
        out.append((how, float(t), URGENT if how == "later_urgent" else NORMAL))
    return out


def _stress_on_kernel(seed: int, window: int):
    """Run the scenario on a Kernel; return processing order and any (expected, now) mismatch."""
    k = Kernel(window=window)
    order: list[int] = []
    wrong_now: list[tuple[float, float]] = []
    tags = count()
    state = {"made": 0}
    done = k.event()

    def file(how: str, t: float, prio: int) -> None:
        tag = next(tags)
        state["made"] += 1
        arg = (tag, t)
        if how == "call":
            k.call(t - k.now, fire, arg)
        elif how in ("later", "later_urgent"):
            k.later((t, prio, next(k.ids), fire, arg))
        elif how == "heap":
            heappush(k.heap, (t, prio, next(k.ids), fire, arg))
        else:  # a SimPy Timeout whose callback is the call
            k.timeout(t - k.now).callbacks.append(lambda _ev, arg=arg: fire(arg))

    def fire(arg: tuple[int, float]) -> None:
        tag, t = arg
        order.append(tag)
        if k.now != t:
            wrong_now.append((t, k.now))
        if state["made"] < BUDGET:
            for action in _actions(random.Random(seed * 1_000_003 + tag), k.now, window):
                file(*action)
        if state["made"] >= BUDGET and len(order) == state["made"]:
            done.succeed(len(order))

    for action in _initial(random.Random(seed), window):
        file(*action)
    processed = k.run(until=done)
    assert processed == len(order)
    return order, wrong_now


def _stress_reference(seed: int, window: int) -> list[int]:
    """The same scenario on one plain heap of (time, priority, scheduling order)."""
    heap: list[tuple] = []
    ids = count()
    tags = count()
    order: list[int] = []
    made = 0

    def file(_how: str, t: float, prio: int) -> None:
        nonlocal made
        made += 1
        heappush(heap, (t, prio, next(ids), next(tags)))

    for action in _initial(random.Random(seed), window):
        file(*action)
    while heap:
        now, _, _, tag = heappop(heap)
        order.append(tag)
        if made < BUDGET:
            for action in _actions(random.Random(seed * 1_000_003 + tag), now, window):
                file(*action)
    return order


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("seed", [1, 2])
def test_random_schedule_is_processed_in_simpy_order(seed: int, window: int) -> None:
    order, wrong_now = _stress_on_kernel(seed, window)
    expected = _stress_reference(seed, window)
    assert len(expected) >= BUDGET
    assert order == expected
    assert wrong_now == []


# -- 3. SimPy events and bare calls interleave by (time, priority, scheduling order)


def _mixed_model(env: simpy.Environment, file_call) -> tuple[list[tuple], Event]:
    """``file_call(t, fn, arg)`` files a NORMAL call of ``fn(arg)`` at absolute time ``t``."""
    log: list[tuple] = []
    finished = env.event()

    def note(what):
        log.append((env.now, what))

    def worker(name: str, wait: float):
        note(f"{name} starts")
        yield env.timeout(wait)
        note(f"{name} timeout")

    def spawn(name: str) -> None:
        note(f"call spawns {name}")
        env.process(worker(name, 0))  # URGENT start: before NORMAL entries filed earlier

    def filing(t: float, fn, arg):
        file_call(t, fn, arg)  # at time 0, in order of process creation
        yield env.timeout(0)

    # processes start in order of creation, so their filings interleave in this order
    env.process(filing(120, note, "call A (filed before the timeouts)"))
    env.process(worker("P", 120))
    env.process(filing(120, spawn, "Q"))
    env.process(worker("R", 120))
    env.process(filing(120, note, "call B (filed after the timeouts)"))
    file_call(119.75, note, "call just before the edge")
    file_call(240, note, "call C")
    file_call(240, lambda _: finished.succeed("end"), None)
    env.process(worker("S", 240))  # S starts (and files its timeout) once the run begins
    return log, finished


def _kernel_later(k: Kernel):
    return lambda t, fn, arg: k.later((t, NORMAL, next(k.ids), fn, arg))


def _simpy_timeout_call(env: simpy.Environment):
    return lambda t, fn, arg: env.timeout(t - env.now).callbacks.append(lambda _ev: fn(arg))


@pytest.mark.parametrize("window", WINDOWS)
def test_simpy_events_and_later_calls_interleave_in_simpy_order(window: int) -> None:
    k = Kernel(window=window)
    log, finished = _mixed_model(k, _kernel_later(k))
    assert k.run(until=finished) == "end"

    env = simpy.Environment()
    reference, ref_finished = _mixed_model(env, _simpy_timeout_call(env))
    env.run(until=ref_finished)

    assert log == reference
    assert log == [
        (0, "P starts"),
        (0, "R starts"),
        (0, "S starts"),
        (119.75, "call just before the edge"),
        (120, "call A (filed before the timeouts)"),
        (120, "P timeout"),
        (120, "call spawns Q"),
        (120, "Q starts"),  # URGENT: ahead of R's timeout and call B, both filed earlier
        (120, "R timeout"),
        (120, "call B (filed after the timeouts)"),
        (120, "Q timeout"),
        (240, "call C"),
        (240, "S timeout"),  # filed after the call succeeding `finished`, before `finished`
    ]


def test_call_with_zero_delay_runs_after_what_is_already_due_now() -> None:
    k = Kernel(window=60)
    log: list[tuple] = []
    done = k.event()

    def first(_):
        log.append((k.now, "first"))
        k.call(0, lambda _: log.append((k.now, "zero-delay call")))
        k.timeout(0).callbacks.append(lambda _: log.append((k.now, "zero timeout")))
        k.call(0, lambda _: done.succeed())

    k.later((180, NORMAL, next(k.ids), first, None))  # bucketed, on an edge
    k.later((180, NORMAL, next(k.ids), lambda _: log.append((k.now, "second")), None))
    k.run(until=done)
    assert log == [(180, "first"), (180, "second"), (180, "zero-delay call"), (180, "zero timeout")]


# -- 4. peek and step


def test_peek_and_step_reach_entries_waiting_in_buckets() -> None:
    k = Kernel(window=10)
    seen: list[tuple] = []
    k.call(37, lambda a: seen.append((k.now, a)), "c")
    k.call(25, lambda a: seen.append((k.now, a)), "a")
    k.call(25, lambda a: seen.append((k.now, a)), "b")
    assert k.heap == []  # all three wait in buckets

    assert k.peek() == 25
    k.step()
    assert seen == [(25, "a")] and k.now == 25
    assert k.peek() == 25
    k.step()
    assert seen == [(25, "a"), (25, "b")]
    assert k.peek() == 37
    k.step()
    assert seen[-1] == (37, "c") and k.now == 37
    assert k.peek() == inf
    with pytest.raises(EmptySchedule):
        k.step()


def test_peek_prefers_an_earlier_bucket_over_a_later_heap_entry() -> None:
    k = Kernel(window=60)
    k.timeout(500)  # straight onto the heap
    k.call(130, lambda _: None)  # bucketed
    assert k.peek() == 130
    k.step()
    assert k.now == 130
    assert k.peek() == 500


def test_step_on_empty_kernel_raises_empty_schedule() -> None:
    k = Kernel()
    assert k.peek() == inf
    with pytest.raises(EmptySchedule):
        k.step()


# -- 5. run's failure modes


@pytest.mark.parametrize("window", [1, 60])
def test_run_raises_runtime_error_when_schedule_empties_before_until(window: int) -> None:
    k = Kernel(window=window)
    ran: list[float] = []
    k.call(5, lambda _: ran.append(k.now))
    k.call(300, lambda _: ran.append(k.now))
    never = k.event()
    with pytest.raises(RuntimeError, match='No scheduled events left but "until" event'):
        k.run(until=never)
    assert ran == [5, 300]
    assert not never.triggered


@pytest.mark.parametrize("kind", ["simpy", "kernel"])
def test_undefused_failure_crashes_run_with_its_exception_type(kind: str) -> None:
    env = _kernel_or_simpy(kind, 60)
    original = ValueError("boom", 7)
    ev = env.event()

    def breaker():
        yield env.timeout(90)
        ev.fail(original)

    env.process(breaker())
    with pytest.raises(ValueError) as info:
        env.run(until=env.timeout(200))
    assert info.value.args == ("boom", 7)
    assert info.value.__cause__ is original
    assert env.now == 90


@pytest.mark.parametrize("kind", ["simpy", "kernel"])
def test_defused_failure_does_not_crash_run(kind: str) -> None:
    env = _kernel_or_simpy(kind, 60)
    ev = env.event()

    def breaker():
        yield env.timeout(90)
        ev.fail(ValueError("ignored"))
        ev.defused = True

    env.process(breaker())
    end = env.timeout(200, value="done")
    assert env.run(until=end) == "done"
    assert env.now == 200


@pytest.mark.parametrize("kind", ["simpy", "kernel"])
def test_failing_until_event_raises_from_run(kind: str) -> None:
    env = _kernel_or_simpy(kind, 60)
    until = env.event()

    def breaker():
        yield env.timeout(70)
        until.fail(KeyError("lost"))

    env.process(breaker())
    with pytest.raises(KeyError):
        env.run(until=until)
    assert env.now == 70


# -- corners where SimPy's behaviour is easy to miss


def test_interrupted_infinite_timeout_with_bucketed_calls() -> None:
    # `yield env.timeout(inf)` ("wait until interrupted") is legal SimPy; the interrupted
    # timeout stays on the heap at time inf while a later call waits in a bucket.
    k = Kernel(window=60)
    log: list[tuple] = []
    done = k.event()

    def sleeper():
        try:
            yield k.timeout(inf)
        except simpy.Interrupt:
            log.append((k.now, "woken"))

    def waker(proc):
        yield k.timeout(1)
        proc.interrupt()

    k.process(waker(k.process(sleeper())))
    k.call(120, lambda _: done.succeed("ok"))
    assert k.run(until=done) == "ok"
    assert log == [(1, "woken")]


def test_resumed_run_processes_remaining_until_callbacks_first() -> None:
    # callbacks of the until event left when run stops go first when the next run resumes
    # (SimPy files them at priority -1, ahead of URGENT events already due)
    logs = []
    for env in (simpy.Environment(), Kernel()):
        log: list[tuple] = []
        gate = env.event()

        def starter(env=env, log=log):
            log.append((env.now, "starter"))
            yield env.timeout(0)

        def before_run(_ev, env=env, log=log):
            log.append((env.now, "callback before run"))
            env.process(starter())  # URGENT, due now

        def waiter(env=env, gate=gate, log=log):
            yield gate  # registers after run's StopSimulation callback
            log.append((env.now, "waiter"))

        def opener(env=env, gate=gate):
            yield env.timeout(1)
            gate.succeed()

        gate.callbacks.append(before_run)
        env.process(waiter())
        env.process(opener())
        env.run(until=gate)
        env.run(until=env.timeout(5))
        logs.append(log)
    assert logs[1] == logs[0]


# -- 6. run's contract: SimPy's own cases for Environment.run, on both environments


def _outcome(call: Callable[[], object]) -> tuple:
    """What ``call()`` returned, or the type and message it raised (event addresses removed)."""
    try:
        return ("returned", call())
    except Exception as exc:  # whatever it is, the outcome is compared
        return ("raised", type(exc).__name__, re.sub(r" at 0x[0-9a-f]+", "", str(exc)))


def _ticker(env: simpy.Environment, log: list) -> None:
    def tick():
        while env.now < 2:
            log.append(env.now)
            yield env.timeout(1)

    env.process(tick())


def _run_drains_the_schedule(env: simpy.Environment) -> list:
    log: list = []
    _ticker(env, log)
    log.append(_outcome(env.run))
    assert log == [0, 1, ("returned", None)] and env.now == 2 and env.peek() == inf
    return [log, env.now, env.peek()]


def _number_outlasting_the_schedule(env: simpy.Environment) -> list:
    log: list = []
    _ticker(env, log)
    log.append(_outcome(lambda: env.run(10)))
    assert log == [0, 1, ("returned", None)] and env.now == 10  # the stop itself is an event
    return [log, env.now, env.peek()]


def _until_not_after_now(env: simpy.Environment) -> list:
    seen = [_outcome(lambda: env.run(-3)), _outcome(lambda: env.run(0))]
    env.timeout(9)
    seen += [_outcome(lambda: env.run(5)), env.now, _outcome(lambda: env.run(5)),
             _outcome(lambda: env.run(4.5)), _outcome(lambda: env.run(5.25)), env.now]
    assert seen[0] == ("raised", "ValueError",
                       "until (-3) must be greater than the current simulation time")
    assert seen[1][:2] == seen[4][:2] == seen[5][:2] == ("raised", "ValueError")
    assert seen[6] == ("returned", None) and env.now == 5.25
    return seen


def _resume(env: simpy.Environment) -> list:
    events = [env.timeout(t) for t in (5, 10, 15)]
    seen = []
    for until in (10, 15, None):
        env.run(until)
        seen.append((env.now, [e.processed for e in events]))
    assert seen == [(10, [True, False, False]), (15, [True, True, False]),
                    (15, [True, True, True])]
    return seen


def _number_given_as_text(env: simpy.Environment) -> list:
    env.run(until="3.141592")
    assert env.now == 3.141592
    return [env.now, type(env.now).__name__]


def _int_and_float_times(env: simpy.Environment) -> list:
    env.run(7)
    seen = [env.now, type(env.now).__name__]
    env.run(7.5)
    return seen + [env.now, type(env.now).__name__]


def _infinite_until(env: simpy.Environment) -> list:
    env.timeout(3)
    env.run(inf)
    assert env.now == inf
    return [env.now, env.peek()]


def _processed_event(env: simpy.Environment) -> list:
    timeout = env.timeout(1, value="spam")
    seen = [env.run(until=timeout), env.now, env.run(until=timeout), env.now]
    assert seen == ["spam", 1, "spam", 1]
    return seen


def _triggered_not_processed_event(env: simpy.Environment) -> list:
    ev = env.event()
    ev.succeed("early")
    env.timeout(4)
    seen = [env.run(until=ev), env.now, env.peek()]
    assert seen == ["early", 0, 0]  # what is left of ev (no callbacks) is due now, first
    return seen


def _untriggered_event(env: simpy.Environment) -> list:
    env.timeout(2)
    seen = [_outcome(lambda: env.run(until=env.event())), env.now]
    assert seen[0][:2] == ("raised", "RuntimeError")
    assert seen[0][2].startswith('No scheduled events left but "until" event was not triggered:')
    return seen


def _until_callbacks_on_resume(env: simpy.Environment) -> list:
    """The run stops as the until event is processed, before the callbacks filed after run's;
    the next run processes those first (SimPy's test_run_all_until_callbacks)."""
    state = {"counter": 0, "tick": env.event()}

    def ticks():
        for _ in range(3):
            yield env.timeout(1)
            tick, state["tick"] = state["tick"], env.event()
            tick.succeed(state["counter"])

    def consumer():
        while True:
            yield state["tick"]
            state["counter"] += 1

    env.process(ticks())
    for _ in range(5):
        env.process(consumer())
    seen = [(env.run(until=state["tick"]), env.now, state["counter"]) for _ in range(3)]
    env.run()
    seen.append((env.now, state["counter"]))
    assert seen == [(0, 1, 0), (5, 2, 5), (10, 3, 10), (3, 15)]
    return seen


def _stop_at_a_number_with_entries_due_then(env: simpy.Environment) -> list:
    """A stop at t is URGENT: entries at t filed URGENT before the run go first, NORMAL ones
    (timeouts, calls) after it; what is left of the stop is due first when peeked or stepped."""
    log: list = []
    urgent = env.event()
    urgent._ok, urgent._value = True, "urgent"
    urgent.callbacks.append(lambda ev: log.append((env.now, ev.value)))
    env.schedule(urgent, URGENT, 10)
    env.timeout(10, "timeout").callbacks.append(lambda ev: log.append((env.now, ev.value)))
    _file(env, 10.0, lambda arg: log.append((env.now, arg)), "call")
    _file(env, 130.0, lambda arg: log.append((env.now, arg)), "later call")

    def process():
        yield env.timeout(10)
        log.append((env.now, "process"))

    env.process(process())
    seen: list = [env.run(until=10), env.now, list(log), env.peek()]
    env.step()  # what is left of the stop: no callbacks
    seen += [env.now, list(log), env.peek()]
    while env.peek() < inf:
        env.step()
        seen.append((env.now, list(log)))
    seen.append(_outcome(env.step))
    assert seen[:3] == [None, 10, [(10, "urgent")]]
    assert log == [(10, "urgent"), (10, "timeout"), (10, "call"), (10, "process"),
                   (130, "later call")]
    return seen


def _stop_between_bucketed_calls(env: simpy.Environment) -> list:
    log: list = []
    for t in (30.0, 90.0, 100.0, 150.0, 3000.0):
        _file(env, t, lambda arg: log.append((env.now, arg)), t)
    seen = [env.run(until=100), env.now, list(log), env.peek()]
    env.run(until=151)
    seen += [env.now, list(log)]
    env.run()
    seen += [env.now, log]
    assert seen[2] == [(30, 30), (90, 90)] and log[-1] == (3000, 3000)
    return seen


def _file(env: simpy.Environment, t: float, fn, arg) -> None:
    """A NORMAL call of ``fn(arg)`` at ``t``: a bare call (maybe bucketed) on a Kernel, a
    timeout's callback on SimPy."""
    if isinstance(env, Kernel):
        env.later((t, NORMAL, next(env.ids), fn, arg))
    else:
        env.timeout(t - env.now).callbacks.append(lambda _ev: fn(arg))


RUN_CONTRACT = {case.__name__.strip("_"): case for case in (
    _run_drains_the_schedule, _number_outlasting_the_schedule, _until_not_after_now, _resume,
    _number_given_as_text, _int_and_float_times, _infinite_until, _processed_event,
    _triggered_not_processed_event, _untriggered_event, _until_callbacks_on_resume,
    _stop_at_a_number_with_entries_due_then, _stop_between_bucketed_calls,
)}


@pytest.mark.parametrize("window", [1, 60])
@pytest.mark.parametrize("case", RUN_CONTRACT)
def test_run_honours_simpys_contract(case: str, window: int) -> None:
    expected = RUN_CONTRACT[case](simpy.Environment())
    assert RUN_CONTRACT[case](Kernel(window=window)) == expected


def test_rare_collections_restore_the_thresholds_at_the_last_exit():
    """The collector runs rarely while a replication runs and as before afterwards, also when
    uses nest."""
    import gc

    from sim.model.kernel import YOUNG_OBJECTS, rare_collections

    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold()[0] == YOUNG_OBJECTS
        with rare_collections():
            assert gc.get_threshold()[0] == YOUNG_OBJECTS
        assert gc.get_threshold()[0] == YOUNG_OBJECTS
    assert gc.get_threshold() == before
    try:
        with rare_collections():
            raise KeyError
    except KeyError:
        pass
    assert gc.get_threshold() == before
