"""The sample spider: takes work from a Redis list and loses none of it.

Reliable-queue pattern (see the README):

    BLMOVE  PREFIX  ->  PREFIX:processing:<replica>     take one item, atomically
    ... fetch it (a delay, or a real HTTP GET when SPIDER_HTTP=1) ...
    MULTI  RPUSH PREFIX:results <record>  LREM PREFIX:processing:<replica> 1 <item>  EXEC

While it runs it keeps `PREFIX:alive:<replica>` alive (SET ... EX 15, refreshed
every 5 s).  A processing list without its alive key belongs to a replica that is
gone; every spider returns such items to the queue on start and then every
SPIDER_REAP_EVERY seconds, atomically (a Lua script), so a crash loses nothing.

On SIGTERM (swarm's scale-down, rolling update, node shutdown) it takes no new
item, finishes the current one if that fits in SPIDER_GRACE seconds or else puts
it back at the head of the queue, deletes its keys and exits 0.

Configuration (environment):
    REDIS_URL            redis://HOST:PORT/DB, without the password
    REDIS_PASSWORD_FILE  file holding the password (a docker secret: /run/secrets/...)
    SPIDER_QUEUE         key prefix (default example:swarm:spider)
    SPIDER_ID            replica id (default: hostname-pid); swarm: {{.Task.Name}}
    SPIDER_DELAY         seconds a simulated fetch takes (default 1)
    SPIDER_HTTP          1 = GET the item's URL with urllib (default 0: only the delay)
    SPIDER_HTTP_TIMEOUT  seconds (default 10)
    SPIDER_GRACE         seconds allowed to finish the current item after SIGTERM (default 8;
                         keep it below the service's stop_grace_period)
    SPIDER_REAP_EVERY    seconds between looks for orphaned processing lists (default 10)
    SPIDER_EXIT_WHEN_EMPTY  1 = exit 0 once the queue stays empty (for one-off runs)
    SPIDER_VERSION       shown in the logs and recorded with each result
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

ALIVE_TTL = 15  # seconds; the queue layer's "consumer gone" test depends on this
HEARTBEAT_EVERY = 5

# Return every item of a dead replica's processing list to the head of the queue,
# oldest first, but only if its alive key is (still) gone.  KEYS: processing, alive, queue.
REAP_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local n = 0
while redis.call('RPOPLPUSH', KEYS[1], KEYS[3]) do n = n + 1 end
return n
"""

# Put an item we hold back at the head of the queue.  KEYS: processing, queue; ARGV: item.
GIVE_BACK_SCRIPT = """
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed > 0 then redis.call('LPUSH', KEYS[2], ARGV[1]) end
return removed
"""


# ---------------------------------------------------------------- pure parts
@dataclass(frozen=True)
class Keys:
    # Mirrors swarmtui.queue.models.SpiderLayout on purpose: this file runs in a container
    # without swarmtui installed. tests/unit/test_sample_spider.py checks they agree.
    prefix: str = "example:swarm:spider"

    @property
    def queue(self) -> str:
        return self.prefix

    @property
    def results(self) -> str:
        return f"{self.prefix}:results"

    @property
    def processing_glob(self) -> str:
        return f"{self.prefix}:processing:*"

    def processing(self, replica: str) -> str:
        return f"{self.prefix}:processing:{replica}"

    def alive(self, replica: str) -> str:
        return f"{self.prefix}:alive:{replica}"

    def replica_of(self, processing_key: str) -> str | None:
        head = f"{self.prefix}:processing:"
        rest = processing_key[len(head):] if processing_key.startswith(head) else ""
        return rest or None


