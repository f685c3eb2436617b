"""The cache with its Redis away: a miss and a no-op, never an error; and a value this process
could not overwrite while Redis was away is not served once Redis answers again."""

import signal

import pytest
from django.core.cache import cache

from .conftest import wait_for


@pytest.fixture
def redis_cache(redis_server, settings):
    settings.CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": redis_server.url}}
    yield redis_server
    redis_server.process.send_signal(signal.SIGCONT)


def test_an_unreachable_redis_is_a_miss_and_a_stale_value_is_never_served(redis_cache):
    cache.set("session-x", "logged in")
    assert cache.get("session-x") == "logged in"

    # Frozen, not gone: the old value is still in it when it answers again (a network partition).
    redis_cache.process.send_signal(signal.SIGSTOP)
    cache.delete("session-x")  # a logout while Redis is away: times out, remembered
    assert cache.get("session-x") is None
    assert cache.get_many(["session-x", "other"]) == {}
    assert cache.add("other", 1) is False
    cache.set("other", 2)
    with pytest.raises(ValueError):
        cache.incr("counter")

    redis_cache.process.send_signal(signal.SIGCONT)
    seen = []

    def back():
        seen.append(cache.get("session-x", "miss"))
        return cache.set("probe", 1) is None and cache.get("probe") == 1

    wait_for(back, timeout=30, what="the cache to use Redis again")
    assert "logged in" not in seen
    assert redis_cache.client().exists(":1:session-x", ":1:other") == 0
