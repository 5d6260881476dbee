"""The one place an SES value given as a str-enum becomes its plain string.

Tests may pass `sesflow` str-enums (`VerificationStatus.SUCCESS`) wherever the fake takes an
SES string, or store them in its live records; responses and comparisons want the SES string.
"""

from __future__ import annotations

import enum

__all__ = ["plain"]


def plain(value: object) -> str:
    """Return the SES string for `value`: an enum member's value, else `str(value)`.

    Examples:
        >>> plain(VerificationStatus.SUCCESS), plain("SUCCESS")
        ('SUCCESS', 'SUCCESS')
    """
    return str(value.value if isinstance(value, enum.Enum) else value)
