"""Untrusted text made harmless: one rule for spreadsheets, one for terminals (issue 9, parts 5 and 6).

Every writer takes its rule from here, so CSV, Markdown, xlsx, tables, charts and error
lines can never disagree about what is safe.
"""

from __future__ import annotations

import re

#: A spreadsheet runs a cell that begins with one of these (OWASP CSV injection), fullwidth forms included.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# A reader that picks another separator (German Excel: ';', others TAB) does not see our
# quotes where its field begins mid-cell, so it splits a cell at any of , ; TAB | CR LF and
# each fragment can begin a formula: a trigger after one of them gets a ' too.
# Quotes may stand between: a reader strips them and sees the trigger first.
# The separator is looked behind, not taken, so "\r\n=" marks both the LF and the '='.
_TRIGGER, _SEPARATOR = "[=+\\-@\t\r\n＝＋－＠]", "[,;\t|\r\n]"
_FRAGMENT = re.compile(f'(?:^|(?<={_SEPARATOR}))("*)({_TRIGGER})')
# Whether _FRAGMENT matches anywhere, in the same words without the look-behind: twice as fast to search.
_MARKED = re.compile(f'^"*{_TRIGGER}|{_SEPARATOR}"*{_TRIGGER}')
_SPLITS = re.compile('[,;\t|\r\n"]')

# What csv_cell changes at all: a trigger first, or anything a reader may split at (or a quote).
_RISKY = f"^{_TRIGGER}|{_SPLITS.pattern}"


def csv_cells(column):
    """``csv_cell`` of every cell of a pandas column of text (missing cells empty), vectorised: the
    same text (a test compares the two), for columns of millions of distinct cells such as figure ids.

    Cells with nothing to change stay as they are; cells with a separator but no trigger after one
    are quoted in one vectorised step; the rare cells with a trigger go through ``csv_cell`` itself."""
    import pandas as pd

    index, column = column.index, column.reset_index(drop=True)  # positions: an index may repeat labels
    head = column.iloc[:1000]
    if len(column) > 2 * len(head) and head.nunique(dropna=False) == len(head):  # ids: every cell its own, no use counting
        return _csv_texts(column).set_axis(index)
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    if len(uniques) < len(codes):  # each distinct text once (codes, flags and sources repeat a lot)
        return _csv_texts(pd.Series(uniques)).iloc[codes].reset_index(drop=True).set_axis(index)
    return _csv_texts(column).set_axis(index)


def _csv_texts(column):
    """``csv_cells`` of a column's every cell, vectorised."""
    import pandas as pd

    text = column.fillna("").astype("str") if isinstance(column.dtype, pd.StringDtype) else column.map(text_of).astype("str")
    risky = text.str.contains(_RISKY, regex=True)
    if not risky.any():
        return text
    marked = risky & text.str.contains(_MARKED.pattern, regex=True)
    quoted = '"' + text.str.replace('"', '""', regex=False) + '"'
    out = text.where(~(risky & ~marked), quoted)  # a split and no trigger: only quoted
    if marked.any():
        out = out.mask(marked, pd.Series([csv_cell(t) for t in text[marked]], index=text.index[marked], dtype="str"))
    return out


def text_of(value) -> str:
    """A cell as the writers read it: '' for a missing one (None, NaN, NA), else its str()."""
    import pandas as pd

    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)


# C0 and C1 controls, DEL, and the bidi marks, embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """Text a spreadsheet never runs as a formula: a ' before a leading trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(text: str) -> str:
    """One CSV text cell: no fragment begins a formula, and quoted (RFC 4180) when a separator could split it."""
    # Without a separator a fragment can only begin at the start: most cells are returned here, unchanged.
    if not text.startswith(FORMULA_TRIGGERS) and not _SPLITS.search(text):
        return text
    if _MARKED.search(text):  # sub() costs more than search(), and most cells have nothing to mark
        text = _FRAGMENT.sub("\\1'\\2", text)
    if _SPLITS.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


# What an xlsx cell cannot hold (openpyxl refuses it): C0 controls other than TAB, LF, CR.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(text: str) -> str:
    """Text an xlsx cell can hold: characters XML forbids shown escaped (\\x00)."""
    return _NOT_XML.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object) -> str:
    """Text safe for a terminal: controls and bidi characters shown escaped (ESC as \\x1b)."""
    return _UNSAFE.sub(_escape, str(text))
