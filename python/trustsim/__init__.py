"""trustsim from Python: run the agent-based simulator of leadership
turnover in NHS trusts, compare policies, sweep, screen and calibrate, and
read the results as polars DataFrames.

Every function mirrors a command of the ``trustsim`` command line and takes
its flags as keyword arguments; the same arguments write the same files,
byte for byte. A scenario is a path to a TOML file or TOML text (any string
containing a newline or an ``=``). Errors raise :class:`TrustsimError` with
the command line's message (file, key and what is allowed). The GIL is
released while the model runs; Ctrl-C (KeyboardInterrupt) stops a job
within a simulated month, keeps its finished work, and is raised once the
job has stopped: the same call again resumes it.

>>> import trustsim
>>> r = trustsim.run("scenarios/quick.toml", replications=2)
>>> r.trust_months.shape
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import polars as pl

from . import _trustsim
from ._trustsim import TrustsimError

__all__ = [
    "TrustsimError",
    "Run",
    "Comparison",
    "Sweep",
    "Sensitivity",
    "Calibration",
    "check",
    "run",
    "compare",
    "sweep",
    "sensitivity",
    "calibrate",
    "report",
    "plot",
    "open_run",
    "__version__",
]

__version__: str = _trustsim.__version__

PathLike = Union[str, "os.PathLike[str]"]


def _is_text(scenario: PathLike) -> bool:
    return isinstance(scenario, str) and ("\n" in scenario or "=" in scenario)


def _toml_value(value: Any) -> str:
    """A Python value as a TOML literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"set: {value!r} is not a number, boolean, string or list")


