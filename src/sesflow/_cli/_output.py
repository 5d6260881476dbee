"""What commands print: a `Result` (a JSON document and its text form), tables, JSON."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

__all__ = ["Result", "dump_json", "fields_text", "jsonable", "render_table", "terminal_width"]

#: Tables never grow past this, whatever the terminal: the output is often pasted.
MAX_WIDTH = 80
_MIN_COLUMN = 6
# Where a long cell may be broken, in order of preference (DNS names break after a dot).
_BREAKS = ". -_;,/=:"


@dataclass(slots=True)
class Result:
    """One command's answer: `data` for `--json`, `text` for people, and the exit code.

    Examples:
        >>> Result({"deleted": "a@example.com"}, "Deleted a@example.com.")
        Result(data={'deleted': 'a@example.com'}, text='Deleted a@example.com.', code=0,
               printed=False, errors=[])
    """

    data: Any
    text: str = ""
    code: int = 0
    #: The command printed its output itself, as it went (a streamed document).
    printed: bool = False
    #: Lines for stderr, after the output: the `sesflow: error:` line and its detail.
    errors: list[str] = field(default_factory=list)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types: dataclasses as dicts, datetimes as ISO 8601, enums as
    their values, bytes as base64, any other mapping or sequence as dict or list.

    Examples:
        >>> jsonable({"at": dt.datetime(2025, 1, 2, tzinfo=dt.UTC), "n": (1, 2)})
        {'at': '2025-01-02T00:00:00+00:00', 'n': [1, 2]}
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Not dataclasses.asdict: it deep-copies, and read-only mapping views cannot be copied.
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def dump_json(document: Any, stream: IO[str]) -> None:
    """Write `document` as one indented JSON document and a newline.

    Examples:
        >>> import sys
        >>> dump_json({"ok": True}, sys.stdout)
        {
          "ok": true
        }
    """
    json.dump(jsonable(document), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def terminal_width() -> int:
    """The width tables are laid out for: the terminal's, but never more than 80.

    Examples:
        >>> terminal_width() <= 80
        True
    """
    columns = shutil.get_terminal_size((MAX_WIDTH, 24)).columns
    return max(40, min(MAX_WIDTH, columns))


def _chunks(text: str, width: int) -> list[str]:
    """Break `text` into lines of at most `width`, preferring the break characters."""
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = max(rest.rfind(c, 0, width) for c in _BREAKS)
        # A break near the start would leave a sliver; cut hard instead.
        cut = cut + 1 if cut >= width // 2 else width
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return lines


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    width: int | None = None,
) -> str:
    """An aligned plain-text table that fits `width` columns (default: `terminal_width()`).

    Columns too wide to fit are narrowed, widest first, and their cells wrapped onto
    more lines at dots, dashes and spaces, so nothing is cut off.

    Examples:
        >>> print(render_table(["NAME", "STATUS"], [["a@example.com", "PENDING"]]))
        NAME           STATUS
        a@example.com  PENDING
    """
    limit = width or terminal_width()
    table = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    count = len(headers)
    widths = [
        max(len(line) for row in table for line in row[i].splitlines() or [""])
        for i in range(count)
    ]
    gap = 2
    while sum(widths) + gap * (count - 1) > limit:
        widest = max(range(count), key=lambda i: widths[i])
        floor = max(_MIN_COLUMN, len(table[0][widest]))
        if widths[widest] <= floor:
            break  # cannot shrink further: let the terminal wrap
        widths[widest] -= 1
    out: list[str] = []
    for row in table:
        cells = [
            [part for line in (row[i].splitlines() or [""]) for part in _chunks(line, widths[i])]
            for i in range(count)
        ]
        height = max(len(c) for c in cells)
        for n in range(height):
            parts = [
                (cells[i][n] if n < len(cells[i]) else "").ljust(widths[i]) for i in range(count)
            ]
            out.append((" " * gap).join(parts).rstrip())
    return "\n".join(out)


def fields_text(pairs: Iterable[tuple[str, object]]) -> str:
    """`name: value` lines with the values aligned; None values are left out.

    Examples:
        >>> print(fields_text([("identity", "a@example.com"), ("status", "PENDING")]))
        identity  a@example.com
        status    PENDING
    """
    shown = [(k, v) for k, v in pairs if v is not None]
    if not shown:
        return ""
    pad = max(len(k) for k, _ in shown)
    return "\n".join(f"{k:<{pad}}  {_plain(v)}" for k, v in shown)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(_plain(v) for v in value) or "-"
    return str(value)
