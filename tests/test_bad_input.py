"""Every class of mistake gives `file: key.path: what is wrong`, exit 2 and no run folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASELINE

from sim.cli import main

GOOD = """\
name: tiny
horizon: {days: 20, warmup_days: 1}
communities:
  - {id: a, households: 3000}
demand:
  livelihood:
    per_1000_households_per_year: 100
    handling_min: {lognormal: {mean: 60, cv: 0.8}}
"""

MISTAKES = {
    "unknown key": (
        GOOD.replace("households: 3000}", "households: 3000, housholds: 2}"),
        "communities[0].housholds: unknown key; did you mean 'households'?",
    ),
    "unknown top-level key": (
        GOOD + "staffng: {}\n", "staffng: unknown key; did you mean 'staffing'?"
    ),
    "wrong type": (
        GOOD.replace("households: 3000", "households: many"),
        "communities[0].households: input should be a valid integer",
    ),
    "negative rate": (
        GOOD.replace("per_1000_households_per_year: 100", "per_1000_households_per_year: -5"),
        "demand.livelihood.per_1000_households_per_year: input should be greater than or "
        "equal to 0",
    ),
    "two distributions": (
        GOOD.replace("{lognormal: {mean: 60, cv: 0.8}}",
                     "{lognormal: {mean: 60, cv: 0.8}, exponential: {mean: 3}}"),
        "demand.livelihood.handling_min: give exactly one of exponential, lognormal",
    ),
    "malformed YAML": (GOOD.replace("households: 3000}", "households: 3000"), "malformed YAML"),
    "zero workers with demand": (
        GOOD.replace("households: 3000}", "households: 3000, community_workers: 0}"),
        "communities[0].community_workers: community 'a' has 0 community workers and no grid "
        "members but 300 issues",
    ),
    "demand above capacity": (
        GOOD.replace("per_1000_households_per_year: 100", "per_1000_households_per_year: 9000"),
        "communities[0]: unstable: community 'a': livelihood needs 3.08 busy responders on "
        "average, but only its 1 community worker may take it, giving 1.00 over the week "
        "(utilisation 308%)",
    ),
    "demand beyond the roles that may take it": (
        GOOD.replace("households: 3000}", "households: 3000,\n"
                     "     grids: {layout: lattice, rows: 3, cols: 3, spacing_m: 200}}")
        + "  public_service:\n    per_1000_households_per_year: 9000\n"
          "    handling_min: {exponential: {mean: 30}}\n"
          "staffing:\n  grid_members: {per_grid: 1, categories: [livelihood]}\n",
        "communities[0]: unstable: community 'a': public_service needs 1.54 busy responders on "
        "average, but only its 1 community worker may take it, giving 1.00 over the week "
        "(utilisation 154%)",
    ),
    "a category no role may take": (
        GOOD + "  micro_wish:\n    per_1000_households_per_year: 10\n"
               "    handling_min: {exponential: {mean: 30}}\n"
               "staffing:\n  community_workers: {categories: [livelihood]}\n",
        "communities[0]: community 'a' has 30 issues a year of micro_wish but no responder who "
        "may take them",
    ),
    "department above capacity": (
        GOOD.replace("    handling_min: {lognormal: {mean: 60, cv: 0.8}}\n",
                     "    handling_min: {lognormal: {mean: 60, cv: 0.8}}\n"
                     "    escalation: {share: 0.5, department: roads}\n")
        + "departments:\n  roads: {handling_h: {exponential: {mean: 100}}, report_within_h: 48,"
          " capacity: 1}\n",
        "departments.roads.capacity: unstable: department 'roads' receives 150 escalated issues",
    ),
    "unknown department": (
        GOOD.replace("    handling_min: {lognormal: {mean: 60, cv: 0.8}}\n",
                     "    handling_min: {lognormal: {mean: 60, cv: 0.8}}\n"
                     "    escalation: {share: 0.5, department: roads}\n"),
        "demand.livelihood.escalation.department: no department 'roads' in departments",
    ),
    "warm-up longer than horizon": (
        GOOD.replace("warmup_days: 1", "warmup_days: 30"),
        "horizon: warmup_days (30) must be shorter than days (20)",
    ),
    "bad extends path": ("extends: nowhere.yaml\n" + GOOD, "extends: no such file"),
    "not a mapping": ("- just\n- a list\n", "a scenario file must be a mapping"),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_mistake_is_named_and_exits_2(kind: str, tmp_path: Path, capsys):
    text, expected = MISTAKES[kind]
    file = tmp_path / "scenario.yaml"
    file.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(file), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{file}: " in err and expected in err, err
    assert "Traceback" not in err
    assert not out.exists()
    assert main(["validate", str(file)]) == 2


def test_missing_file(tmp_path: Path, capsys):
    missing = tmp_path / "absent.yaml"
    assert main(["run", str(missing), "--out", str(tmp_path / "run")]) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path, capsys):
    file = tmp_path / "s.yaml"
    file.write_text(GOOD.replace("households: 3000", "households: -1").replace("name: tiny\n", ""))
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert "name: required key is missing" in err
    assert "communities[0].households: input should be greater than 0" in err


def test_bad_options_exit_2(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASELINE), "--replications", "0"])
    assert exc.value.code == 2
    assert "--replications" in capsys.readouterr().err


def test_console_script_exit_code(tmp_path: Path):
    file = tmp_path / "bad.yaml"
    file.write_text("name: [unclosed\n")
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(file)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{file}: line 2, column 1: malformed YAML" in done.stderr


def test_care_visits_need_someone_to_make_them(tmp_path: Path, capsys):
    file = tmp_path / "care.yaml"
    file.write_text(GOOD + "care_visits: {share_of_households: 0.02, by: volunteer}\n")
    assert main(["validate", str(file)]) == 2
    assert (f"{file}: care_visits.by: care visits are made by volunteer but community 'a' has "
            "none") in capsys.readouterr().err


def test_unstable_scenario_runs_only_when_asked(tmp_path: Path, capsys):
    """Demand above capacity: `validate` and `run` refuse it (exit 2, the utilisation that
    proves it, and what to do); `run --allow-unstable` runs it, and its output and manifest
    say that it is unstable."""
    file = tmp_path / "scenario.yaml"
    file.write_text(GOOD.replace("per_1000_households_per_year: 100",
                                 "per_1000_households_per_year: 4000"), encoding="utf-8")
    proof = "unstable: community 'a': livelihood needs 1.37 busy responders on average"
    assert main(["validate", str(file)]) == 2
    assert proof in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(["run", str(file), "--out", str(out), "--quiet", "-n", "1"]) == 2
    err = capsys.readouterr().err
    assert proof in err and "(utilisation 137%)" in err and "--allow-unstable" in err
    assert not out.exists()
    assert main(["run", str(file), "--out", str(out), "--quiet", "-n", "1",
                 "--allow-unstable"]) == 0
    shown = capsys.readouterr().out
    assert "--allow-unstable" in shown.splitlines()[0] and proof in shown
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert len(manifest["unstable"]) == 1 and proof in manifest["unstable"][0]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "不稳定，按要求仍然运行" in page and "(utilisation 137%)" in page
