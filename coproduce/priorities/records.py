"""Priority setting's plain records in the staff area, declared once each (`staff.records`).

Consultations and their questions: staff read them on the consultation's page; only managers
add and change them. Invitations, sorting submissions, the interim survey and the workshop
are workflows in views_staff.py.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse

from coproduce.priorities.forms import ConsultationForm, QuestionForm
from coproduce.priorities.models import Consultation, Question
from coproduce.registry.access import require_manager
from coproduce.staff.records import Kind, Parent, ParentDecides


def _consultation_for(user: Any, slug: str, write: bool) -> Consultation:
    require_manager(user)
    return get_object_or_404(Consultation, slug=slug)


CONSULTATION = Parent(
    field="consultation",
    segment="",
    get=_consultation_for,
    check=lambda user, consultation, write: require_manager(user),
    url=lambda consultation: reverse("priorities_staff:detail", args=[consultation.slug]),
    caption=lambda consultation: consultation.title,
    form_kwarg=True,
)


class ManagersInConsultation(ParentDecides):
    """A question of the consultation in its address (404 if none); managers' alone."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        require_manager(user)
        return get_object_or_404(
            kind.queryset(), consultation__slug=scope["slug"], **{kind.lookup: key}
        )


def _next_position(request: Any, consultation: Consultation) -> dict[str, Any]:
    last = consultation.questions.order_by("-position").first()
    return {"position": last.position + 1 if last else 1}


_PRIORITIES: dict[str, Any] = {
    "namespace": "priorities_staff",
    "section": "priorities",
    "crumb": ("Priority setting", "priorities_staff:list"),
    "invalid_status": 200,  # as these pages always answered an invalid form
}

KINDS: tuple[Kind, ...] = (
    Kind(
        key="consultation",
        model=Consultation,
        form_class=ConsultationForm,
        segment="",
        lookup="slug",
        key_kwarg="slug",
        actions=("create", "edit"),
        names={"create": "create", "edit": "edit"},
        paths={"create": "new/", "edit": "<slug:slug>/edit/"},
        list_page="list",
        detail_page="detail",
        create_heading="Add a consultation",
        edit_heading="Edit {obj.title}",
        created=lambda consultation: f"Consultation {consultation.title} created.",
        saved="Consultation saved.",
        **_PRIORITIES,
    ),
    Kind(
        key="question",
        model=Question,
        form_class=QuestionForm,
        segment="questions",
        key_kwarg="public_id",
        parent=CONSULTATION,
        policy=ManagersInConsultation(),
        actions=("create", "edit"),
        names={"create": "question_create", "edit": "question_edit"},
        paths={
            "create": "<slug:slug>/questions/new/",
            "edit": "<slug:slug>/questions/<uuid:public_id>/",
        },
        create_heading="Add a question",
        edit_heading="Edit question {obj.position}",
        initial=_next_position,
        created=lambda question: f"Question {question.position} saved.",
        saved=lambda question: f"Question {question.position} saved.",
        return_to="parent",
        **_PRIORITIES,
    ),
)
