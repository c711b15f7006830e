"""The demo loader: `load()` brings the database to the CLAHRC-NDL collaboration of data/*.toml.

One pass in one transaction, part by part in the order the parts depend on each other: the
registry (organisations, themes, studies, people, roles, secondments, placements, sign-ins),
then the communities of practice and associates, events, governance, priority setting,
co-production, implementation, and the pathways from priority to impact
(data/pathways.toml, with publications imported from data/outputs.ris). Each part is a module here that reads its data file through
`coproduce.demo.data` and returns a summary to print. Every part is idempotent: a second run
creates nothing and leaves what people changed since alone (see each module).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from coproduce.demo.loader import (
    community,
    coproduction,
    events,
    governance,
    implementation,
    pathways,
    priorities,
    registry,
)


@dataclass
class Loaded:
    registry: Counter[str]
    community: community.Summary
    events: events.Summary
    governance: governance.Summary
    priorities: priorities.Summary
    coproduction: coproduction.Tally
    implementation: implementation.Summary
    pathways: pathways.Summary


def load() -> Loaded:
    """Load the whole demo, or nothing if any part fails."""
    with transaction.atomic():
        loaded_registry = registry.load()
        loaded_community = community.load()
        loaded_events = events.load()
        loaded_governance = governance.load()
        loaded_priorities = priorities.load()
        loaded_coproduction = coproduction.load()
        loaded_implementation = implementation.load()
        loaded_pathways = pathways.load()
    return Loaded(
        registry=loaded_registry,
        community=loaded_community,
        events=loaded_events,
        governance=loaded_governance,
        priorities=loaded_priorities,
        coproduction=loaded_coproduction,
        implementation=loaded_implementation,
        pathways=loaded_pathways,
    )
