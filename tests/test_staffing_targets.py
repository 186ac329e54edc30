"""Targets, office hours, the pay table and the command line's bad-input handling (fast)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli import main
from sim.errors import OptionError, ScenarioError
from sim.model.measures import METRICS
from sim.scenario import from_mapping, load_scenario
from sim.scenario.governance import Calendar
from sim.scenario.policy import OFFICE_HOURS, PayTable, Position, Target
from sim.staffing.analytic import PooledLoad, analytic_values
from sim.staffing.targets import TargetSet, parse_target, resolve_targets

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def scenario_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "two categories",
        "horizon": {"days": 20, "warmup_days": 1},
        "communities": [{"id": "c", "households": 1000}],
        "demand": {
            "livelihood": {"per_1000_households_per_year": 2000,
                           "handling_min": {"exponential": {"mean": 30}},
                           "respond_within_min": 60, "resolve_within_h": 24},
            "dispute": {"per_1000_households_per_year": 500,
                        "handling_min": {"lognormal": {"mean": 90, "cv": 1.0}},
                        "respond_within_min": 30},
        },
    }
    data.update(extra)
    return data


# ---------------------------------------------------------------- the text form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("response_within_min=30@0.90", {"metric": "response", "within_min": 30, "share": 0.9}),
        ("resolution_within_h=72@95%", {"metric": "resolution", "within_h": 72, "share": 0.95}),
        ("response@0.8", {"metric": "response", "within_min": None, "share": 0.8}),
        ("resolution@0.8,category=dispute", {"metric": "resolution", "category": "dispute"}),
        ("response_within_min=30@0.9,hours=working", {"hours": "working"}),
        ("utilisation_at_most=0.85", {"metric": "utilisation", "at_most": 0.85}),
    ],
)
def test_parse_target(text: str, expected: dict[str, Any]) -> None:
    target = parse_target(text, ["livelihood", "dispute"])
    for key, value in expected.items():
        assert getattr(target, key) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("response_within_min=30", "missing @SHARE"),
        ("response_within_min=abc@0.9", "is not a number"),
        ("response_within_min=30@1.5", "share"),
        ("response_within=30@0.9", "expected response_within_min"),
        ("latency_within_min=30@0.9", "expected response_within_min"),
        ("response_within_min=30@0.9,category=parking", "unknown category 'parking'"),
        ("response_within_min=30@0.9,hours=night", "hours"),
        ("response_within_min=30@0.9,colour=red", "unknown option"),
        ("utilisation_at_most=1.5", "at_most"),
        ("response=30@0.9", "takes no time limit; use response_within_min=30@SHARE"),
    ],
)
def test_parse_target_rejects_bad_input(text: str, message: str) -> None:
    with pytest.raises(OptionError) as info:
        parse_target(text, ["livelihood", "dispute"])
    assert str(info.value).startswith(f"`targets`: target '{text}': ")
    assert message in str(info.value)
    assert info.value.parameters == ("targets",)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("respond_within_min=30@0.90", "response_within_min=30@0.90"),
        ("resolve_within_h=72@0.95,category=dispute", "resolution_within_h=72@0.95"),
        ("respond@0.9", "response@0.9"),
        ("resolve@0.9", "resolution@0.9"),
        ("max_utilisation=0.85", "utilisation_at_most=0.85"),
    ],
)
def test_old_spellings_are_refused_with_the_new_one(old: str, new: str) -> None:
    with pytest.raises(OptionError) as info:
        parse_target(old)
    assert f"write '{new}'" in str(info.value), str(info.value)


def test_describe_and_key() -> None:
    """Keys speak the words of the metrics: the summary metric's name for a target on each
    category's own limit, all categories, around the clock."""
    assert parse_target("response@0.9").key == "response_within_target_share"
    assert parse_target("resolution@0.9").key == "resolution_within_target_share"
    target = parse_target("response_within_min=30@0.90,hours=working")
    assert target.key == "response_within_30min_share_working"
    assert target.describe().startswith("90% of all issues responded to within 30 min")
    assert parse_target("resolution@0.95,category=dispute").key == (
        "resolution_within_target_share_dispute")
    assert parse_target("resolution_within_h=72@0.95").key == "resolution_within_72h_share"
    assert parse_target("utilisation_at_most=0.8").key == "utilisation"
    assert "response_within_target_share" in METRICS
    assert "resolution_within_target_share" in METRICS


# ---------------------------------------------------------------- the scenario keys


