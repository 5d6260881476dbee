"""Write src/sesflow/aio/_api.py: the async twin of every sesflow resource, method for method.

Each twin method runs the sync method through `sesflow._bridge.run` (see
docs/design/async.md), so the only thing generated is the typed surface: signatures,
`async`/`await`, async iterators for listings, and async twins in place of sync resources.

    python scripts/generate_aio.py          # rewrite the file
    python scripts/generate_aio.py --check  # exit 1 if it is not current (make test runs this)
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "sesflow" / "aio" / "_api.py"

#: The resources: classes whose methods call AWS. Their twins are named Async<Name>.
RESOURCES = [
    "SES",
    "Identity",
    "Domain",
    "IdentityPolicy",
    "Sender",
    "ConfigurationSet",
    "DedicatedIpPool",
    "DedicatedIp",
    "Tenant",
    "MultiRegionEndpoint",
    "SentMessage",
    "ExportJob",
    "SuppressionList",
    "Template",
    "VerificationTemplate",
    "ContactList",
    "Contacts",
    "Account",
]

#: Methods that only make an object (no AWS call): plain methods in the async API too.
FACTORIES = {
    ("SES", "configuration_set"),
    ("SES", "contact_list"),
    ("SES", "dedicated_ip"),
    ("SES", "domain"),
    ("SES", "export_job"),
    ("SES", "identity"),
    ("SES", "ip_pool"),
    ("SES", "message"),
    ("SES", "multi_region_endpoint"),
    ("SES", "sender"),
    ("SES", "suppression_list"),
    ("SES", "template"),
    ("SES", "tenant"),
    ("SES", "verification_template"),
    ("Identity", "policy"),
}

#: Written by hand in aio/_base.py (AsyncSESBase): construction, clients, closing.
HAND_WRITTEN = {("SES", "client"), ("SES", "route53_client"), ("SES", "close")}

_TYPING = {"Any", "Literal", "Self", "overload"}
_ABC = {"Iterator", "Iterable", "Mapping", "Sequence", "Callable", "Collection", "Container"}


def _modules() -> dict[str, Any]:
    import sesflow

    found = {"sesflow": sesflow}
    for info in pkgutil.walk_packages(sesflow.__path__, "sesflow."):
        name = info.name
        if any(part in name for part in ("testing", "_cli", ".aio", "__main__")):
            continue
        found[name] = importlib.import_module(name)
    return found


class Imports:
    def __init__(self, modules: dict[str, Any]) -> None:
        self.modules = modules
        self.names: dict[str, str] = {}  # name -> "from X import name" / "import X as name"

    def need(self, annotation: str, where: dict[str, Any]) -> None:
        annotation = re.sub(r"'[^']*'|\"[^\"]*\"", "", annotation)  # Literal strings
        for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", annotation):
            head = token.split(".")[0]
            if head in self.names or hasattr(builtins, head) or head in ("None",):
                continue
            if head.startswith("Async") and head[5:] in RESOURCES:
                continue
            if head in _TYPING:
                self.names[head] = f"from typing import {head}"
                continue
            if head in _ABC:
                self.names[head] = f"from collections.abc import {head}"
                continue
            value = where.get(head)
            if value is None:
                value = next(
                    (vars(m)[head] for m in self.modules.values() if head in vars(m)), None
                )
            if value is None:
                raise SystemExit(f"cannot resolve {head!r} in {annotation!r}")
            if inspect.ismodule(value):
                line = f"import {value.__name__}"
                if value.__name__ != head:
                    line += f" as {head}"
                self.names[head] = line
            else:
                module = getattr(value, "__module__", None)
                if not inspect.isclass(value) or module in (None, "types", "typing"):
                    # A type alias (a union, say): from a sesflow module that has it.
                    having = [
                        n for n, m in sorted(self.modules.items()) if vars(m).get(head) is value
                    ]
                    exported = [
                        n for n in having if head in getattr(self.modules[n], "__all__", ())
                    ]
                    module = (exported or having or ["typing"])[0]
                self.names[head] = f"from {module} import {head}"


def _twin(annotation: str) -> str:
    """An annotation with each resource replaced by its twin."""
    for name in sorted(RESOURCES, key=len, reverse=True):
        annotation = re.sub(rf"(?<![\w.]){name}(?![\w])", f"Async{name}", annotation)
    return annotation


def _mentions_resource(annotation: str) -> bool:
    return any(re.search(rf"(?<![\w.]){n}(?![\w])", annotation) for n in RESOURCES)


def _default(value: Any, imports: Imports) -> str:
    import enum

    if isinstance(value, enum.Enum):
        kind = type(value)
        imports.names[kind.__name__] = f"from {kind.__module__} import {kind.__name__}"
        return f"{kind.__name__}.{value.name}"
    if isinstance(value, tuple):
        items = [_default(item, imports) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    text = repr(value)
    if "<" in text:
        raise SystemExit(f"default {text} cannot be written")
    return text


def _signature(function: Any, imports: Imports) -> tuple[str, str, str, list[str]]:
    """(parameters, call arguments, return annotation, annotations) of a sync method."""
    signature = inspect.signature(function)
    where = function.__globals__
    parts: list[str] = []
    call: list[str] = []
    seen_star = False
    positional_only = False
    for index, parameter in enumerate(signature.parameters.values()):
        if index == 0:
            parts.append("self")
            continue
        annotation = parameter.annotation
        text = parameter.name
        streamed = str(annotation).startswith("Iterable[") and parameter.name == "recipients"
        if annotation is not inspect.Parameter.empty:
            imports.need(str(annotation), where)
            text += f": {_twin(str(annotation))}"
            if streamed:
                # Recipients may also come from an async source (an async DB cursor).
                imports.names["AsyncIterable"] = "from collections.abc import AsyncIterable"
                text += " | Async" + _twin(str(annotation))
        if parameter.default is not inspect.Parameter.empty:
            text += f" = {_default(parameter.default, imports)}"
        kind = parameter.kind
        value = parameter.name
        if annotation is not inspect.Parameter.empty and _mentions_resource(str(annotation)):
            value = f"unwrap({parameter.name})"
        if streamed:
            value = f"sync_iterable({parameter.name})"
        if kind is inspect.Parameter.POSITIONAL_ONLY:
            positional_only = True
            call.append(value)
        elif kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            if positional_only:
                parts.append("/")
                positional_only = False
            call.append(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            text = "*" + text
            seen_star = True
            call.append(f"*{parameter.name}")
        elif kind is inspect.Parameter.KEYWORD_ONLY:
            if not seen_star:
                parts.append("*")
                seen_star = True
            call.append(f"{parameter.name}={value}")
        else:
            text = "**" + text
            call.append(f"**{parameter.name}")
        parts.append(text)
    if positional_only:
        parts.append("/")
    returned = signature.return_annotation
    returned_text = "None" if returned is inspect.Signature.empty else str(returned)
    imports.need(returned_text, where)
    return ", ".join(parts), ", ".join(call), returned_text, []


def _summary(obj: Any, sync_name: str) -> str:
    doc = inspect.getdoc(obj) or ""
    first = doc.split("\n\n")[0].replace("\n", " ").strip()
    first = first.replace('"""', "'''").replace("\\", "\\\\")
    return f"Async `{sync_name}`: {first}" if first else f"Async `{sync_name}`."


