"""The community side of the CLAHRC-NDL demo: communities of practice, associates, activities.

The data (communities, leadership, upcoming meetings, the generator's parameters) is in
data/community.toml. Run by `coproduce loaddemo` after the registry part (registry.py),
inside the same transaction. Everything here is invented apart from what the published
description of the collaboration tells us: sixteen study communities; about 400 associates
in the first year; activities that fall under four characteristics (social interaction,
knowledge sharing, knowledge creation, identity building); communities meant to become
self-sustaining, led by their members; and two outcomes, the follow-on groups run by service
users that the chronic mood disorder community called for, and the pro forma the return to
work after stroke community produced.

Deterministic: every random choice comes from a `random.Random` seeded with a fixed string, in
streams that do not depend on the date or on what the database holds. The only thing that
depends on the day the demo is loaded is a handful of upcoming meetings, dated a few weeks
ahead of "today", so that there are always meetings to come.

Idempotent, so a second run creates nothing:
- communities are matched by slug (a study's by its study) and brought back to the demo values;
- leadership periods are matched by (community, start), activities by (community, date, title)
  and upcoming meetings by (community, title); missing ones are created. An upcoming meeting
  that has passed without anyone recording attendance is moved ahead again;
- the associates (and their memberships, interests and consent records) are created only when
  none of the demo's fixed addresses (associate0001@example.org ...) is in use yet, and the
  first demo associate does not exist (not even erased).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

from django.db.models import Count, Q
from django.utils import timezone

from coproduce.community import services
from coproduce.community.models import (
    Activity,
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    LeadershipPeriod,
    Membership,
)
from coproduce.demo import data as demo_data
from coproduce.demo.loader import registry as clahrc_ndl
from coproduce.registry.models import RoleAssignment, Secondment, Study, Theme

D = dt.date
_DATA = demo_data.part("community")
SEED: str = _DATA["seed"]

ASSOCIATES: int = _DATA["associates"]
PENDING: int = _DATA["pending"]
FIRST_YEAR_END: dt.date = _DATA["first_year_end"]
HISTORY_END: dt.date = _DATA["history_end"]  # nothing in the demo's history happens after this day
EMAIL: str = _DATA["email"]

STAFF: str = CommunityOfPractice.Leadership.STAFF_LED
CO: str = CommunityOfPractice.Leadership.CO_LED
MEMBERS: str = CommunityOfPractice.Leadership.MEMBER_LED

SOCIAL: str = Activity.Characteristic.SOCIAL_INTERACTION
SHARING: str = Activity.Characteristic.KNOWLEDGE_SHARING
CREATION: str = Activity.Characteristic.KNOWLEDGE_CREATION
IDENTITY: str = Activity.Characteristic.IDENTITY_BUILDING


# The communities ---------------------------------------------------------------------------


class Anchor(TypedDict):
    """A fixed activity: the two outcomes the sources report, and a few others."""

    date: dt.date
    title: str
    characteristic: str
    description: str
    outputs: str
    led_by: str
    attendee_count: int


class CopData(TypedDict, total=False):
    slug: str  # the study's slug for a study community (its community has the same slug)
    theme: str  # for a theme-wide community only: the theme's slug
    name: str  # theme-wide only; a study community keeps the name it was given
    founded: dt.date
    purpose: str
    extra_rule: str
    topics: list[str]
    outputs: list[str]
    # (start, model, who leads): the first is always staff-led from `founded`
    leadership: list[tuple[dt.date, str, str]]
    anchors: list[Anchor]
    popularity: int  # relative weight when associates choose communities


GROUND_RULES: list[str] = _DATA["ground_rules"]


def _cop(row: dict[str, Any]) -> CopData:
    """A community from the file: a study's is named by the study key and gets its slug."""
    cop = {("slug" if name == "study" else name): value for name, value in row.items()}
    if "study" in row:
        cop["slug"] = demo_data.slug(row["study"])
    return cast(CopData, cop)


STUDY_COPS: list[CopData] = [_cop(row) for row in _DATA["study_cops"]]
THEME_COPS: list[CopData] = [_cop(row) for row in _DATA["theme_cops"]]