def test_scenario_targets_are_validated_against_categories() -> None:
    ok = from_mapping(scenario_data(targets=[
        {"metric": "response", "share": 0.9},
        {"metric": "resolution", "share": 0.9, "within_h": 48, "category": "dispute"},
        {"metric": "utilisation", "at_most": 0.8},
    ]))
    assert [t.metric for t in ok.scenario.targets] == ["response", "resolution", "utilisation"]
    bad = [
        ({"metric": "response", "share": 0.9, "category": "parking"},
         "targets: [0].category: unknown category 'parking'"),
        ({"metric": "resolution", "share": 0.9, "category": "dispute"},
         "no time limit"),  # dispute has no resolve_within_h
        ({"metric": "respond", "share": 0.9}, "targets[0].metric"),
        ({"metric": "response", "share": 0.9, "within_h": 3}, "use within_min"),
        ({"metric": "response"}, "needs share"),
        ({"metric": "utilisation", "at_most": 0.8, "category": "dispute"}, "whole community"),
        ({"metric": "response", "share": 0.9, "hour": "working"}, "did you mean 'hours'"),
    ]
    for item, message in bad:
        with pytest.raises(ScenarioError) as info:
            from_mapping(scenario_data(targets=[item]), "f.yaml")
        assert message in str(info.value), str(info.value)
        assert str(info.value).startswith("f.yaml: targets")


def test_same_target_twice_is_an_error() -> None:
    item = {"metric": "response", "share": 0.9, "within_min": 30}
    with pytest.raises(ScenarioError, match="measures the same"):
        from_mapping(scenario_data(targets=[item, {**item, "share": 0.8}]))


def test_baseline_has_targets_and_a_placeholder_pay_table() -> None:
    spec = load_scenario(BASELINE).scenario
    assert spec.targets, "chengcheng.yaml should state its service targets"
    assert any(t.hours == "working" for t in spec.targets)
    pay = spec.pay
    assert pay is not None and pay.placeholder
    assert set(pay.posts) == {"chief", "deputy", "full_time", "member"}
    assert len(pay.grade_pay) == 18
    assert pay.assumptions


def test_office_hours_filter_on_arrival_time() -> None:
    hours = OFFICE_HOURS  # Monday-Friday 08:00-12:00, 14:00-18:00
    monday = dt.date(2026, 1, 5)
    assert monday.weekday() == 0
    at = np.array([8 * 60, 12 * 60, 13 * 60, 17 * 60 + 59, 18 * 60,  # Monday
                   5 * 1440 + 9 * 60,  # Saturday 09:00
                   7 * 1440 + 9 * 60])  # next Monday 09:00
    assert hours.contains(at, monday).tolist() == [True, False, False, True, False, False, True]
    tuesday = dt.date(2026, 1, 6)
    assert hours.contains(np.array([4 * 1440 + 9 * 60]), tuesday).tolist() == [False]  # Sat


