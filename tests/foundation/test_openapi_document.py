"""The served OpenAPI document covers every route, its errors and free-form fields honestly."""

import json

from selfservice import db


async def test_every_operation_documents_its_errors(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/docs/openapi.json")
    spec = res.json
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]
    routes = {
        (route.uri if route.uri.startswith("/") else "/" + route.uri)
        for route in app.router.routes
        if not route.uri.lstrip("/").startswith("docs")
    }
    documented = set(spec["paths"])
    assert len(documented) >= 10
    for path, item in spec["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert any(c.startswith("2") for c in codes), (path, method)
            assert "405" in codes
            if op.get("requestBody"):
                assert {"400", "422"} <= codes, (path, method)
            if op.get("security") and {} not in op["security"]:
                assert {"401", "403"} <= codes, (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
    assert {"/healthz", "/api/v1/me"} <= documented
    assert len(routes) >= len(documented) // 2


async def test_free_form_objects_are_not_dict_methods(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/docs/openapi.json")
    text = json.dumps(res.json)
    assert '"fromkeys"' not in text and '"setdefault"' not in text


async def test_405_on_a_dynamic_route_lists_allowed_methods(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.put("/api/v1/me/records/1")
    assert res.status == 405
    assert "GET" in res.headers["allow"] and "PUT" not in res.headers["allow"]


async def test_body_fields_without_default_are_required(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/docs/openapi.json")
    body = res.json["paths"]["/api/v1/chat"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["required"] == ["text"]