# How leadership moved from staff to members. Every community starts staff-led when founded;
# the others stay staff-led. Leads are named only as the public page should show them.
LEADERSHIP: dict[str, list[tuple[dt.date, str, str]]] = {}
for _row in _DATA["leadership"]:
    LEADERSHIP.setdefault(demo_data.community(_row["community"]), []).append(
        (_row["start"], _row["model"], _row["lead"])
    )

# Upcoming meetings, dated this many days after the day the demo is loaded.
UPCOMING: list[tuple[str, int, str, str]] = [
    (demo_data.community(name), days, title, characteristic)
    for name, days, title, characteristic in demo_data.rows(
        _DATA["upcoming"], "community", "days", "title", "characteristic"
    )
]

TITLES: dict[str, list[str]] = _DATA["titles"]
DESCRIPTIONS: dict[str, str] = _DATA["descriptions"]
CHARACTERISTIC_WEIGHTS: dict[str, int] = _DATA["characteristic_weights"]
# Chance that a member rather than staff leads an activity, by the leadership at the time.
MEMBER_LED_CHANCE: dict[str, float] = _DATA["member_led_chance"]


# Associates ----------------------------------------------------------------------------------

FIRST_NAMES: list[str] = _DATA["first_names"]
LAST_NAMES: list[str] = _DATA["last_names"]

# role: (weight, {organisation kind or "": weight})
ROLE_MIX: dict[str, tuple[int, dict[str, int]]] = {
    role: (mix["weight"], mix["organisations"]) for role, mix in _DATA["role_mix"].items()
}

# When associates joined: (from, to, how many), growing fast in the first year.
GROWTH: list[tuple[dt.date, dt.date, int]] = demo_data.rows(_DATA["growth"], "from", "to", "count")

# Chance of consenting to each channel on joining: (staff-like roles, everyone else).
CONSENT_CHANCE: dict[str, tuple[float, float]] = {
    channel: (chance["staff"], chance["others"])
    for channel, chance in _DATA["consent_chance"].items()
}
LAY_ROLES: set[str] = set(_DATA["lay_roles"])
# of the first months' joiners, who came from partners' mailing lists
IMPORTED_SHARE: float = _DATA["imported_share"]
WITHDRAWALS: int = _DATA["withdrawals"]
LATER_GRANTS: int = _DATA["later_grants"]
MEMBERSHIP_LEFT_SHARE: float = _DATA["membership_left_share"]
PENDING_FROM: dt.date = _DATA["pending_from"]
IMPORTED_BEFORE: dt.date = _DATA["imported_before"]
CHANGES_BEFORE: dt.date = _DATA["changes_before"]
# Past activities of a community, fixed ones included: at least the first, fewer than the second.
ACTIVITIES: tuple[int, int] = tuple(_DATA["activities"])


# Loading -----------------------------------------------------------------------------------


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)
    updated: int = 0

    def line(self) -> str:
        cops = CommunityOfPractice.objects.aggregate(
            total=Count("pk"),
            theme_wide=Count("pk", filter=Q(study__isnull=True)),
            member_led=Count("pk", filter=Q(leadership=MEMBERS)),
            co_led=Count("pk", filter=Q(leadership=CO)),
        )
        associates = Associate.objects.aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=Associate.Status.ACTIVE)),
            first_year=Count("pk", filter=Q(joined__date__lt=FIRST_YEAR_END)),
        )
        today = timezone.localdate()
        activities = Activity.objects.aggregate(
            total=Count("pk"), upcoming=Count("pk", filter=Q(date__gte=today))
        )
        memberships = Membership.objects.filter(
            left__isnull=True, associate__status=Associate.Status.ACTIVE
        ).count()
        created = sum(self.created.values())
        return (
            f"  community: {cops['total']} communities of practice "
            f"({cops['total'] - cops['theme_wide']} for studies, {cops['theme_wide']} theme-wide; "
            f"{cops['member_led']} member-led, {cops['co_led']} co-led), "
            f"{associates['total']} associates ({associates['active']} active, "
            f"{associates['first_year']} joined in the first year), {memberships} current "
            f"memberships, {ConsentRecord.objects.count()} consent records, "
            f"{activities['total']} activities ({activities['upcoming']} upcoming); "
            f"{created} created, {self.updated} updated"
        )


