"""Input checks that run before any AWS call.

Each check raises `ValidationError` naming the field (and, for items of a list, its
position, e.g. `to[2]`) so a caller can tell which of their values was refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ._errors import ValidationError

__all__ = [
    "normalize_domain",
    "validate_address",
    "validate_domain",
    "validate_max_rate",
    "validate_name",
    "validate_seconds",
    "validate_subdomain",
    "validate_tags",
]

# Every pattern here is anchored with `\Z`, not `$`: `$` also matches before a trailing
# newline, so `re.match(r"^x$", "x\n")` succeeds and the newline would slip through.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
# RFC 5322 dot-atom local part; SES wants it 7-bit ASCII.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
#: Control characters (Unicode category Cc: CR, LF, TAB, NUL and the rest of C0, DEL, C1).
#: In a header-bound value, a line break starts a new header (header injection).
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _punycode(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def validate_domain(value: object, *, field: str = "domain") -> str:
    """Return `value` as a lower-case domain name, or raise `ValidationError`.

    A trailing dot is dropped. Non-ASCII names must be given in punycode (SES
    requires it); the error offers the punycode form.
    """
    if not isinstance(value, str):
        raise ValidationError(
            f"{field}: expected a domain name as str, got {type(value).__name__}",
            field=field,
            value=value,
        )
    name = value.strip().rstrip(".").lower()
    if not name:
        raise ValidationError(f"{field}: empty domain name", field=field, value=value)
    if not name.isascii():
        puny = _punycode(name)
        hint = f"; use its punycode form {puny!r}" if puny else ""
        raise ValidationError(f"{field}: {value!r} is not ASCII{hint}", field=field, value=value)
    if len(name) > 253:
        raise ValidationError(
            f"{field}: {value!r} is longer than 253 characters", field=field, value=value
        )
    labels = name.split(".")
    if len(labels) < 2:
        raise ValidationError(
            f"{field}: {value!r} is not a fully qualified domain name (no dot)",
            field=field,
            value=value,
        )
    for label in labels:
        if not _LABEL.match(label):
            raise ValidationError(
                f"{field}: {value!r} has an invalid label {label!r} (letters, digits and "
                "inner hyphens, 1-63 characters)",
                field=field,
                value=value,
            )
    if labels[-1].isdigit():
        raise ValidationError(
            f"{field}: {value!r} is not a domain name (numeric top-level label)",
            field=field,
            value=value,
        )
    return name


def normalize_domain(value: str) -> str:
    """Lower-case and strip the trailing dot, without validating."""
    return value.strip().rstrip(".").lower()


# The common case — a plain dot-atom local part at a lower-case LDH domain with an
# alphabetic TLD — in one regex: a strict subset of what the full checks below accept, so a
# bulk run of millions pays one match per address. `\Z` (not `$`) so that no control
# character, a trailing newline included, can pass.
# The length limits (local part <= 64, domain <= 253) are lookaheads, so one match decides.
_PLAIN_ADDRESS = re.compile(
    r"^(?=[^@]{1,64}@)[A-Za-z0-9%+_-]+(?:\.[A-Za-z0-9%+_-]+)*@"
    r"(?=[a-z0-9.-]{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)

#: Whether a `str` is an address of that common form (then `validate_address` returns it
#: unchanged): what the bulk sender checks a whole slice of recipients with.
is_plain_address = _PLAIN_ADDRESS.match


def validate_address(value: object, *, field: str = "address") -> str:
    """Return `value` as an email address SES accepts, or raise `ValidationError`.

    The local part keeps its case (SES treats it as given) and must be 7-bit ASCII;
    the domain is lower-cased and must be ASCII (punycode offered otherwise). Surrounding
    spaces are dropped; a control character anywhere (CR, LF, TAB, NUL...) is refused.
    """
    if type(value) is str and _PLAIN_ADDRESS.match(value):
        return value
    if not isinstance(value, str):
        raise ValidationError(
            f"{field}: expected an email address as str, got {type(value).__name__}",
            field=field,
            value=value,
        )
    control = CONTROL_CHARACTER.search(value)
    if control:
        raise ValidationError(
            f"{field}: {value!r} contains a control character ({control.group()!r} at "
            f"position {control.start()}); give the bare address on one line",
            field=field,
            value=value,
        )
    address = value.strip()
    if not address:
        raise ValidationError(f"{field}: empty email address", field=field, value=value)
    if "<" in address or ">" in address:
        raise ValidationError(
            f"{field}: {value!r} has a display name or angle brackets; give the bare address",
            field=field,
            value=value,
        )
    local, sep, domain = address.rpartition("@")
    if not sep or not local:
        raise ValidationError(
            f"{field}: {value!r} is not an email address (expected local@domain)",
            field=field,
            value=value,
        )
    if not local.isascii():
        raise ValidationError(
            f"{field}: {value!r} has a non-ASCII local part; SES accepts 7-bit ASCII only",
            field=field,
            value=value,
        )
    if len(local) > 64 or not _LOCAL.match(local):
        raise ValidationError(
            f"{field}: {value!r} has an invalid local part {local!r}",
            field=field,
            value=value,
        )
    if not domain.isascii():
        puny = _punycode(domain.lower())
        hint = f"; use {local}@{puny}" if puny else ""
        raise ValidationError(
            f"{field}: {value!r} has a non-ASCII domain; SES needs punycode{hint}",
            field=field,
            value=value,
        )
    try:
        domain = validate_domain(domain, field=field)
    except ValidationError as exc:
        raise ValidationError(
            f"{field}: {value!r} has an invalid domain: {str(exc).split(': ', 1)[1]}",
            field=field,
            value=value,
        ) from None
    return f"{local}@{domain}"


def validate_subdomain(value: object, parent: str, *, field: str) -> str:
    """Return `value` as a proper subdomain of `parent`, or raise `ValidationError`."""
    name = validate_domain(value, field=field)
    if name == parent or not name.endswith("." + parent):
        raise ValidationError(
            f"{field}: {value!r} must be a subdomain of {parent!r} (e.g. 'mail.{parent}')",
            field=field,
            value=value,
        )
    return name


_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


def validate_name(value: object, *, field: str) -> str:
    """Return `value` if it is a valid SES resource name (≤ 64 of letters, digits, - and _)."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValidationError(
            f"{field}: {value!r} is not a valid name (1-64 letters, digits, '-' or '_')",
            field=field,
            value=value,
        )
    return value


