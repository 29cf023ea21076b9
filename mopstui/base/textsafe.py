"""Make untrusted text (vendor payloads, config values, other users' entries) safe to show.

Rendering with markup off stops Rich markup; this module stops the terminal itself from
interpreting anything: ESC sequences, C0/C1 controls and bidi overrides are removed.
"""

from __future__ import annotations

import re

# ESC-introduced sequences first (CSI, OSC, DCS ... with their payload), so that what remains of
# "\x1b[2J" is not a visible "[2J"; then any lone control character.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC / DCS / SOS / PM / APC with terminator
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 except tab/newline, DEL, C1, and the Unicode bidi controls that can reorder what is shown.
# Lone surrogates (undecodable bytes in an argument, "\\ud800" in a JSON payload) cannot be stored
# or printed as UTF-8 at all: dropped too.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_WHITESPACE_RUN = re.compile(r"[ \t\r\n]+")


def clean(text: object, *, max_length: int | None = None, single_line: bool = False) -> str:
    """Return `text` as plain printable text.

    `single_line` folds newlines and tabs into spaces (table cells, titles); `max_length` caps the
    result and marks the cut with an ellipsis.
    """
    if text is None:
        return ""
    value = str(text)
    # Fast path (exports touch every cell of 100,000 rows): printable text holds no ESC, no
    # C0/C1 control and no bidi override, so there is nothing to strip.
    if (
        value.isprintable()
        and (max_length is None or len(value) <= max_length)
        and (not single_line or ("  " not in value and value == value.strip()))
    ):
        return value
    value = _ESCAPE_SEQUENCE.sub("", value)
    if single_line:
        value = _WHITESPACE_RUN.sub(" ", value).strip()
    else:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    value = _CONTROL.sub("", value)
    if max_length is not None and len(value) > max_length:
        value = value[: max(0, max_length - 1)] + "…"
    return value


def clean_line(text: object, max_length: int | None = None) -> str:
    """`clean` for one-line places: titles, names, table cells."""
    return clean(text, max_length=max_length, single_line=True)


def cell(text: object, width: int) -> str:
    """One table cell `width` wide: clean, cut with `…` when longer (never run into the next
    column), padded when shorter."""
    value = clean_line(text)
    if len(value) > width:
        value = value[: max(width - 1, 0)] + "…"
    return f"{value:<{width}}"


def column_width(header: str, values: list[str], cap: int) -> int:
    """A column as wide as its widest value (or header), at most `cap`."""
    return min(max([len(header), *(len(clean_line(v)) for v in values)]), cap)