def load(today: dt.date | None = None) -> Summary:
    """Load the community demo; call inside a transaction, after the registry demo."""
    today = today or timezone.localdate()
    summary = Summary()
    cops = _load_communities(summary)
    _load_leadership(cops, summary)
    plans = _plan_associates()
    # Any demo address still in use, or the first demo associate even if erased since.
    loaded = Q(email__in=_emails()) | Q(public_id=plans[0].public_id)
    if not Associate.objects.filter(loaded).exists():
        _load_associates(cops, plans, summary)
    _load_activities(cops, today, summary)
    services.refresh_member_counts()
    return summary


def _emails() -> list[str]:
    return [EMAIL.format(number) for number in range(1, ASSOCIATES + 1)]


def _all_cops() -> list[CopData]:
    return [*STUDY_COPS, *THEME_COPS]


def _ground_rules(data: CopData) -> str:
    rules = [*GROUND_RULES, *([data["extra_rule"]] if "extra_rule" in data else [])]
    return "\n".join(f"{number}. {rule}" for number, rule in enumerate(rules, start=1))


def _load_communities(summary: Summary) -> dict[str, CommunityOfPractice]:
    studies = {study.slug: study for study in Study.objects.all()}
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    existing = {cop.slug: cop for cop in CommunityOfPractice.objects.all()}
    by_study = {cop.study_id: cop for cop in existing.values() if cop.study_id}
    cops: dict[str, CommunityOfPractice] = {}
    for data in _all_cops():
        values: dict[str, Any] = {
            "purpose": data["purpose"],
            "ground_rules": _ground_rules(data),
            "founded": data["founded"],
        }
        if "theme" in data:
            cop = existing.get(data["slug"])
            values |= {"name": data["name"], "theme": themes[data["theme"]], "study": None}
        else:
            study = studies[data["slug"]]
            cop = by_study.get(study.pk)
            if cop is None:  # the signal makes one for every study; only raw loads skip it
                values |= {
                    "name": f"{study.acronym or study.title} community of practice",
                    "study": study,
                }
        if cop is None:
            cop = CommunityOfPractice(slug=data["slug"])
            summary.created["communities"] += 1
            changed = True
        else:
            changed = False
        for name, value in values.items():
            attname = CommunityOfPractice._meta.get_field(name).attname  # type: ignore[union-attr]
            raw = value.pk if hasattr(value, "pk") else value
            if getattr(cop, attname) != raw:
                setattr(cop, name, value)
                changed = True
        if changed:
            if cop.pk is not None:
                summary.updated += 1
            cop.full_clean()
            cop.save()
        cops[data["slug"]] = cop
    return cops


def _periods(data: CopData) -> list[tuple[dt.date, str, str]]:
    """The community's leadership history: staff-led from its founding, then any changes."""
    first = (data["founded"], STAFF, _staff_leads(data))
    return [first, *LEADERSHIP.get(data["slug"], [])]


def _staff_leads(data: CopData) -> str:
    if "theme" in data:
        return "The theme lead and the engagement team"
    people = {row["email"]: row["full_name"] for row in clahrc_ndl.PEOPLE}
    fellows = [
        people[sec["person"]]
        for sec in clahrc_ndl.SECONDMENTS
        if sec["study"] == data["slug"] and sec["start"] <= data["founded"] + dt.timedelta(365)
    ]
    if not fellows:
        return "The study team"
    role = "diffusion fellow" if len(fellows) == 1 else "diffusion fellows"
    return f"{' and '.join(fellows)} ({role}) with the study team"


def _leadership_at(data: CopData, day: dt.date) -> str:
    model = STAFF
    for start, period_model, _leads in _periods(data):
        if start <= day:
            model = period_model
    return model