def _settings(
    replications: Optional[int],
    seed: Optional[int],
    months: Optional[int],
    set: Optional[Mapping[str, Any]],
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for flag, key, value in (
        ("--replications", "run.replications", replications),
        ("--seed", "run.seed", seed),
        ("--months", "run.months", months),
    ):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{flag[2:]}: {value!r} is not an integer")
            out.append((flag, key, str(value)))
    for key, value in (set or {}).items():
        out.append(("--set", str(key), _toml_value(value)))
    return out


def _path(p: Optional[PathLike]) -> Optional[str]:
    return None if p is None else os.fspath(p)


class Run:
    """A finished run folder: its manifest and tables.

    Tables are read on first use, as polars DataFrames: ``trust_months``,
    ``ceo_spells``, ``replications``, ``summary`` (and :meth:`table` for any
    other parquet file in the folder).
    """

    def __init__(self, dir: PathLike, messages: Sequence[str] = ()) -> None:
        self.dir = Path(dir)
        #: Lines of account, notes and warnings the run gave.
        self.messages = list(messages)
        self._tables: dict[str, pl.DataFrame] = {}

    def __repr__(self) -> str:
        return f"trustsim.Run({str(self.dir)!r})"

    @property
    def manifest(self) -> dict:
        """``manifest.json``: scenario, seed, replications, files."""
        return json.loads((self.dir / "manifest.json").read_text())

    def table(self, name: str) -> pl.DataFrame:
        """The table ``NAME.parquet`` of the run folder."""
        if name not in self._tables:
            self._tables[name] = pl.read_parquet(self.dir / f"{name}.parquet")
        return self._tables[name]

    @property
    def trust_months(self) -> pl.DataFrame:
        return self.table("trust_months")

    @property
    def ceo_spells(self) -> pl.DataFrame:
        return self.table("ceo_spells")

    @property
    def replications(self) -> pl.DataFrame:
        return self.table("replications")

    @property
    def summary(self) -> pl.DataFrame:
        return self.table("summary")

    @property
    def trusts(self) -> pl.DataFrame:
        return self.table("trusts")


def open_run(dir: PathLike) -> Run:
    """A run folder written earlier (by Python or the command line)."""
    d = Path(dir)
    if not (d / "manifest.json").is_file():
        raise TrustsimError(f"{d} is not a run folder: it has no manifest.json")
    return Run(d)


class Comparison:
    """A finished comparison folder: paired differences against the first
    variant (``differences``), its record (``manifest``) and each variant's
    run (``variants``)."""

    def __init__(self, dir: PathLike, names: Sequence[str], messages: Sequence[str] = ()) -> None:
        self.dir = Path(dir)
        self.messages = list(messages)
        #: Each variant's run, by name, in order (the first is the reference).
        self.variants: dict[str, Run] = {n: Run(self.dir / n) for n in names}
        self._differences: Optional[pl.DataFrame] = None

    def __repr__(self) -> str:
        return f"trustsim.Comparison({str(self.dir)!r}, variants={list(self.variants)})"

    @property
    def manifest(self) -> dict:
        """``comparison.json``."""
        return json.loads((self.dir / "comparison.json").read_text())

    @property
    def differences(self) -> pl.DataFrame:
        """``comparison.parquet``: one row per variant and outcome."""
        if self._differences is None:
            self._differences = pl.read_parquet(self.dir / "comparison.parquet")
        return self._differences


class Sweep:
    """A sweep folder: ``done`` of ``units`` design points finished."""

    def __init__(self, info: dict) -> None:
        self.dir = Path(info["dir"])
        self.done: int = info["done"]
        self.units: int = info["units"]
        self.messages: list[str] = list(info["messages"])

    def __repr__(self) -> str:
        return f"trustsim.Sweep({str(self.dir)!r}, {self.done} of {self.units} units done)"

    @property
    def complete(self) -> bool:
        return self.done == self.units

    @property
    def results(self) -> pl.DataFrame:
        """Every unit's replications in one table (``sweep.parquet``,
        merged from the parts when needed)."""
        path = Path(_trustsim.merge(str(self.dir)))
        return pl.read_parquet(path)


class Sensitivity(Sweep):
    """A sensitivity study: its units and, once complete, its indices."""

    def __init__(self, info: dict) -> None:
        super().__init__(info)
        self.complete_indices: bool = info["complete"]

    @property
    def indices(self) -> Optional[pl.DataFrame]:
        """``sensitivity.parquet``, or None until every unit is done."""
        if not self.complete_indices:
            return None
        return pl.read_parquet(self.dir / "sensitivity.parquet")


class Calibration:
    """A calibration folder: ``status`` is ``"done"`` (results written),
    ``"incomplete"`` (wave ``wave`` is not finished: a shard ran its share)
    or ``"waves_done"`` (a shard finished the last wave; a call without a
    shard writes the results)."""

    def __init__(self, info: dict) -> None:
        self.dir = Path(info["dir"])
        self.status: str = info["status"]
        self.wave: Optional[int] = info["wave"]
        self.messages: list[str] = list(info["messages"])

    def __repr__(self) -> str:
        return f"trustsim.Calibration({str(self.dir)!r}, status={self.status!r})"

    @property
    def parameter_sets(self) -> pl.DataFrame:
        """``parameter_sets.parquet``: the plausible parameter sets."""
        return pl.read_parquet(self.dir / "parameter_sets.parquet")

    @property
    def summary(self) -> dict:
        """``calibration.json``."""
        return json.loads((self.dir / "calibration.json").read_text())


def check(
    scenario: PathLike,
    *,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    months: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> dict:
    """Validates a scenario (``trustsim check``); returns its name,
    replications, seed, months, lever warnings, scenario hash and resolved
    parameters (``resolved_toml``)."""
    return _trustsim.check(
        os.fspath(scenario), _is_text(scenario), _settings(replications, seed, months, set)
    )


def run(
    scenario: PathLike,
    *,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    months: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    parameter_sets: Optional[PathLike] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    charts: bool = False,
    csv: bool = False,
    force: bool = False,
) -> Run:
    """Runs a scenario (``trustsim run``) into ``out`` (default
    ``output/<run.name>``) and returns the run. Charts are off by default
    (``charts=True`` draws them, as the command line does unless
    ``--no-charts``)."""
    info = _trustsim.run(
        os.fspath(scenario),
        _is_text(scenario),
        _settings(replications, seed, months, set),
        _path(parameter_sets),
        threads,
        _path(out),
        charts,
        csv,
        force,
    )
    return Run(info["dir"], info["messages"])


def compare(
    *variants: PathLike,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    months: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    parameter_sets: Optional[PathLike] = None,
    independent_seeds: bool = False,
    allow_structural: bool = False,
    name: Optional[str] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    charts: bool = False,
    csv: bool = False,
    force: bool = False,
) -> Comparison:
    """Compares policy variants with common random numbers (``trustsim
    compare``): two or more scenarios (paths or TOML text; the first is the
    reference), or one comparison file with ``[compare] variants = [...]``.
    Returns the comparison, whose ``differences`` are paired against the
    first variant."""
    if len(variants) == 1 and variants[0] is not None and not _is_text(variants[0]):
        comparison_file: Optional[str] = os.fspath(variants[0])
        given: list[tuple[str, bool]] = []
    else:
        comparison_file = None
        given = [(os.fspath(v), _is_text(v)) for v in variants]
    info = _trustsim.compare(
        given,
        _settings(replications, seed, months, set),
        independent_seeds,
        allow_structural,
        force,
        _path(parameter_sets),
        threads,
        _path(out),
        charts,
        csv,
        name,
        comparison_file,
    )
    return Comparison(info["dir"], info["variants"], info["messages"])


def sweep(
    file: PathLike,
    *,
    parameter_sets: Optional[PathLike] = None,
    shard: Optional[str] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> Sweep:
    """Runs a sweep file's units not done yet (``trustsim sweep``): all, or
    one shard's (``shard="I/N"``)."""
    return Sweep(
        _trustsim.sweep(os.fspath(file), _path(parameter_sets), shard, threads, _path(out))
    )


def sensitivity(
    file: PathLike,
    *,
    shard: Optional[str] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> Sensitivity:
    """Runs a sensitivity study (``trustsim sensitivity``) and, once every
    unit is done, computes its indices."""
    return Sensitivity(_trustsim.sensitivity(os.fspath(file), shard, threads, _path(out)))


def calibrate(
    file: PathLike,
    *,
    shard: Optional[str] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> Calibration:
    """Runs (or resumes) a calibration (``trustsim calibrate``)."""
    return Calibration(_trustsim.calibrate(os.fspath(file), shard, threads, _path(out)))


def report(
    *runs: Union[PathLike, Run, Comparison],
    out: Optional[PathLike] = None,
    trust: Optional[str] = None,
    paper: str = "a4",
) -> Path:
    """Writes the HTML report of finished runs or of a comparison
    (``trustsim report``); returns its path."""
    dirs = [os.fspath(r.dir if isinstance(r, (Run, Comparison)) else r) for r in runs]
    return Path(_trustsim.report(dirs, _path(out), trust, paper))


def plot(
    *runs: Union[PathLike, Run, Comparison],
    out: Optional[PathLike] = None,
    trust: Optional[str] = None,
) -> list[Path]:
    """Draws the charts of finished runs (``trustsim plot``), or redraws a
    comparison's forest and difference charts into its folder; returns the
    files (PNG and SVG)."""
    dirs = [os.fspath(r.dir if isinstance(r, (Run, Comparison)) else r) for r in runs]
    return [Path(p) for p in _trustsim.plot(dirs, _path(out), trust)]
