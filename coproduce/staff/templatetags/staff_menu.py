"""`{{ staff_nav|staff_menu:user }}`: the staff menu as the signed-in user may use it;
`{{ menu|staff_area }}`: the area of work being shown (its sections are listed under the header)."""

from __future__ import annotations

from typing import Any

from django import template

from coproduce.staff.navigation import current_area, for_user

register = template.Library()


@register.filter
def staff_menu(items: list[dict[str, Any]] | None, user: Any) -> list[dict[str, Any]]:
    return for_user(list(items or []), user)


@register.filter
def staff_area(items: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    return current_area(list(items or []))