def _load_leadership(cops: dict[str, CommunityOfPractice], summary: Summary) -> None:
    existing = {
        (period.cop_id, period.start): period
        for period in LeadershipPeriod.objects.filter(cop__in=cops.values())
    }
    for data in _all_cops():
        cop = cops[data["slug"]]
        periods = _periods(data)
        for index, (start, model, leads) in enumerate(periods):
            end = periods[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(periods) else None
            period = existing.get((cop.pk, start))
            if period is None:
                LeadershipPeriod(cop=cop, start=start, end=end, model=model, leads=leads).save()
                summary.created["leadership periods"] += 1
            elif (period.end, period.model, period.leads) != (end, model, leads):
                period.end, period.model, period.leads = end, model, leads
                period.save()
                summary.updated += 1


def _aware(day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` after midnight on `day`, local time."""
    moment = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after if it falls at a weekend: meetings are on weekdays."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class _Plan:
    """One associate to create, with what happens to them."""

    number: int
    joined: dt.datetime
    full_name: str
    role: str
    organisation: str
    imported: bool
    pending: bool
    confirmed: dt.datetime | None
    consents: list[str]
    interests: list[str]
    cops: list[tuple[str, dt.datetime, dt.datetime | None]]
    public_id: uuid.UUID


def _plan_associates() -> list[_Plan]:
    rng = random.Random(f"{SEED}:associates")  # noqa: S311 (demo data, not security)
    joined_days = sorted(
        (_day_between(rng, start, end), rng.randrange(7 * 60, 22 * 60))
        for start, end, count in GROWTH
        for _ in range(count)
    )
    assert len(joined_days) == ASSOCIATES
    names = rng.sample(
        [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], ASSOCIATES
    )
    late = [index for index, (day, _) in enumerate(joined_days) if day >= PENDING_FROM]
    pending = set(rng.sample(late, PENDING))
    organisations: dict[str, list[str]] = defaultdict(list)
    for org in clahrc_ndl.ORGANISATIONS:
        organisations[org["kind"]].append(org["name"])
    study_theme = {row["slug"]: row["theme"] for row in clahrc_ndl.STUDIES}
    cops = _all_cops()
    cop_theme = {data["slug"]: data.get("theme") or study_theme[data["slug"]] for data in cops}
    theme_slugs = [row["slug"] for row in clahrc_ndl.THEMES]
    research_slugs = [row["slug"] for row in clahrc_ndl.THEMES if row["kind"] == "research"]
    first_year = random.Random(f"{SEED}:first-year-themes")  # noqa: S311 (demo data)
    founded = {data["slug"]: data["founded"] for data in cops}
    history_end = _aware(HISTORY_END, 23 * 60)
    plans = []
    for index, (day, minutes) in enumerate(joined_days):
        joined = _aware(day, minutes)
        role = _weighted(rng, {role: weight for role, (weight, _) in ROLE_MIX.items()})
        kind = _weighted(rng, ROLE_MIX[role][1])
        organisation = rng.choice(organisations[kind]) if kind else ""
        is_pending = index in pending
        imported = not is_pending and day < IMPORTED_BEFORE and rng.random() < IMPORTED_SHARE
        confirmed = None
        if imported:
            confirmed = joined
        elif not is_pending:
            confirmed = joined + dt.timedelta(minutes=rng.randrange(3, 3 * 24 * 60))
        lay = role in LAY_ROLES
        consents = [
            channel
            for channel, chances in CONSENT_CHANCE.items()
            if rng.random() < chances[1 if lay else 0]
        ]
        primary = rng.choice(theme_slugs)
        if day < FIRST_YEAR_END and primary not in research_slugs:
            # The paper: "within the first year, 400 people had joined as associates linked to
            # one of the research themes". A stream of its own keeps the other draws unchanged.
            primary = first_year.choice(research_slugs)
        interests = [primary]
        if rng.random() < 0.3:
            interests.append(rng.choice([slug for slug in theme_slugs if slug != primary]))
        chosen: list[tuple[str, dt.datetime, dt.datetime | None]] = []
        if confirmed is not None:
            wanted = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
            near = [data for data in cops if cop_theme[data["slug"]] in interests]
            pool = near if near and rng.random() < 0.75 else cops
            for _ in range(wanted):
                data = rng.choices(pool, weights=[data.get("popularity", 4) for data in pool])[0]
                if any(slug == data["slug"] for slug, _, _ in chosen):
                    continue
                start = max(confirmed, _aware(founded[data["slug"]], 18 * 60))
                if chosen:  # later communities are often joined some time afterwards
                    start += dt.timedelta(days=rng.randrange(0, 400))
                if start > history_end:
                    continue
                left = None
                if rng.random() < MEMBERSHIP_LEFT_SHARE:
                    left = start + dt.timedelta(days=rng.randrange(90, 1200))
                    if left > history_end:
                        left = None
                chosen.append((data["slug"], start, left))
        plans.append(
            _Plan(
                number=index + 1,
                joined=joined,
                full_name=names[index],
                role=role,
                organisation=organisation,
                imported=imported,
                pending=is_pending,
                confirmed=confirmed,
                consents=consents,
                interests=interests if confirmed else [],
                cops=chosen,
                public_id=_uuid(rng),
            )
        )
    return plans


def _load_associates(
    cops: dict[str, CommunityOfPractice], plans: list[_Plan], summary: Summary
) -> None:
    associates = Associate.objects.bulk_create(
        [
            Associate(
                public_id=plan.public_id,
                full_name=plan.full_name,
                email=EMAIL.format(plan.number),
                organisation=plan.organisation,
                role=plan.role,
                status=Associate.Status.PENDING if plan.pending else Associate.Status.ACTIVE,
                joined=plan.joined,
                confirmed=plan.confirmed,
            )
            for plan in plans
        ]
    )
    summary.created["associates"] += len(associates)
    themes = {theme.slug: theme.pk for theme in Theme.objects.all()}
    interests = Associate.interests.through
    rows = interests.objects.bulk_create(
        [
            interests(associate_id=associate.pk, theme_id=themes[slug])
            for plan, associate in zip(plans, associates, strict=True)
            for slug in plan.interests
        ]
    )
    summary.created["interests"] += len(rows)
    memberships = Membership.objects.bulk_create(
        [
            Membership(associate=associate, cop=cops[slug], joined=joined, left=left)
            for plan, associate in zip(plans, associates, strict=True)
            for slug, joined, left in plan.cops
        ]
    )
    summary.created["memberships"] += len(memberships)
    before = ConsentRecord.objects.count()
    _record_consents(plans, associates)
    summary.created["consent records"] += ConsentRecord.objects.count() - before


def _first_wording(channel: str) -> ConsentWording:
    """Version 1 of the channel's wording, which the demo's associates saw when they joined.

    A migration publishes it; a database emptied since (as transactional tests do) gets it back
    from the migration's own text, so the words are the same everywhere.
    """
    wording = ConsentWording.objects.filter(channel=channel, version=1).first()
    if wording is not None:
        return wording
    if ConsentWording.objects.filter(channel=channel).exists():
        return ConsentWording.current(channel)
    first = importlib.import_module("coproduce.community.migrations.0002_consent_wording_v1")
    return ConsentWording.publish(channel, first.WORDING[channel])


def _record_consents(plans: list[_Plan], associates: list[Associate]) -> None:
    """Consent as it was given: through the services, so the cached flags follow the records."""
    wordings = {channel: _first_wording(channel) for channel in Channel.values}
    method = ConsentRecord.Method
    for plan, associate in zip(plans, associates, strict=True):
        for channel in plan.consents:
            services.record_consent(
                associate,
                channel,
                True,
                method.IMPORT if plan.imported else method.FORM,
                wording=wordings[channel],
                at=plan.joined,
            )
        if plan.confirmed is not None and not plan.imported:
            for channel in plan.consents:
                services.record_consent(
                    associate,
                    channel,
                    True,
                    method.CONFIRMATION,
                    wording=wordings[channel],
                    at=plan.confirmed,
                    force=True,
                )
    # Later changes of mind, in a stream of their own.
    rng = random.Random(f"{SEED}:changes")  # noqa: S311 (demo data, not security)
    active = [
        (plan, associate)
        for plan, associate in zip(plans, associates, strict=True)
        if plan.confirmed is not None and plan.confirmed.date() < CHANGES_BEFORE
    ]
    history_end = _aware(HISTORY_END, 20 * 60)
    withdrawing = [pair for pair in active if pair[0].consents]
    withdrawals = rng.sample(withdrawing, WITHDRAWALS)
    for plan, associate in withdrawals:
        assert plan.confirmed is not None
        at = min(plan.confirmed + dt.timedelta(days=rng.randrange(60, 1500)), history_end)
        how = method.UNSUBSCRIBE if rng.random() < 0.65 else method.PREFERENCES
        services.record_consent(associate, rng.choice(plan.consents), False, how, at=at)
    # Others asked for one more channel; never one they withdrew, so dates stay in order.
    withdrew = {associate.pk for _, associate in withdrawals}
    granting = [pair for pair in active if pair[1].pk not in withdrew]
    for plan, associate in rng.sample(granting, LATER_GRANTS):
        assert plan.confirmed is not None
        missing = [channel for channel in Channel.values if channel not in plan.consents]
        if missing:
            at = min(plan.confirmed + dt.timedelta(days=rng.randrange(30, 900)), history_end)
            channel = rng.choice(missing)
            services.record_consent(
                associate, channel, True, method.PREFERENCES, wording=wordings[channel], at=at
            )


# Activities ----------------------------------------------------------------------------------


def _plan_activities(data: CopData) -> list[dict[str, Any]]:
    """The community's past activities, from its founding to the end of 2013."""
    rng = random.Random(f"{SEED}:activities:{data['slug']}")  # noqa: S311 (demo data)
    founded = data["founded"]
    topics = data["topics"]
    outputs = list(data["outputs"])
    planned: list[dict[str, Any]] = [
        {
            "date": founded,
            "title": "First meeting: what should this community be for?",
            "characteristic": IDENTITY,
            "description": (
                "The founding meeting: members agreed the community's purpose and its ground rules."
            ),
            "outputs": "The community's purpose and ground rules.",
            "led_by": Activity.LedBy.STAFF,
            "attendee_count": rng.randrange(12, 30),
        },
        *[dict(anchor) for anchor in data.get("anchors", [])],
    ]
    taken = {(item["date"], item["title"]) for item in planned}
    used_titles = {item["title"] for item in planned}
    count = rng.randrange(ACTIVITIES[0], ACTIVITIES[1] - len(planned))
    days = sorted(
        _weekday(_day_between(rng, founded + dt.timedelta(days=21), HISTORY_END - dt.timedelta(7)))
        for _ in range(count)
    )
    for day in days:
        characteristic = _weighted(rng, CHARACTERISTIC_WEIGHTS)
        topic = rng.choice(topics)
        templates = TITLES[characteristic][:]
        rng.shuffle(templates)
        title = ""
        for template in templates:
            candidate = template.format(topic=topic, year=day.year)
            if candidate not in used_titles:
                title = candidate
                break
        if not title:
            title = f"{templates[0].format(topic=topic, year=day.year)} ({day:%B %Y})"
        if (day, title) in taken:
            continue
        led_by = (
            Activity.LedBy.MEMBER
            if rng.random() < MEMBER_LED_CHANCE[_leadership_at(data, day)]
            else Activity.LedBy.STAFF
        )
        output = ""
        if characteristic == CREATION and outputs and rng.random() < 0.7:
            output = outputs.pop(0)
        planned.append(
            {
                "date": day,
                "title": title,
                "characteristic": characteristic,
                "description": DESCRIPTIONS[characteristic].format(topic=topic),
                "outputs": output,
                "led_by": led_by,
                "attendee_count": rng.randrange(5, 36),
            }
        )
        taken.add((day, title))
        used_titles.add(title)
    for item in planned:
        item["public_id"] = _uuid(rng)
    return planned


def _staff_lead_people(cops: dict[str, CommunityOfPractice]) -> dict[int, list[Any]]:
    """Per study community: (start, end, person id) of its fellows, then its chief investigator."""
    leads: dict[int, list[Any]] = defaultdict(list)
    study_cops = {cop.study_id: cop.pk for cop in cops.values() if cop.study_id}
    for sec in Secondment.objects.filter(study_id__in=study_cops).order_by("start", "pk"):
        leads[study_cops[sec.study_id]].append((sec.start, sec.end, sec.person_id))
    for role in RoleAssignment.objects.filter(
        study_id__in=study_cops, role=RoleAssignment.Role.CHIEF_INVESTIGATOR
    ).order_by("start", "pk"):
        leads[study_cops[role.study_id]].append((role.start, role.end, role.person_id))
    return leads


def _lead_for(options: list[Any], day: dt.date) -> int | None:
    for start, end, person_id in options:
        if start <= day and (end is None or day <= end):
            return int(person_id)
    return None


def _load_activities(
    cops: dict[str, CommunityOfPractice], today: dt.date, summary: Summary
) -> None:
    existing = set(
        Activity.objects.filter(cop__in=cops.values()).values_list("cop_id", "date", "title")
    )
    leads = _staff_lead_people(cops)
    new: list[Activity] = []
    for data in _all_cops():
        cop = cops[data["slug"]]
        for item in _plan_activities(data):
            if (cop.pk, item["date"], item["title"]) in existing:
                continue
            lead = None
            if item["led_by"] == Activity.LedBy.STAFF:
                lead = _lead_for(leads.get(cop.pk, []), item["date"])
            new.append(Activity(cop=cop, lead_person_id=lead, **item))
    created = Activity.objects.bulk_create(new)
    summary.created["activities"] += len(created)
    _add_attendees(created)
    _load_upcoming(cops, today, summary)


def _add_attendees(activities: list[Activity]) -> None:
    """Name some of those who came: members of the community at the time, up to the count."""
    if not activities:
        return
    members: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    rows = Membership.objects.filter(
        cop__in={activity.cop_id for activity in activities},
        associate__status=Associate.Status.ACTIVE,
        associate__email__in=_emails(),
    ).order_by("associate__email")
    for cop_id, associate_id, joined, left in rows.values_list(
        "cop_id", "associate_id", "joined", "left"
    ):
        members[cop_id].append(
            (timezone.localdate(joined), timezone.localdate(left) if left else None, associate_id)
        )
    through = Activity.attendees.through
    links = []
    for activity in activities:
        rng = random.Random(f"{SEED}:attendees:{activity.public_id}")  # noqa: S311 (demo data)
        there = [
            associate_id
            for joined, left, associate_id in members.get(activity.cop_id, [])
            if joined <= activity.date and (left is None or left > activity.date)
        ]
        named = min(len(there), int(activity.attendee_count * 0.6))
        for associate_id in rng.sample(there, named):
            links.append(through(activity_id=activity.pk, associate_id=associate_id))
    through.objects.bulk_create(links)


def _load_upcoming(cops: dict[str, CommunityOfPractice], today: dt.date, summary: Summary) -> None:
    data_by_slug = {data["slug"]: data for data in _all_cops()}
    for slug, days, title, characteristic in UPCOMING:
        cop = cops[slug]
        day = _weekday(today + dt.timedelta(days=days))
        model = _leadership_at(data_by_slug[slug], today)
        led_by = Activity.LedBy.STAFF if model == STAFF else Activity.LedBy.MEMBER
        activity = Activity.objects.filter(cop=cop, title=title).order_by("-date").first()
        if activity is None:
            Activity.objects.create(
                cop=cop,
                date=day,
                title=title,
                characteristic=characteristic,
                description="Open to all members. Details are sent with the invitation.",
                led_by=led_by,
                attendee_count=0,
            )
            summary.created["activities"] += 1
        elif activity.date < today and activity.attendee_count == 0:
            activity.date = day
            activity.save(update_fields=["date"])
            summary.updated += 1
