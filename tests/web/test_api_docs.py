"""The API documentation is served from this origin: it works offline and under the CSP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.factories import Client


async def test_the_api_docs_load_nothing_from_another_origin(client: Client) -> None:
    page = await client.get("/api/v1/schema")
    assert page.status_code == 200
    assert 'id="swagger-ui"' in page.text
    assert "<script>" not in page.text  # the CSP forbids inline scripts: the page starts Swagger UI from a file
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(not urlsplit(asset).netloc for asset in assets)
    for asset in assets:
        answer = await client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.content
    schema_url = re.search(r'data-schema-url="([^"]+)"', page.text)
    assert schema_url is not None
    schema = await client.get(schema_url.group(1))
    assert schema.json()["info"]["title"] == "Commons API"