@dataclass(frozen=True)
class Config:
    redis_url: str = "redis://localhost:6379/0"
    password_file: str | None = None
    prefix: str = "example:swarm:spider"
    replica: str = ""
    delay: float = 1.0
    http: bool = False
    http_timeout: float = 10.0
    grace: float = 8.0
    reap_every: float = 10.0
    exit_when_empty: bool = False
    version: str = "dev"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Config":
        env = dict(os.environ if env is None else env)
        truthy = ("1", "true", "yes", "on")
        return cls(
            redis_url=env.get("REDIS_URL", cls.redis_url),
            password_file=env.get("REDIS_PASSWORD_FILE") or None,
            prefix=env.get("SPIDER_QUEUE", cls.prefix),
            replica=env.get("SPIDER_ID") or f"{socket.gethostname()}-{os.getpid()}",
            delay=float(env.get("SPIDER_DELAY", cls.delay)),
            http=env.get("SPIDER_HTTP", "0").lower() in truthy,
            http_timeout=float(env.get("SPIDER_HTTP_TIMEOUT", cls.http_timeout)),
            grace=float(env.get("SPIDER_GRACE", cls.grace)),
            reap_every=float(env.get("SPIDER_REAP_EVERY", cls.reap_every)),
            exit_when_empty=env.get("SPIDER_EXIT_WHEN_EMPTY", "0").lower() in truthy,
            version=env.get("SPIDER_VERSION", cls.version),
        )


def item_url(item: str) -> str | None:
    """The URL an item asks for: a bare http(s) URL, or a JSON object's "url"."""
    text = item.strip()
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        url = data.get("url") if isinstance(data, dict) else None
        return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
    return None


def result_record(item: str, replica: str, version: str, status: str, elapsed: float, size: int | None = None) -> str:
    """One line of the results list (JSON; the item is kept verbatim so results can be matched to work)."""
    record = {"item": item, "replica": replica, "version": version, "status": status, "ms": round(elapsed * 1000, 1), "at": round(time.time(), 3)}
    if size is not None:
        record["bytes"] = size
    return json.dumps(record, separators=(",", ":"))


