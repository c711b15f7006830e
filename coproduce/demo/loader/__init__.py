"""The demo loader: `load()` brings the database to the CLAHRC-NDL collaboration of data/*.toml.

One pass in one transaction, part by part in the order the parts depend on each other: the
registry (organisations, themes, studies, people, roles, secondments, placements, sign-ins),
then the communities of practice and associates, events, the news (newsletters and briefings),
governance, priority setting, co-production, implementation, the pathways from priority to
impact (data/pathways.toml, with publications imported from data/outputs.ris), qualitative
evidence, and funding and capacity. Each part is a module here that reads its data file through
`coproduce.demo.data` and returns a summary to print. Every part is idempotent: a second run
creates nothing and leaves what people changed since alone (see each module).

Two layers: the collaboration's history, dated 2008-2013 as the sources tell it, and a today
layer dated from the day the demo is loaded (an open consultation, a draft briefing, review
rounds, events and meetings to come), marked as illustrative wherever it appears.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from coproduce.demo.loader import (
    community,
    coproduction,
    events,
    funding,
    governance,
    implementation,
    news,
    pathways,
    priorities,
    qualitative,
    registry,
)


@dataclass
class Loaded:
    registry: Counter[str]
    community: community.Summary
    events: events.Summary
    news: news.Summary
    governance: governance.Summary
    priorities: priorities.Summary
    coproduction: coproduction.Tally
    implementation: implementation.Summary
    qualitative: qualitative.Summary
    funding: funding.Summary
    pathways: pathways.Summary


def load() -> Loaded:
    """Load the whole demo, or nothing if any part fails."""
    with transaction.atomic():
        loaded_registry = registry.load()
        loaded_community = community.load()
        loaded_events = events.load()
        loaded_news = news.load()
        loaded_governance = governance.load()
        loaded_priorities = priorities.load()
        loaded_coproduction = coproduction.load()
        loaded_implementation = implementation.load()
        loaded_qualitative = qualitative.load()
        loaded_funding = funding.load()
        loaded_pathways = pathways.load()
        # Bulk inserts send no signals: every role row gets its contact (contacts/roles.py).
        from coproduce.contacts.roles import link_unlinked

        link_unlinked()
    return Loaded(
        registry=loaded_registry,
        community=loaded_community,
        events=loaded_events,
        news=loaded_news,
        governance=loaded_governance,
        priorities=loaded_priorities,
        coproduction=loaded_coproduction,
        implementation=loaded_implementation,
        qualitative=loaded_qualitative,
        funding=loaded_funding,
        pathways=loaded_pathways,
    )
