"""The exceptions the library raises; the CLI turns each into one line and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes: 0 success, 1 a problem with the data, 2 a problem with the request."""

    OK = 0
    DATA = 1
    USAGE = 2


class TradeError(Exception):
    """Base class of every error tradecli reports to a user; the message says what to do."""

    exit_status = ExitStatus.DATA


class TradeDataError(TradeError):
    """The data cannot answer the question: unreadable, invalid, inconsistent or missing."""


class NoFiguresError(TradeDataError):
    """The data has no figures for what was asked (partner, period, reporter)."""


class MixedBasisError(TradeDataError):
    """Figures of different currencies, period bases or reporters were asked to be combined."""


class UsageError(TradeError):
    """The request itself is wrong: an unknown partner, period, currency or option value."""

    exit_status = ExitStatus.USAGE


class UnknownPartnerError(UsageError):
    """A partner or reporter name that matches no code, name or alias."""


class MissingExtraError(TradeError):
    """An output needs an optional dependency that is not installed (``pip install 'tradecli[charts]'``)."""

    def __init__(self, what: str, module: str, extra: str) -> None:
        super().__init__(f"{what} needs {module}, which is not installed; install it with: pip install 'tradecli[{extra}]'")
        self.module = module
        self.extra = extra
