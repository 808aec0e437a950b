"""The shared state in front of the Archive, when there is no Redis to keep it."""

from __future__ import annotations

from django.db import models


class StateDocument(models.Model):
    """One JSON document (the limiter's windows, the breaker, flags), changed
    only inside a transaction that locks its row (``wayback.store``)."""

    name = models.CharField(max_length=64, primary_key=True)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = "shared Archive state"

    def __str__(self) -> str:
        return self.name
