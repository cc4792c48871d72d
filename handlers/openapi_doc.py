"""Completes the generated OpenAPI document so it states what the API really answers.

sanic-ext documents what each route declares; the shared behaviour (the error envelope, 401/403 on
secured routes, 404 on path ids, 400/413/422 on bodies, null in optional fields) is added here, in
one place, instead of on every route.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse

SPEC_PATH = "/docs/openapi.json"
STATIC = Path(__file__).resolve().parent.parent / "static"
SWAGGER_HTML = STATIC / "swagger.html"
SWAGGER_ASSETS = STATIC / "vendor" / "swagger-ui"
"""Swagger UI from its npm package (``scripts/vendor-swagger-ui.sh``): /docs needs no CDN."""
# Routes that serve anonymous callers too and only use a token when one is sent.
OPTIONAL_AUTH = {("/api/v1/chat", "post")}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "中文 / English"},
                "details": {},
            },
        }
    },
}
_DESCRIPTIONS = {
    "400": "malformed request",
    "401": "missing, invalid or expired token",
    "403": "not allowed for this caller",
    "404": "not found (also for other subjects' data)",
    "405": "method not allowed",
    "413": "payload too large",
    "415": "unsupported media type",
    "422": "validation failed",
    "429": "rate limited",
}


_DICT_METHODS = frozenset(name for name in dir(dict) if not name.startswith("_"))


def _free_form(prop: dict[str, Any]) -> bool:
    """An object declared as bare ``dict`` (sanic-ext lists dict's methods as its properties)."""
    props = prop.get("properties") or {}
    return prop.get("type") == "object" and (not props or set(props) == _DICT_METHODS)


def _loosen(schema: Any) -> None:
    """Optional values are sent as null; free-form objects may hold any JSON value."""
    if not isinstance(schema, dict):
        return
    for name, prop in list(schema.get("properties", {}).items()):
        if isinstance(prop, dict) and _free_form(prop):
            schema["properties"][name] = {}
            continue
        if isinstance(prop, dict) and "type" in prop:
            prop["nullable"] = True
        _loosen(prop)
    if isinstance(schema.get("items"), dict):
        _loosen(schema["items"])


def _strip_dict_methods(node: Any) -> None:
    """Anywhere in the document, a ``dict`` field becomes a free-form object."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and set(props) == _DICT_METHODS:
            del node["properties"]
        for value in node.values():
            _strip_dict_methods(value)
    elif isinstance(node, list):
        for value in node:
            _strip_dict_methods(value)


def _mark_required(schema: Any) -> None:
    """pydantic body models lose ``required`` in sanic-ext: a field without a default is required."""
    if not isinstance(schema, dict):
        return
    props = schema.get("properties")
    if (
        isinstance(props, dict)
        and props
        and all(isinstance(p, dict) and "title" in p for p in props.values())
    ):
        required = [name for name, p in props.items() if "default" not in p]
        if required:
            schema.setdefault("required", required)
    for value in (props or {}).values():
        _mark_required(value)
    _mark_required(schema.get("items"))


def _error_response(code: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[code],
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    _strip_dict_methods(spec)
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                _mark_required(media.get("schema"))
            wanted = {"405"}
            if "{" in path:
                wanted.add("404")
            if op.get("requestBody") or op.get("parameters"):
                wanted |= {"400", "413", "415", "422"}
            if op.get("security"):
                wanted |= {"401", "403", "429"}
                if (path, method) in OPTIONAL_AUTH:
                    op["security"] = [{}, *op["security"]]
            for code in sorted(wanted):
                responses.setdefault(code, _error_response(code))
            for code, response in responses.items():
                if code == "204":
                    response.pop("content", None)
                for media in (response.get("content") or {}).values():
                    _loosen(media.get("schema"))
    return spec


def install(app: Sanic) -> None:
    app.static("/static/vendor/swagger-ui", SWAGGER_ASSETS, name="swagger_ui_assets")

    @app.on_response
    async def complete_spec(request: Request, response: HTTPResponse) -> None:
        if request.path != SPEC_PATH or response.status != 200:
            return
        cached = getattr(app.ctx, "openapi_body", None)
        if cached is None:
            cached = json.dumps(complete(json.loads(response.body)), ensure_ascii=False).encode()
            app.ctx.openapi_body = cached
        response.body = cached
        response.headers["content-length"] = str(len(cached))
