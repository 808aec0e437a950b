"""Where the archiver's cluster-wide state lives: Redis, or a file without it.

The rate limiter, the circuit breaker and the missing-keys flag must be
shared by every process that talks to the Archive. With Redis as broker the
state lives there (Lua scripts make each step atomic; Redis's clock is the
one clock). The embedded default has no Redis: the same operations run in
Python over a JSON file under an exclusive ``flock``, which serves every
process on one machine (the worker and ``manage.py archive``). POSIX only.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import time
from pathlib import Path
from typing import Protocol

import redis
from django.conf import settings

PREFIX = "waybrief:archiver:"


class SharedState(Protocol):
    """Storage for the limiter, the breaker and flags; every method is atomic."""

    def now(self) -> float: ...
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
    ) -> tuple[bool, float]: ...
    def stamp(self, kind: str, token: str) -> None: ...
    def drop(self, kind: str, token: str) -> None: ...
    def set_active(self, member: str, ttl: float | None) -> None: ...
    def active_members(self) -> list[str]: ...
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def add(self, key: str, value: str, ttl: float) -> bool: ...
    def delete(self, *keys: str) -> None: ...
    def incr(self, key: str, ttl: float) -> int: ...
    def raise_to(self, key: str, value: float, ttl: float) -> float: ...
    def next_turn(self, kind: str, wait: float, spacing: float) -> float: ...


# --- choosing the storage ---------------------------------------------------
def shared_state() -> SharedState:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _redis_state(url)
    return _file_state(str(Path(settings.DATA_DIR) / "archiver-limits.json"))


@functools.lru_cache(maxsize=4)
def _redis_state(url: str) -> RedisState:
    return RedisState(redis.Redis.from_url(url, decode_responses=True))


@functools.lru_cache(maxsize=4)
def _file_state(path: str) -> FileState:
    return FileState(Path(path))


# --- Redis -------------------------------------------------------------------
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "
_TAKE = (
    _NOW
    + """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {0, tostring(paused - now)} end
local slow = tonumber(redis.call('GET', KEYS[4]) or '0')
if slow > 0 and slow < limit then limit = slow end
local member = ARGV[4]
if member ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if not redis.call('ZSCORE', KEYS[2], member)
     and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return {0, '-1'} end
end
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local edge = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  return {0, tostring(math.min(tonumber(edge[2]), now) + window - now)}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[6]), ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(window + tonumber(ARGV[6])) + 1)
if member ~= '' then redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), member) end
return {1, '0'}
"""
)
_STAMP = (
    _NOW + "if redis.call('ZSCORE', KEYS[1], ARGV[1]) then "
    "redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1]) end return 1"
)
_ACTIVE = _NOW + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1"
_RAISE = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')
local new = tonumber(ARGV[1])
if new > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return ARGV[1] end
return tostring(cur)
"""
_TURN = (
    _NOW
    + """
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local t = math.max(now + tonumber(ARGV[1]), last + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], tostring(t), 'PX', math.ceil((t - now) * 1000) + 60000)
return tostring(t - now)
"""
)


