"""The workforce pipeline: conservation, the exact Markov projection, simulated intervals, the
hiring plan against brute force, unreachable targets, and bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import BASELINE

import sim
from sim.cli import main
from sim.errors import OptionError
from sim.scenario import from_mapping
from sim.scenario.policy import POSTS
from sim.workforce.markov import POST_NAMES, build_chain, expected, simulate
from sim.workforce.plan import HiringPlan, cheapest
from sim.workforce.projection import project_workforce

PAY = {
    "posts": {"chief": {"monthly_post_pay": 2000, "min_grade": 5, "max_grade": 6},
              "deputy": {"monthly_post_pay": 1500, "min_grade": 3, "max_grade": 4},
              "member": {"monthly_post_pay": 1000, "min_grade": 2, "max_grade": 3},
              "full_time": {"monthly_post_pay": 500, "min_grade": 1, "max_grade": 2}},
    "grade_pay": [1000 + 100 * g for g in range(18)], "months_per_year": 12,
    "added_worker": {"post": "full_time", "grade": 1}}


def scenario(workforce: dict, pay: dict | None = None) -> sim.LoadedScenario:
    return from_mapping({
        "name": "careers", "communities": [{"id": "a", "households": 3000}],
        "demand": {"livelihood": {"per_1000_households_per_year": 10,
                                  "handling_min": {"exponential": {"mean": 30}}}},
        "pay": pay or PAY, "workforce": workforce})


def simple(years_in_grade: int = 0, **routes) -> dict:
    return {"start_year": 2026,
            "headcount": [{"post": "full_time", "grade": 1, "count": 10}],
            "posts": {"full_time": {"attrition_share": 0.1, "grade_step_share": 0.5,
                                    "years_in_grade": years_in_grade}},
            "entry_routes": routes}


def totals(result, plan: str = "no_hiring") -> pd.DataFrame:
    return result.totals(plan)


def grade_rows(result, plan: str = "no_hiring") -> pd.DataFrame:
    t = result.table
    return t[(t["plan"] == plan) & (t["post"] == "full_time")].set_index(["year", "grade"])


def test_expected_projection_is_the_markov_chain_by_hand() -> None:
    """10 workers in grade 1, 10% leave a year, half of the rest... exactly: half of all step
    up to grade 2 (its top: they stay unless they leave). Year 1: 4 and 5; year 2: 1.6 and
    5 x 0.9 + 4 x 0.5 = 6.5; year 3: 0.64 and 6.5 x 0.9 + 1.6 x 0.5 = 6.65."""
    result = project_workforce(scenario(simple()), years=3, paths=50, save=False)
    rows = grade_rows(result)["headcount"]
    assert [rows[(y, "1")] for y in (2026, 2027, 2028, 2029)] == pytest.approx(
        [10, 4, 1.6, 0.64])
    assert [rows[(y, "2")] for y in (2027, 2028, 2029)] == pytest.approx([5, 6.5, 6.65])
    cost = totals(result)["cost_cny_per_year"]
    yearly = {1: (500 + 1000) * 12, 2: (500 + 1100) * 12}
    assert cost[2028] == pytest.approx(1.6 * yearly[1] + 6.5 * yearly[2])


def test_years_in_grade_delay_the_step_and_hires_join_at_the_end_of_the_year() -> None:
    """With one year in grade needed, year 1 only loses 10%: 9 in grade 1; year 2: 3.6 and 4.5.
    Two hires a year (lead time 1: from year 1... joining year 1) join grade 1 at the end."""
    route = {"cap_per_year": 2, "lead_time_years": 1, "post": "full_time", "grade": 1}
    result = project_workforce(scenario(simple(1, outside_recruitment=route)), years=2,
                               paths=50, save=False)
    none = grade_rows(result)["headcount"]
    assert none[(2027, "1")] == pytest.approx(9) and none[(2028, "1")] == pytest.approx(3.6)
    assert none[(2028, "2")] == pytest.approx(4.5)
    caps = grade_rows(result, "at_caps")["headcount"]
    # year 1: 9 + 2 hires (years in grade 0); year 2: the 9 (eligible) give 3.6 and 4.5, the
    # 2 hires (not yet eligible) give 1.8, and 2 more join
    assert caps[(2027, "1")] == pytest.approx(11)
    assert caps[(2028, "1")] == pytest.approx(3.6 + 1.8 + 2)
    assert caps[(2028, "2")] == pytest.approx(4.5)


def test_expected_projection_equals_the_matrix_power() -> None:
    """The baseline chain: n[t] = n[0] P^t (no hiring), from the matrix the model builds."""
    loaded = sim.load_scenario(BASELINE)
    result = project_workforce(loaded, years=6, paths=50, save=False)
    chain = result.chain
    n0 = chain.start(loaded.scenario.workforce)
    p = chain.matrix()
    assert np.allclose(p.sum(axis=1) + chain.prob[:, 0] + chain.prob[:, 1], 1.0)
    by_post = result.table[(result.table["plan"] == "no_hiring") & (result.table["grade"] == "all")]
    for t in range(7):
        n = n0 @ np.linalg.matrix_power(p, t)
        for post in ("chief", "deputy", "member", "full_time"):
            row = by_post[(by_post["year"] == 2026 + t) & (by_post["post"] == post)]
            assert row["headcount"].iloc[0] == pytest.approx(n[chain.post == post].sum())


def test_head_count_is_conserved_every_year() -> None:
    loaded = sim.load_scenario(BASELINE)
    result = project_workforce(loaded, years=8, target=23, paths=200, save=False)
    flows = result.flows
    assert set(flows["plan"]) == {"no_hiring", "at_caps", "cheapest_plan"}
    balance = flows["headcount_start"] + flows["entries"] - flows["attrition"] \
        - flows["promotion_out"] - flows["headcount_end"]
    assert np.abs(balance).max() < 1e-9
    for f in result.simulated.values():  # every simulated path, every year
        total = f.headcount.sum(axis=2)
        assert (total[:, 1:] == total[:, :-1] + f.entries[:, 1:] - f.attrition[:, 1:]
                - f.promotion_out[:, 1:]).all()


def test_simulated_paths_agree_with_the_expected_path() -> None:
    """Intervals of the total and of each post contain the expected path; the mean of 2000
    paths is within 4 standard errors of it (a Monte Carlo check: the chance of failing by
    luck is below 1e-4 per value)."""
    loaded = sim.load_scenario(BASELINE)
    result = project_workforce(loaded, years=6, target=23, paths=2000, seed=7, save=False)
    rows = result.table[result.table["grade"] == "all"]
    assert ((rows["headcount_low"] <= rows["headcount"] + 1e-9)
            & (rows["headcount"] <= rows["headcount_high"] + 1e-9)).all()
    cost = "cost_cny_per_year"
    assert ((rows["cost_low_cny_per_year"] <= rows[cost] + 1e-6)
            & (rows[cost] <= rows["cost_high_cny_per_year"] + 1e-6)).all()
    for name, flows in result.simulated.items():
        total = flows.headcount.sum(axis=2)
        mean, se = total.mean(axis=0), total.std(axis=0, ddof=1) / np.sqrt(len(total))
        exact = result.totals(name)["headcount"].to_numpy()
        assert (np.abs(mean - exact) <= 4 * se + 1e-12).all(), (name, mean, exact)


def test_cheapest_plan_is_the_brute_force_optimum() -> None:
    routes = {
        "internal_selection": {"cap_per_year": 2, "post": "full_time", "grade": 2,
                               "one_off_cost": 5000},
        "assignment": {"cap_per_year": 1, "post": "deputy", "grade": 3},
        "outside_recruitment": {"cap_per_year": 2, "lead_time_years": 2, "post": "full_time",
                                "grade": 1, "one_off_cost": 20000}}
    loaded = scenario(simple(**routes))
    workforce, pay = loaded.scenario.workforce, loaded.scenario.pay
    chain = build_chain(workforce, pay)
    start = chain.start(workforce)
    names = tuple(workforce.entry_routes)
    years, target = 3, 11.0
    plan = cheapest(chain, start, workforce.entry_routes, years, target, on_duty=False)
    assert plan is not None

    def outcome(hires: np.ndarray) -> tuple[float, float]:
        states = HiringPlan(names, hires).states(chain, workforce.entry_routes)
        f = expected(chain, start, states)
        one_off = sum(workforce.entry_routes[r].one_off_cost * hires[i].sum()
                      for i, r in enumerate(names))
        return f.headcount[years].sum(), float((f.headcount[1:] @ chain.cost).sum() + one_off)

    slots = [(i, y) for i, r in enumerate(names) for y in range(1, years + 1)
             if y >= max(1, workforce.entry_routes[r].lead_time_years)]
    best = np.inf
    for counts in itertools.product(*[range(workforce.entry_routes[names[i]].cap_per_year + 1)
                                      for i, _ in slots]):
        hires = np.zeros((len(names), years + 1))
        for (i, y), c in zip(slots, counts, strict=True):
            hires[i, y] = c
        level, cost = outcome(hires)
        if level >= target - 1e-9:
            best = min(best, cost)
    level, cost = outcome(plan.hires)
    assert level >= target - 1e-9 and cost == pytest.approx(best)
    # the lead time is kept: no outside recruit joins before year 2
    assert plan.hires[names.index("outside_recruitment"), :2].sum() == 0


def test_unreachable_target_names_the_year_it_could_be_reached(tmp_path: Path, capsys) -> None:
    loaded = sim.load_scenario(BASELINE)
    result = project_workforce(loaded, years=3, target=40, paths=100, save=False)
    target = result.target
    assert not target["reachable"] and "cheapest_plan" not in result.plans
    caps = project_workforce(loaded, years=10, paths=100, save=False).totals("at_caps")
    first = int(caps.index[caps["headcount"] >= 40][0])
    assert target["earliest_calendar_year"] == first > 2029
    assert result.plan.empty
    out = tmp_path / "out"
    assert main(["workforce", str(BASELINE), "--years", "3", "--target", "40", "--paths", "50",
                 "--lang", "en", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "NOT reachable by 2029" in printed and f"earliest year at the caps: {first}" in printed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "cannot be reached by 2029" in html and f"reached in {first}" in html
    never = project_workforce(loaded, years=3, target=500, paths=20, save=False).target
    assert never["earliest_year"] is None and never["long_run_at_caps"] < 500


def test_command_writes_the_tables_and_takes_a_recommendation(tmp_path: Path, capsys) -> None:
    recommendation = tmp_path / "recommendation.csv"
    pd.DataFrame({"community": ["a", "all"], "recommended_workers": [23, 23]}).to_csv(
        recommendation, index=False)
    out = tmp_path / "out"
    assert main(["workforce", str(BASELINE), "--years", "5", "--target", str(recommendation),
                 "--paths", "100", "--out", str(out)]) == 0
    table = pd.read_csv(out / "workforce.csv", encoding="utf-8-sig")
    assert list(table.columns[:7]) == ["plan", "year", "post", "grade", "headcount",
                                       "headcount_low", "headcount_high"]
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    assert list(plan.columns[:3]) == ["year", "route", "hires"] and plan["hires"].sum() > 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "最省方案" in html and "2031" in html
    assert "reachable by 2031" in capsys.readouterr().out


def bad(tmp_path: Path, change) -> tuple[int, str]:
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    change(data)
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return main(["workforce", str(file), "--years", "3", "--out", str(tmp_path / "o")]), str(file)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["workforce"]["posts"]["full_time"].update(grade_step_share=0.95),
     "workforce.posts.full_time: attrition_share + promotion_out_share + grade_step_share + "
     "to_post_share = 1.21, more than 1"),
    (lambda d: d["workforce"]["headcount"][0].update(grade=3),
     "workforce.headcount[0].grade: grade 3 does not exist for the chief post "
     "(pay.posts.chief: grades 6-18)"),
    (lambda d: d["workforce"]["entry_routes"]["assignment"].update(grade=19),
     "workforce.entry_routes.assignment.grade: input should be less than or equal to 18"),
    (lambda d: d["workforce"]["posts"]["deputy"].update(to_post="member"),
     "workforce: posts.deputy.to_post: 'member' is not above deputy"),
    (lambda d: d["workforce"]["entry_routes"].update(headhunting={"cap_per_year": 1}),
     "workforce.entry_routes.headhunting"),
    (lambda d: d.pop("pay"), "workforce: needs `pay:`"),
    (lambda d: d.pop("workforce"), "workforce: no workforce section"),
])
def test_bad_input_names_file_and_key(tmp_path: Path, capsys, change, message) -> None:
    code, file = bad(tmp_path, change)
    err = capsys.readouterr().err
    assert code == 2 and message in err and file in err, err
    assert "Traceback" not in err and not (tmp_path / "o" / "workforce.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--target", "many.csv"], "--target: many.csv: no such file"),
    (["--target", "-3"], "--target: a positive number of workers"),
])
def test_bad_options(tmp_path: Path, capsys, args, message) -> None:
    code = main(["workforce", str(BASELINE), "--years", "2", "--out", str(tmp_path / "o"),
                 *args])
    assert code == 2 and message in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["workforce", str(BASELINE), "--years", "0"])
    assert exit_info.value.code == 2


def test_a_true_or_false_target_is_refused() -> None:
    with pytest.raises(OptionError, match="`target`: a positive number of workers"):
        project_workforce(scenario(simple()), years=2, target=True, save=False)


def test_the_chain_has_the_posts_of_the_pay_table_in_order() -> None:
    assert POST_NAMES == POSTS


def test_simulation_is_seeded() -> None:
    loaded = scenario(simple())
    chain = build_chain(loaded.scenario.workforce, loaded.scenario.pay)
    start = chain.start(loaded.scenario.workforce)
    hires = np.zeros((4, len(chain)))
    draw = [simulate(chain, start, hires, 30, np.random.default_rng(3)).headcount
            for _ in range(2)]
    assert (draw[0] == draw[1]).all()
