"""Where the state every process shares in front of the Archive lives.

The rate limiter, the circuit breaker and the missing-keys flag must be
shared by every process that talks to the Archive. Their rules are written
once, here, as plain Python over one JSON document (``SharedState``); where
that document lives is the only thing that differs:

- with Redis as broker, in one Redis key, changed in a WATCH/MULTI
  transaction (a change that raced another is simply run again) and timed by
  Redis's clock, the one clock of every worker on every machine;
- in the embedded default (no Redis), in one database row, changed inside a
  transaction that locks it (``SELECT ... FOR UPDATE``; SQLite's IMMEDIATE
  transactions queue its writers the same way) and timed by this machine's clock.

The rates are tiny (a few saves and about sixty look-ups a minute), so one
document serves them all.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import redis
from django.conf import settings
from django.db import transaction

T = TypeVar("T")
PREFIX = "waybrief:archiver:"
DOCUMENT = "limits"


class Document(Protocol):
    """Somewhere one JSON document can be read and written atomically."""

    def now(self) -> float: ...
    def change(self, func: Callable[[dict, float], T]) -> T: ...


class RedisDocument:
    """The document in one Redis key; optimistic transactions, Redis's clock."""

    def __init__(self, client: redis.Redis, key: str = PREFIX + DOCUMENT) -> None:
        self.r, self.key = client, key

    def now(self) -> float:
        seconds, micros = self.r.time()
        return seconds + micros / 1e6

    def change(self, func: Callable[[dict, float], T]) -> T:
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(self.key)
                    raw = pipe.get(self.key)
                    seconds, micros = pipe.time()
                    data = json.loads(raw) if raw else {}
                    result = func(data, seconds + micros / 1e6)
                    pipe.multi()
                    pipe.set(self.key, json.dumps(data), ex=86400 * 2)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed it first: read again


class DatabaseDocument:
    """The document in one row of ``wayback.StateDocument``, locked while changed."""

    def __init__(self, name: str = DOCUMENT) -> None:
        self.name = name

    def now(self) -> float:
        return time.time()

    def change(self, func: Callable[[dict, float], T]) -> T:
        from .models import StateDocument

        with transaction.atomic():
            row = StateDocument.objects.select_for_update().filter(name=self.name).first()
            if row is None:
                row, _ = StateDocument.objects.get_or_create(name=self.name)
                row = StateDocument.objects.select_for_update().get(name=self.name)
            data = dict(row.data or {})
            result = func(data, time.time())
            StateDocument.objects.filter(name=self.name).update(data=data)
            return result


class SharedState:
    """The operations the limiter and the breaker need, each one atomic."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def _change(self, func: Callable[[dict, float], T]) -> T:
        def purged(data: dict, now: float) -> T:
            kv = data.get("kv", {})
            data["kv"] = {k: v for k, v in kv.items() if v[1] is None or v[1] > now}
            return func(data, now)

        return self.document.change(purged)

    def now(self) -> float:
        return self.document.now()

    def take(
        self,
        kind: str,
        *,
        limit: int,
        window: float,
        token: str,
        member: str,
        max_active: int,
        pending_ttl: float,
        active_ttl: float,
    ) -> tuple[bool, float]:
        """A slot of ``kind`` (and a job slot for ``member``), or how long to wait.

        The wait is -1 when the jobs in flight are full: only a poll frees one.
        """

        def change(data: dict, now: float) -> tuple[bool, float]:
            slots = {t: s for t, s in data.get(f"window:{kind}", {}).items() if s > now - window}
            data[f"window:{kind}"] = slots
            paused = float(_kv(data, f"pause:{kind}") or 0)
            if paused > now:
                return False, paused - now
            cut = int(_kv(data, f"slow:{kind}") or 0)
            cap = min(limit, cut) if cut > 0 else limit
            active = {m: e for m, e in data.get("active", {}).items() if e > now}
            data["active"] = active
            if member and member not in active and len(active) >= max_active:
                return False, -1.0
            if len(slots) >= cap:
                edge = sorted(slots.values())[len(slots) - cap]
                return False, min(edge, now) + window - now
            slots[token] = now + pending_ttl  # counts as "now" until its answer comes
            if member:
                active[member] = now + active_ttl
            return True, 0.0

        return self._change(change)

    def stamp(self, kind: str, token: str) -> None:
        def change(data: dict, now: float) -> None:
            if token in data.get(f"window:{kind}", {}):
                data[f"window:{kind}"][token] = now

        self._change(change)

    def drop(self, kind: str, token: str) -> None:
        self._change(lambda data, now: data.get(f"window:{kind}", {}).pop(token, None))

    def set_active(self, member: str, ttl: float | None) -> None:
        def change(data: dict, now: float) -> None:
            active = data.setdefault("active", {})
            if ttl is None:
                active.pop(member, None)
            else:
                active[member] = now + ttl

        self._change(change)

    def active_members(self) -> list[str]:
        return self._change(
            lambda data, now: [m for m, e in data.get("active", {}).items() if e > now]
        )

    def get(self, key: str) -> str | None:
        return self._change(lambda data, now: _kv(data, key))

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self._change(lambda data, now: _set_kv(data, key, value, now + ttl if ttl else None))

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Set ``key`` unless it is set already; True when this call set it."""

        def change(data: dict, now: float) -> bool:
            if _kv(data, key) is not None:
                return False
            _set_kv(data, key, value, now + ttl)
            return True

        return self._change(change)

    def delete(self, *keys: str) -> None:
        self._change(lambda data, now: [data["kv"].pop(key, None) for key in keys])

    def incr(self, key: str, ttl: float) -> int:
        def change(data: dict, now: float) -> int:
            value = int(_kv(data, key) or 0) + 1
            _set_kv(data, key, str(value), now + ttl)
            return value

        return self._change(change)

    def raise_to(self, key: str, value: float, ttl: float) -> float:
        """Set ``key`` to ``value`` if that is higher; returns what it holds now."""

        def change(data: dict, now: float) -> float:
            current = float(_kv(data, key) or -1)
            if value > current:
                _set_kv(data, key, repr(value), now + ttl)
                return value
            return current

        return self._change(change)

    def next_turn(self, kind: str, wait: float, spacing: float) -> float:
        """Seconds until the next waiting row's turn, turns ``spacing`` apart."""

        def change(data: dict, now: float) -> float:
            turn = max(now + wait, float(_kv(data, f"turn:{kind}") or 0) + spacing)
            _set_kv(data, f"turn:{kind}", repr(turn), turn + 60)
            return turn - now

        return self._change(change)


def _kv(data: dict, key: str) -> Any:
    entry = data.get("kv", {}).get(key)
    return entry[0] if entry else None


def _set_kv(data: dict, key: str, value: str, expires: float | None) -> None:
    data.setdefault("kv", {})[key] = [value, expires]


# --- choosing where the document lives ---------------------------------------
def shared_state() -> SharedState:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _in_redis(url)
    return _in_database()


@functools.lru_cache(maxsize=4)
def _in_redis(url: str) -> SharedState:
    return SharedState(RedisDocument(redis.Redis.from_url(url, decode_responses=True)))


@functools.lru_cache(maxsize=1)
def _in_database() -> SharedState:
    return SharedState(DatabaseDocument())
