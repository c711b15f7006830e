"""The ranking arithmetic against hand-worked examples.

The interim ranking follows the James Lind Alliance Guidebook, chapter 7 "Interim priority
setting" (pages "Interim priority setting approaches", box "Choose and rank 10", and "Collating
and scoring interim priorities"). The Guidebook gives one numeric example, its reverse-scoring
table (rank 1 -> 10 points ... rank 10 -> 1); the other examples below are built by hand from its
stated steps, and each docstring names the passage it encodes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from coproduce.priorities import ranking

GROUPS = ["patients", "clinicians", "carers"]


def test_reverse_scoring() -> None:
    assert ranking.points(1, 10) == 10
    assert ranking.points(10, 10) == 1
    assert ranking.points(3, 5) == 3
    with pytest.raises(ValueError, match="outside"):
        ranking.points(11, 10)


def test_share_of_points_alternative_worked_example() -> None:
    """The alternative method (share of points), asked for explicitly. max_picks = 3, so ranks 1, 2, 3 earn 3, 2, 1 points.

    patients (3 ballots): A,B,C / A,B / A      -> A 3+3+3 = 9, B 2+2 = 4, C 1; total 14
    clinicians (1 ballot): C,B                 -> C 3, B 2; total 5
    carers: no ballots                          -> left out of the mean

    shares: patients A 9/14, B 4/14, C 1/14; clinicians A 0, B 2/5, C 3/5
    combined (mean over 2 groups): A = 9/28, B = (4/14 + 2/5)/2 = 12/35, C = (1/14 + 3/5)/2
    = 47/140. So B (0.343) beats C (0.336) beats A (0.321), although A has most points (9),
    because the one clinician counts as much as the three patients together.
    """
    ballots = [
        ("patients", [("A", 1), ("B", 2), ("C", 3)]),
        ("patients", [("A", 1), ("B", 2)]),
        ("patients", [("A", 1)]),
        ("clinicians", [("C", 1), ("B", 2)]),
    ]
    result = ranking.interim_ranking(
        ballots, ["A", "B", "C", "D"], GROUPS, max_picks=3, method=ranking.Method.SHARE
    )
    scores = {row.question: row.score for row in result.rows}
    assert scores == {
        "A": Fraction(9, 28),
        "B": Fraction(12, 35),
        "C": Fraction(47, 140),
        "D": Fraction(0),
    }
    assert [row.question for row in result.rows] == ["B", "C", "A", "D"]
    assert [row.position for row in result.rows] == [1, 2, 3, 4]
    assert result.rows[2].by_group == {"patients": 9, "clinicians": 0, "carers": 0}
    assert result.groups_counted == ["patients", "clinicians"]
    assert result.groups_without_ballots == ["carers"]
    assert result.ballots_by_group == {"patients": 3, "clinicians": 1, "carers": 0}
    assert sum(scores.values()) == 1  # each counted group's shares sum to 1


def test_ties_share_a_position_and_the_shortlist_keeps_them() -> None:
    """Two groups, max_picks 2. patients: X,Y -> X 2, Y 1. clinicians: Y,X -> Y 2, X 1.
    X = Y = (2/3 + 1/3)/2 = 1/2: tied at 1; Z scores 0 and comes 3rd (competition ranking)."""
    ballots = [("patients", [("X", 1), ("Y", 2)]), ("clinicians", [("Y", 1), ("X", 2)])]
    result = ranking.interim_ranking(ballots, ["X", "Y", "Z"], GROUPS, max_picks=2)
    assert [(r.question, r.position, r.tied) for r in result.rows] == [
        ("X", 1, True),
        ("Y", 1, True),
        ("Z", 3, False),
    ]
    assert [r.question for r in result.shortlist(1)] == ["X", "Y"]


def test_nobody_ranked_anything() -> None:
    result = ranking.interim_ranking([], ["X", "Y"], GROUPS, max_picks=10)
    assert all(row.score == 0 for row in result.rows)
    assert result.groups_counted == []
    assert [row.position for row in result.rows] == [1, 1]


def test_workshop_round_sums_ranks_lowest_first() -> None:
    """Group A: P1 Q2 R3; group B: Q1 P2 (R unranked = last = 3).
    Totals: P 3, Q 3, R 6 -> P and Q tie at 1, R is 3rd."""
    rows = ranking.workshop_round(
        {"A": {"P": 1, "Q": 2, "R": 3}, "B": {"Q": 1, "P": 2}}, ["P", "Q", "R"]
    )
    assert [(r.question, r.total, r.position) for r in rows] == [
        ("P", 3, 1),
        ("Q", 3, 1),
        ("R", 6, 3),
    ]
    assert rows[2].by_group == {"A": 3, "B": 3}


# -- the JLA Guidebook's method ------------------------------------------------------------------

JLA_GROUPS = ["patients and carers", "clinicians", "organisations"]


def test_guidebook_reverse_scoring_table() -> None:
    """The Guidebook's table ("apply a reverse scoring system to each submission"), exactly:
    rank 1 -> 10, 2 -> 9, 3 -> 8, 4 -> 7, 5 -> 6, 6 -> 5, 7 -> 4, 8 -> 3, 9 -> 2, 10 -> 1."""
    table = {1: 10, 2: 9, 3: 8, 4: 7, 5: 6, 6: 5, 7: 4, 8: 3, 9: 2, 10: 1}
    assert {rank: ranking.points(rank, 10) for rank in range(1, 11)} == table


def test_guidebook_worked_example_with_ties_and_a_group_that_ranked_nothing() -> None:
    """Built from "Choose and rank 10": "Each ranked question is given a score ... totals are
    tallied for each question, keeping patient, carer and clinician responses separate. A rank
    order for each respondent group is calculated, and each question re-scored according to its
    position in the list (top ranking gains maximum points). The totals for each respondent
    group are added together to generate a combined ranking of all the questions."

    Four questions (N = 4, so 1st place in a group's list scores 4, last scores 1), three picks:
    step 1, points (rank 1, 2, 3 -> 3, 2, 1):
      patients and carers: A,B,C / A,B / A -> A 9, B 4, C 1, D 0
      clinicians:          C,B             -> C 3, B 2, A 0, D 0
      organisations:       no ballots      -> ranked nothing: left out, and named
    step 2, place in each group's list -> place score:
      patients and carers: A 1st -> 4, B 2nd -> 3, C 3rd -> 2, D 4th -> 1
      clinicians:          C 1st -> 4, B 2nd -> 3, A and D level on 0 points: joint 3rd ("3="),
                           each the mean of the scores for 3rd and 4th, (2 + 1) / 2 = 1.5
    step 3, sum: A 4 + 1.5 = 5.5, B 3 + 3 = 6, C 2 + 4 = 6, D 1 + 1.5 = 2.5
    -> B and C joint 1st, A 3rd, D 4th. The shortlist of 1 keeps both tied questions; the share
    of points (alternative) would put B alone first (B 12/35 > C 47/140), a different shortlist.
    """
    ballots = [
        ("patients and carers", [("A", 1), ("B", 2), ("C", 3)]),
        ("patients and carers", [("A", 1), ("B", 2)]),
        ("patients and carers", [("A", 1)]),
        ("clinicians", [("C", 1), ("B", 2)]),
    ]
    result = ranking.interim_ranking(ballots, ["A", "B", "C", "D"], JLA_GROUPS, max_picks=3)
    assert result.method == ranking.Method.JLA  # the default
    assert result.question_count == 4
    rows = {row.question: row for row in result.rows}

    patients = {q: (s.points, s.place_text, s.score) for q, s in _standings(rows, JLA_GROUPS[0])}
    assert patients == {
        "A": (9, "1", 4), "B": (4, "2", 3), "C": (1, "3", 2), "D": (0, "4", 1),
    }  # fmt: skip
    clinicians = {q: (s.points, s.place_text, s.score) for q, s in _standings(rows, JLA_GROUPS[1])}
    assert clinicians == {
        "C": (3, "1", 4), "B": (2, "2", 3),
        "A": (0, "3=", Fraction(3, 2)), "D": (0, "3=", Fraction(3, 2)),
    }  # fmt: skip
    assert rows["A"].standings["clinicians"].score_text == "1.5"

    assert {q: r.score for q, r in rows.items()} == {
        "A": Fraction(11, 2), "B": 6, "C": 6, "D": Fraction(5, 2),
    }  # fmt: skip
    assert [(r.question, r.position_text) for r in result.rows] == [
        ("B", "1="), ("C", "1="), ("A", "3"), ("D", "4"),
    ]  # fmt: skip
    assert [r.question for r in result.shortlist(1)] == ["B", "C"]
    assert [r.question for r in result.shortlist(3)] == ["B", "C", "A"]

    # The group that ranked nothing: named, not in any question's standings, points shown as 0.
    assert result.groups_counted == ["patients and carers", "clinicians"]
    assert result.groups_without_ballots == ["organisations"]
    assert all("organisations" not in r.standings for r in result.rows)
    assert rows["A"].by_group == {"patients and carers": 9, "clinicians": 0, "organisations": 0}
    assert result.ballots_by_group == {
        "patients and carers": 3,
        "clinicians": 1,
        "organisations": 0,
    }

    # The alternative's figures ride along for comparison, in their own positions.
    assert rows["B"].share_score == Fraction(12, 35)
    assert [(q, rows[q].share_position) for q in "BCAD"] == [("B", 1), ("C", 2), ("A", 3), ("D", 4)]
    share = ranking.interim_ranking(
        ballots, ["A", "B", "C", "D"], JLA_GROUPS, max_picks=3, method=ranking.Method.SHARE
    )
    assert [r.question for r in share.shortlist(1)] == ["B"]


def _standings(rows: dict[str, Any], group: str) -> list[tuple[str, Any]]:
    return [(q, r.standings[group]) for q, r in rows.items()]


def test_guidebook_and_share_of_points_pick_different_top_questions() -> None:
    """The issue's point ("the shortlists can differ"), from the same passage as above. Two
    picks (rank 1 -> 2 points, rank 2 -> 1), three questions (N = 3):
      patients and carers: A five times, and B,C once -> A 10, B 2, C 1 (13 points)
      clinicians: B,C / C,B / B,C                      -> B 5, C 4, A 0 (9 points)
    Guidebook: patients' list A 3, B 2, C 1; clinicians' list B 3, C 2, A 1
      -> A 4, B 5, C 3: B first, and alone on a shortlist of 1.
    Share of points: A (10/13 + 0)/2 = 90/234, B (2/13 + 5/9)/2 = 83/234, C 61/234: A first,
    because the patients' points are piled on A, which the Guidebook's places do not count.
    """
    ballots = [("patients and carers", [("A", 1)])] * 5 + [
        ("patients and carers", [("B", 1), ("C", 2)]),
        ("clinicians", [("B", 1), ("C", 2)]),
        ("clinicians", [("C", 1), ("B", 2)]),
        ("clinicians", [("B", 1), ("C", 2)]),
    ]
    jla = ranking.interim_ranking(ballots, ["A", "B", "C"], JLA_GROUPS, max_picks=2)
    assert [(r.question, r.score) for r in jla.rows] == [("B", 5), ("A", 4), ("C", 3)]
    assert [r.question for r in jla.shortlist(1)] == ["B"]
    share = ranking.interim_ranking(
        ballots, ["A", "B", "C"], JLA_GROUPS, max_picks=2, method=ranking.Method.SHARE
    )
    assert [(r.question, r.score) for r in share.rows] == [
        ("A", Fraction(90, 234)), ("B", Fraction(83, 234)), ("C", Fraction(61, 234)),
    ]  # fmt: skip
    assert [r.question for r in share.shortlist(1)] == ["A"]


def test_guidebook_equal_weighting_whatever_the_number_of_responses() -> None:
    """ "This means that where a low number of patients, for example, has responded compared with
    clinicians, their scores will still be given equal weighting." Forty copies of every
    clinician's ranking multiply the clinicians' points by forty but leave their list, and so every
    combined score, as it was."""
    patients = [
        ("patients and carers", [("A", 1), ("B", 2), ("C", 3)]),
        ("patients and carers", [("A", 1), ("B", 2)]),
    ]
    clinicians = [("clinicians", [("C", 1), ("D", 2)])]
    one = ranking.interim_ranking(patients + clinicians, "ABCD", JLA_GROUPS, max_picks=3)
    many = ranking.interim_ranking(patients + clinicians * 40, "ABCD", JLA_GROUPS, max_picks=3)
    assert [(r.question, r.score) for r in one.rows] == [(r.question, r.score) for r in many.rows]
    assert many.ballots_by_group["clinicians"] == 40
    assert many.rows[0].by_group["clinicians"] > one.rows[0].by_group["clinicians"]


def test_a_group_whose_ballots_picked_nothing_is_left_out_and_changes_no_order() -> None:
    """The Guidebook does not say what happens to a group with no rankings. It has no list to
    place questions in: it is left out and named. Under the tie rule its list would be one N-way
    tie worth (N + 1) / 2 to every question (here (3 + 1) / 2 = 2), so counting it would add the
    same to every score and change no position."""
    ballots = [
        ("patients and carers", [("A", 1), ("B", 2)]),
        ("clinicians", [("B", 1)]),
        ("organisations", []),  # a ballot, but nothing ranked
    ]
    result = ranking.interim_ranking(ballots, ["A", "B", "C"], JLA_GROUPS, max_picks=2)
    assert result.ballots_by_group["organisations"] == 1
    assert result.groups_without_ballots == ["organisations"]
    nothing = ranking.group_list({}, ["A", "B", "C"])
    assert {q: (s.place_text, s.score) for q, s in nothing.items()} == {
        "A": ("1=", 2), "B": ("1=", 2), "C": ("1=", 2),
    }  # fmt: skip
    # patients A 3, B 2, C 1; clinicians B 3, then A and C joint 2nd: (2 + 1) / 2 = 1.5
    assert [(r.question, r.score) for r in result.rows] == [
        ("B", 5), ("A", Fraction(9, 2)), ("C", Fraction(5, 2)),
    ]  # fmt: skip


def test_each_groups_place_scores_add_up_to_the_same_total_whatever_its_ties() -> None:
    """Why ties take the mean score of their places: every group then hands out exactly
    N(N + 1)/2 (here 6 x 7 / 2 = 21), the equal weighting the Guidebook asks for."""
    questions = ["P", "Q", "R", "S", "T", "U"]
    for totals in ({"P": 5, "Q": 4, "R": 3, "S": 2, "T": 1}, {"P": 7, "Q": 7}, {"P": 1}, {}):
        standings = ranking.group_list(totals, questions)
        assert sum(s.score for s in standings.values()) == 21
    tied = ranking.group_list({"P": 7, "Q": 7, "R": 1}, questions)
    assert (tied["P"].place_text, tied["P"].score) == ("1=", Fraction(11, 2))  # (6 + 5) / 2
    assert (tied["R"].place_text, tied["R"].score) == ("3", 4)
    assert (tied["U"].place_text, tied["U"].score) == ("4=", 2)  # S, T, U: (3 + 2 + 1) / 3


def test_staff_page_states_the_method_and_shortlists_by_it(
    manager_client: Any, consultation: Any
) -> None:
    """The example above through the database and the staff page: the page names the
    Guidebook's method, shows each group's places and the combined score, labels the share of
    points as the alternative, and the shortlist button takes the Guidebook's top question."""
    from django.urls import reverse

    from coproduce.priorities import services
    from coproduce.priorities.models import IndicativeQuestion, InterimSurvey

    qs = {t: IndicativeQuestion.objects.create(consultation=consultation, text=f"Question {t}")
          for t in "ABC"}  # fmt: skip
    survey = InterimSurvey.objects.create(
        consultation=consultation, title="Interim", status="open", max_picks=2, shortlist_size=1
    )
    survey.questions.set(qs.values())
    carer, clinician = "service_user_carer", "clinician"
    for _ in range(5):
        services.cast_ballot(survey, carer, [qs["A"].pk])
    services.cast_ballot(survey, carer, [qs["B"].pk, qs["C"].pk])
    for order in ("BC", "CB", "BC"):
        services.cast_ballot(survey, clinician, [qs[t].pk for t in order])

    url = reverse("priorities_staff:survey", args=[consultation.slug, survey.public_id])
    html = manager_client.get(url).content.decode()
    assert "follows the James Lind Alliance Guidebook" in html
    assert "Share of points (alternative), %" in html
    assert "Service user or carer: place" in html
    assert "Clinician: place score" in html
    assert "Commissioner: place" not in html  # ranked nothing: no columns, named instead
    assert "Commissioner" in html.split("Groups with no rankings")[1].split("</p>")[0]
    table = html.split("<tbody")[1].split("</tbody>")[0]
    assert table.index("Question B") < table.index("Question A") < table.index("Question C")
    row_b = table.split("Question B")[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<")[0] for c in row_b.split("<td")[1:]]
    # clinicians (listed first): 5 points, 1st, scores 3; carers: 2 points, 2nd, scores 2;
    # combined 5 (bold)
    assert cells[:6] == ["5", "1", "3", "2", "2", "2"]
    assert "<strong>5</strong>" in row_b

    manager_client.post(
        reverse("priorities_staff:shortlist", args=[consultation.slug, survey.public_id])
    )
    shortlisted = IndicativeQuestion.objects.filter(shortlisted=True)
    assert list(shortlisted.values_list("text", flat=True)) == ["Question B"]
