"""The Redis cache keeps one client per connection pool and works as Django's."""

import threading

from django.core.cache import cache, caches

from common.cache import RedisCache


def test_round_trip_and_one_client_per_pool():
    assert isinstance(caches["default"], RedisCache)
    cache.set("test:common-cache", {"tên": "Nguyễn Văn Đức"}, 30)
    assert cache.get("test:common-cache") == {"tên": "Nguyễn Văn Đức"}
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: reads and writes share a pool
    cache.delete("test:common-cache")
    assert cache.get("test:common-cache", "missing") == "missing"


def test_a_shared_client_serves_threads():
    # Django gives each thread its own cache object; a client shared between threads must still work.
    shared = cache._cache
    errors = []

    def work(n):
        try:
            for i in range(50):
                shared.set(f"test:thread:{n}:{i}", i, 30)
                assert shared.get(f"test:thread:{n}:{i}", None) == i
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    cache.delete_many([f"test:thread:{n}:{i}" for n in range(8) for i in range(50)])
