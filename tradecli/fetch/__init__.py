"""Official data fetched from the network: the only part of tradecli that opens a connection.

``fetch_comtrade`` turns a question (reporter, partners, periods, flows) into UN Comtrade API
requests, makes them politely (throttled, retried within bounds), keeps each good answer in a
cache, and reads the answers with the same reader as ``tradecli import comtrade``. The API key
travels only in a request header and is written nowhere. httpx and platformdirs are imported
only when a request or the default cache directory is needed (the ``fetch`` extra).
"""

from __future__ import annotations

__all__ = ["Cache", "Client", "ComtradeQuery", "FetchError", "Fetched", "Request", "fetch_comtrade", "plan"]

_HOMES = {"Cache": "cache", "Client": "client", "FetchError": "client"} | dict.fromkeys(
    ("ComtradeQuery", "Fetched", "Request", "fetch_comtrade", "plan"), "comtrade"
)


def __getattr__(name: str):
    # Loaded on first use: `tradecli --help` mounts the fetch command without these modules.
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
