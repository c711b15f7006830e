"""The NHS.UK design system in forms: radios without an empty choice, limits said not cut,
and public-form spam checks that never lose what a person typed (issue 15, items 3 and 4)."""

from __future__ import annotations

import re
import time
from typing import Any

from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from coproduce.coproduction import forms as coproduction_forms
from coproduce.coproduction import models as m
from coproduce.lib.spam import issue_form_token
from coproduce.pages.models import Enquiry

GOOD = {
    "name": "Sam Carer",
    "email": "sam.carer@example.org",
    "organisation": "Carers Together",
    "message": "How can I join the stroke study's community of practice?",
    "website": "",
}


def _field(form: forms.BaseForm, name: str) -> str:
    return Template("{% load nhsuk %}{% nhsuk_field field %}").render(
        Context({"field": form[name]})
    )


def _radio_values(html: str) -> list[str]:
    return re.findall(r'type="radio" value="([^"]*)"', html)


# --- radios and checkboxes -------------------------------------------------------------------


def test_a_required_radio_over_a_model_field_has_no_empty_choice_and_none_chosen() -> None:
    form = coproduction_forms.CompromiseForm(study=None, can_see_sources=False)
    for name in ("topic", "direction"):
        html = _field(form, name)
        values = _radio_values(html)
        assert values, f"{name}: no radios drawn"
        assert "" not in values, f"{name}: an empty choice is offered"
        assert "---------" not in html
        assert " checked" not in html, f"{name}: a choice is made before the person makes one"


def test_the_error_summary_links_to_the_first_radio_drawn() -> None:
    form = coproduction_forms.CompromiseForm({}, study=None, can_see_sources=False)
    assert not form.is_valid()
    summary = Template("{% load nhsuk %}{% nhsuk_error_summary form %}").render(
        Context({"form": form})
    )
    first = re.search(r'id="(id_direction_\d+)"', _field(form, "direction"))
    assert first is not None
    assert f'href="#{first.group(1)}"' in summary


def test_an_optional_radio_offers_none_as_a_real_answer() -> None:
    class Optional(forms.Form):
        unit = forms.ChoiceField(
            required=False,
            choices=[("", "---------"), ("hours", "Hours"), ("days", "Days")],
            widget=forms.RadioSelect,
        )

    html = _field(Optional(), "unit")
    assert _radio_values(html) == ["", "hours", "days"]
    assert ">None</label>" in html
    assert "---------" not in html


def test_a_new_compromise_has_no_delete_boxes(study: Any, member_client: Client) -> None:
    formset = coproduction_forms.PositionFormSet(instance=m.Compromise(), prefix="positions")
    assert formset.forms
    assert all("DELETE" not in form.fields for form in formset.forms)
    page = member_client.get(reverse("coproduction:compromise_add", args=[study.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Party 1" in html
    assert "DELETE" not in html
    assert ">Delete<" not in html


# --- limits: said, not cut -------------------------------------------------------------------


def test_the_contact_form_counts_characters_and_does_not_cut_them(client: Client, db: Any) -> None:
    html = client.get("/contact/").content.decode()
    assert 'data-module="nhsuk-character-count"' in html
    assert 'data-maxlength="5000"' in html
    assert "You can enter up to 5,000 characters" in html
    # The browser's maxlength would cut a pasted message without a word: no field has one.
    assert not re.search(r"\smaxlength=", html)


def test_too_long_a_message_or_name_is_refused_with_a_message_and_kept(
    client: Client, db: Any
) -> None:
    long_message = "word " * 1001  # 5,005 characters
    response = client.post(
        "/contact/",
        {
            **GOOD,
            "name": "N" * 201,
            "message": long_message,
            "form_token": issue_form_token(time.time() - 10),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 5000 characters" in html
    assert "at most 200 characters" in html
    assert response.context["form"]["message"].value() == long_message
    assert not Enquiry.objects.exists()


# --- spam checks that never lose a submission ------------------------------------------------


def test_a_form_sent_half_a_second_after_the_page_is_accepted(client: Client, db: Any) -> None:
    response = client.post("/contact/", {**GOOD, "form_token": issue_form_token(time.time() - 0.5)})
    assert response.status_code == 302
    assert Enquiry.objects.get().message == GOOD["message"]


def test_a_form_sent_at_once_keeps_the_input_names_the_address_and_can_be_sent_again(
    client: Client, db: Any, settings: Any
) -> None:
    settings.ENQUIRIES_EMAIL = "hello@clahrc.example"
    response = client.post("/contact/", {**GOOD, "form_token": issue_form_token(time.time())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "hello@clahrc.example" in html  # "email us" says where
    assert "send it again" in html
    form = response.context["form"]
    assert form["message"].value() == GOOD["message"]
    assert form["email"].value() == GOOD["email"]
    assert html.count("We could not accept") == 1  # once, in the error summary
    fresh = form.data["form_token"]
    time.sleep(0.3)  # the person reads the message and presses the button again
    again = client.post("/contact/", {**form.data.dict(), "form_token": fresh})
    assert again.status_code == 302
    assert Enquiry.objects.count() == 1


def test_a_form_with_a_field_error_lists_only_that_error(client: Client, db: Any) -> None:
    response = client.post(
        "/contact/", {**GOOD, "name": "", "form_token": issue_form_token(time.time())}
    )
    html = response.content.decode()
    assert "We could not accept" not in html
    summary = html.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert summary.count("<li>") == 1
    assert response.context["form"]["message"].value() == GOOD["message"]
