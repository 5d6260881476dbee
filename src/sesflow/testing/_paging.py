"""Pages of list operations, and the opaque `NextToken` that names where the next one starts.

The token names the sequence number (see `Sequence`) of the
last item returned, so deleting items between pages never skips or repeats the rest.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sesflow.testing._fake import FakeError

__all__ = ["paginate", "read_token"]

_T = TypeVar("_T")
_DEFAULT_PAGE_SIZE = 100
_MAX_PAGE_SIZE = 1000


def paginate(
    kind: str, items: Sequence[tuple[int, _T]], params: Mapping[str, Any]
) -> tuple[list[_T], str | None]:
    """Cut one page from `items` (`(sequence, item)` pairs in sequence order).

    Examples:
        >>> page, token = paginate("templates", [(1, "a"), (2, "b")], {"PageSize": 1})
        >>> page, token
        (['a'], 'dGVtcGxhdGVzOjE=')
        >>> paginate("templates", [(1, "a"), (2, "b")], {"PageSize": 1, "NextToken": token})
        (['b'], None)
    """
    size = params.get("PageSize", _DEFAULT_PAGE_SIZE)
    if not 1 <= size <= _MAX_PAGE_SIZE:
        raise FakeError("BadRequestException", f"PageSize must be between 1 and {_MAX_PAGE_SIZE}.")
    after = 0
    token = params.get("NextToken")
    if token is not None:
        after = read_token(kind, token)
    rest = [(sequence, item) for sequence, item in items if sequence > after]
    page = rest[:size]
    next_token = _make_token(kind, page[-1][0]) if len(rest) > size else None
    return [item for _, item in page], next_token


def read_token(kind: str, token: str) -> int:
    """Return the sequence number a `NextToken` of `kind` names; `FakeError` if invalid.

    Examples:
        >>> read_token("templates", "dGVtcGxhdGVzOjE=")
        1
        >>> read_token("templates", "nonsense")
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: BadRequestException: The NextToken is not valid.
    """
    try:
        token_kind, _, sequence = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if token_kind == kind and sequence.isdigit():
            return int(sequence)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise FakeError("BadRequestException", "The NextToken is not valid.")


def _make_token(kind: str, sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{sequence}".encode()).decode("ascii")
