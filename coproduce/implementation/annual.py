"""The annual report for the board and the funder, for one calendar year, as XLSX and PDF.

Generated from the data, every figure by a grouped query (the number of queries does not grow
with the data). Sections: studies, diffusion fellow posts, communities of practice and
associates, events and mailings, governance reviews, implementation records, outputs and
recommendations, finance and matched funding (the financial year starting in April of the
report's year) and capacity building. The XLSX has a "Summary" sheet of headline figures and one sheet per table;
the PDF has the same, in order.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from coproduce.community.health import Quarter, assess
from coproduce.community.models import CommunityOfPractice
from coproduce.funding import capacity, fy
from coproduce.funding import ledger as funding_ledger
from coproduce.implementation import evaluation
from coproduce.implementation.models import (
    ImplementationRecord,
    Meaning,
    Output,
    Recommendation,
    StatusEntry,
)
from coproduce.registry.models import Study


@dataclass
class Block:
    """A table of the report."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    title: str
    figures: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Block] = field(default_factory=list)


@dataclass
class Report:
    year: int
    generated: dt.datetime
    sections: list[Section]

    def figure(self, section: str, label: str) -> Any:
        for s in self.sections:
            if s.title == section:
                return dict(s.figures)[label]
        raise KeyError(section)


def _studies(year: int) -> Section:
    start, end = evaluation.year_bounds(year)
    active = (
        Study.objects.filter(Q(start__isnull=True) | Q(start__lte=end))
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .exclude(stage__in=[Study.Stage.PROPOSED, Study.Stage.NOT_TAKEN_FORWARD])
    )
    by_stage = dict(active.order_by().values_list("stage").annotate(n=Count("pk")))
    started = Study.objects.filter(start__gte=start, start__lte=end).count()
    completed = Study.objects.filter(end__gte=start, end__lte=end).count()
    rows = [[label, by_stage.get(value, 0)] for value, label in Study.Stage.choices]
    return Section(
        "Studies",
        [
            ("Studies active in the year", sum(by_stage.values())),
            ("Studies started in the year", started),
            ("Studies ended in the year", completed),
        ],
        [Block("Studies active in the year by stage now", ["Stage", "Studies"], rows)],
    )


def _fellows(year: int) -> Section:
    posts = evaluation.posts(year)
    counts = evaluation.activity_by_kind(year)
    activities = sum(n for n, _ in counts.values())
    hours = sum((h for _, h in counts.values()), Decimal("0"))
    expected = sum((p.expected_days for p in posts), Decimal("0"))
    logged = sum((p.logged_days for p in posts), Decimal("0"))
    reached = evaluation.reach(year)
    organisations = len({org for orgs in reached.values() for org in orgs})
    rows = [
        [
            str(p.secondment.person),
            str(p.secondment.study),
            str(p.secondment.home_organisation),
            float(p.secondment.fte),
            float(p.expected_days),
            float(p.logged_days),
        ]
        for p in posts
    ]
    return Section(
        "Diffusion fellows",
        [
            ("Diffusion fellow posts held in the year", len(posts)),
            ("Fellows", len({p.secondment.person_id for p in posts})),
            ("Knowledge-broker activities", activities),
            ("Hours of activity", float(hours)),
            ("Expected days", float(expected)),
            ("Logged days", float(logged)),
            ("Organisations reached", organisations),
        ],
        [
            Block(
                "Diffusion fellow posts",
                ["Fellow", "Study", "Home organisation", "FTE", "Expected days", "Logged days"],
                rows,
            )
        ],
    )


def _communities(year: int) -> Section:
    cops = list(CommunityOfPractice.objects.only("pk", "name", "slug").order_by("name"))
    report = assess(cops, until=dt.date(year, 12, 31), quarters=8)
    last4 = slice(-4, None)
    rows = [
        [
            h.cop.name,
            h.series.members[-1],
            sum(h.series.totals[last4]),
            h.indicator.score,
            h.indicator.verdict,
        ]
        for h in report.communities
    ]
    at_end, new = evaluation.associates_by_quarter([Quarter(year, q) for q in (1, 2, 3, 4)])
    return Section(
        "Communities of practice and associates",
        [
            ("Communities of practice", len(cops)),
            ("Members at the end of the year", report.total.members[-1]),
            ("Community activities in the year", sum(report.total.totals[last4])),
            ("Associates at the end of the year", at_end[-1]),
            ("New associates in the year", sum(new)),
        ],
        [
            Block(
                "Communities of practice",
                [
                    "Community",
                    "Members at the end of the year",
                    "Activities in the year",
                    "Self-sustainability score (0 to 4)",
                    "Verdict",
                ],
                rows,
            )
        ],
    )


