from __future__ import annotations

from typing import Any

from django.test import Client


def test_healthz_reports_the_database(client: Client, db: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in ("sqlite", "postgresql")
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_bare_benchmark_page_is_off_unless_the_bench_turns_it_on(
    client: Client, db: Any, settings: Any
) -> None:
    assert client.get("/bench/bare/").status_code == 404
    settings.BENCH_BARE_PAGE = True
    response = client.get("/bench/bare/")
    assert response.status_code == 200
    assert b"nhsuk-header" in response.content


def test_home_page_explains_the_approach(client: Client, db: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Diffusion fellows" in response.content.decode()


def test_state_changing_methods_are_refused_on_read_only_pages(client: Client, db: Any) -> None:
    assert client.post("/").status_code == 405
    assert client.post("/healthz").status_code == 405
