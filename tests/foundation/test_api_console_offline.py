"""``/docs`` (Swagger UI) loads only from this app: no CDN script or style, assets vendored."""

from __future__ import annotations

import re

from handlers.openapi_doc import SWAGGER_ASSETS

ASSET_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def test_docs_page_and_its_assets_are_served_locally(make_app, database):
    app = make_app(database)
    _, page = await app.asgi_client.get("/docs")
    assert page.status == 200 and "text/html" in page.headers["content-type"]
    urls = ASSET_URL.findall(page.text)
    assert len(urls) == 3 and all(u.startswith("/static/vendor/swagger-ui/") for u in urls)
    assert "://" not in page.text.replace("/docs", "")
    for url in urls:
        _, asset = await app.asgi_client.get(url)
        assert asset.status == 200 and len(asset.body) > 10_000
    _, spec = await app.asgi_client.get("/docs/openapi.json")
    assert not any(path.startswith("/static") for path in spec.json["paths"])


def test_vendored_version_and_licence_are_recorded():
    record = (SWAGGER_ASSETS / "VENDORED.txt").read_text(encoding="utf-8")
    assert "package: swagger-ui-dist" in record and "licence: Apache-2.0" in record
    assert re.search(r"^version: \d+\.\d+\.\d+$", record, re.M)
    assert "Apache License" in (SWAGGER_ASSETS / "LICENSE").read_text(encoding="utf-8")
