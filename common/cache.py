"""Django's Redis cache, with one redis-py client per connection pool, that keeps the site up while
Redis is down.

One client per pool: Django's RedisCacheClient.get_client builds a new ``redis.Redis`` around the
pool on every cache call, and redis-py's constructor fills its table of response callbacks each
time (about 170 entries): on the session read that every request makes, that was a tenth of a
draft autosave's CPU. A client is thread-safe and holds no connection of its own (the pool does),
so one per pool is what redis-py expects an application to keep.

Redis down: the cache is an optimisation, so an unreachable server reads as a miss and a write as
a no-op (pages read the database; ``cached_db`` sessions come from their table), with one warning
a minute. After a failure the server is left alone for a few seconds, so a request does not pay a
connect timeout on every cache call. Keys this process could not overwrite or delete while Redis
was away are deleted first when it answers again, so a session ended during the outage doesn't
come back from a value Redis still holds. That list is this process's own: another gunicorn worker
may read the old value in the moment before the process that failed to delete it next touches the
cache (or never, if it was recycled meanwhile). A logout made during an outage can therefore
survive, until the session's cache timeout, in the other workers; closing that gap needs the list
kept where every process sees it (not yet done).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Seconds without trying Redis after it failed, and between two warnings about it.
RETRY_AFTER = 5.0
WARN_EVERY = 60.0
# Keys remembered for deletion while Redis is away (beyond this, the oldest are forgotten).
MAX_STALE_KEYS = 10_000


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers, **options):
        # A server that does not answer must cost a request at most a second or two, not the
        # operating system's TCP timeout.
        options.setdefault("socket_connect_timeout", 1.0)
        options.setdefault("socket_timeout", 2.0)
        super().__init__(servers, **options)
        self._clients = {}
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._warned_at = -WARN_EVERY
        self._stale = {}  # key → None: insertion-ordered set of keys to delete once back

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _call(self, op, *args, missed=None, keys=()):
        """Run one cache operation; while Redis is unreachable, return ``missed`` instead and
        remember the keys a write could not reach."""
        if time.monotonic() >= self._down_until:
            try:
                if self._stale:
                    self._forget_stale()
                return op(*args)
            except UNREACHABLE as exc:
                self._failed(exc)
        if keys:
            with self._lock:
                self._stale.update(dict.fromkeys(keys))
                while len(self._stale) > MAX_STALE_KEYS:
                    del self._stale[next(iter(self._stale))]
        return missed

    def _failed(self, exc):
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_AFTER
            warn = now - self._warned_at >= WARN_EVERY
            if warn:
                self._warned_at = now
        if warn:
            logger.warning("Redis cache unreachable, serving without it: %s", exc)

    def _forget_stale(self):
        with self._lock:
            keys, self._stale = list(self._stale), {}
        try:
            super().delete_many(keys)
        except UNREACHABLE:
            with self._lock:
                self._stale = {**dict.fromkeys(keys), **self._stale}
            raise
        logger.warning("Redis cache reachable again; %d keys written during the outage cleared", len(keys))

    def add(self, key, value, timeout):
        return self._call(super().add, key, value, timeout, missed=False, keys=[key])

    def get(self, key, default):
        return self._call(super().get, key, default, missed=default)

    def set(self, key, value, timeout):
        return self._call(super().set, key, value, timeout, keys=[key])

    def touch(self, key, timeout):
        return self._call(super().touch, key, timeout, missed=False)

    def delete(self, key):
        return self._call(super().delete, key, missed=False, keys=[key])

    def get_many(self, keys):
        return self._call(super().get_many, keys, missed={})

    def has_key(self, key):
        return self._call(super().has_key, key, missed=False)

    def incr(self, key, delta):
        # Nothing to count on while Redis is away: as for a missing key.
        result = self._call(super().incr, key, delta, keys=[key])
        if result is None:
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout):
        return self._call(super().set_many, data, timeout, missed=[], keys=list(data))

    def delete_many(self, keys):
        keys = list(keys)
        return self._call(super().delete_many, keys, missed=None, keys=keys)

    def clear(self):
        return self._call(super().clear, missed=False)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
