"""Django's Redis cache with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient.get_client builds a new ``redis.Redis`` around the pool on every cache
call, and redis-py's constructor fills its table of response callbacks each time (about 170
entries): on the session read that every request makes, that was a tenth of a draft autosave's
CPU. A client is thread-safe and holds no connection of its own (the pool does), so one per pool
is what redis-py expects an application to keep.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
