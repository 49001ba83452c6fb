"""tradecli: trade balances, ratios and year-on-year change from reported figures, with sources.

The library API (pandas DataFrames; see docs/library.md) is loaded lazily so
that ``import tradecli`` and ``tradecli --help`` do not import pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "1.0.0"

__all__ = [
    "__version__",
    "Dataset",
    "Result",
    "Note",
    "load",
    "balance",
    "compare_years",
    "compare_partners",
    "partner_list",
    "source_list",
    "resolve",
    "crosscheck",
    "import_official",
    "TradeError",
    "TradeDataError",
    "UsageError",
    "UnknownPartnerError",
    "MixedBasisError",
    "NoFiguresError",
]

_LAZY = {
    "Dataset": "dataset",
    "Result": "dataset",
    "Note": "dataset",
    "load": "queries",
    "balance": "dataset",
    "compare_years": "dataset",
    "compare_partners": "dataset",
    "partner_list": "dataset",
    "source_list": "dataset",
    "resolve": "queries",
    "crosscheck": "dataset",
    "import_official": "queries",
    "TradeError": "errors",
    "TradeDataError": "errors",
    "UsageError": "errors",
    "UnknownPartnerError": "errors",
    "MixedBasisError": "errors",
    "NoFiguresError": "errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'tradecli' has no attribute {name!r}")