class RedisState:
    """The shared state in Redis: Lua scripts make each step atomic cluster-wide."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._take, self._stamp = client.register_script(_TAKE), client.register_script(_STAMP)
        self._active, self._raise = client.register_script(_ACTIVE), client.register_script(_RAISE)
        self._turn = client.register_script(_TURN)

    def now(self) -> float:
        seconds, micros = self.r.time()
        return seconds + micros / 1e6

    def take(self, kind, *, limit, window, token, member, max_active, pending_ttl, active_ttl):
        keys = [
            PREFIX + f"window:{kind}",
            PREFIX + "active",
            PREFIX + f"pause:{kind}",
            PREFIX + f"slow:{kind}",
        ]
        ok, wait = self._take(
            keys, [limit, window, token, member, max_active, pending_ttl, active_ttl]
        )
        return bool(int(ok)), float(wait)

    def stamp(self, kind: str, token: str) -> None:
        self._stamp([PREFIX + f"window:{kind}"], [token])

    def drop(self, kind: str, token: str) -> None:
        self.r.zrem(PREFIX + f"window:{kind}", token)

    def set_active(self, member: str, ttl: float | None) -> None:
        if ttl is None:
            self.r.zrem(PREFIX + "active", member)
        else:
            self._active([PREFIX + "active"], [member, ttl])

    def active_members(self) -> list[str]:
        return list(self.r.zrangebyscore(PREFIX + "active", self.now(), "+inf"))

    def get(self, key: str) -> str | None:
        return self.r.get(PREFIX + key)

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self.r.set(PREFIX + key, value, px=int(ttl * 1000) if ttl else None)

    def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.r.set(PREFIX + key, value, px=max(1, int(ttl * 1000)), nx=True))

    def delete(self, *keys: str) -> None:
        self.r.delete(*(PREFIX + key for key in keys))

    def incr(self, key: str, ttl: float) -> int:
        pipe = self.r.pipeline()
        pipe.incr(PREFIX + key)
        pipe.pexpire(PREFIX + key, max(1, int(ttl * 1000)))
        return int(pipe.execute()[0])

    def raise_to(self, key: str, value: float, ttl: float) -> float:
        return float(self._raise([PREFIX + key], [repr(value), max(1, int(ttl * 1000))]))

    def next_turn(self, kind: str, wait: float, spacing: float) -> float:
        return float(self._turn([PREFIX + f"turn:{kind}"], [wait, spacing]))


# --- one machine, no Redis ---------------------------------------------------
class FileState:
    """The same state as a JSON file; every call holds an exclusive ``flock``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _locked(self, change):
        """Run ``change(data, now)`` on the file's contents under the lock, save, return."""
        with open(self.path.with_suffix(".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = json.loads(self.path.read_text()) if self.path.exists() else {}
            except ValueError:
                data = {}  # a torn write from a killed process: start afresh
            now = time.time()
            data["kv"] = {k: v for k, v in data.get("kv", {}).items() if v[1] is None or v[1] > now}
            result = change(data, now)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data))
            tmp.replace(self.path)
            return result

    def now(self) -> float:
        return time.time()

    def take(self, kind, *, limit, window, token, member, max_active, pending_ttl, active_ttl):
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
            slots[token] = now + pending_ttl
            if member:
                active[member] = now + active_ttl
            return True, 0.0

        return self._locked(change)

    def stamp(self, kind: str, token: str) -> None:
        def change(data: dict, now: float) -> None:
            if token in data.get(f"window:{kind}", {}):
                data[f"window:{kind}"][token] = now

        self._locked(change)

    def drop(self, kind: str, token: str) -> None:
        self._locked(lambda data, now: data.get(f"window:{kind}", {}).pop(token, None))

    def set_active(self, member: str, ttl: float | None) -> None:
        def change(data: dict, now: float) -> None:
            active = data.setdefault("active", {})
            if ttl is None:
                active.pop(member, None)
            else:
                active[member] = now + ttl

        self._locked(change)

    def active_members(self) -> list[str]:
        return self._locked(
            lambda data, now: [m for m, e in data.get("active", {}).items() if e > now]
        )

    def get(self, key: str) -> str | None:
        return self._locked(lambda data, now: _kv(data, key))

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self._locked(lambda data, now: _set_kv(data, key, value, now + ttl if ttl else None))

    def add(self, key: str, value: str, ttl: float) -> bool:
        def change(data: dict, now: float) -> bool:
            if _kv(data, key) is not None:
                return False
            _set_kv(data, key, value, now + ttl)
            return True

        return self._locked(change)

    def delete(self, *keys: str) -> None:
        self._locked(lambda data, now: [data["kv"].pop(key, None) for key in keys])

    def incr(self, key: str, ttl: float) -> int:
        def change(data: dict, now: float) -> int:
            value = int(_kv(data, key) or 0) + 1
            _set_kv(data, key, str(value), now + ttl)
            return value

        return self._locked(change)

    def raise_to(self, key: str, value: float, ttl: float) -> float:
        def change(data: dict, now: float) -> float:
            current = float(_kv(data, key) or -1)
            if value > current:
                _set_kv(data, key, repr(value), now + ttl)
                return value
            return current

        return self._locked(change)

    def next_turn(self, kind: str, wait: float, spacing: float) -> float:
        def change(data: dict, now: float) -> float:
            turn = max(now + wait, float(_kv(data, f"turn:{kind}") or 0) + spacing)
            _set_kv(data, f"turn:{kind}", repr(turn), turn + 60)
            return turn - now

        return self._locked(change)


def _kv(data: dict, key: str) -> str | None:
    entry = data.get("kv", {}).get(key)
    return entry[0] if entry else None


def _set_kv(data: dict, key: str, value: str, expires: float | None) -> None:
    data.setdefault("kv", {})[key] = [value, expires]
