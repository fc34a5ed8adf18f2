"""Native part of trustsim (see the ``trustsim`` package for the API)."""

from typing import Optional

__version__: str

class TrustsimError(Exception):
    """A trustsim job failed; the message names the file, key and what is allowed."""

Settings = list[tuple[str, str, str]]

def check(scenario: str, is_text: bool, settings_: Settings) -> dict: ...
def run(
    scenario: str,
    is_text: bool,
    settings_: Settings,
    parameter_sets: Optional[str],
    threads: Optional[int],
    out: Optional[str],
    charts: bool,
    csv: bool,
    force: bool,
) -> dict: ...
def compare(
    variants: list[tuple[str, bool]],
    settings_: Settings,
    independent_seeds: bool,
    allow_structural: bool,
    force: bool,
    parameter_sets: Optional[str],
    threads: Optional[int],
    out: Optional[str],
    charts: bool,
    csv: bool,
    name: Optional[str],
    comparison_file: Optional[str],
) -> dict: ...
def sweep(
    file: str,
    parameter_sets: Optional[str],
    shard: Optional[str],
    threads: Optional[int],
    out: Optional[str],
) -> dict: ...
def merge(dir: str) -> str: ...
def sensitivity(file: str, shard: Optional[str], threads: Optional[int], out: Optional[str]) -> dict: ...
def calibrate(file: str, shard: Optional[str], threads: Optional[int], out: Optional[str]) -> dict: ...
def report(runs: list[str], out: Optional[str], trust: Optional[str], paper: str) -> str: ...
def plot(runs: list[str], out: Optional[str], trust: Optional[str]) -> list[str]: ...
