from __future__ import annotations

from django.db import models


class StoredFigure(models.Model):
    """One derived figure as last computed (see coproduce/figures/__init__.py)."""

    # The figure's name and its arguments, as `figures.key()` writes them.
    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    # The value, pickled (like Django's database cache backend): figures are the analytics'
    # own objects (rules with breaches, reports with charts), not JSON.
    value = models.BinaryField()
    # The page cache's data generation when the computation started, and the code version.
    generation = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long the computation took")
    # Every string the value holds, a line each: what the personal-data register searches
    # (a subject access request must not unpickle every figure).
    text = models.TextField(blank=True, default="")
    # A reader found it out of date: the worker's next tick computes it again.
    wanted = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["wanted"], name="figure_wanted")]

    def __str__(self) -> str:
        return self.key
