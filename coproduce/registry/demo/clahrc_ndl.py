"""The CLAHRC-NDL demo collaboration, as plain data (loaded by `coproduce loaddemo`).

The areas, themes, the sixteen study titles and their diffusion fellow (DF) posts come from the
published description of CLAHRC Nottinghamshire, Derbyshire and Lincolnshire. Everything else is
invented for the demo: every organisation and person here is fictional, emails use reserved
example domains, and the study summaries, designs and stages are illustrative.

How the DF figures come out (whatever the date the data is loaded on):
- 21 funded posts over 16 studies; 20 filled by current secondments (no end date), and the one
  PATCHWORK post vacant since its fellow's secondment ended;
- 24 people seconded over all time: the 20 current fellows and 4 whose secondments ended (three
  were replaced, on the CBT trial, the impact of injuries study and home visits after stroke).

Records point at each other by natural key: areas, organisations, themes and studies by slug,
people by email address, users by username.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NotRequired, TypedDict

D = dt.date

COLLABORATION = "CLAHRC Nottinghamshire, Derbyshire and Lincolnshire"

# Set only when a demo account is first created; a re-run keeps whatever password it has now.
DEMO_PASSWORD = "coproduce-demo"  # noqa: S105 (a published demo password, by design)


class AreaData(TypedDict):
    slug: str
    name: str


class OrganisationData(TypedDict):
    slug: str
    name: str
    kind: str
    area: str
    partner_since: dt.date


class ThemeData(TypedDict):
    slug: str
    name: str
    kind: str
    position: int
    summary: str


class StudyData(TypedDict):
    slug: str
    title: str
    acronym: str
    theme: str
    design: str
    stage: str
    start: dt.date
    df_posts: int
    partners: list[str]
    summary: str


class PersonData(TypedDict):
    email: str
    full_name: str
    organisation: str | None
    job_title: str
    orcid: NotRequired[str]


class RoleData(TypedDict):
    person: str
    study: str
    role: str
    start: dt.date
    end: NotRequired[dt.date]


class SecondmentData(TypedDict):
    person: str
    study: str
    home_organisation: str
    start: dt.date
    end: dt.date | None
    in_kind_value: Decimal


class PlacementData(TypedDict):
    person: str
    host_organisation: str
    academic_affiliation: str
    study: str | None
    focus: str
    start: dt.date
    end: dt.date | None


class UserData(TypedDict):
    username: str
    group: str
    first_name: str
    last_name: str
    email: str
    person: str | None


AREAS: list[AreaData] = [
    {"slug": "nottinghamshire", "name": "Nottinghamshire"},
    {"slug": "derbyshire", "name": "Derbyshire"},
    {"slug": "lincolnshire", "name": "Lincolnshire"},
]

PARTNERS_FROM = D(2008, 10, 1)

# Diffusion fellows are seconded one day a week.
DF_FTE = Decimal("0.20")

ORGANISATIONS: list[OrganisationData] = [
    # Universities: Trentside is the lead academic partner.
    {
        "slug": "trentside-university",
        "name": "Trentside University",
        "kind": "university",
        "area": "nottinghamshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "derwent-valley-university",
        "name": "Derwent Valley University",
        "kind": "university",
        "area": "derbyshire",
        "partner_since": PARTNERS_FROM,
    },
    # NHS trusts
    {
        "slug": "trentside-healthcare",
        "name": "Trentside Healthcare NHS Trust",
        "kind": "nhs_trust",
        "area": "nottinghamshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "greenwood-vale-hospitals",
        "name": "Greenwood Vale Hospitals NHS Foundation Trust",
        "kind": "nhs_trust",
        "area": "nottinghamshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "high-moor-health",
        "name": "High Moor Health NHS Foundation Trust",
        "kind": "nhs_trust",
        "area": "derbyshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "amberdale-royal",
        "name": "Amberdale Royal Hospital NHS Foundation Trust",
        "kind": "nhs_trust",
        "area": "derbyshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "witham-fens-partnership",
        "name": "Witham Fens Partnership NHS Trust",
        "kind": "nhs_trust",
        "area": "lincolnshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "wolds-and-marsh-hospitals",
        "name": "Wolds and Marsh Hospitals NHS Trust",
        "kind": "nhs_trust",
        "area": "lincolnshire",
        "partner_since": PARTNERS_FROM,
    },
    # Commissioners (primary care trusts, as they were in 2008)
    {
        "slug": "mapleford-pct",
        "name": "Mapleford Primary Care Trust",
        "kind": "commissioner",
        "area": "nottinghamshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "peakdale-pct",
        "name": "Peakdale Primary Care Trust",
        "kind": "commissioner",
        "area": "derbyshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "lindum-vale-pct",
        "name": "Lindum Vale Primary Care Trust",
        "kind": "commissioner",
        "area": "lincolnshire",
        "partner_since": PARTNERS_FROM,
    },
    # Local authorities
    {
        "slug": "mapleford-city-council",
        "name": "Mapleford City Council",
        "kind": "local_authority",
        "area": "nottinghamshire",
        "partner_since": PARTNERS_FROM,
    },
    {
        "slug": "edgemoor-borough-council",
        "name": "Edgemoor Borough Council",
        "kind": "local_authority",
        "area": "derbyshire",
        "partner_since": D(2009, 4, 1),
    },
    # Charities and voluntary organisations, a social enterprise, an industry partner
    {
        "slug": "open-doors-forum",
        "name": "Open Doors Mental Health Forum",
        "kind": "charity",
        "area": "nottinghamshire",
        "partner_since": D(2009, 1, 1),
    },
    {
        "slug": "fenbridge-stroke-group",
        "name": "Fenbridge Stroke Survivors' Group",
        "kind": "charity",
        "area": "lincolnshire",
        "partner_since": D(2009, 4, 1),
    },
    {
        "slug": "workwise-pathways",
        "name": "Workwise Pathways CIC",
        "kind": "social_enterprise",
        "area": "derbyshire",
        "partner_since": D(2009, 4, 1),
    },
    {
        "slug": "kinetica-rehab",
        "name": "Kinetica Rehab Systems Ltd",
        "kind": "industry",
        "area": "nottinghamshire",
        "partner_since": D(2010, 1, 4),
    },
]

THEMES: list[ThemeData] = [
    {
        "slug": "mental-health",
        "name": "Mental Health",
        "kind": "research",
        "position": 1,
        "summary": (
            "Studies with adults who live with serious or long-lasting mental health problems: "
            "getting ready for treatment, looking after physical and dental health, finding and "
            "keeping a job, and talking therapies for depression that has not lifted."
        ),
    },
    {
        "slug": "primary-care",
        "name": "Primary Care",
        "kind": "research",
        "position": 2,
        "summary": (
            "Studies rooted in general practice and community services: preventing diabetes, "
            "caring for health before pregnancy, recovery after an injury, and better support "
            "for people who often see their GP with symptoms that have no clear medical cause."
        ),
    },
    {
        "slug": "stroke-rehabilitation",
        "name": "Stroke Rehabilitation",
        "kind": "research",
        "position": 3,
        "summary": (
            "Studies of life after a stroke, designed with stroke survivors, carers and the "
            "therapists who treat them: leaving hospital sooner with support at home, home "
            "visits, regaining use of an arm and going back to work."
        ),
    },
    {
        "slug": "children-and-young-people",
        "name": "Children and Young People",
        "kind": "research",
        "position": 4,
        "summary": (
            "Studies with children, young people and their families: agreeing how progress is "
            "measured in child mental health services, managing ADHD medicines well, supporting "
            "parents, and helping children be more active at school."
        ),
    },
    {
        "slug": "implementation",
        "name": "Implementation",
        "kind": "cross_cutting",
        "position": 5,
        "summary": (
            "Works alongside every study to learn what helps and what gets in the way when "
            "partner organisations put findings into practice, and passes recommendations back "
            "to study teams while the research is still running."
        ),
    },
    {
        "slug": "engagement-synthesis-dissemination",
        "name": "Engagement, Synthesis and Dissemination",
        "kind": "cross_cutting",
        "position": 6,
        "summary": (
            "Grows the communities of practice and the associates network, draws out lessons "
            "that hold across studies, and shares results in forms that patients, carers, staff "
            "and commissioners can use."
        ),
    },
]

STUDIES: list[StudyData] = [
    # Mental Health
    {
        "slug": "readiness-for-treatment",
        "title": "Readiness for treatment for people with personality disorder",
        "acronym": "",
        "theme": "mental-health",
        "design": "mixed_methods",
        "stage": "analysis",
        "start": D(2009, 4, 1),
        "df_posts": 2,
        "partners": ["trentside-healthcare", "high-moor-health", "open-doors-forum"],
        "summary": (
            "Many people referred to personality disorder services leave treatment early, "
            "often because they were not ready for what it asks of them. This study works "
            "with clinicians and people who have used these services to describe what "
            "readiness looks like and to test a short assessment of it.\n\n"
            "The aim is a practical way for teams to judge when someone is ready, and what "
            "preparation helps those who are not yet ready, so that places in demanding "
            "therapies go further."
        ),
    },
    {
        "slug": "dental-and-physical-health",
        "title": ("Dental and physical health needs of people with serious mental health problems"),
        "acronym": "",
        "theme": "mental-health",
        "design": "mixed_methods",
        "stage": "recruiting",
        "start": D(2009, 9, 1),
        "df_posts": 1,
        "partners": ["trentside-healthcare", "peakdale-pct", "open-doors-forum"],
        "summary": (
            "People with serious mental illness die younger than the rest of the population, "
            "mostly from physical illnesses that could be prevented or treated, and their "
            "teeth are often neglected too. The study surveys the dental and physical health "
            "of people using community mental health services and talks with them, their "
            "carers and staff about what stops them getting care.\n\n"
            "Findings will shape simple checks and referral routes that mental health teams "
            "and dental services can run together."
        ),
    },
    {
        "slug": "supported-employment",
        "title": "Supported employment for people with severe mental health problems",
        "acronym": "",
        "theme": "mental-health",
        "design": "case_study",
        "stage": "implementing",
        "start": D(2009, 5, 1),
        "df_posts": 1,
        "partners": ["witham-fens-partnership", "workwise-pathways", "mapleford-city-council"],
        "summary": (
            "Most people with severe mental health problems want paid work, yet few have it. "
            "Supported employment places people in ordinary jobs quickly and gives them and "
            "their employer continuing help. This study follows employment specialists placed "
            "inside community mental health teams and records what it takes for the approach "
            "to work in local services and the local job market."
        ),
    },
    {
        "slug": "cbt-chronic-mood-disorder",
        "title": ("Trial of cognitive behavioural therapy for people with chronic mood disorder"),
        "acronym": "",
        "theme": "mental-health",
        "design": "trial",
        "stage": "recruiting",
        "start": D(2009, 4, 1),
        "df_posts": 2,
        "partners": ["trentside-healthcare", "high-moor-health", "mapleford-pct"],
        "summary": (
            "A randomised trial comparing a group-based form of cognitive behavioural therapy "
            "with usual care for adults whose depression has lasted two years or more. "
            "Therapists in partner trusts deliver the groups, and outcomes include mood, "
            "day-to-day functioning and use of services.\n\n"
            "Its community of practice brings therapists, researchers and service users "
            "together; members saw the need for follow-on groups run by service users once "
            "therapy ends, which the study now supports."
        ),
    },
    # Primary Care
    {
        "slug": "diabetes-risk-south-asian",
        "title": (
            "Reducing the risk of diabetes amongst members of the South Asian population "
            "in the East Midlands"
        ),
        "acronym": "",
        "theme": "primary-care",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 10, 1),
        "df_posts": 1,
        "partners": ["mapleford-pct", "derwent-valley-university", "mapleford-city-council"],
        "summary": (
            "People of South Asian origin develop type 2 diabetes more often and at a younger "
            "age. With community leaders and general practices, the study adapts a lifestyle "
            "programme on food and activity so that it suits local South Asian families, and "
            "tests in a feasibility trial whether people take it up and stay with it."
        ),
    },
    {
        "slug": "preconception-care",
        "title": "Exploring preconception care",
        "acronym": "",
        "theme": "primary-care",
        "design": "scoping",
        "stage": "analysis",
        "start": D(2009, 9, 1),
        "df_posts": 1,
        "partners": ["greenwood-vale-hospitals", "mapleford-pct"],
        "summary": (
            "Health before pregnancy, such as folic acid, weight, smoking and managing "
            "long-term conditions, affects both mother and baby, yet few women get advice "
            "before they conceive. This scoping study maps what general practices, pharmacies "
            "and maternity services offer now and asks women and professionals what would "
            "help, to point to the services worth developing."
        ),
    },
    {
        "slug": "impact-of-injuries",
        "title": "The impact of injuries study",
        "acronym": "",
        "theme": "primary-care",
        "design": "mixed_methods",
        "stage": "recruiting",
        "start": D(2009, 6, 1),
        "df_posts": 2,
        "partners": ["amberdale-royal", "greenwood-vale-hospitals", "peakdale-pct"],
        "summary": (
            "Injuries are a common reason for hospital visits, but little is known about how "
            "people recover in the months after they go home. The study follows adults "
            "treated for injuries over a year, measuring pain, mobility, mood and return to "
            "usual activities, and asks what help they received from primary care.\n\n"
            "The results will show who needs follow-up and which support makes a difference."
        ),
    },
    {
        "slug": "regular-attenders",
        "title": "Regular attenders with medically unexplained symptoms",
        "acronym": "",
        "theme": "primary-care",
        "design": "feasibility_rct",
        "stage": "set_up",
        "start": D(2009, 11, 1),
        "df_posts": 1,
        "partners": ["peakdale-pct", "trentside-healthcare"],
        "summary": (
            "Some patients see their GP very often with physical symptoms that tests cannot "
            "explain, which is distressing for them and hard for practices. The study trains "
            "practice teams in a structured way of explaining symptoms and planning care with "
            "the patient, and tests in a feasibility trial whether practices can deliver it "
            "and patients find it acceptable."
        ),
    },
    # Stroke Rehabilitation
    {
        "slug": "return-to-work-after-stroke",
        "title": "Return to work after stroke",
        "acronym": "",
        "theme": "stroke-rehabilitation",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 4, 1),
        "df_posts": 1,
        "partners": ["greenwood-vale-hospitals", "workwise-pathways", "fenbridge-stroke-group"],
        "summary": (
            "Going back to work matters a great deal to younger stroke survivors, but few "
            "get specialist help to do it. An occupational therapist starts work-focused "
            "rehabilitation early and keeps in touch with the survivor and the employer; a "
            "feasibility trial compares this with usual care.\n\n"
            "The study's community of practice draws in stroke survivors, carers and "
            "employment advisers from outside the NHS. Its members drafted a pro forma for "
            "recording what each person's intervention contained."
        ),
    },
    {
        "slug": "home-visits-after-stroke",
        "title": "Home visits after stroke",
        "acronym": "",
        "theme": "stroke-rehabilitation",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 5, 1),
        "df_posts": 1,
        "partners": ["wolds-and-marsh-hospitals", "fenbridge-stroke-group"],
        "summary": (
            "Occupational therapists often visit a patient's home before discharge from a "
            "stroke unit to check it is safe, but the visits take time and their benefit is "
            "unclear. This feasibility trial compares a pre-discharge visit with an "
            "interview-based assessment held on the ward, looking at confidence, daily "
            "activities and readmission."
        ),
    },
    {
        "slug": "upper-limb-virtual-reality",
        "title": "Home-based upper limb virtual reality rehabilitation after stroke",
        "acronym": "",
        "theme": "stroke-rehabilitation",
        "design": "case_study",
        "stage": "recruiting",
        "start": D(2009, 10, 1),
        "df_posts": 1,
        "partners": ["amberdale-royal", "derwent-valley-university", "kinetica-rehab"],
        "summary": (
            "Many stroke survivors have a weak arm long after they leave hospital, and "
            "therapy time is scarce. The study develops a game-based virtual reality system "
            "that people can use at home to practise arm movements, with an industry partner, "
            "and tries it with a small number of survivors and their therapists to see how "
            "much it is used and what needs to change."
        ),
    },
    {
        "slug": "early-supported-discharge",
        "title": "Implementation of Early Supported Discharge following stroke",
        "acronym": "",
        "theme": "stroke-rehabilitation",
        "design": "case_study",
        "stage": "implementing",
        "start": D(2010, 1, 4),
        "df_posts": 1,
        "partners": ["trentside-healthcare", "greenwood-vale-hospitals", "mapleford-pct"],
        "summary": (
            "Early supported discharge lets people leave hospital sooner after a stroke, with "
            "a specialist team continuing their rehabilitation at home. The evidence for it "
            "is strong, yet services differ from place to place.\n\n"
            "This study follows teams as they set up and run the service, and records the "
            "barriers and enablers they meet so that other areas can learn from them."
        ),
    },
    # Children and Young People
    {
        "slug": "cato",
        "title": (
            "Consensus in assessment and treatment outcomes for children/young people's "
            "mental health"
        ),
        "acronym": "CATO",
        "theme": "children-and-young-people",
        "design": "mixed_methods",
        "stage": "analysis",
        "start": D(2009, 9, 1),
        "df_posts": 1,
        "partners": ["high-moor-health", "witham-fens-partnership", "lindum-vale-pct"],
        "summary": (
            "Child and adolescent mental health services measure progress in many different "
            "ways, which makes it hard to compare services or learn from them. CATO brings "
            "young people, parents, clinicians and commissioners to agreement on a small set "
            "of outcome measures, through consensus rounds and workshops, and then checks "
            "whether clinics can collect them routinely."
        ),
    },
    {
        "slug": "mosaic",
        "title": "Medication optimisation strategy for ADHD management in childhood",
        "acronym": "MOSAIC",
        "theme": "children-and-young-people",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 6, 1),
        "df_posts": 2,
        "partners": ["greenwood-vale-hospitals", "trentside-healthcare", "mapleford-pct"],
        "summary": (
            "Children with ADHD are often kept on the same medicine dose for long periods "
            "without a systematic check of how well it works. MOSAIC tests a structured "
            "review, using reports from parents and teachers and objective measures of "
            "attention, to adjust treatment, in a feasibility trial in paediatric and child "
            "mental health clinics."
        ),
    },
    {
        "slug": "patchwork",
        "title": "Group parenting programme for children with ADHD",
        "acronym": "PATCHWORK",
        "theme": "children-and-young-people",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 9, 1),
        "df_posts": 1,
        "partners": ["witham-fens-partnership", "lindum-vale-pct"],
        "summary": (
            "Parents of young children with ADHD symptoms often struggle with behaviour at "
            "home. PATCHWORK offers a group programme that teaches practical strategies and "
            "gives parents time with others in the same position, and tests in a feasibility "
            "trial whether families attend and whether it can be run by local child health "
            "staff."
        ),
    },
    {
        "slug": "stak",
        "title": "Steps to Active Kids, a school-based activity programme",
        "acronym": "STAK",
        "theme": "children-and-young-people",
        "design": "feasibility_rct",
        "stage": "recruiting",
        "start": D(2009, 9, 1),
        "df_posts": 2,
        "partners": ["lindum-vale-pct", "peakdale-pct", "edgemoor-borough-council"],
        "summary": (
            "Few primary school children are active for an hour a day. STAK gives schools a "
            "programme of short activity sessions built into the school day and encourages "
            "walking to school, and a feasibility trial across primary schools checks whether "
            "teachers can deliver it and whether activity levels rise."
        ),
    },
]

# People: invented names. NHS staff use <trust>.nhs.example addresses; everyone else example.org.
PEOPLE: list[PersonData] = [
    # Collaboration management
    {
        "email": "eleanor.hartington@trentside.example.org",
        "full_name": "Eleanor Hartington",
        "organisation": "trentside-university",
        "job_title": "Programme Manager, CLAHRC-NDL",
    },
    # Chief investigators
    {
        "email": "helen.marchbank@trentside.example.org",
        "full_name": "Helen Marchbank",
        "organisation": "trentside-university",
        "job_title": "Professor of Forensic Mental Health",
        "orcid": "0000-0002-7318-4424",
    },
    {
        "email": "daniel.okonjo@trentside.example.org",
        "full_name": "Daniel Okonjo",
        "organisation": "trentside-university",
        "job_title": "Clinical Associate Professor of Psychiatry",
    },
    {
        "email": "rachel.fennimore@trentside.example.org",
        "full_name": "Rachel Fennimore",
        "organisation": "trentside-university",
        "job_title": "Associate Professor of Mental Health and Work",
    },
    {
        "email": "simon.ashcombe@trentside.example.org",
        "full_name": "Simon Ashcombe",
        "organisation": "trentside-university",
        "job_title": "Professor of Clinical Psychology",
        "orcid": "0000-0003-1956-2700",
    },
    {
        "email": "priya.raghunathan@derwentvalley.example.org",
        "full_name": "Priya Raghunathan",
        "organisation": "derwent-valley-university",
        "job_title": "Professor of Diabetes Prevention",
        "orcid": "0000-0002-4480-9130",
    },
    {
        "email": "clare.whitlow@trentside.example.org",
        "full_name": "Clare Whitlow",
        "organisation": "trentside-university",
        "job_title": "Associate Professor of Midwifery",
    },
    {
        "email": "martin.kettleby@trentside.example.org",
        "full_name": "Martin Kettleby",
        "organisation": "trentside-university",
        "job_title": "Professor of Primary Care Research",
    },
    {
        "email": "gwen.hallam@trentside.example.org",
        "full_name": "Gwen Hallam",
        "organisation": "trentside-university",
        "job_title": "General Practitioner and Clinical Senior Lecturer",
    },
    {
        "email": "joanne.pennington@trentside.example.org",
        "full_name": "Joanne Pennington",
        "organisation": "trentside-university",
        "job_title": "Professor of Rehabilitation Research",
        "orcid": "0000-0001-9037-1654",
    },
    {
        "email": "alistair.brereton@trentside.example.org",
        "full_name": "Alistair Brereton",
        "organisation": "trentside-university",
        "job_title": "Associate Professor of Occupational Therapy",
    },
    {
        "email": "yusuf.demir@derwentvalley.example.org",
        "full_name": "Yusuf Demir",
        "organisation": "derwent-valley-university",
        "job_title": "Associate Professor of Rehabilitation Engineering",
        "orcid": "0000-0003-4412-5860",
    },
    {
        "email": "fiona.castleton@greenwoodvale.nhs.example",
        "full_name": "Fiona Castleton",
        "organisation": "greenwood-vale-hospitals",
        "job_title": "Consultant Stroke Physician",
    },
    {
        "email": "ruth.stanyard@trentside.example.org",
        "full_name": "Ruth Stanyard",
        "organisation": "trentside-university",
        "job_title": "Professor of Child and Adolescent Psychiatry",
        "orcid": "0000-0002-8355-170X",
    },
    {
        "email": "thomas.ellery@trentside.example.org",
        "full_name": "Thomas Ellery",
        "organisation": "trentside-university",
        "job_title": "Associate Professor of Child Health",
    },
    {
        "email": "bethan.morcombe@derwentvalley.example.org",
        "full_name": "Bethan Morcombe",
        "organisation": "derwent-valley-university",
        "job_title": "Associate Professor of Physical Activity and Health",
    },
    # Researchers
    {
        "email": "kirsty.lomax@trentside.example.org",
        "full_name": "Kirsty Lomax",
        "organisation": "trentside-university",
        "job_title": "Research Fellow",
    },
    {
        "email": "oliver.prendergast@trentside.example.org",
        "full_name": "Oliver Prendergast",
        "organisation": "trentside-university",
        "job_title": "Research Fellow and Trial Manager",
    },
    {
        "email": "aisha.mahmood@derwentvalley.example.org",
        "full_name": "Aisha Mahmood",
        "organisation": "derwent-valley-university",
        "job_title": "Research Associate",
    },
    {
        "email": "megan.threlfall@trentside.example.org",
        "full_name": "Megan Threlfall",
        "organisation": "trentside-university",
        "job_title": "Research Fellow",
    },
    {
        "email": "laura.tindall@trentside.example.org",
        "full_name": "Laura Tindall",
        "organisation": "trentside-university",
        "job_title": "Research Fellow in Stroke Rehabilitation",
    },
    {
        "email": "sean.mulcahy@trentside.example.org",
        "full_name": "Sean Mulcahy",
        "organisation": "trentside-university",
        "job_title": "Research Assistant",
    },
    {
        "email": "hannah.boswell@trentside.example.org",
        "full_name": "Hannah Boswell",
        "organisation": "trentside-university",
        "job_title": "Research Fellow in Child Health",
    },
    {
        "email": "ben.oyelaran@derwentvalley.example.org",
        "full_name": "Ben Oyelaran",
        "organisation": "derwent-valley-university",
        "job_title": "Research Assistant",
    },
    # Implementation researchers
    {
        "email": "catherine.aldous@trentside.example.org",
        "full_name": "Catherine Aldous",
        "organisation": "trentside-university",
        "job_title": "Senior Research Fellow in Implementation Science",
        "orcid": "0000-0002-6645-0317",
    },
    {
        "email": "mark.hensby@trentside.example.org",
        "full_name": "Mark Hensby",
        "organisation": "trentside-university",
        "job_title": "Implementation Research Fellow",
    },
    {
        "email": "gita.chauhan@trentside.example.org",
        "full_name": "Gita Chauhan",
        "organisation": "trentside-university",
        "job_title": "Implementation Research Fellow",
    },
    # Researchers in residence
    {
        "email": "zoe.catterall@trentside.example.org",
        "full_name": "Zoe Catterall",
        "organisation": "trentside-university",
        "job_title": "Researcher in Residence",
    },
    {
        "email": "imran.qureshi@derwentvalley.example.org",
        "full_name": "Imran Qureshi",
        "organisation": "derwent-valley-university",
        "job_title": "Researcher in Residence",
    },
    {
        "email": "sophie.langridge@trentside.example.org",
        "full_name": "Sophie Langridge",
        "organisation": "trentside-university",
        "job_title": "Researcher in Residence",
    },
    # Commissioners and managers on steering committees
    {
        "email": "philippa.renshaw@mapleford.nhs.example",
        "full_name": "Philippa Renshaw",
        "organisation": "mapleford-pct",
        "job_title": "Head of Mental Health Commissioning",
    },
    {
        "email": "keith.dunmore@maplefordcity.example.org",
        "full_name": "Keith Dunmore",
        "organisation": "mapleford-city-council",
        "job_title": "Assistant Director, Adult Social Care",
    },
    {
        "email": "sandra.lockwood@woldsandmarsh.nhs.example",
        "full_name": "Sandra Lockwood",
        "organisation": "wolds-and-marsh-hospitals",
        "job_title": "Stroke Services Manager",
    },
    {
        "email": "victor.ansell@lindumvale.nhs.example",
        "full_name": "Victor Ansell",
        "organisation": "lindum-vale-pct",
        "job_title": "Commissioning Manager, Children's Services",
    },
    # Service users and carers: personal addresses; some are members of a partner charity
    {
        "email": "derek.smalley@example.org",
        "full_name": "Derek Smalley",
        "organisation": "fenbridge-stroke-group",
        "job_title": "",
    },
    {
        "email": "maureen.ibbotson@example.org",
        "full_name": "Maureen Ibbotson",
        "organisation": None,
        "job_title": "",
    },
    {
        "email": "jason.whitworth@example.org",
        "full_name": "Jason Whitworth",
        "organisation": "open-doors-forum",
        "job_title": "",
    },
    {
        "email": "pauline.grice@example.org",
        "full_name": "Pauline Grice",
        "organisation": None,
        "job_title": "",
    },
    {
        "email": "tariq.hussain@example.org",
        "full_name": "Tariq Hussain",
        "organisation": None,
        "job_title": "",
    },
    {
        "email": "lorraine.fairbrother@example.org",
        "full_name": "Lorraine Fairbrother",
        "organisation": "open-doors-forum",
        "job_title": "",
    },
    {
        "email": "graham.pilkington@example.org",
        "full_name": "Graham Pilkington",
        "organisation": None,
        "job_title": "",
    },
    {
        "email": "anita.kowalczyk@example.org",
        "full_name": "Anita Kowalczyk",
        "organisation": None,
        "job_title": "",
    },
    # Diffusion fellows: senior clinicians and managers seconded from partner organisations
    {
        "email": "ian.corbridge@trentsidehealthcare.nhs.example",
        "full_name": "Ian Corbridge",
        "organisation": "trentside-healthcare",
        "job_title": "Consultant Forensic Psychiatrist",
    },
    {
        "email": "jacqueline.mottram@highmoor.nhs.example",
        "full_name": "Jacqueline Mottram",
        "organisation": "high-moor-health",
        "job_title": "Nurse Consultant, Personality Disorder Services",
    },
    {
        "email": "andrew.pegg@peakdale.nhs.example",
        "full_name": "Andrew Pegg",
        "organisation": "peakdale-pct",
        "job_title": "Clinical Director, Community Dental Services",
    },
    {
        "email": "lynne.harrop@withamfens.nhs.example",
        "full_name": "Lynne Harrop",
        "organisation": "witham-fens-partnership",
        "job_title": "Head of Occupational Therapy",
    },
    {
        "email": "richard.beardsall@trentsidehealthcare.nhs.example",
        "full_name": "Richard Beardsall",
        "organisation": "trentside-healthcare",
        "job_title": "Consultant Clinical Psychologist",
    },
    {
        "email": "samina.akhtar@trentsidehealthcare.nhs.example",
        "full_name": "Samina Akhtar",
        "organisation": "trentside-healthcare",
        "job_title": "Consultant Clinical Psychologist",
    },
    {
        "email": "peter.hollis@highmoor.nhs.example",
        "full_name": "Peter Hollis",
        "organisation": "high-moor-health",
        "job_title": "Psychological Therapies Service Manager",
    },
    {
        "email": "harjit.sandhu@mapleford.nhs.example",
        "full_name": "Harjit Sandhu",
        "organisation": "mapleford-pct",
        "job_title": "General Practitioner and Clinical Lead for Diabetes",
    },
    {
        "email": "carol.whiteley@greenwoodvale.nhs.example",
        "full_name": "Carol Whiteley",
        "organisation": "greenwood-vale-hospitals",
        "job_title": "Consultant Midwife",
    },
    {
        "email": "neil.ashworth@amberdaleroyal.nhs.example",
        "full_name": "Neil Ashworth",
        "organisation": "amberdale-royal",
        "job_title": "Consultant in Emergency Medicine",
    },
    {
        "email": "karen.bottomley@amberdaleroyal.nhs.example",
        "full_name": "Karen Bottomley",
        "organisation": "amberdale-royal",
        "job_title": "Lead Nurse, Trauma Services",
    },
    {
        "email": "julie.stirland@amberdaleroyal.nhs.example",
        "full_name": "Julie Stirland",
        "organisation": "amberdale-royal",
        "job_title": "Matron, Emergency Department",
    },
    {
        "email": "mark.featherstone@peakdale.nhs.example",
        "full_name": "Mark Featherstone",
        "organisation": "peakdale-pct",
        "job_title": "General Practitioner and Locality Clinical Lead",
    },
    {
        "email": "angela.wragg@greenwoodvale.nhs.example",
        "full_name": "Angela Wragg",
        "organisation": "greenwood-vale-hospitals",
        "job_title": "Clinical Specialist Occupational Therapist, Stroke",
    },
    {
        "email": "christine.holroyd@woldsandmarsh.nhs.example",
        "full_name": "Christine Holroyd",
        "organisation": "wolds-and-marsh-hospitals",
        "job_title": "Head of Occupational Therapy",
    },
    {
        "email": "deborah.moseley@woldsandmarsh.nhs.example",
        "full_name": "Deborah Moseley",
        "organisation": "wolds-and-marsh-hospitals",
        "job_title": "Occupational Therapy Team Lead, Stroke",
    },
    {
        "email": "gareth.pryce@amberdaleroyal.nhs.example",
        "full_name": "Gareth Pryce",
        "organisation": "amberdale-royal",
        "job_title": "Consultant Physiotherapist, Neurorehabilitation",
    },
    {
        "email": "susan.frecklington@trentsidehealthcare.nhs.example",
        "full_name": "Susan Frecklington",
        "organisation": "trentside-healthcare",
        "job_title": "Community Stroke Services Manager",
    },
    {
        "email": "eamon.fitzgerald@highmoor.nhs.example",
        "full_name": "Eamon Fitzgerald",
        "organisation": "high-moor-health",
        "job_title": "Consultant Child and Adolescent Psychiatrist",
    },
    {
        "email": "louise.brackenbury@greenwoodvale.nhs.example",
        "full_name": "Louise Brackenbury",
        "organisation": "greenwood-vale-hospitals",
        "job_title": "Consultant Community Paediatrician",
    },
    {
        "email": "rebecca.toplis@trentsidehealthcare.nhs.example",
        "full_name": "Rebecca Toplis",
        "organisation": "trentside-healthcare",
        "job_title": "Nurse Specialist, ADHD",
    },
    {
        "email": "michelle.doughty@withamfens.nhs.example",
        "full_name": "Michelle Doughty",
        "organisation": "witham-fens-partnership",
        "job_title": "Service Manager, Child and Adolescent Mental Health",
    },
    {
        "email": "paul.garside@lindumvale.nhs.example",
        "full_name": "Paul Garside",
        "organisation": "lindum-vale-pct",
        "job_title": "Public Health Lead for Physical Activity",
    },
    {
        "email": "nicola.sharratt@peakdale.nhs.example",
        "full_name": "Nicola Sharratt",
        "organisation": "peakdale-pct",
        "job_title": "Head of School Health Nursing",
    },
]

# Secondments of diffusion fellows, 0.2 FTE each. Current ones have no end date, so the counts
# of filled posts hold on any date the data is loaded or viewed.
SECONDMENTS: list[SecondmentData] = [
    # Readiness for treatment: 2 posts
    {
        "person": "ian.corbridge@trentsidehealthcare.nhs.example",
        "study": "readiness-for-treatment",
        "home_organisation": "trentside-healthcare",
        "start": D(2009, 4, 1),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    {
        "person": "jacqueline.mottram@highmoor.nhs.example",
        "study": "readiness-for-treatment",
        "home_organisation": "high-moor-health",
        "start": D(2009, 6, 1),
        "end": None,
        "in_kind_value": Decimal("14500"),
    },
    # Dental and physical health: 1 post
    {
        "person": "andrew.pegg@peakdale.nhs.example",
        "study": "dental-and-physical-health",
        "home_organisation": "peakdale-pct",
        "start": D(2009, 9, 1),
        "end": None,
        "in_kind_value": Decimal("16000"),
    },
    # Supported employment: 1 post
    {
        "person": "lynne.harrop@withamfens.nhs.example",
        "study": "supported-employment",
        "home_organisation": "witham-fens-partnership",
        "start": D(2009, 5, 1),
        "end": None,
        "in_kind_value": Decimal("13500"),
    },
    # CBT for chronic mood disorder: 2 posts; the first fellow left and was replaced
    {
        "person": "richard.beardsall@trentsidehealthcare.nhs.example",
        "study": "cbt-chronic-mood-disorder",
        "home_organisation": "trentside-healthcare",
        "start": D(2009, 4, 1),
        "end": D(2010, 7, 31),
        "in_kind_value": Decimal("17000"),
    },
    {
        "person": "samina.akhtar@trentsidehealthcare.nhs.example",
        "study": "cbt-chronic-mood-disorder",
        "home_organisation": "trentside-healthcare",
        "start": D(2010, 10, 1),
        "end": None,
        "in_kind_value": Decimal("17000"),
    },
    {
        "person": "peter.hollis@highmoor.nhs.example",
        "study": "cbt-chronic-mood-disorder",
        "home_organisation": "high-moor-health",
        "start": D(2009, 7, 1),
        "end": None,
        "in_kind_value": Decimal("15000"),
    },
    # Diabetes risk: 1 post
    {
        "person": "harjit.sandhu@mapleford.nhs.example",
        "study": "diabetes-risk-south-asian",
        "home_organisation": "mapleford-pct",
        "start": D(2009, 10, 1),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    # Preconception care: 1 post
    {
        "person": "carol.whiteley@greenwoodvale.nhs.example",
        "study": "preconception-care",
        "home_organisation": "greenwood-vale-hospitals",
        "start": D(2009, 9, 1),
        "end": None,
        "in_kind_value": Decimal("14000"),
    },
    # Impact of injuries: 2 posts; one fellow moved on and was replaced
    {
        "person": "neil.ashworth@amberdaleroyal.nhs.example",
        "study": "impact-of-injuries",
        "home_organisation": "amberdale-royal",
        "start": D(2009, 6, 1),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    {
        "person": "karen.bottomley@amberdaleroyal.nhs.example",
        "study": "impact-of-injuries",
        "home_organisation": "amberdale-royal",
        "start": D(2009, 6, 1),
        "end": D(2010, 3, 31),
        "in_kind_value": Decimal("12500"),
    },
    {
        "person": "julie.stirland@amberdaleroyal.nhs.example",
        "study": "impact-of-injuries",
        "home_organisation": "amberdale-royal",
        "start": D(2010, 5, 4),
        "end": None,
        "in_kind_value": Decimal("13000"),
    },
    # Regular attenders: 1 post
    {
        "person": "mark.featherstone@peakdale.nhs.example",
        "study": "regular-attenders",
        "home_organisation": "peakdale-pct",
        "start": D(2009, 11, 2),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    # Return to work after stroke: 1 post
    {
        "person": "angela.wragg@greenwoodvale.nhs.example",
        "study": "return-to-work-after-stroke",
        "home_organisation": "greenwood-vale-hospitals",
        "start": D(2009, 4, 1),
        "end": None,
        "in_kind_value": Decimal("13500"),
    },
    # Home visits after stroke: 1 post; the first fellow retired and was replaced
    {
        "person": "christine.holroyd@woldsandmarsh.nhs.example",
        "study": "home-visits-after-stroke",
        "home_organisation": "wolds-and-marsh-hospitals",
        "start": D(2009, 5, 1),
        "end": D(2010, 8, 31),
        "in_kind_value": Decimal("14000"),
    },
    {
        "person": "deborah.moseley@woldsandmarsh.nhs.example",
        "study": "home-visits-after-stroke",
        "home_organisation": "wolds-and-marsh-hospitals",
        "start": D(2010, 10, 1),
        "end": None,
        "in_kind_value": Decimal("12500"),
    },
    # Upper limb virtual reality: 1 post
    {
        "person": "gareth.pryce@amberdaleroyal.nhs.example",
        "study": "upper-limb-virtual-reality",
        "home_organisation": "amberdale-royal",
        "start": D(2009, 10, 1),
        "end": None,
        "in_kind_value": Decimal("15500"),
    },
    # Early supported discharge: 1 post
    {
        "person": "susan.frecklington@trentsidehealthcare.nhs.example",
        "study": "early-supported-discharge",
        "home_organisation": "trentside-healthcare",
        "start": D(2010, 1, 4),
        "end": None,
        "in_kind_value": Decimal("14000"),
    },
    # CATO: 1 post
    {
        "person": "eamon.fitzgerald@highmoor.nhs.example",
        "study": "cato",
        "home_organisation": "high-moor-health",
        "start": D(2009, 9, 1),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    # MOSAIC: 2 posts
    {
        "person": "louise.brackenbury@greenwoodvale.nhs.example",
        "study": "mosaic",
        "home_organisation": "greenwood-vale-hospitals",
        "start": D(2009, 6, 1),
        "end": None,
        "in_kind_value": Decimal("18000"),
    },
    {
        "person": "rebecca.toplis@trentsidehealthcare.nhs.example",
        "study": "mosaic",
        "home_organisation": "trentside-healthcare",
        "start": D(2009, 6, 1),
        "end": None,
        "in_kind_value": Decimal("12000"),
    },
    # PATCHWORK: 1 post, vacant since its fellow's secondment ended
    {
        "person": "michelle.doughty@withamfens.nhs.example",
        "study": "patchwork",
        "home_organisation": "witham-fens-partnership",
        "start": D(2009, 9, 1),
        "end": D(2011, 6, 30),
        "in_kind_value": Decimal("15000"),
    },
    # STAK: 2 posts
    {
        "person": "paul.garside@lindumvale.nhs.example",
        "study": "stak",
        "home_organisation": "lindum-vale-pct",
        "start": D(2009, 9, 1),
        "end": None,
        "in_kind_value": Decimal("15000"),
    },
    {
        "person": "nicola.sharratt@peakdale.nhs.example",
        "study": "stak",
        "home_organisation": "peakdale-pct",
        "start": D(2010, 1, 4),
        "end": None,
        "in_kind_value": Decimal("13000"),
    },
]


def _roles(role: str, person: str, start: dt.date, *studies: str) -> list[RoleData]:
    return [{"person": person, "study": study, "role": role, "start": start} for study in studies]


CI = "chief_investigator"
RESEARCHER = "researcher"
IMPLEMENTATION = "implementation_researcher"
SERVICE_USER = "service_user"
CARER = "carer"
STEERING = "steering_committee"
COMMISSIONER = "commissioner"
COP_LEAD = "cop_lead"

ROLES: list[RoleData] = [
    # One chief investigator per study
    *_roles(CI, "helen.marchbank@trentside.example.org", D(2009, 4, 1), "readiness-for-treatment"),
    *_roles(CI, "daniel.okonjo@trentside.example.org", D(2009, 9, 1), "dental-and-physical-health"),
    *_roles(CI, "rachel.fennimore@trentside.example.org", D(2009, 5, 1), "supported-employment"),
    *_roles(CI, "simon.ashcombe@trentside.example.org", D(2009, 4, 1), "cbt-chronic-mood-disorder"),
    *_roles(
        CI,
        "priya.raghunathan@derwentvalley.example.org",
        D(2009, 10, 1),
        "diabetes-risk-south-asian",
    ),
    *_roles(CI, "clare.whitlow@trentside.example.org", D(2009, 9, 1), "preconception-care"),
    *_roles(CI, "martin.kettleby@trentside.example.org", D(2009, 6, 1), "impact-of-injuries"),
    *_roles(CI, "gwen.hallam@trentside.example.org", D(2009, 11, 1), "regular-attenders"),
    *_roles(
        CI, "joanne.pennington@trentside.example.org", D(2009, 4, 1), "return-to-work-after-stroke"
    ),
    *_roles(
        CI, "alistair.brereton@trentside.example.org", D(2009, 5, 1), "home-visits-after-stroke"
    ),
    *_roles(
        CI, "yusuf.demir@derwentvalley.example.org", D(2009, 10, 1), "upper-limb-virtual-reality"
    ),
    *_roles(
        CI, "fiona.castleton@greenwoodvale.nhs.example", D(2010, 1, 4), "early-supported-discharge"
    ),
    *_roles(CI, "ruth.stanyard@trentside.example.org", D(2009, 9, 1), "cato"),
    *_roles(CI, "ruth.stanyard@trentside.example.org", D(2009, 6, 1), "mosaic"),
    *_roles(CI, "thomas.ellery@trentside.example.org", D(2009, 9, 1), "patchwork"),
    *_roles(CI, "bethan.morcombe@derwentvalley.example.org", D(2009, 9, 1), "stak"),
    # Researchers
    *_roles(
        RESEARCHER,
        "kirsty.lomax@trentside.example.org",
        D(2009, 7, 1),
        "readiness-for-treatment",
        "dental-and-physical-health",
    ),
    *_roles(
        RESEARCHER,
        "oliver.prendergast@trentside.example.org",
        D(2009, 4, 1),
        "cbt-chronic-mood-disorder",
    ),
    *_roles(
        RESEARCHER,
        "aisha.mahmood@derwentvalley.example.org",
        D(2009, 10, 1),
        "diabetes-risk-south-asian",
    ),
    *_roles(
        RESEARCHER,
        "megan.threlfall@trentside.example.org",
        D(2009, 6, 1),
        "impact-of-injuries",
        "regular-attenders",
    ),
    *_roles(
        RESEARCHER,
        "laura.tindall@trentside.example.org",
        D(2009, 4, 1),
        "return-to-work-after-stroke",
    ),
    *_roles(
        RESEARCHER,
        "sean.mulcahy@trentside.example.org",
        D(2010, 1, 4),
        "home-visits-after-stroke",
        "early-supported-discharge",
    ),
    *_roles(
        RESEARCHER,
        "hannah.boswell@trentside.example.org",
        D(2009, 9, 1),
        "mosaic",
        "patchwork",
    ),
    *_roles(RESEARCHER, "ben.oyelaran@derwentvalley.example.org", D(2009, 9, 1), "stak"),
    # A researcher who moved on: kept as history
    {
        "person": "sean.mulcahy@trentside.example.org",
        "study": "upper-limb-virtual-reality",
        "role": RESEARCHER,
        "start": D(2009, 10, 1),
        "end": D(2010, 12, 31),
    },
    # Implementation researchers, working into most of the studies
    *_roles(
        IMPLEMENTATION,
        "catherine.aldous@trentside.example.org",
        D(2009, 10, 1),
        "readiness-for-treatment",
        "supported-employment",
        "cbt-chronic-mood-disorder",
        "cato",
    ),
    *_roles(
        IMPLEMENTATION,
        "mark.hensby@trentside.example.org",
        D(2009, 10, 1),
        "return-to-work-after-stroke",
        "home-visits-after-stroke",
        "early-supported-discharge",
        "upper-limb-virtual-reality",
    ),
    *_roles(
        IMPLEMENTATION,
        "gita.chauhan@trentside.example.org",
        D(2010, 2, 1),
        "diabetes-risk-south-asian",
        "regular-attenders",
        "mosaic",
        "stak",
    ),
    # Service users and carers, most of them also on the study's steering committee
    *_roles(
        SERVICE_USER,
        "derek.smalley@example.org",
        D(2009, 6, 1),
        "return-to-work-after-stroke",
    ),
    *_roles(STEERING, "derek.smalley@example.org", D(2009, 6, 1), "return-to-work-after-stroke"),
    *_roles(
        CARER,
        "maureen.ibbotson@example.org",
        D(2009, 6, 1),
        "return-to-work-after-stroke",
        "home-visits-after-stroke",
    ),
    *_roles(
        SERVICE_USER, "jason.whitworth@example.org", D(2009, 5, 1), "cbt-chronic-mood-disorder"
    ),
    *_roles(STEERING, "jason.whitworth@example.org", D(2009, 5, 1), "cbt-chronic-mood-disorder"),
    *_roles(CARER, "pauline.grice@example.org", D(2009, 9, 1), "mosaic", "patchwork"),
    *_roles(STEERING, "pauline.grice@example.org", D(2009, 9, 1), "patchwork"),
    *_roles(SERVICE_USER, "tariq.hussain@example.org", D(2009, 11, 1), "diabetes-risk-south-asian"),
    *_roles(STEERING, "tariq.hussain@example.org", D(2009, 11, 1), "diabetes-risk-south-asian"),
    *_roles(
        SERVICE_USER, "lorraine.fairbrother@example.org", D(2009, 6, 1), "supported-employment"
    ),
    *_roles(STEERING, "lorraine.fairbrother@example.org", D(2009, 6, 1), "supported-employment"),
    *_roles(
        SERVICE_USER, "graham.pilkington@example.org", D(2010, 2, 1), "upper-limb-virtual-reality"
    ),
    *_roles(CARER, "anita.kowalczyk@example.org", D(2009, 10, 1), "cato"),
    *_roles(STEERING, "anita.kowalczyk@example.org", D(2009, 10, 1), "cato"),
    # Commissioners and managers on steering committees
    *_roles(
        COMMISSIONER,
        "philippa.renshaw@mapleford.nhs.example",
        D(2009, 4, 1),
        "cbt-chronic-mood-disorder",
    ),
    *_roles(
        STEERING,
        "philippa.renshaw@mapleford.nhs.example",
        D(2009, 4, 1),
        "cbt-chronic-mood-disorder",
        "dental-and-physical-health",
    ),
    *_roles(
        STEERING,
        "keith.dunmore@maplefordcity.example.org",
        D(2009, 6, 1),
        "supported-employment",
        "early-supported-discharge",
    ),
    *_roles(
        STEERING,
        "sandra.lockwood@woldsandmarsh.nhs.example",
        D(2009, 6, 1),
        "home-visits-after-stroke",
        "early-supported-discharge",
    ),
    *_roles(COMMISSIONER, "victor.ansell@lindumvale.nhs.example", D(2009, 9, 1), "patchwork"),
    *_roles(STEERING, "victor.ansell@lindumvale.nhs.example", D(2009, 9, 1), "patchwork", "stak"),
    # Diffusion fellows who lead their study's community of practice
    *_roles(
        COP_LEAD,
        "angela.wragg@greenwoodvale.nhs.example",
        D(2010, 4, 1),
        "return-to-work-after-stroke",
    ),
    *_roles(
        COP_LEAD,
        "peter.hollis@highmoor.nhs.example",
        D(2010, 4, 1),
        "cbt-chronic-mood-disorder",
    ),
]

PLACEMENTS: list[PlacementData] = [
    {
        "person": "zoe.catterall@trentside.example.org",
        "host_organisation": "greenwood-vale-hospitals",
        "academic_affiliation": "trentside-university",
        "study": "early-supported-discharge",
        "focus": "Setting up early supported discharge with the community stroke team",
        "start": D(2010, 4, 1),
        "end": None,
    },
    {
        "person": "imran.qureshi@derwentvalley.example.org",
        "host_organisation": "mapleford-city-council",
        "academic_affiliation": "derwent-valley-university",
        "study": None,
        "focus": "How adult social care teams find and use evidence when redesigning reablement",
        "start": D(2010, 9, 1),
        "end": None,
    },
    {
        "person": "sophie.langridge@trentside.example.org",
        "host_organisation": "witham-fens-partnership",
        "academic_affiliation": "trentside-university",
        "study": None,
        "focus": "Using routine outcome data in community mental health teams",
        "start": D(2010, 1, 4),
        "end": D(2012, 3, 30),
    },
]

USERS: list[UserData] = [
    {
        "username": "manager",
        "group": "manager",
        "first_name": "Eleanor",
        "last_name": "Hartington",
        "email": "eleanor.hartington@trentside.example.org",
        "person": "eleanor.hartington@trentside.example.org",
    },
    {
        "username": "researcher",
        "group": "researcher",
        "first_name": "Joanne",
        "last_name": "Pennington",
        "email": "joanne.pennington@trentside.example.org",
        "person": "joanne.pennington@trentside.example.org",
    },
    {
        "username": "reader",
        "group": "staff reader",
        "first_name": "Demo",
        "last_name": "Reader",
        "email": "reader@example.org",
        "person": None,
    },
]