def validate_tags(value: object, *, field: str = "tags") -> list[dict[str, str]]:
    """Turn a `{key: value}` mapping into SES's `[{"Key": ..., "Value": ...}]` list."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field}: expected a mapping of tag keys to values, got {type(value).__name__}",
            field=field,
            value=value,
        )
    if len(value) > 50:
        raise ValidationError(f"{field}: at most 50 tags, got {len(value)}", field=field)
    tags = []
    for key, tag_value in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise ValidationError(
                f"{field}: tag key {key!r} must be a str of 1-128 characters",
                field=f"{field}[{key!r}]",
                value=key,
            )
        if not isinstance(tag_value, str) or len(tag_value) > 256:
            raise ValidationError(
                f"{field}[{key!r}]: tag value must be a str of at most 256 characters",
                field=f"{field}[{key!r}]",
                value=tag_value,
            )
        tags.append({"Key": key, "Value": tag_value})
    return tags


def validate_seconds(value: object, *, field: str, allow_zero: bool = True) -> float:
    """Return `value` as a non-negative (or positive) finite float of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(
            f"{field}: expected seconds as a number, got {type(value).__name__}",
            field=field,
            value=value,
        )
    seconds = float(value)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValidationError(f"{field}: {value!r} is not finite", field=field, value=value)
    if seconds < 0 or (seconds == 0 and not allow_zero):
        bound = "non-negative" if allow_zero else "positive"
        raise ValidationError(f"{field}: must be {bound}, got {value!r}", field=field, value=value)
    return seconds


def validate_max_rate(value: object) -> float:
    """Return `value`, a sending rate in recipients per second, as a float.

    The one check of `max_rate` wherever it is given (a sender, `send_bulk`, the rate
    limiter, the CLI's `--rate`), so each refuses the same values with the same message:
    anything but a positive finite number (a bool is not a rate; NaN and infinity would
    silently disable the limiter's pacing).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValidationError(
            f"max_rate: must be a positive finite number of recipients per second, got {value!r}",
            field="max_rate",
            value=value,
        )
    return float(value)
