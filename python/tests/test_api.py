"""The Python front: every API function, identical files to the command
line for the same seed, errors with the command line's messages, and
Ctrl-C that keeps finished work."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import polars as pl
import pytest

import trustsim

ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT / "scenarios" / "quick.toml"
TABLES = ["trust_months", "ceo_spells", "replications", "summary"]


def cli() -> str:
    exe = os.environ.get("TRUSTSIM_BIN")
    if exe:
        return exe
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "trustsim"
        if p.exists():
            return str(p)
    pytest.skip("no trustsim binary built (cargo build --release)")


def test_run_writes_the_same_files_as_the_command_line(tmp_path):
    r = trustsim.run(QUICK, replications=2, out=tmp_path / "py")
    assert r.trust_months.shape[0] > 0
    assert isinstance(r.summary, pl.DataFrame)
    assert r.manifest["replications"] == 2
    subprocess.run(
        [cli(), "run", str(QUICK), "--replications", "2", "--no-charts", "--quiet",
         "--out", str(tmp_path / "cli")],
        check=True, capture_output=True,
    )
    for t in TABLES:
        a = (tmp_path / "py" / f"{t}.parquet").read_bytes()
        b = (tmp_path / "cli" / f"{t}.parquet").read_bytes()
        assert a == b, f"{t}.parquet differs between Python and the command line"


def test_set_changes_a_parameter_and_is_recorded(tmp_path):
    base = trustsim.run(QUICK, replications=2, out=tmp_path / "a")
    high = trustsim.run(QUICK, replications=2, out=tmp_path / "b",
                        set={"staff.leave_base_monthly": 0.012})
    assert any("staff.leave_base_monthly" in s for s in high.manifest["settings"])
    assert base.summary.equals(base.summary)
    assert not base.replications.equals(high.replications)


def test_a_scenario_given_as_text_runs(tmp_path):
    text = f'extends = "{QUICK.as_posix()}"\n[run]\nname = "from_text"\n'
    r = trustsim.run(text, replications=1, out=tmp_path / "t")
    assert r.manifest["scenario_name"] == "from_text"


def test_check_returns_the_resolved_scenario():
    info = trustsim.check(QUICK, replications=3, set={"run.months": 12})
    assert info["replications"] == 3
    assert info["months"] == 12
    assert "[run]" in info["resolved_toml"]


def test_bad_input_raises_the_command_line_message(tmp_path):
    with pytest.raises(trustsim.TrustsimError, match="staff.leave_base_monthly"):
        trustsim.check(QUICK, set={"staff.leave_base_monthly": 7.0})
    with pytest.raises(trustsim.TrustsimError, match="no_such"):
        trustsim.check(QUICK, set={"staff.no_such_key": 1})
    with pytest.raises(trustsim.TrustsimError, match="missing.toml"):
        trustsim.run(tmp_path / "missing.toml")
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    with pytest.raises(trustsim.TrustsimError, match="empty"):
        trustsim.run(empty)
    with pytest.raises(trustsim.TrustsimError, match="threads"):
        trustsim.run(QUICK, threads=10_000)
    with pytest.raises(TypeError):
        trustsim.run(QUICK, replications="two")


def test_a_policy_for_one_trust_is_compared_there_elsewhere_and_nationally(tmp_path):
    policy = tmp_path / "one.toml"
    policy.write_text(
        f'extends = "{QUICK.as_posix()}"\n[run]\nname = "one"\nmonths = 24\n'
        '[[changes]]\nmonth = 13\ntrusts = ["T003"]\n'
        'set = { "staff.leave_base_monthly" = 0.02 }\n'
    )
    c = trustsim.compare(QUICK, policy, replications=2, months=24, out=tmp_path / "cmp")
    d = c.differences.filter(
        (pl.col("outcome") == "leaver_rate_annual") & (pl.col("scope") == "final_year")
    )
    by = {r["trusts"]: r for r in d.iter_rows(named=True)}
    assert set(by) == {"all", "targeted", "untargeted"}
    assert by["targeted"]["group_trusts"] == 1.0
    assert by["targeted"]["mean_difference"] > 5 * by["all"]["mean_difference"] > 0


def test_compare_pairs_the_variants(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'extends = "{QUICK.as_posix()}"\n[run]\nname = "policy"\n'
        "[oversight]\npunitiveness = 0.2\n"
    )
    c = trustsim.compare(QUICK, policy, replications=2, out=tmp_path / "cmp")
    assert list(c.variants) == ["quick", "policy"]
    assert c.differences.height > 0
    assert c.manifest["complete"] is True
    assert c.variants["policy"].summary.height > 0
    # A comparison's own charts, drawn on request into its folder.
    charts = trustsim.plot(c)
    assert any(p.name == "comparison_forest.svg" for p in charts), charts
    assert all(p.exists() and p.parent == c.dir / "charts" for p in charts)
    with pytest.raises(trustsim.TrustsimError, match="share the name `quick`"):
        trustsim.compare(QUICK, QUICK, replications=1, out=tmp_path / "same")
    with pytest.raises(trustsim.TrustsimError, match="at least two variants"):
        trustsim.compare(QUICK.read_text(), out=tmp_path / "one")


def test_sweep_and_its_results(tmp_path):
    f = tmp_path / "sweep.toml"
    f.write_text(
        f'[sweep]\nname = "tiny"\nbase = "{QUICK.as_posix()}"\ndesign = "grid"\n'
        "replications = 1\n"
        '[sweep.parameters]\n"oversight.punitiveness" = [0.2, 0.8]\n'
    )
    s = trustsim.sweep(f, out=tmp_path / "sw")
    assert s.complete
    assert s.results.height == s.units


def test_report_and_plot(tmp_path):
    r = trustsim.run(QUICK, replications=1, out=tmp_path / "r")
    html = trustsim.report(r)
    assert html.exists() and html.suffix == ".html"
    files = trustsim.plot(r, out=tmp_path / "charts")
    assert files and all(p.exists() for p in files)
    again = trustsim.open_run(r.dir)
    assert again.summary.equals(r.summary)
    with pytest.raises(trustsim.TrustsimError, match="not a run folder"):
        trustsim.open_run(tmp_path)


def test_ctrl_c_stops_a_run_and_keeps_finished_work(tmp_path):
    # Python leaves SIGINT ignored if it started ignored (a background job of
    # a shell); a user's interpreter turns it into KeyboardInterrupt.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_stops_a_run(tmp_path)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_stops_a_run(tmp_path):
    out = tmp_path / "long"

    # Ctrl-C as soon as the run has kept a finished replication (a fixed
    # delay let a fast machine finish all 400 first), or after 60 s.
    def interrupt():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if list((out / ".batches").glob("rep-*.batch")):
                break
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    watcher = threading.Thread(target=interrupt, daemon=True)
    t0 = time.monotonic()
    watcher.start()
    with pytest.raises(KeyboardInterrupt):
        trustsim.run(QUICK, replications=400, out=out)
    watcher.join()
    assert time.monotonic() - t0 < 60, "the run did not stop soon after Ctrl-C"
    manifest = (out / "manifest.json").read_text()
    assert '"complete": false' in manifest
    kept = list((out / ".batches").glob("rep-*.batch"))
    assert kept, "no finished replication was kept"
    # The interpreter goes on working after the interrupt.
    r = trustsim.run(QUICK, replications=1, out=tmp_path / "after")
    assert r.manifest["complete"] is True


def test_sensitivity_computes_indices(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        f'[sensitivity]\nbase = "{QUICK.as_posix()}"\nmethod = "morris"\nsamples = 4\n'
        "replications = 1\nbootstrap = 20\noutputs = [\"engagement_mean\"]\n"
        '[sensitivity.parameters]\n"oversight.punitiveness" = { min = 0.1, max = 0.9 }\n'
        '"staff.leader_weight" = { min = 0.5, max = 3.0 }\n'
    )
    s = trustsim.sensitivity(f, out=tmp_path / "sens")
    assert s.complete
    idx = s.indices
    assert idx is not None and set(idx["parameter"]) == {
        "oversight.punitiveness", "staff.leader_weight"}
    with pytest.raises(trustsim.TrustsimError, match="unknown metric `engagement`"):
        f.write_text(f.read_text().replace('"engagement_mean"', '"engagement"'))
        trustsim.sensitivity(f, out=tmp_path / "bad")


def test_calibrate_finds_plausible_sets(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(
        f'extends = "{QUICK.as_posix()}"\n[run]\nname = "tiny"\nmonths = 24\nburn_in_months = 12\n'
    )
    f = tmp_path / "cal.toml"
    f.write_text(
        '[calibration]\nname = "py"\nbase = "base.toml"\nreplications = 2\nwaves = 2\n'
        "points = 10\ncandidates = 2000\n"
        '[calibration.parameters]\n"staff.leave_base_monthly" = { min = 0.004, max = 0.011 }\n'
        "[calibration.targets]\nleaver_rate_annual = { value = 0.12, sd = 0.03 }\n"
    )
    c = trustsim.calibrate(f, out=tmp_path / "cal")
    assert c.status == "done", c.messages
    assert c.parameter_sets.height > 0
    assert c.summary["name"] == "py"
    assert any(m.startswith("wave 1 of at most 2") for m in c.messages)
