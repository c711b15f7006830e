from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """The public page cache and `memo()` (coproduce/pagecache/__init__.py): a cross-cutting web
    concern, so it imports no app of the project and any app may use it."""

    name = "coproduce.pagecache"
    label = "pagecache"
    verbose_name = "Public page cache"

    def ready(self) -> None:
        from coproduce import pagecache

        pagecache.connect_signals()
