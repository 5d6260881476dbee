"""`sesflow endpoint`: multi-region ("global") endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, seconds, tags_of
from ._output import Result, fields_text, render_table

if TYPE_CHECKING:
    from sesflow import MultiRegionEndpoint

__all__ = ["register"]


def _describe(endpoint: MultiRegionEndpoint) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "endpoint_id": endpoint.endpoint_id,
        "status": endpoint.status.value,
        "regions": list(endpoint.regions),
    }


def _result(endpoint: MultiRegionEndpoint) -> Result:
    info = _describe(endpoint)
    text = fields_text(
        (key, ", ".join(value) if key == "regions" else value) for key, value in info.items()
    )
    if info["status"] == "READY":
        text += (
            f"\n\nSend through it from Python: ses.sender(..., "
            f'endpoint_id={info["endpoint_id"]!r})\n(SigV4a signing: pip install "sesflow[crt]")'
        )
    return Result(info, text)


def _create(ctx: Context) -> Result:
    args = ctx.args
    endpoint = ctx.ses.multi_region_endpoint(args.name).create(
        secondary_region=args.secondary_region, tags=tags_of(args)
    )
    if args.wait:
        ctx.note(f"Waiting for {endpoint.name} to be READY (up to {args.timeout:g} s)...")
        endpoint.wait_until_ready(timeout=args.timeout)
    return _result(endpoint.refresh())


def _show(ctx: Context) -> Result:
    return _result(ctx.ses.multi_region_endpoint(ctx.args.name).refresh())


def _wait(ctx: Context) -> Result:
    endpoint = ctx.ses.multi_region_endpoint(ctx.args.name)
    return _result(endpoint.wait_until_ready(timeout=ctx.args.timeout))


def _delete(ctx: Context) -> Result:
    endpoint = ctx.ses.multi_region_endpoint(ctx.args.name)
    endpoint.delete()
    text = f"Deleted multi-region endpoint {endpoint.name} (if it existed)."
    return Result({"deleted": endpoint.name}, text)


def _list(ctx: Context) -> Result:
    endpoints = [_describe(e) for e in ctx.ses.multi_region_endpoints()]
    if not endpoints:
        return Result({"endpoints": []}, "No multi-region endpoints with this primary region.")
    rows = [(e["name"], e["status"], e["endpoint_id"], ", ".join(e["regions"])) for e in endpoints]
    return Result(
        {"endpoints": endpoints}, render_table(("ENDPOINT", "STATUS", "ID", "REGIONS"), rows)
    )


def register(commands: Any) -> None:
    """Add `sesflow endpoint ...` to the command tree."""
    _, sub = add_group(
        commands, "endpoint", help="multi-region (global) endpoints: one id, two regions"
    )
    create = add_command(
        sub,
        "create",
        _create,
        help="create an endpoint in this region with a secondary one (an existing one is kept)",
        epilog="example:\n  sesflow --region us-east-1 endpoint create global --secondary-region "
        "eu-west-1 --wait",
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument("--secondary-region", required=True, metavar="REGION")
    create.add_argument("--wait", action="store_true", help="wait until it is READY")
    create.add_argument(
        "--timeout", type=seconds, default=1800.0, metavar="SECONDS", help="for --wait"
    )
    add_tags(create)
    show = add_command(sub, "show", _show, help="show an endpoint: id, status, regions")
    show.add_argument("name", metavar="NAME")
    wait = add_command(sub, "wait", _wait, help="wait until an endpoint is READY")
    wait.add_argument("name", metavar="NAME")
    wait.add_argument("--timeout", type=seconds, default=1800.0, metavar="SECONDS")
    add_command(sub, "list", _list, help="list the endpoints whose primary is this region")
    delete = add_command(sub, "delete", _delete, help="delete an endpoint")
    delete.add_argument("name", metavar="NAME")
