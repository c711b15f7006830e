"""Error pages: the site layout, what happened in plain words, links onward; the staff 403 names
the role needed; the 500 page needs neither the database nor a context processor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from coproduce.pages import errors
from tests import factories


def assert_error_page(response: Any, status: int, heading: str, *, sign_in: bool = True) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<header class="nhsuk-header"' in html  # the site layout, NHS.UK frontend
    assert "nhsuk-frontend.min.css" in html
    assert '<footer class="nhsuk-footer"' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{heading} – " in html
    assert 'href="/">Go to the home page</a>' in html
    assert 'href="/contact/">Contact us</a>' in html
    if sign_in:
        assert 'href="/staff/sign-in/' in html
    return html


def test_404(client: Client, db: Any) -> None:
    html = assert_error_page(client.get("/no-such-page/"), 404, "Page not found")
    assert "check you copied the whole address" in html
    assert 'href="/studies/">Find a study</a>' in html


def test_404_signed_in_leads_to_the_staff_area(manager_client: Client) -> None:
    response = manager_client.get("/staff/studies/no-such-study/")
    html = assert_error_page(response, 404, "Page not found", sign_in=False)
    assert 'href="/staff/">Go to the staff area</a>' in html


def test_403_names_the_staff_role_needed(db: Any) -> None:
    plain = Client()
    plain.force_login(factories.UserFactory(username="carer"))
    html = assert_error_page(plain.get("/staff/studies/"), 403, "You cannot use this page",
                             sign_in=False)  # fmt: skip
    assert "To use this page you need a staff role (manager, researcher or staff reader)." in html
    assert "You are signed in as carer, without a staff role." in html
    assert "ask a manager of the collaboration" in html


def test_403_names_the_manager_role_and_the_persons_own_role(reader_client: Client) -> None:
    html = assert_error_page(reader_client.get("/staff/studies/new/"), 403,
                             "You cannot use this page", sign_in=False)  # fmt: skip
    assert "To use this page you need the manager role." in html
    assert "You are signed in as reader, with the staff reader role." in html


def test_403_gives_the_refusals_own_words(outsider_client: Client, study: Any) -> None:
    response = outsider_client.get(f"/staff/studies/{study.slug}/edit/")
    html = assert_error_page(response, 403, "You cannot use this page", sign_in=False)
    assert "You can only edit studies you work on." in html
    assert "with the researcher role" in html


def test_403_for_a_visitor_offers_sign_in_and_back(db: Any) -> None:
    request = RequestFactory().get("/staff/reports/")
    request.user = AnonymousUser()
    response = errors.permission_denied(request, PermissionError())
    html = assert_error_page(response, 403, "You cannot use this page")
    assert 'href="/staff/sign-in/?next=/staff/reports/"' in html
    assert "sign in first" in html


def test_405_keeps_the_allow_header_and_the_other_headers(client: Client, db: Any) -> None:
    response = client.get(reverse("staff:logout"))
    html = assert_error_page(response, 405, "This page cannot be opened this way")
    assert response["Allow"] == "POST, OPTIONS"
    assert "is for sending a form, not for opening as a page" in html
    assert "Content-Security-Policy" in response  # added after the page was made
    assert response["X-Frame-Options"] == "DENY"


def test_405_on_a_get_only_page(client: Client, db: Any) -> None:
    response = client.post("/contact/thanks/")
    html = assert_error_page(response, 405, "This page cannot be opened this way")
    assert "not for sending a form to" in html


def test_400_for_an_unknown_host(client: Client, db: Any) -> None:
    response = client.get("/", HTTP_HOST="attacker.example")
    html = assert_error_page(response, 400, "Sorry, we could not read that request")
    assert "attacker.example" not in html


def test_413_when_a_form_is_larger_than_django_accepts(
    client: Client, db: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/contact/", {"name": "A", "message": "x" * 5000})
    html = assert_error_page(response, 413, "Too large to accept")
    assert "Nothing you sent has been kept" in html


def test_413_and_429_pages_take_a_reason(db: Any) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = errors.render_error(request, 413, {"reason": "The PDF is larger than 20 MB."})
    assert "The PDF is larger than 20 MB." in assert_error_page(
        response, 413, "Too large to accept"
    )
    response = errors.render_error(request, 429, {"reason": "Sent too often."})
    html = assert_error_page(response, 429, "Too many attempts")
    assert "Sent too often." in html
    assert "Wait a few minutes" in html


def test_csrf_failure_says_what_to_do(db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/contact/", {"name": "A"})
    html = assert_error_page(response, 403, "Your form could not be sent")
    assert "reload the page, and send the form again" in html


@pytest.mark.urls("tests.pages.errors_urls")
def test_500_in_the_layout(db: Any) -> None:
    client = Client(raise_request_exception=False)
    html = assert_error_page(
        client.get("/boom/"), 500, "Sorry, there is a problem with the service"
    )
    assert "Try again later." in html
    assert "a bug" not in html


def test_500_needs_no_database_nor_context_processors() -> None:
    """No `db` fixture: pytest-django fails any query. No user on the request either."""
    response = errors.server_error(RequestFactory().get("/"))
    html = assert_error_page(response, 500, "Sorry, there is a problem with the service")
    assert "enquiries@" in html or "mailto:" in html


def test_400_needs_no_database() -> None:
    response = errors.bad_request(RequestFactory().get("/"), ValueError())
    assert_error_page(response, 400, "Sorry, we could not read that request")
