"""Conditional logic, validation and save-and-return through the personal invitation link."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import resolve

from coproduce.priorities import links
from coproduce.priorities.models import Answer, Response, Submission
from coproduce.priorities.questionnaire import QuestionnaireForm, visible_ids
from tests.priorities.conftest import form_data


def test_a_conditional_question_shows_only_for_its_answer(questions: Any) -> None:
    qs = list(questions.values())
    q1, q2 = questions[1], questions[2]
    assert q2.pk not in visible_ids(qs, {})
    assert q2.pk not in visible_ids(qs, {q1.pk: "No"})
    assert q2.pk in visible_ids(qs, {q1.pk: "Yes"})


def test_a_chain_of_conditions_hides_when_an_earlier_link_is_hidden(
    consultation: Any, questions: Any
) -> None:
    from coproduce.priorities.models import Question

    q3 = questions[3]
    q3.show_if_question = questions[1]
    q3.show_if_value = "Yes"
    q3.save()
    q4 = questions[4]
    q4.show_if_question = q3
    q4.show_if_value = "Stroke"
    q4.save()
    qs = list(Question.objects.filter(consultation=consultation))
    # q3 hidden (q1 is No) hides q4 even though q3's stale answer includes Stroke.
    shown = visible_ids(qs, {questions[1].pk: "No", q3.pk: ["Stroke"]})
    assert q4.pk not in shown
    shown = visible_ids(qs, {questions[1].pk: "Yes", q3.pk: ["Stroke"]})
    assert {q3.pk, q4.pk} <= shown


def test_required_is_checked_only_for_shown_questions_and_only_on_submit(questions: Any) -> None:
    qs = list(questions.values())
    no = QuestionnaireForm(qs, form_data(questions, q1="No"), submitting=True)
    assert no.is_valid(), no.errors
    yes = QuestionnaireForm(qs, form_data(questions, q1="Yes"), submitting=True)
    assert not yes.is_valid()
    assert yes.errors[f"q_{questions[2].pk}"] == ["Answer question 2"]
    saving = QuestionnaireForm(qs, form_data(questions, q1="Yes"), submitting=False)
    assert saving.is_valid()


def test_answers_to_hidden_questions_are_dropped(questions: Any) -> None:
    qs = list(questions.values())
    form = QuestionnaireForm(qs, form_data(questions, q1="No", q2="stale words"))
    assert form.is_valid()
    assert questions[2].pk not in form.answers


def test_ranking_must_be_distinct_and_without_gaps(questions: Any) -> None:
    qs = list(questions.values())
    ok = QuestionnaireForm(qs, form_data(questions, q5={"Cost": "1", "Experience": "2"}))
    assert ok.is_valid()
    assert ok.answers[questions[5].pk] == ["Cost", "Experience"]
    twice = QuestionnaireForm(qs, form_data(questions, q5={"Cost": "1", "Experience": "1"}))
    assert not twice.is_valid()
    gap = QuestionnaireForm(qs, form_data(questions, q5={"Cost": "1", "Experience": "3"}))
    assert not gap.is_valid()


def test_save_and_return_then_submit_through_the_invitation_link(
    client: Client, consultation: Any, questions: Any, invitation: Any
) -> None:
    url = links.invitation_path(invitation)
    assert client.get(url).status_code == 200
    assert not Response.objects.exists()  # GET changes nothing
    data = form_data(questions, q1="Yes", q2="Will carers be included?", q4="4")
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is None
    # Returning shows the saved answers.
    page = client.get(url).content.decode()
    assert "Will carers be included?" in page
    assert 'value="4" checked' in page
    # Submitting with a required question now hidden: its answer is removed.
    data = form_data(questions, q1="No", q2="Will carers be included?", q4="5")
    client.post(url, {**data, "submit": "1"})
    saved.refresh_from_db()
    assert saved.submitted_at is not None
    assert set(
        Answer.objects.filter(response=saved).values_list("question__position", flat=True)
    ) == {1, 4}
    # A submitted response is shown, not changed.
    client.post(url, {**form_data(questions, q1="Yes", q2="late"), "submit": "1"})
    assert not Answer.objects.filter(response=saved, question=questions[2]).exists()
    assert "has been submitted" in client.get(url).content.decode()


def test_submitting_turns_free_text_into_submissions(
    client: Client, consultation: Any, questions: Any, invitation: Any
) -> None:
    url = links.invitation_path(invitation)
    client.post(url, {**form_data(questions, q1="Yes", q2="Include carers"), "submit": "1"})
    submission = Submission.objects.get()
    assert submission.text == "Include carers"
    assert submission.group == invitation.group


def test_field_errors_are_shown_with_an_error_summary(
    client: Client, consultation: Any, questions: Any, invitation: Any
) -> None:
    page = client.post(
        links.invitation_path(invitation), {**form_data(questions, q1="Yes"), "submit": "1"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "nhsuk-error-summary" in html
    assert f'href="#id_q_{questions[2].pk}"' in html
    assert "nhsuk-form-group--error" in html
    assert "<title>Error:" in html


def test_the_open_link_asks_the_group_and_gives_a_return_link(
    client: Client, consultation: Any, questions: Any
) -> None:
    from django.urls import reverse

    url = reverse("consultations:open", args=[consultation.slug, consultation.open_token])
    missing = client.post(url, {**form_data(questions, q1="No"), "save": "1"})
    assert "Select the group that describes you best" in missing.content.decode()
    done = client.post(url, {**form_data(questions, q1="No"), "group": "manager", "save": "1"})
    saved = Response.objects.get()
    assert saved.group == "manager"
    assert saved.invitation is None
    # The link is signed with the time: compare what it opens, not its text (a second may
    # pass between the answer and this line).
    match = resolve(done["Location"])
    assert match.view_name == "consultations:response"
    assert links.read_response_token(match.kwargs["token"]) == saved
    again = client.get(done["Location"])
    assert again.status_code == 200
    assert "Which of these describes you best?" not in again.content.decode()
    client.post(done["Location"], {**form_data(questions, q1="No"), "submit": "1"})
    saved.refresh_from_db()
    assert saved.is_submitted


def test_a_closed_or_draft_consultation(client: Client, consultation: Any, invitation: Any) -> None:
    consultation.status = "closed"
    consultation.save()
    assert "is closed" in client.get(links.invitation_path(invitation)).content.decode()
    consultation.status = "draft"
    consultation.save()
    assert client.get(links.invitation_path(invitation)).status_code == 404
