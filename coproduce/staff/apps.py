from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "coproduce.staff"
    label = "staff"
    verbose_name = "Staff area"

    def ready(self) -> None:
        from coproduce.staff.records import register
        from coproduce.staff.registry_records import KINDS

        # The registry's seven kinds (organisations ... placements): the registry is a base
        # app below the staff area, so the staff area declares its pages for it.
        register(*KINDS)
        # Type-ahead fields for the registry's long lists (3,000 studies at national scale).
        from coproduce.registry.models import Study
        from coproduce.staff.lookup import Lookup
        from coproduce.staff.lookup import register as register_lookup

        register_lookup(
            Lookup("studies", Study.objects.all, label="title", plural="studies", singular="study")
        )
        # The staff home's count of each kind of record (a count of every table: tens of
        # milliseconds at national scale), as a stored figure.
        from coproduce import figures
        from coproduce.staff.views import recent_changes, record_counts

        figures.define("staff.record_counts", record_counts, defaults=lambda: [()])
        # The last changes, as sentences: one query for each record they are about.
        figures.define("staff.recent_changes", recent_changes, defaults=lambda: [()])