def test_working_hours_come_from_the_calendar() -> None:
    targets = [{"metric": "response", "share": 0.9, "hours": "working"},
               {"metric": "response", "share": 0.9, "within_min": 10, "hours": "working",
                "calendar": "evenings"}]
    calendars = {"office": {"days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                            "periods": ["09:00-17:00"]},
                 "evenings": {"days": ["sat", "sun"], "periods": ["18:00-22:00"]}}
    plain = from_mapping(scenario_data(targets=targets, calendars=calendars))
    compiled = TargetSet.compile(plain.scenario.targets, plain.scenario)
    assert compiled.windows[0] == OFFICE_HOURS  # community workers work `always`
    assert compiled.windows[1] == Calendar(**calendars["evenings"])
    assert "sat, sun 18:00-22:00" in compiled.describe(1)
    staffed = from_mapping(scenario_data(
        targets=targets, calendars=calendars,
        staffing={"community_workers": {"calendar": "office"}}))
    compiled = TargetSet.compile(staffed.scenario.targets, staffed.scenario)
    assert compiled.windows[0] == Calendar(**calendars["office"])
    assert "mon-sat 09:00-17:00" in compiled.describe(0)
    with pytest.raises(ScenarioError, match="unknown calendar 'night'"):
        from_mapping(scenario_data(targets=[{**targets[1], "calendar": "night"}],
                                   calendars=calendars))
    with pytest.raises(ScenarioError, match="calendar needs hours: working"):
        from_mapping(scenario_data(targets=[{"metric": "response", "share": 0.9,
                                             "calendar": "evenings"}], calendars=calendars))


def test_shares_count_each_category_against_its_own_limit() -> None:
    loaded = from_mapping(scenario_data())
    targets = [Target(metric="response", share=0.9),
               Target(metric="response", share=0.9, within_min=45, hours="working")]
    compiled = TargetSet.compile(targets, loaded.scenario)
    # livelihood (limit 60) and dispute (limit 30) issues; Monday 09:00 and 20:00, after warm-up
    day = 1440.0 * 7
    category = np.array([0, 0, 1, 1])
    arrival = np.array([day + 540, day + 540, day + 540, day + 1200])
    response = np.array([50.0, 70.0, 40.0, 20.0])
    shares = compiled.shares(category, arrival, arrival, response, response / 60)
    assert shares["response_within_target_share"] == pytest.approx(2 / 4)  # 50<=60, 20<=30
    # 45 min for all; the issue at 20:00 is outside working hours: 40 of (50, 70, 40) meets
    assert shares["response_within_45min_share_working"] == pytest.approx(1 / 3)
    # issues not yet responded to (NaN) and issues of no scenario category (-1) do not count
    shares = compiled.shares(np.array([0, 0, -1]), arrival[:3], arrival[:3],
                             np.array([50.0, np.nan, 1.0]), np.full(3, np.nan))
    assert shares["response_within_target_share"] == 1.0
    # issues occurring in the warm-up do not count
    shares = compiled.shares(category, arrival - day, arrival - day, response, response / 60)
    assert np.isnan(shares["response_within_target_share"])


def test_analytic_values_match_erlang_c_and_resolution_bound() -> None:
    from sim.analytic.erlang import service_level

    loaded = from_mapping(scenario_data())
    spec = loaded.scenario
    load = PooledLoad.of(spec, spec.communities[0])
    compiled = TargetSet.compile([Target(metric="response", share=0.9, within_min=20),
                                  Target(metric="resolution", share=0.9, within_h=24,
                                         category="livelihood")], spec)
    values = analytic_values(compiled, load, 3)
    lam, mu = load.total_rate, 1 / load.mean_handling
    assert values["response_within_20min_share"] == pytest.approx(service_level(lam, mu, 3, 20))
    # resolution within 24 h of a 30-min exponential job: essentially certain
    assert values["resolution_within_24h_share_livelihood"] == pytest.approx(1.0, abs=1e-6)
    assert values["utilisation"] == pytest.approx(load.offered_load / 3)


def test_resolve_targets_prefers_the_command_line() -> None:
    loaded = from_mapping(scenario_data(targets=[{"metric": "response", "share": 0.9}]))
    assert resolve_targets(loaded.scenario, None)[0].within_min is None
    given = resolve_targets(loaded.scenario, ["response_within_min=10@0.5"])
    assert len(given) == 1 and given[0].within_min == 10
    with pytest.raises(OptionError, match="none given"):
        resolve_targets(from_mapping(scenario_data()).scenario, None)


# ---------------------------------------------------------------- the pay table


def test_pay_table_cost_follows_roster_then_added_worker() -> None:
    pay = PayTable(
        posts={p: {"monthly_post_pay": 1000} for p in ("chief", "deputy", "full_time",
                                                          "member")},
        grade_pay=[100 * g for g in range(1, 19)],
        months_per_year=12, on_cost_share=0.5,
        roster=[Position(post="chief", grade=10)],
        added_worker=Position(post="full_time", grade=1),
    )
    chief = (1000 + 1000) * 12 * 1.5
    added = (1000 + 100) * 12 * 1.5
    assert pay.cost(0) == 0
    assert pay.cost(1) == pytest.approx(chief)
    assert pay.cost(3) == pytest.approx(chief + 2 * added)


def test_pay_table_rejects_missing_posts_and_grades_outside_a_post() -> None:
    posts = {"chief": {"monthly_post_pay": 1, "min_grade": 5}, "deputy": {"monthly_post_pay": 1},
             "full_time": {"monthly_post_pay": 1}, "member": {"monthly_post_pay": 1}}
    with pytest.raises(ValueError, match="outside the chief post"):
        PayTable(posts=posts, grade_pay=[1] * 18, roster=[{"post": "chief", "grade": 2}],
                 added_worker={"post": "member", "grade": 1})
    with pytest.raises(ValueError, match="missing member"):
        PayTable(posts={k: v for k, v in posts.items() if k != "member"}, grade_pay=[1] * 18,
                 added_worker={"post": "chief", "grade": 6})
    with pytest.raises(ValueError):
        PayTable(posts=posts, grade_pay=[1] * 17, added_worker={"post": "member", "grade": 1})


# ---------------------------------------------------------------- the command line


def cli(args: list[str]) -> int:
    """Exit code of ``gridsim ARGS`` (argparse exits by SystemExit, commands by returning)."""
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "response_within_min=30"], "--target: target 'response_within_min=30'"),
        (["--target", "response_within_min=30@0.9,category=parking"], "unknown category"),
        (["--target", "speed=3@0.9"], "--target: target 'speed=3@0.9'"),
        (["--target", "respond_within_min=30@0.9"], "write 'response_within_min=30@0.9'"),
        (["--replications", "0"], "--replications"),
    ],
)
def test_recommend_bad_input_exits_2(args: list[str], message: str, capsys, tmp_path) -> None:
    code = cli(["recommend", str(BASELINE), "--out", str(tmp_path / "out"), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_recommend_bad_scenario_key_exits_2(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    text = BASELINE.read_text(encoding="utf-8").replace(
        "{metric: resolution, within_h: 72, share: 0.95, category: all}",
        "{metric: resolution, within_h: 72, share: 0.95, category: parking}")
    bad.write_text(text, encoding="utf-8")
    code = cli(["recommend", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "targets" in err and "unknown category 'parking'" in err


def test_recommend_without_targets_exits_2(capsys, tmp_path) -> None:
    import yaml

    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(scenario_data()), encoding="utf-8")
    assert cli(["recommend", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "--target: none given and the scenario has no targets" in capsys.readouterr().err


def test_argparse_errors_exit_2() -> None:
    assert cli(["recommend"]) == 2
    assert cli(["report"]) == 2


def test_recommend_refuses_a_folder_holding_something_else(capsys, tmp_path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli(["recommend", str(BASELINE), "--out", str(out)]) == 2
    assert "not a result folder" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
