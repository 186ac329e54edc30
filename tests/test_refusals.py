"""What a campaign of malformed and extreme inputs found, each a clean refusal now: exit 2, a
message naming the file and the key (or the limit), nothing half-written, no hang."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import pytest
from conftest import BASELINE
from test_bad_input import GOOD

import sim
from sim.cli import main
from sim.errors import RunFolderError, ScenarioError

LIVELIHOOD = "  livelihood:\n    per_1000_households_per_year: 100\n" \
    "    handling_min: {lognormal: {mean: 60, cv: 0.8}}\n"


def refused(tmp_path: Path, capsys, text: str, *args: str, file: str = "s.yaml") -> str:
    """``gridsim validate`` (or ``args``) of ``text``: exit 2 and stderr (no traceback)."""
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    code = main([*(args or ("validate",)), str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


# ---------------------------------------------------------------- values and types

@pytest.mark.parametrize(("change", "named"), [
    (("households: 3000}", "households: 3000, office_m: [.inf, 0]}"),
     "communities[0].office_m[0]: input should be a finite number"),
    (("name: tiny", "name: tiny\ntravel: {detour_factor: .inf}"),
     "travel.detour_factor: input should be a finite number"),
    (("horizon: {days: 20, warmup_days: 1}", "horizon: {days: 20, warmup_days: .nan}"),
     "horizon.warmup_days"),
    (("horizon: {days: 20, warmup_days: 1}", "horizon: {days: 1e30, warmup_days: 1}"),
     "horizon.days: 1e+30 days is longer than the 3660 days one run may simulate"),
    (("households: 3000}", "households: 9223372036854775808}"),
     "households are more than the 50,000,000 one scenario may have"),
    (("name: tiny", "name: tiny\nstaffing: {volunteers: {per_1000_households: 1000000,"
      " categories: [livelihood]}}"),
     "staffing.volunteers: 3,000,001 responders"),
    (("name: tiny", "name: tiny\nstaffing: {community_workers: {minimum: 1000000000}}"),
     "staffing.community_workers: 1,000,000,000 responders"),
    (("horizon: {days: 20, warmup_days: 1}",
      "horizon: {days: 20, warmup_days: 1, start: 2026-02-30}"),
     "line 2, column 44: malformed YAML: '2026-02-30' is not a date"),
    (("households: 3000}", "households: 3000}\n  - {id: a, households: 1}"),
     "community id 'a' appears more than once"),
])
def test_impossible_and_extreme_values_are_refused_at_their_key(change, named, tmp_path,
                                                                capsys):
    err = refused(tmp_path, capsys, GOOD.replace(*change))
    assert named in err
    assert err.startswith(str(tmp_path / "s.yaml"))


def test_a_duplicate_key_is_refused_not_silently_the_last(tmp_path, capsys):
    text = GOOD.replace("households: 3000}", "households: 6200, households: 1}")
    err = refused(tmp_path, capsys, text)
    assert "key 'households' is given twice" in err
    block = GOOD + "experiment:\n  seed: 1\n  seed: 2\n"
    assert "line 11, column 3: malformed YAML: key 'seed' is given twice (first on line 10)" \
        in refused(tmp_path, capsys, block)


def test_a_thousands_separator_is_named_at_its_own_key(tmp_path, capsys):
    flow = refused(tmp_path, capsys, GOOD.replace("households: 3000}", "households: 3,000}"))
    assert "communities[0]: a key 000 where" in flow or "communities[0]" in flow
    assert "1250, not 1,250" in flow
    block = GOOD.replace("  - {id: a, households: 3000}", "  - id: a\n    households: 3,000")
    assert "communities[0].households: input should be a valid integer" in refused(
        tmp_path, capsys, block)


def test_a_variant_over_a_community_whose_id_is_not_a_name(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text(GOOD, encoding="utf-8")
    variant = "extends: base.yaml\ncommunities:\n  - {id: [a, b], households: 10}\n"
    err = refused(tmp_path, capsys, variant, file="v.yaml")
    assert "communities[0].id" in err


def test_a_pay_table_with_nan_is_refused():
    base = sim.load_scenario(BASELINE)
    grade = list(base.data["pay"]["grade_pay"])
    grade[3] = float("nan")
    with pytest.raises(ScenarioError, match=r"pay\.grade_pay\[3\]: input should be a finite"):
        base.with_overrides({"pay.grade_pay": grade})


# ---------------------------------------------------------------- files

def test_files_that_are_not_regular_files_are_refused_before_reading(tmp_path, capsys):
    os.mkfifo(tmp_path / "fifo.yaml")
    started = time.monotonic()
    err = refused(tmp_path, capsys, "extends: fifo.yaml\n" + GOOD)
    assert "extends: not a regular file: 'fifo.yaml'" in err
    err = refused(tmp_path, capsys, "extends: /dev/zero\n" + GOOD)
    assert "extends: not a regular file: '/dev/zero'" in err
    assert time.monotonic() - started < 5  # no hang, no endless read


@pytest.mark.parametrize("parent", [".", "''"])
def test_extends_naming_a_folder_or_nothing_names_the_file_and_key(parent, tmp_path, capsys):
    err = refused(tmp_path, capsys, f"extends: {parent}\n" + GOOD)
    assert err.startswith(f"{tmp_path / 's.yaml'}: extends: ")


def test_deep_nesting_and_long_extends_chains_are_refused(tmp_path, capsys):
    deep = "name: x\ndescription: " + "[" * 10_000 + "]" * 10_000 + "\n"
    assert "nested too deeply" in refused(tmp_path, capsys, deep)
    for i in range(40):
        (tmp_path / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n", encoding="utf-8")
    (tmp_path / "c40.yaml").write_text(GOOD, encoding="utf-8")
    assert "extends: a chain of more than 32 files" in refused(
        tmp_path, capsys, "extends: c0.yaml\n")
    geo = tmp_path / "g.geojson"
    geo.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000
                   + "]" * 100_000 + "}", encoding="utf-8")
    text = GOOD.replace("name: tiny", "name: tiny\ngrid_file: g.geojson")
    assert "g.geojson: malformed GeoJSON: nested too deeply" in refused(tmp_path, capsys, text)


def _feature(gid: str, ring: list) -> dict:
    return {"type": "Feature", "properties": {"grid_id": gid, "community_id": "a",
                                              "households": 1500},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_a_stray_longitude_does_not_turn_a_file_into_metres(tmp_path, capsys):
    square = [[109.9, 35.1], [109.91, 35.1], [109.91, 35.11], [109.9, 35.11], [109.9, 35.1]]
    stray = [[500.0, 35.1], [500.01, 35.1], [500.01, 35.11], [500.0, 35.11], [500.0, 35.1]]
    doc = {"type": "FeatureCollection", "features": [_feature("g1", square),
                                                     _feature("g2", stray)]}
    (tmp_path / "g.geojson").write_text(json.dumps(doc), encoding="utf-8")
    err = refused(tmp_path, capsys, GOOD.replace("name: tiny", "name: tiny\ngrid_file: g.geojson"))
    assert "feature 2 (grid_id g2): geometry: coordinates outside longitude/latitude" in err


def test_an_unclosed_ring_is_refused_not_closed_silently(tmp_path, capsys):
    ring = [[0, 0], [300, 0], [300, 300], [0, 300]]
    doc = {"type": "FeatureCollection", "features": [_feature("g1", ring),
                                                     _feature("g2", [[400, 0], [700, 0],
                                                                     [700, 300], [400, 0]])]}
    (tmp_path / "g.geojson").write_text(json.dumps(doc), encoding="utf-8")
    err = refused(tmp_path, capsys, GOOD.replace("name: tiny", "name: tiny\ngrid_file: g.geojson"))
    assert "feature 1 (grid_id g1): geometry: ring 1 is not closed" in err


def test_a_grid_file_beyond_the_grid_limit_is_refused_before_any_large_allocation(tmp_path,
                                                                                   capsys):
    rows = ["grid_id,community_id,households,x_m,y_m"]
    rows += [f"g{i},a,0,{i},0" for i in range(50_001)]
    (tmp_path / "g.csv").write_text("\n".join(rows), encoding="utf-8")
    err = refused(tmp_path, capsys, GOOD.replace("name: tiny", "name: tiny\ngrid_file: g.csv"))
    assert "50,001 rows are more than the 50,000 grids one scenario may have" in err


def test_no_code_runs_from_python_tags(tmp_path, capsys):
    marker = tmp_path / "ran"
    tag = f"!!python/object/apply:os.system ['touch {marker}']"
    assert "malformed YAML" in refused(tmp_path, capsys, GOOD.replace("name: tiny",
                                                                      f"name: {tag}"))
    err = refused(tmp_path, capsys, GOOD, "sweep", "--set", f"horizon.days={tag}", "-q",
                  "--out", str(tmp_path / "sweep"))
    assert "--set horizon.days" in err and not marker.exists()


def test_an_impossible_date_in_a_sweep_is_a_usage_error(tmp_path, capsys):
    err = refused(tmp_path, capsys, GOOD, "sweep", "--set", "horizon.start=2026-02-30", "-q",
                  "--out", str(tmp_path / "sweep"))
    assert "--set horizon.start" in err and "2026-02-30" in err


# ---------------------------------------------------------------- options and folders

def test_replications_are_bounded_by_the_command_line_too(tmp_path, capsys):
    err = refused(tmp_path, capsys, GOOD, "run", "-n", str(10**20), "-q", "--out",
                  str(tmp_path / "r"))
    assert "--replications: must be a whole number from 1 to 10,000" in err
    assert not (tmp_path / "r").exists()


def test_an_unparseable_scheduler_address(tmp_path, capsys):
    err = refused(tmp_path, capsys, GOOD, "run", "--executor", "dask", "--scheduler", "::::",
                  "-q", "--out", str(tmp_path / "r"))
    assert "--scheduler: not an address HOST:PORT" in err


def _short(tmp_path: Path) -> Path:
    file = tmp_path / "s.yaml"
    file.write_text(GOOD, encoding="utf-8")
    return file


def test_a_full_disk_is_a_refusal_and_the_folder_says_failed(tmp_path, capsys, monkeypatch):
    import sim.files.atomic as atomic

    real = atomic.os.replace

    def full(src, dst):
        if str(dst).endswith(".csv") and "parts" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", full)
    out = tmp_path / "run"
    assert main(["run", str(_short(tmp_path)), "-n", "2", "--executor", "serial", "-q",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot be written (No space left on device)" in err and "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and not (out / "summary.csv").exists()
    monkeypatch.setattr(atomic.os, "replace", real)  # space freed: the same command finishes
    assert main(["run", str(_short(tmp_path)), "-n", "2", "--executor", "serial", "-q",
                 "--out", str(out)]) == 0


def test_a_read_only_folder_is_a_refusal(tmp_path, capsys, monkeypatch):
    import sim.files.atomic as atomic

    def read_only(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomic.os, "replace", read_only)
    code = main(["run", str(_short(tmp_path)), "-n", "1", "--executor", "serial", "-q",
                 "--out", str(tmp_path / "ro")])
    err = capsys.readouterr().err
    assert code == 2 and "Read-only file system" in err and "Traceback" not in err


def test_damaged_folders_resume(tmp_path, capsys):
    scenario = _short(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "-n", "1", "--executor", "serial", "-q",
                 "--out", str(out)]) == 0
    (out / "parts" / "replication-abc.csv").write_text("stray", encoding="utf-8")
    assert main(["run", str(scenario), "-n", "2", "--executor", "serial", "-q",
                 "--out", str(out)]) == 0
    for name in ("summary.csv", "replications.csv"):
        (out / name).unlink()
    for part in (out / "parts").iterdir():
        part.unlink()
    (out / "parts").rmdir()  # a missing parts/ is recomputed, not an error
    assert main(["run", str(scenario), "-n", "2", "--executor", "serial", "-q",
                 "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["versions"] = []
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["run", str(scenario), "-n", "2", "-q", "--out", str(out)]) == 2
    assert "this folder was made with" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["[]", "null", "{"])
def test_a_manifest_that_is_not_one(content, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text(content, encoding="utf-8")
    assert main(["run", str(_short(tmp_path)), "-n", "1", "-q", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json: " in err and "Traceback" not in err


def test_a_folder_holding_only_a_stale_temporary_can_be_used(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / ".manifest.json.tmp-12345").write_text("{", encoding="utf-8")
    result = sim.run(_short(tmp_path), replications=1, out=out, executor="serial",
                     progress=False)
    assert (result.folder / "summary.csv").exists()
    assert not list(out.glob(".*.tmp-*"))


def test_read_manifest_refuses_a_list():
    from sim.files.folder import read_manifest

    with pytest.raises(RunFolderError, match="not a manifest"):
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"m{os.getpid()}"
        path.mkdir(exist_ok=True)
        (path / "manifest.json").write_text("[]", encoding="utf-8")
        read_manifest(path)
