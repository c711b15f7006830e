"""The funding app's rules on the governance dashboard (`governance.breaches.register`):
fellows near or past the five-year cap, and diffusion fellow posts being recruited."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from coproduce.funding import lifecycle
from coproduce.governance.breaches import Breach, Rule


def fellows_near_cap(today: dt.date) -> Rule:
    rule = Rule(
        "df-cap",
        f"Diffusion fellows within {lifecycle.warning_months()} months of the "
        f"{lifecycle.cap_years()}-year cap, or past it",
    )
    url = reverse("funding:fellows")
    for status in lifecycle.near_cap(today):
        if status.is_past(today):
            detail = f"Past the cap since {status.cap_date:%-d %B %Y}: end the secondment."
        else:
            detail = (
                f"Reaches the cap on {status.cap_date:%-d %B %Y}: plan the end or a replacement."
            )
        rule.breaches.append(
            Breach(
                f"{status.person} ({status.secondment.study})",
                detail,
                url,
                f"See {status.person}'s secondments",
            )
        )
    return rule


def posts_being_recruited(today: dt.date) -> Rule:
    rule = Rule("df-recruitment", "Diffusion fellow posts being recruited")
    for vacancy in lifecycle.open_vacancies():
        if vacancy.nominee is not None:
            detail = f"{vacancy.nominee} nominated by {vacancy.nominated_by}: record the agreement."
        else:
            detail = f"Advertised on {vacancy.advertised_on:%-d %B %Y}: record the nomination."
        rule.breaches.append(
            Breach(
                str(vacancy.study),
                detail,
                reverse("funding:vacancy", args=[vacancy.public_id]),
                f"Recruitment for {vacancy.study}",
            )
        )
    return rule
