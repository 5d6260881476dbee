"""The `NextToken` loop, written once.

SES v2 has no paginators for its List* operations, so sesflow walks the pages itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["PAGE_SIZE", "VERIFICATION_PAGE_SIZE", "pages"]

#: The one default page size of every listing: 100 items a request, which every SES v2
#: List* operation accepts (ListEmailTemplates allows no more).
PAGE_SIZE = 100
#: The one exception: `ListCustomVerificationEmailTemplates` accepts at most 50.
VERIFICATION_PAGE_SIZE = 50


def pages(
    call: Callable[..., Mapping[str, Any]],
    items_key: str,
    *,
    page_size: int | None = None,
    **params: Any,
) -> Iterator[Mapping[str, Any]]:
    """Yield every item of `items_key` across all pages of a List* call.

    `call(**params)` performs one request; `NextToken` is passed back until SES stops
    returning one. Pages are fetched lazily, one at a time, as the caller iterates.
    """
    token: str | None = None
    while True:
        request = dict(params)
        if page_size is not None:
            request["PageSize"] = page_size
        if token:
            request["NextToken"] = token
        response = call(**request)
        yield from response.get(items_key) or ()
        token = response.get("NextToken")
        if not token:
            return
