"""`{{ staff_nav|staff_menu:user }}`: the staff menu as the signed-in user may use it."""

from __future__ import annotations

from typing import Any

from django import template

from coproduce.staff.navigation import for_user

register = template.Library()


@register.filter
def staff_menu(items: list[dict[str, Any]] | None, user: Any) -> list[dict[str, Any]]:
    return for_user(list(items or []), user)
