"""OpenAPI documents every identity and staff route with request and response schemas and errors."""

from __future__ import annotations

import pytest

ROUTES = [
    ("post", "/api/v1/auth/miniprogram", True, {401, 403, 429, 503}),
    ("post", "/api/v1/auth/otp", True, {422, 429, 503}),
    ("post", "/api/v1/auth/h5", True, {422, 429}),
    ("post", "/api/v1/auth/refresh", True, {401}),
    ("post", "/api/v1/auth/logout", False, {401}),
    ("post", "/api/v1/auth/agent", True, {401, 404}),
    ("post", "/api/v1/identity/verify", True, {401, 422, 429}),
    ("post", "/api/v1/identity/verify/confirm", True, {401, 422, 429}),
    ("post", "/api/v1/identity/agents", True, {401, 403, 422}),
    ("get", "/api/v1/identity/agents", False, {401}),
    ("get", "/api/v1/identity/agents/{authorisation_id}", False, {401, 404}),
    ("get", "/api/v1/me/access-log", False, {401, 403}),
    ("post", "/api/v1/staff/login", True, {401, 429}),
    ("get", "/api/v1/staff/agents", False, {401, 403}),
    ("post", "/api/v1/staff/agents/{authorisation_id}/decision", True, {401, 403, 404, 409}),
    ("post", "/api/v1/staff/agents/{authorisation_id}/revoke", True, {401, 403, 404, 409}),
    ("post", "/api/v1/staff/provider-keys", True, {401, 403, 404}),
    ("get", "/api/v1/staff/provider-keys", False, {401, 403}),
    ("delete", "/api/v1/staff/provider-keys/{key_id}", False, {401, 403, 404}),
    ("get", "/api/v1/staff/subjects/{subject_id}", False, {401, 403, 404, 422}),
    ("get", "/api/v1/staff/audit/verify", False, {401, 403}),
    ("get", "/api/v1/provider/whoami", False, {401}),
]


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "oa.sqlite3")
    return f"sqlite://{tmp_path / 'oa.sqlite3'}"


async def test_every_route_is_documented(client):
    doc = (await client.get("/docs/openapi.json")).json()
    for method, path, has_body, errors in ROUTES:
        op = doc["paths"][path][method]
        assert op.get("summary"), path
        success = [s for s in op["responses"] if s.startswith("2")]
        assert success, path
        for status in success:
            if status != "204":
                schema = op["responses"][status]["content"]["application/json"]["schema"]
                assert schema.get("properties"), (path, status)
        documented = {int(s) for s in op["responses"] if not s.startswith("2")}
        assert errors <= documented, (path, errors - documented)
        for status in documented:
            body = op["responses"][str(status)]
            assert "error" in body["content"]["application/json"]["schema"]["properties"], path
            assert body["description"] and body["description"] != "Default Response", path
        if has_body:
            content = op["requestBody"]["content"]
            schema = next(iter(content.values()))["schema"]
            assert schema.get("properties"), path
