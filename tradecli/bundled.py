"""Where the bundled data files live, installed or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_dir() -> Path:
    """The directory holding flows.csv, fx.csv, names.csv and datapackage.json."""
    here = Path(__file__).resolve().parent
    # The wheel carries the files at tradecli/data (hatchling force-include); a source
    # checkout, editable install or CI run from the repo keeps them at the top-level data/.
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "flows.csv").is_file():
            return candidate
    raise FileNotFoundError(f"tradecli's bundled data is missing (looked in {here / 'data'})")


def path(name: str) -> Path:
    """The path of one bundled data file."""
    return data_dir() / name
