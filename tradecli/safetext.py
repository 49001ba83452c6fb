"""Untrusted text made harmless: one rule for spreadsheets, one for terminals (issue 9, parts 5 and 6)."""

from __future__ import annotations

import re

# A spreadsheet starts a formula at a cell that begins with one of these; the cell may begin
# after any separator a reader picks (, ; TAB | CR LF), so every such fragment is checked.
_FORMULA = re.compile(r"(^|[,;\t|\r\n])([=+\-@\t\r＝＋－＠])")

# C0 and C1 controls (bar none), DEL, and the bidi marks/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """Text a spreadsheet never runs: a ' before each trigger at the start or after a separator."""
    return _FORMULA.sub(r"\1'\2", text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object) -> str:
    """Text safe for a terminal: controls and bidi characters shown escaped (ESC as \\x1b)."""
    return _UNSAFE.sub(_escape, str(text))
