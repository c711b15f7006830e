"""Public wayfinding: the header and footer reach every public area; the site has an icon."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

AREAS = ["/priorities/", "/news/", "/events/", "/communities/"]


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


@pytest.mark.parametrize("area", AREAS)
def test_every_public_area_is_in_the_header_and_the_footer(
    client: Client, db: Any, area: str
) -> None:
    html = client.get("/").content.decode()
    header = _between(html, '<header class="nhsuk-header"', "</header>")
    footer = _between(html, '<footer class="nhsuk-footer"', "</footer>")
    assert f'href="{area}"' in header
    assert f'href="{area}"' in footer
    assert client.get(area).status_code == 200


def test_the_staff_area_keeps_the_footer_links(manager_client: Client) -> None:
    html = manager_client.get("/staff/").content.decode()
    footer = _between(html, '<footer class="nhsuk-footer"', "</footer>")
    for area in AREAS:
        assert f'href="{area}"' in footer


def test_the_current_area_is_marked_in_the_header(client: Client, db: Any) -> None:
    html = client.get("/priorities/").content.decode()
    link = re.search(r'<a class="nhsuk-header__navigation-link" href="/priorities/"[^>]*>', html)
    assert link is not None
    assert 'aria-current="true"' in link.group(0)


def test_favicon(client: Client, db: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in html
    svg = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', html)
    assert svg is not None
    answer = client.get(svg.group(1))
    assert answer.status_code == 200
    assert b"#005EB8" in b"".join(answer.streaming_content)  # type: ignore[attr-defined]
