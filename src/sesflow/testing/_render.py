"""The subset of Handlebars that FakeSES renders templates with.

SES renders templates with Handlebars. The fake implements the part templates commonly use, and
refuses the rest loudly (`NotImplementedError` when such a tag is rendered) rather than
rendering it wrong:

- `{{name}}`, `{{a.b}}`: the value; HTML-escaped in HTML parts (``& < > " ' ` =``).
- `{{{name}}}`: the value, never escaped.
- `{{! text}}`, `{{!-- text --}}`: a comment, rendering nothing.
- `{{#if x}}…{{else}}…{{/if}}`: Handlebars truthiness: false, null, missing, `""`, 0 and
  `[]` are false.
- `{{#unless x}}…{{/unless}}`: the opposite.
- `{{#each xs}}…{{else}}…{{/each}}`: once per list item (or object value); inside, names
  resolve against the item, and `this`, `@index` (`@key` for objects) are available.

A name missing from the data is an error in a `{{value}}` tag, as in SES ("Attribute 'x' is
not present in the rendering data."), and false in `#if`/`#unless`/`#each`. Strings render
as they are, `null` as nothing, `true`/`false` and numbers as JSON writes them, lists and
objects as JSON text. Partials, `../` paths, `#with` and other helpers are not supported.

Examples:
    >>> render("Hi {{user.name}}", {"user": {"name": "<Al>"}}, html=True)
    'Hi &lt;Al&gt;'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["TemplateRenderError", "TemplateSyntaxError", "check", "render"]

_TAG = re.compile(r"\{\{\{(.*?)\}\}\}|\{\{!--.*?--\}\}|\{\{(.*?)\}\}", re.DOTALL)
_PATH = re.compile(r"(this|@index|@key|[A-Za-z0-9_$-]+)(\.[A-Za-z0-9_$-]+)*\Z")
_BLOCKS = ("if", "unless", "each")
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "`": "&#x60;",
        "=": "&#x3D;",
    }
)


class TemplateSyntaxError(ValueError):
    """The template text is not well formed (an unclosed block, a stray `{{/if}}`...).

    Examples:
        >>> check("{{#if x}}no end")
        Traceback (most recent call last):
        sesflow.testing._render.TemplateSyntaxError: {{#if}} is never closed
    """


class TemplateRenderError(ValueError):
    """The data lacks a value the template needs; the message is the one SES gives.

    Examples:
        >>> render("Hi {{name}}", {}, html=False)
        Traceback (most recent call last):
        sesflow.testing._render.TemplateRenderError: Attribute 'name' is not present in the ...
    """


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Value:
    path: str
    escape: bool


@dataclass(frozen=True)
class _Block:
    kind: str
    path: str
    body: tuple[_Node, ...]
    otherwise: tuple[_Node, ...]


@dataclass(frozen=True)
class _Unsupported:
    tag: str


_Node = _Text | _Value | _Block | _Unsupported


@dataclass
class _Open:
    kind: str
    path: str
    body: list[_Node]
    otherwise: list[_Node] | None = None


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[_Node, ...]:
    # Templates are rendered once per recipient: parse each distinct text once.
    root: list[_Node] = []
    stack: list[_Open] = []

    def sink() -> list[_Node]:
        if not stack:
            return root
        top = stack[-1]
        return top.body if top.otherwise is None else top.otherwise

    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            sink().append(_Text(text[position : match.start()]))
        position = match.end()
        raw, inner = match.group(1), match.group(2)
        if raw is not None:
            sink().append(_value(raw.strip(), escape=False, tag=match.group(0)))
            continue
        if inner is None or inner.startswith("!"):
            continue  # a comment
        tag = inner.strip()
        if tag.startswith("#"):
            kind, _, path = tag[1:].partition(" ")
            path = path.strip()
            if kind in _BLOCKS and _PATH.match(path):
                stack.append(_Open(kind, path, []))
            else:
                # Another helper: its content cannot be rendered, but nesting must still match.
                stack.append(_Open(f"unsupported:{kind}", match.group(0), []))
        elif tag.startswith("/"):
            name = tag[1:].strip()
            if not stack or stack[-1].kind.removeprefix("unsupported:") != name:
                raise TemplateSyntaxError(f"{match.group(0)} closes no open block")
            top = stack.pop()
            if top.kind.startswith("unsupported:"):
                sink().append(_Unsupported(top.path))
            else:
                otherwise = tuple(top.otherwise or ())
                sink().append(_Block(top.kind, top.path, tuple(top.body), otherwise))
        elif tag == "else" or tag == "^":
            if not stack or stack[-1].otherwise is not None:
                raise TemplateSyntaxError(f"{match.group(0)} outside a block")
            stack[-1].otherwise = []
        else:
            sink().append(_value(tag, escape=True, tag=match.group(0)))
    if stack:
        raise TemplateSyntaxError(f"{{{{#{stack[-1].kind}}}}} is never closed")
    if position < len(text):
        root.append(_Text(text[position:]))
    return tuple(root)


def _value(path: str, *, escape: bool, tag: str) -> _Value | _Unsupported:
    if _PATH.match(path):
        return _Value(path, escape)
    return _Unsupported(tag)


def check(text: str) -> None:
    """Raise `TemplateSyntaxError` if `text` is not a well-formed template.

    Examples:
        >>> check("Hello {{name}}{{#if vip}}!{{/if}}")  # well formed: nothing happens
    """
    _parse(text)


def render(text: str, data: Mapping[str, Any], *, html: bool) -> str:
    """Render `text` with `data`; `html` escapes `{{value}}` tags.

    Examples:
        >>> render("{{#each xs}}{{this}},{{/each}}", {"xs": [1, 2]}, html=False)
        '1,2,'

    Raises:
        TemplateSyntaxError: The template is not well formed.
        TemplateRenderError: A `{{value}}` names something the data lacks.
        NotImplementedError: The template uses Handlebars the fake does not implement.
    """
    out: list[str] = []
    _render_nodes(_parse(text), _Frame(data, None, None), html, out)
    return "".join(out)


@dataclass(frozen=True)
class _Frame:
    context: Any
    index: int | None
    key: str | None


_MISSING = object()


def _render_nodes(nodes: Sequence[_Node], frame: _Frame, html: bool, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _Value):
            value = _lookup(frame, node.path)
            if value is _MISSING:
                raise TemplateRenderError(
                    f"Attribute '{node.path}' is not present in the rendering data."
                )
            text = _text(value)
            out.append(text.translate(_ESCAPES) if html and node.escape else text)
        elif isinstance(node, _Block):
            _render_block(node, frame, html, out)
        else:
            raise NotImplementedError(
                f"FakeSES renders a subset of Handlebars and cannot render {node.tag}"
            )


def _render_block(block: _Block, frame: _Frame, html: bool, out: list[str]) -> None:
    value = _lookup(frame, block.path)
    if block.kind == "each":
        items: list[tuple[int, str | None, Any]] = []
        if isinstance(value, Mapping):
            items = [(i, str(k), v) for i, (k, v) in enumerate(value.items())]
        elif isinstance(value, list):
            items = [(i, None, v) for i, v in enumerate(value)]
        if not items:
            _render_nodes(block.otherwise, frame, html, out)
        for index, key, item in items:
            _render_nodes(block.body, _Frame(item, index, key), html, out)
        return
    truthy = _truthy(value)
    if block.kind == "unless":
        truthy = not truthy
    _render_nodes(block.body if truthy else block.otherwise, frame, html, out)


def _lookup(frame: _Frame, path: str) -> Any:
    if path == "@index":
        return _MISSING if frame.index is None else frame.index
    if path == "@key":
        return _MISSING if frame.key is None else frame.key
    parts = path.split(".")
    value: Any = frame.context
    if parts[0] == "this":
        parts = parts[1:]
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _truthy(value: Any) -> bool:
    if value is _MISSING or value is None or value is False:
        return False
    if isinstance(value, str | list) and not value:
        return False
    return not (isinstance(value, int | float) and not isinstance(value, bool) and value == 0)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