def _wrapped(text: str, indent: str) -> str:
    import textwrap

    lines = textwrap.wrap(text, width=92 - len(indent))
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    rest = "".join(f"{indent}{line}\n" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{rest}{indent}"""\n'


def generate() -> str:
    modules = _modules()
    imports = Imports(modules)
    classes: dict[str, type] = {}
    for module in modules.values():
        for name, value in vars(module).items():
            if name in RESOURCES and inspect.isclass(value):
                classes[name] = value
    missing = [n for n in RESOURCES if n not in classes]
    if missing:
        raise SystemExit(f"resources not found: {missing}")

    # Bases first, so each twin's base is defined above it.
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for base in classes[name].__mro__[1:]:
            if base.__name__ in classes and classes[base.__name__] is base:
                visit(base.__name__)
        order.append(name)

    for name in RESOURCES:
        visit(name)

    out: list[str] = []
    for name in order:
        cls = classes[name]
        imports.names[name] = f"from {cls.__module__} import {name}"
        bases = [b.__name__ for b in cls.__mro__[1:] if b.__name__ in classes]
        if name == "SES":
            base = "AsyncSESBase"
        elif bases:
            base = f"Async{bases[0]}"
        else:
            base = f"AsyncResource[{name}]"
        public = "sesflow." + name
        out.append(f"\n\nclass Async{name}({base}):\n")
        out.append(_wrapped(f"The async twin of `{public}`: the same methods, awaited.", "    "))
        for member_name, member in vars(cls).items():
            if member_name.startswith("_") or (name, member_name) in HAND_WRITTEN:
                continue
            if isinstance(member, property):
                getter: Any = member.fget
                annotation = getter.__annotations__.get("return", "Any")
                imports.need(str(annotation), getter.__globals__)
                out.append("\n    @property\n")
                out.append(f"    def {member_name}(self) -> {_twin(str(annotation))}:\n")
                out.append(_wrapped(_summary(member, f"{name}.{member_name}"), "        "))
                value = _twin(str(annotation))
                out.append(f"        value: {value} = self._get({member_name!r})\n")
                out.append("        return value\n")
                if member.fset is not None:
                    out.append(f"\n    @{member_name}.setter\n")
                    out.append(
                        f"    def {member_name}(self, value: {_twin(str(annotation))}) -> None:\n"
                    )
                    out.append(f"        setattr(self._sync, {member_name!r}, unwrap(value))\n")
                continue
            if isinstance(member, staticmethod | classmethod) or not inspect.isfunction(member):
                continue
            params, call, returned, _ = _signature(member, imports)
            args = f", {call}" if call else ""
            doc = _wrapped(_summary(member, f"{name}.{member_name}"), "        ")
            if (name, member_name) in FACTORIES:
                out.append(f"\n    def {member_name}({params}) -> {_twin(returned)}:\n")
                out.append(doc)
                ctor = _twin(returned)
                out.append(
                    f"        return {ctor}(self._ses, lambda ses: ses.{member_name}({call}))\n"
                    if name == "SES"
                    else f"        made: {ctor} = "
                    f"wrap(self._ses, self._sync.{member_name}({call}))\n"
                    "        return made\n"
                )
            elif returned.startswith("Iterator["):
                imports.names["AsyncIterator"] = "from collections.abc import AsyncIterator"
                item = _twin(returned[len("Iterator[") : -1])
                out.append(f"\n    def {member_name}({params}) -> AsyncIterator[{item}]:\n")
                out.append(doc)
                out.append(f"        return self._iterate({member_name!r}{args})\n")
            else:
                out.append(f"\n    async def {member_name}({params}) -> {_twin(returned)}:\n")
                out.append(doc)
                if returned == "None":
                    out.append(f"        await self._call({member_name!r}{args})\n")
                else:
                    out.append(
                        f"        result: {_twin(returned)} = "
                        f"await self._call({member_name!r}{args})\n"
                        "        return result\n"
                    )

    registrations = "".join(f"register({n}, Async{n})\n" for n in order)
    header = (
        '"""The async twins of sesflow\'s resources. GENERATED by scripts/generate_aio.py from\n'
        "the sync classes: do not edit; run `python scripts/generate_aio.py` after changing\n"
        'them (`make test` checks that this file is current)."""\n\n'
        "from __future__ import annotations\n\n"
    )
    lines = sorted(
        set(imports.names.values())
        | {
            "from sesflow.aio._base import (AsyncResource, AsyncSESBase, register, "
            "sync_iterable, unwrap, wrap)",
        }
    )
    body = (
        header
        + "\n".join(lines)
        + "\n\n"
        + "__all__ = ["
        + ", ".join(f'"Async{n}"' for n in sorted(order))
        + "]\n"
        + "".join(out)
        + "\n\n"
        + registrations
    )
    return _format(body)


def _format(source: str) -> str:
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff) if ruff.exists() else "ruff"]
    fixed = subprocess.run(
        [*command, "check", "--fix", "--quiet", "--stdin-filename", str(TARGET), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    source = fixed.stdout or source
    formatted = subprocess.run(
        [*command, "format", "--stdin-filename", str(TARGET), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is not current")
    options = parser.parse_args()
    text = generate()
    if options.check:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python scripts/generate_aio.py")
            return 1
        print(f"{TARGET.relative_to(ROOT)} is current")
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
