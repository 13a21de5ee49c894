"""Django's file and Redis caches, each with one fix for how the portal uses it."""

import pickle
import time
import zlib

from django.core.cache.backends import filebased, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks


class FileBasedCache(filebased.FileBasedCache):
    """Django's file cache, with two changes.

    Its entries are stored as plain pickles, not zlib-compressed: inflating the home page
    (100 KB) on every hit took longer than reading its file, about a tenth of what the
    cheapest request costs (bench/RESULTS.md, the file-cached run). A page takes up to ten
    times the room on disk (5 000 entries: some hundreds of MB at most). Entries Django's
    class wrote (before an upgrade) are read as before.

    Its incr() keeps the entry's expiry as the other caches do: Django's stores the new
    number with the default timeout, so a count meant to last a minute (the verify page's
    uploads per address) lasted five and was renewed by every attempt. Like Django's, it is
    a read and a write, not one atomic step: two processes adding at once may both write
    the same number, which the public generation tolerates (any new number retires the
    pages) and a throttle's count barely notices.
    """

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                if not self._is_expired(f):
                    return read_value(f)
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    value = read_value(f)
                    f.seek(0)
                    f.truncate()
                    self._write_content(f, timeout, value)
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False

    def incr(self, key, delta=1, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                expiry = pickle.load(f)
                if expiry is not None and expiry < time.time():
                    raise FileNotFoundError
                value = read_value(f) + delta
        except (FileNotFoundError, EOFError):
            raise ValueError(f"Key '{key}' not found") from None
        remaining = None if expiry is None else expiry - time.time()
        self.set(key, value, timeout=remaining, version=version)
        return value


def read_value(file):
    """The value after the expiry: a pickle (0x80 …), or Django's zlib stream (0x78 …)."""
    data = file.read()
    return pickle.loads(data if data[:1] == b"\x80" else zlib.decompress(data))


class ClientKeepingRedisCacheClient(redis.RedisCacheClient):
    """Django builds a new redis.Redis for every cache operation, which costs about as much
    as the round trip to Redis itself (150 µs on the test machine): a cached page, one
    operation, paid it on every hit. A client is thread-safe and holds no connection of its
    own (the pool does), so one per pool serves every call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientKeepingRedisCacheClient
