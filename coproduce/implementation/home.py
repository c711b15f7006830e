"""Implementation's panel on the staff home (registered in apps.py, see staff/navigation.py):
overdue recommendations, all of them for a manager, those on a researcher's own studies for a
researcher. Two queries, however many recommendations there are."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from coproduce.implementation.services import overdue
from coproduce.registry.access import editable_study_ids, is_manager
from coproduce.staff.navigation import HomePanel, WorkRow

SHOWN = 6


def overdue_recommendations(user: Any) -> HomePanel | None:
    today = timezone.localdate()
    rows = overdue(today).select_related("study").order_by("due", "pk")
    if is_manager(user):
        title = "Overdue recommendations"
    else:
        studies = editable_study_ids(user)
        if not studies:
            return None
        rows = rows.filter(study_id__in=studies)
        title = "Overdue recommendations on your studies"
    total = rows.count()
    if not total and not is_manager(user):
        return None
    return HomePanel(
        f"{title} ({total})",
        [
            WorkRow(
                f"{recommendation.study}: {recommendation.text[:90]}"
                + ("…" if len(recommendation.text) > 90 else ""),
                recommendation.get_absolute_url(),
                f"Due {recommendation.due.day} {recommendation.due:%B %Y}, "
                f"{recommendation.get_status_display().lower()}.",
            )
            for recommendation in rows[:SHOWN]
        ],
        empty="No recommendation is overdue.",
        more_label=f"All {total} overdue recommendations" if total > SHOWN else "",
        more_url=reverse("implementation:recommendations") + "?status=overdue"
        if total > SHOWN
        else "",
        order=40 if is_manager(user) else 25,
    )
