"""The package logger, and masking of addresses in log lines.

sesflow logs to the `sesflow` logger, which has a `NullHandler` so nothing is printed
unless the application configures logging. Credentials and message bodies are never
logged; email addresses are masked unless the logger is at DEBUG.
"""

from __future__ import annotations

import logging

__all__ = ["logger", "mask"]

logger = logging.getLogger("sesflow")
logger.addHandler(logging.NullHandler())


def mask(address: str) -> str:
    """Return `address` masked for logs (`a***@example.com`), or as is at DEBUG level.

    Examples:
        >>> mask("alice@example.com")
        'a***@example.com'
    """
    if logger.isEnabledFor(logging.DEBUG):
        return address
    local, sep, domain = address.rpartition("@")
    if not sep:
        return address
    return f"{local[:1]}***@{domain}"