def _engagement(year: int) -> Section:
    figures = evaluation.attendance(year)
    events = sum(f["events"] for f in figures.values())
    booked = sum(f["booked"] for f in figures.values())
    attended = sum(f["Attended"] for f in figures.values())
    mailings, messages, unsubscribed = evaluation.mailing_months(year)
    reach = evaluation.mailing_reach(year)
    return Section(
        "Events and mailings",
        [
            ("Events", events),
            ("Confirmed bookings", booked),
            ("Attended", attended),
            ("Mailings sent", sum(mailings)),
            ("Messages sent by mailings", sum(messages)),
            ("Unsubscribes", sum(unsubscribed)),
        ],
        [
            Block(
                "Mailings sent",
                ["Subject", "Kind", "Finished", "Messages sent"],
                [
                    [
                        m.subject,
                        m.get_kind_display(),
                        timezone.localtime(m.finished_at).date().isoformat()
                        if m.finished_at
                        else "",
                        n,
                    ]
                    for m, n in reach
                ],
            )
        ],
    )


def _governance(year: int) -> Section | None:
    try:
        from coproduce.governance.models import ReviewRound
    except ImportError:  # pragma: no cover - the governance app is always installed
        return None
    start, end = evaluation.year_bounds(year)
    rows = dict(
        ReviewRound.objects.filter(submitted_at__date__gte=start, submitted_at__date__lte=end)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return Section(
        "Governance reviews",
        [("Review rounds submitted in the year", sum(rows.values()))],
        [
            Block(
                "Review rounds submitted in the year by status now",
                ["Status", "Rounds"],
                [[label, rows.get(value, 0)] for value, label in ReviewRound.Status.choices],
            )
        ],
    )


def _implementation(year: int) -> Section:
    start, end = evaluation.year_bounds(year)
    grouped: dict[tuple[str, str], int] = {
        (m, s): n
        for m, s, n in ImplementationRecord.objects.order_by()
        .values("meaning", "status")
        .annotate(n=Count("pk"))
        .values_list("meaning", "status", "n")
    }
    statuses = list(ImplementationRecord.Status)
    rows = [
        [meaning.label, *(grouped.get((meaning, s), 0) for s in statuses)] for meaning in Meaning
    ]
    changes = StatusEntry.objects.filter(date__gte=start, date__lte=end).count()
    embedded = StatusEntry.objects.filter(
        date__gte=start, date__lte=end, status=ImplementationRecord.Status.EMBEDDED
    ).count()
    return Section(
        "Implementation",
        [
            ("Implementation records", sum(grouped.values())),
            ("Status changes in the year", changes),
            ("Records reaching routine practice in the year", embedded),
        ],
        [
            Block(
                "Implementation records by kind and status now",
                ["Kind of implementation", *(s.label for s in statuses)],
                rows,
            )
        ],
    )


def _outputs(year: int) -> Section:
    start, end = evaluation.year_bounds(year)
    outputs = Output.objects.filter(date__gte=start, date__lte=end)
    by_kind = dict(outputs.order_by().values_list("kind").annotate(n=Count("pk")))
    listing = [
        [o.date.isoformat(), o.get_kind_display(), o.title]
        for o in outputs.order_by("date", "title")
    ]
    return Section(
        "Outputs",
        [("Outputs in the year", sum(by_kind.values()))],
        [
            Block(
                "Outputs by kind",
                ["Kind", "Outputs"],
                [[label, by_kind.get(value, 0)] for value, label in Output.Kind.choices],
            ),
            Block("Outputs", ["Date", "Kind", "Title"], listing),
        ],
    )


def _recommendations(year: int) -> Section:
    start, end = evaluation.year_bounds(year)
    made = Recommendation.objects.filter(made_on__gte=start, made_on__lte=end)
    by_status = dict(made.order_by().values_list("status").annotate(n=Count("pk")))
    done = Q(status__in=[Recommendation.Status.ACTIONED, Recommendation.Status.OUTCOME])
    overdue = Recommendation.objects.filter(
        status__in=[Recommendation.Status.OPEN, Recommendation.Status.ACCEPTED], due__lte=end
    ).aggregate(n=Count("pk"))["n"]
    return Section(
        "Recommendations",
        [
            ("Recommendations made in the year", sum(by_status.values())),
            ("Of those, actioned or with an outcome", made.filter(done).count()),
            ("Pending past their due date at the end of the year", overdue),
        ],
        [
            Block(
                "Recommendations made in the year by status now",
                ["Status", "Recommendations"],
                [
                    [label, by_status.get(value, 0)]
                    for value, label in Recommendation.Status.choices
                ],
            )
        ],
    )


def _finance(year: int) -> Section:
    """Matched funding in the financial year that starts in April of the report's year (the
    ledger of `funding.ledger`, in pounds), and further funding won in the calendar year."""
    ledger = funding_ledger.year_ledger(year)
    start, end = evaluation.year_bounds(year)
    won = funding_ledger.further_funding_won(start, end)
    rows = [
        [str(s.organisation), s.total("cash"), s.total("in_kind"), s.total()]
        for s in ledger.statements
    ]
    return Section(
        f"Finance and matched funding ({fy.label(year)})",
        [
            ("Award for the financial year (£)", ledger.award),
            ("Matched funding in cash (£)", ledger.cash),
            ("Matched funding in kind (£)", ledger.in_kind),
            ("Matched funding in all (£)", ledger.matched),
            ("Partners contributing", len(ledger.statements)),
            ("Further funding won in the year (£)", sum((f.amount for f in won), Decimal("0"))),
            ("Further funding awards won in the year", len(won)),
        ],
        [
            Block(
                f"Matched funding by partner, {fy.label(year)} (£)",
                ["Partner", "Cash", "In kind", "Total"],
                rows,
            ),
            Block(
                "Further funding won in the year",
                ["Title", "Funder", "Scheme", "Amount", "Currency", "Start"],
                [[f.title, f.funder, f.scheme, f.amount, f.currency, f.start] for f in won],
            ),
        ],
    )


def _capacity(year: int) -> Section:
    """Training and capacity building in the calendar year (`funding.capacity`)."""
    start, end = evaluation.year_bounds(year)
    by_kind = capacity.sessions_by_kind(start, end)
    return Section(
        "Capacity building",
        [
            ("Training sessions", sum(by_kind.values())),
            ("People trained", capacity.people_trained(start, end)),
            (
                "Fellows who went on to lead a project (all time)",
                len(capacity.fellows_who_led_a_project()),
            ),
            (
                "Fellows who went on to win further funding (all time)",
                len(capacity.fellows_who_won_funding()),
            ),
        ],
        [
            Block(
                "Training sessions by kind",
                ["Kind", "Sessions"],
                [[k, n] for k, n in sorted(by_kind.items())],
            ),
            Block(
                "People trained by partner",
                ["Organisation", "People"],
                [list(r) for r in capacity.trained_by_partner(start, end)],
            ),
            Block(
                "People trained by role",
                ["Role", "People"],
                [list(r) for r in capacity.trained_by_role(start, end)],
            ),
        ],
    )


def build(year: int) -> Report:
    sections = [
        _studies(year),
        _fellows(year),
        _communities(year),
        _engagement(year),
        _governance(year),
        _implementation(year),
        _outputs(year),
        _recommendations(year),
        _finance(year),
        _capacity(year),
    ]
    return Report(year, timezone.now(), [s for s in sections if s is not None])


# --- XLSX --------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(report: Report) -> bytes:
    """Every cell through the project's one spreadsheet writer (`coproduce/lib/exports.py`):
    text from the records (study titles, names) can never run as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from coproduce.lib.exports import append_row

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    bold = Font(bold=True)
    append_row(summary, [f"Annual report {report.year}"], font=Font(bold=True, size=14))
    append_row(summary, [f"Generated {timezone.localtime(report.generated):%d %B %Y %H:%M}"])
    append_row(summary, [])
    append_row(summary, ["Section", "Figure", "Value"], font=bold)
    for section in report.sections:
        for label, value in section.figures:
            append_row(summary, [section.title, label, _cell(value)])
    summary.column_dimensions["A"].width = 38
    summary.column_dimensions["B"].width = 52
    used: set[str] = {"Summary"}
    for section in report.sections:
        for block in section.tables:
            name = block.title[:31].replace("/", " ")
            while name in used:
                name = name[:28] + f" {len(used)}"
            used.add(name)
            sheet = book.create_sheet(name)
            append_row(sheet, [block.title], font=bold)
            append_row(sheet, block.columns, font=bold)
            for row in block.rows:
                append_row(sheet, [_cell(v) for v in row])
            sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    from coproduce.lib.pdf import clean

    return clean(_cell(value))


def to_pdf(report: Report, *, compress: bool = True) -> bytes:
    from coproduce.lib.pdf import FAMILY, document

    pdf = document(title=f"Annual report {report.year}")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.cell(0, 10, _text(f"Annual report {report.year}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    generated = timezone.localtime(report.generated)
    pdf.cell(
        0,
        6,
        _text(f"Generated from the collaboration's records on {generated:%d %B %Y}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for section in report.sections:
        pdf.ln(4)
        pdf.set_font(FAMILY, "B", 14)
        pdf.cell(0, 8, _text(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 10)
        for label, value in section.figures:
            pdf.cell(120, 6, _text(label))
            pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
        for block in section.tables:
            if not block.rows:
                continue
            pdf.ln(2)
            pdf.set_font(FAMILY, "B", 11)
            pdf.cell(0, 7, _text(block.title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FAMILY, "", 9)
            with pdf.table(first_row_as_headings=True, line_height=5) as table:
                for row in [block.columns, *block.rows]:
                    cells = table.row()
                    for value in row:
                        cells.cell(_text(value))
    return bytes(pdf.output())


def filename(report: Report, extension: str) -> str:
    return f"annual-report-{report.year}.{extension}"
