"""The SES v2 service model the fake answers from, and the routes older botocores send.

The fake does not take its model from the botocore installed beside it: it ships its own copy
(`_data/sesv2-2019-09-27.json`, botocore's `sesv2` model with the documentation stripped), so
that every operation it implements exists whatever botocore is installed, and a client of any
age, in any process, is answered the same. Two kinds of extra routes sit beside the model's own:

- `LEGACY_ROUTES`: where botocores from sesflow's supported minimum on sent operations that
  have moved since (`ListEmailIdentities` and `ListConfigurationSets` were `GET` routes
  with paging in the query string until botocore 1.43.103; `PutEmailIdentityDkimSigningAttributes`
  was under `/v1/` until 1.41). Real SES answers both forms; so does the fake.
- the routes of the botocore installed beside the fake, wherever they differ from the copy's,
  so that a botocore newer than the copy is answered too (`route_aliases()`).

`python -m sesflow.testing._model` refreshes the copy from the installed botocore.
"""

from __future__ import annotations

import functools
import gzip
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore.model import ServiceModel

from sesflow.testing._codec import RouteAlias, aliases_between

__all__ = [
    "LEGACY_ROUTES",
    "installed_sesv2_model",
    "model_source",
    "route_aliases",
    "sesv2_model",
]

MODEL_FILE = "sesv2-2019-09-27.json"
_PAGING = (("NextToken", "querystring", "NextToken"), ("PageSize", "querystring", "PageSize"))

#: Routes that botocore 1.34.0 to 1.43.103 sent for operations that have moved since. Found by
#: comparing the `sesv2` models of botocore 1.34.0, 1.34.159, 1.35.15-1.35.35, 1.35.75, 1.37.28,
#: 1.39.0, 1.40.0, 1.41.0, 1.43.0, 1.43.30, 1.43.62, 1.43.103, 1.43.107 and 1.44.8: every
#: operation's method and URI template, and where each input member travels.
LEGACY_ROUTES: tuple[RouteAlias, ...] = (
    # GET with paging in the query string until 1.43.103; POST with a JSON body (and a new
    # Filter) from 1.43.107.
    RouteAlias("ListEmailIdentities", "GET", "/v2/email/identities", _PAGING),
    RouteAlias("ListConfigurationSets", "GET", "/v2/email/configuration-sets", _PAGING),
    # Until 1.34.x: GET, the filter in the body.
    RouteAlias(
        "ListContacts",
        "GET",
        "/v2/email/contact-lists/{ContactListName}/contacts",
        (("ContactListName", "uri", "ContactListName"), *_PAGING),
    ),
    RouteAlias("ListImportJobs", "GET", "/v2/email/import-jobs", _PAGING),
    # Under /v1/ until 1.41.x.
    RouteAlias(
        "PutEmailIdentityDkimSigningAttributes",
        "PUT",
        "/v1/email/identities/{EmailIdentity}/dkim/signing",
        (("EmailIdentity", "uri", "EmailIdentity"),),
    ),
)


def _load() -> dict[str, Any]:
    text = resources.files("sesflow.testing").joinpath("_data", MODEL_FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def sesv2_model() -> ServiceModel:
    """Return the SES v2 service model the fake answers from (sesflow's copy, loaded once).

    Examples:
        ```python
        assert "UpdateConfigurationSet" in sesv2_model().operation_names
        ```
    """
    document = _load()
    document.pop("sesflow", None)
    return ServiceModel(document, service_name="sesv2")


def model_source() -> dict[str, str]:
    """Where the copy comes from: `{"botocore": version, "license": ...}`.

    Examples:
        ```python
        assert model_source()["license"] == "Apache-2.0"
        ```
    """
    source: dict[str, str] = _load()["sesflow"]
    return source


@functools.cache
def installed_sesv2_model() -> ServiceModel:
    """Return the `sesv2` model of the botocore installed beside the fake.

    Examples:
        ```python
        assert "SendEmail" in installed_sesv2_model().operation_names
        ```
    """
    from sesflow.testing._fake import _isolated_session

    return _isolated_session().get_service_model("sesv2")


@functools.cache
def route_aliases() -> tuple[RouteAlias, ...]:
    """The routes answered beside the model's own: legacy ones, then the installed botocore's.

    Examples:
        ```python
        assert any(alias.method == "GET" for alias in route_aliases())
        ```
    """
    installed = aliases_between(sesv2_model(), installed_sesv2_model())
    known = {(alias.method, alias.request_uri) for alias in LEGACY_ROUTES}
    return LEGACY_ROUTES + tuple(
        alias for alias in installed if (alias.method, alias.request_uri) not in known
    )


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip(item)
            for key, item in value.items()
            if key not in ("documentation", "documentationUrl")
        }
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def _refresh(target: Path) -> str:
    """Write the installed botocore's `sesv2` model (documentation stripped) to `target`."""
    source = Path(botocore.__file__).parent / "data" / "sesv2" / "2019-09-27" / "service-2.json.gz"
    document = _strip(json.loads(gzip.decompress(source.read_bytes())))
    document["sesflow"] = {
        "botocore": botocore.__version__,
        "license": "Apache-2.0",
        "note": "botocore's sesv2 service model (Apache License 2.0, Copyright Amazon.com, "
        "Inc. or its affiliates), documentation stripped; refresh with "
        "`python -m sesflow.testing._model`.",
    }
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return botocore.__version__


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    path = Path(__file__).parent / "_data" / MODEL_FILE
    print(f"wrote {path} from botocore {_refresh(path)}", file=sys.stderr)