def redact(url: str) -> str:
    """A Redis URL fit for a log line (no password)."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def read_password(path: str | None) -> str | None:
    if not path:
        return None
    with open(path) as f:
        return f.read().strip() or None


# ---------------------------------------------------------------- the spider
class Stopping(Exception):
    """The grace period ran out while working on an item."""


class Spider:
    def __init__(self, config: Config, client=None, log=print):
        self.config = config
        self.keys = Keys(config.prefix)
        self.log = log
        if client is None:
            import redis

            client = redis.Redis.from_url(config.redis_url, password=read_password(config.password_file), socket_timeout=30, health_check_interval=10)
        self.r = client
        self._reap = self.r.register_script(REAP_SCRIPT)
        self._give_back = self.r.register_script(GIVE_BACK_SCRIPT)
        self.stop = threading.Event()
        self.stop_deadline: float | None = None
        self.done = 0
        self.returned = 0

    # -- signals
    def request_stop(self, *_args) -> None:
        if not self.stop.is_set():
            self.stop_deadline = time.monotonic() + self.config.grace
            self.stop.set()

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    # -- liveness
    def heartbeat(self) -> None:
        self.r.set(self.keys.alive(self.config.replica), self.config.version, ex=ALIVE_TTL)

    def _heartbeat_loop(self) -> None:
        while not self.stop.wait(HEARTBEAT_EVERY):
            try:
                self.heartbeat()
            except Exception as exc:  # noqa: BLE001 - keep beating; the main loop reports Redis trouble
                self.log(f"heartbeat failed: {exc}")

    def reap(self) -> int:
        """Return items of gone replicas (processing list, no alive key) to the queue."""
        moved = 0
        for key in self.r.scan_iter(match=self.keys.processing_glob, count=500):
            key = key.decode() if isinstance(key, bytes) else key
            replica = self.keys.replica_of(key)
            if replica is None or replica == self.config.replica:
                continue
            n = int(self._reap(keys=[key, self.keys.alive(replica), self.keys.queue]))
            if n > 0:
                moved += n
                self.log(f"requeued {n} item(s) of gone replica {replica}")
        return moved

    # -- work
    def take(self) -> str | None:
        raw = self.r.blmove(self.keys.queue, self.keys.processing(self.config.replica), 1, "LEFT", "RIGHT")
        if raw is None:
            return None
        return raw.decode(errors="surrogateescape") if isinstance(raw, bytes) else raw

    def _sleep(self, seconds: float) -> None:
        """Sleep, but raise Stopping if the grace period ends first."""
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if self.stop_deadline is not None and self.stop_deadline < end:
                if now >= self.stop_deadline:
                    raise Stopping()
            if now >= end:
                return
            wake = end if self.stop_deadline is None else min(end, self.stop_deadline)
            time.sleep(min(max(wake - now, 0.0), 0.2))

    def fetch(self, item: str) -> tuple[str, int | None]:
        url = item_url(item) if self.config.http else None
        if url is None:
            self._sleep(self.config.delay)
            return "ok", None
        timeout = self.config.http_timeout
        if self.stop_deadline is not None:
            timeout = max(0.1, min(timeout, self.stop_deadline - time.monotonic()))
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                body = resp.read()
                return f"http {resp.status}", len(body)
        except urllib.error.HTTPError as exc:
            return f"http {exc.code}", None
        except (urllib.error.URLError, OSError) as exc:
            if self.stop_deadline is not None and time.monotonic() >= self.stop_deadline:
                raise Stopping() from exc
            return f"error {getattr(exc, 'reason', exc)}", None

    def finish(self, item: str, record: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.rpush(self.keys.results, record)
        pipe.lrem(self.keys.processing(self.config.replica), 1, item)
        pipe.execute()

    def give_back(self, item: str) -> None:
        if int(self._give_back(keys=[self.keys.processing(self.config.replica), self.keys.queue], args=[item])):
            self.returned += 1

    def work_one(self, item: str) -> None:
        started = time.monotonic()
        try:
            status, size = self.fetch(item)
        except Stopping:
            self.give_back(item)
            self.log(f"returned {item[:80]} to the queue (stopping)")
            return
        elapsed = time.monotonic() - started
        self.finish(item, result_record(item, self.config.replica, self.config.version, status, elapsed, size))
        self.done += 1
        self.log(f"{self.config.version} done {item[:80]} {status} {elapsed * 1000:.0f}ms")

    def run(self) -> int:
        c = self.config
        self.log(f"spider {c.version} replica {c.replica} on {socket.gethostname()} taking work from {c.prefix} at {redact(c.redis_url)}")
        self._connect()
        self.heartbeat()
        beat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beat.start()
        next_reap = 0.0
        idle_since: float | None = None
        while not self.stop.is_set():
            try:
                if time.monotonic() >= next_reap:
                    self.reap()
                    next_reap = time.monotonic() + c.reap_every
                item = self.take()
            except Exception as exc:  # noqa: BLE001 - Redis away: wait and retry, never drop work
                if self.stop.is_set():
                    break
                self.log(f"redis error: {exc}; retrying in 1s")
                self.stop.wait(1)
                continue
            if item is None:
                idle_since = idle_since or time.monotonic()
                if c.exit_when_empty and time.monotonic() - idle_since > 3:
                    break
                continue
            idle_since = None
            self._work_retrying(item)
        self._shutdown()
        return 0

    def _work_retrying(self, item: str) -> None:
        while True:
            try:
                self.work_one(item)
                return
            except Exception as exc:  # noqa: BLE001 - the item stays in our processing list until it is recorded
                if self.stop.is_set() and self.stop_deadline is not None and time.monotonic() >= self.stop_deadline:
                    self.log(f"could not record {item[:80]} ({exc}); it stays in processing for the reaper")
                    return
                self.log(f"redis error while finishing {item[:80]}: {exc}; retrying")
                time.sleep(0.5)

    def _connect(self) -> None:
        while not self.stop.is_set():
            try:
                self.r.ping()
                return
            except Exception as exc:  # noqa: BLE001
                self.log(f"cannot reach redis at {redact(self.config.redis_url)}: {exc}; retrying")
                self.stop.wait(2)

    def _shutdown(self) -> None:
        me = self.config.replica
        try:
            # Anything still held (it should be nothing) goes back before the alive key goes.
            for raw in self.r.lrange(self.keys.processing(me), 0, -1):
                self.give_back(raw.decode(errors="surrogateescape") if isinstance(raw, bytes) else raw)
            self.r.delete(self.keys.alive(me))
        except Exception as exc:  # noqa: BLE001 - the reaper will return what is left
            self.log(f"cleanup failed: {exc}")
        self.log(f"stopping: {self.done} item(s) done, {self.returned} returned to the queue")


def main() -> int:
    spider = Spider(Config.from_env(), log=lambda line: print(line, flush=True))
    spider.install_signals()
    return spider.run()


if __name__ == "__main__":
    sys.exit(main())
