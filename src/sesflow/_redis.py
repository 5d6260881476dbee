"""`RedisLimiter` (public as `sesflow.redis.RedisLimiter`): one sending rate for every
process and machine of an account.

Every `SES` object given a `RedisLimiter` on the same Redis and key takes its recipients from
one budget: single sends and bulk runs, in any number of threads, processes and machines,
together never put more than the rate into any sliding second.

How it works: each `acquire` runs one Lua script, atomically, on the Redis server. The script
reads the time from Redis (`TIME`: one clock for every machine, so theirs may disagree), and
gives the request the earliest *slot* that keeps the same two rules as the in-process limiter:

- **even spacing**: after a grant of `n` recipients the next slot is at least
  `n / capacity` windows later, so a second's budget is spread over it;
- **a sliding window**: the slot is moved on until no window of `1 + headroom` seconds (1.02 s)
  ending at it holds more than `capacity` recipients, counting this grant. The grant log is a
  sorted set of `(slot, count)` entries, trimmed to the window, with a running total.

Why that bounds every sliding second: slots are given in non-decreasing order (each starts
from the spacing after the one before, and only moves on). Take any second `[s, s + 1)` and,
of the slots in it, the one given last, at `t`: it is the latest, so every other slot in the
second lies in `(t - 1, t]`, inside the 1.02 s window ending at `t`, which the script summed
when it gave `t` (entries it had dropped are older than the window). So the second holds at
most `capacity <= floor(rate)` recipients. Slots given back only lower the sums. The one
exception is a single message with more recipients than a window holds: it cannot be split,
so it goes alone, into an empty window.

The slot is *reserved* at once: the script records it and returns how long to wait; the
client sleeps that long (the `SES`'s sleep, less the time the answer took to arrive) and
sends. So requests are served first come,
first served across all processes (a batch of 50 is never overtaken forever by batches of
1), with one round trip per acquire and no polling. A request that is cancelled while it
waits (a stopped bulk run) gives its slot back.

Throttles: `throttled()` lowers a factor stored beside the log (80 % of the pace, not below
25 %), so a throttle seen by any process slows all of them at their next grant; each
`succeeded()` brings back 5 % of the rate. The state expires a minute after the last use.

The bound is on grants; SES counts arrivals. The headroom (20 ms by default) absorbs how
much later one sender's call arrives after its slot than another's; senders on different
network paths to SES may need more (`headroom=`).

If Redis cannot be reached, `acquire` raises `sesflow.LimiterUnavailableError`: nothing is
sent unthrottled.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from ._bridge import resolve
from ._errors import LimiterUnavailableError, MissingExtraError, ValidationError
from ._logging import logger
from ._validate import validate_max_rate

if TYPE_CHECKING:
    import redis as redis_py
    import redis.asyncio as redis_asyncio

__all__ = ["RedisLimiter"]

# The script's times are integer microseconds of Redis's clock (a float holds them exactly
# up to 2**53 us, about 285 years): `TIME` has microseconds, and the log's scores must
# compare exactly with the window's edges.
_LUA = """
local log, state = KEYS[1], KEYS[2]
local op = ARGV[1]
local idle = tonumber(ARGV[2])
local function num(x) return string.format('%.17g', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local f = redis.call('HMGET', state, 'total', 'earliest', 'factor', 'last')
local total = tonumber(f[1]) or 0
local earliest = tonumber(f[2]) or 0
local factor = tonumber(f[3]) or 1
local last = tonumber(f[4]) or 0
-- A clock stepped back (NTP) must not move grants back in time.
if now < last then now = last end
local function keep(ahead)
  local ms = math.ceil((ahead + idle) / 1000)
  redis.call('PEXPIRE', log, ms)
  redis.call('PEXPIRE', state, ms)
end
local function size(member) return tonumber(string.match(member, ':(%d+)$')) end
-- Factors in millionths: no float dust from repeated slow-downs and recoveries.
local function round(x) return math.floor(x * 1000000 + 0.5) / 1000000 end

if op == 'throttled' then
  factor = round(math.max(tonumber(ARGV[3]), factor * 0.8))
  redis.call('HSET', state, 'factor', num(factor), 'last', num(now))
  keep(math.max(0, earliest - now))
  return num(factor)
elseif op == 'succeeded' then
  if factor < 1 then
    factor = round(math.min(1, factor + 0.05))
    redis.call('HSET', state, 'factor', num(factor), 'last', num(now))
    keep(math.max(0, earliest - now))
  end
  return num(factor)
elseif op == 'release' then
  if redis.call('ZREM', log, ARGV[3]) == 1 then
    redis.call('HSET', state, 'total', num(total - size(ARGV[3])))
  end
  return num(factor)
end

-- acquire: ARGV[3] recipients at ARGV[4] per second, windows of ARGV[5] us, catching up
-- to ARGV[6] us of lateness.
local count = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local catch_up = tonumber(ARGV[6])
local capacity = math.max(1, math.floor(rate * factor + 1e-9))
-- A batch cut before a slow-down may exceed the slowed capacity; one message with more
-- recipients than a window holds cannot be split, and goes alone into an empty window.
local limit = math.max(capacity, count)
local slot = math.max(now, math.ceil(earliest))

-- Entries at or before `at - window` are out of the window ending at `at`, and of every
-- later one (slots only grow): drop them for good.
local function trim(at)
  local edge = num(at - window)
  local gone = redis.call('ZRANGEBYSCORE', log, '-inf', edge)
  if #gone > 0 then
    for _, member in ipairs(gone) do total = total - size(member) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', edge)
  end
end

trim(slot)
local excess = total + count - limit
if excess > 0 then
  -- Move the slot on until enough of the oldest entries have left the window.
  local freed, start, found = 0, 0, false
  while not found do
    local page = redis.call('ZRANGE', log, start, start + 63, 'WITHSCORES')
    if #page == 0 then break end
    for i = 1, #page, 2 do
      freed = freed + size(page[i])
      if freed >= excess then
        slot = math.max(slot, tonumber(page[i + 1]) + window)
        found = true
        break
      end
    end
    start = start + 64
  end
  trim(slot)
end

local seq = redis.call('HINCRBY', state, 'seq', 1)
local member = seq .. ':' .. count
redis.call('ZADD', log, num(slot), member)
total = total + count
-- Even spacing; a request a little late (under catch_up) keeps the schedule.
local gap = count * window / capacity
local late = slot - earliest
local base = slot
if late > 0 and late <= math.min(catch_up, gap / 2) then base = earliest end
earliest = base + gap
redis.call('HSET', state, 'total', num(total), 'earliest', num(earliest), 'last', num(now))
keep(math.max(slot, earliest) - now + window)
return {num(slot - now), num(slot), num(factor), member}
"""


def _redis_module() -> Any:
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
        raise MissingExtraError(
            "sesflow.redis needs the 'redis' package (redis-py): pip install 'sesflow[redis]'"
        ) from exc
    return redis


class RedisLimiter:
    """A `sesflow.Limiter` whose state lives in Redis: one rate for every process and machine
    that uses the same Redis and key.

    Give it to `SES(limiter=...)`: every send through that `SES` (single sends and bulk runs)
    takes its recipients from it. Pacing is the in-process limiter's (1.02 s sliding windows,
    even spacing, slowing down after throttles and recovering), reckoned by Redis's clock in
    one atomic script per acquire; see the module's documentation for the algorithm.

    Args:
        redis: a URL (`redis://host:6379/0`, `rediss://...`, `unix:///path.sock`) or a
            `redis.Redis` client (used as given; sesflow never closes it); under
            `sesflow.aio`, a `redis.asyncio.Redis` client, so waiting for Redis does not
            block the event loop.
        rate: recipients per second for everyone sharing the key. None: the account's
            `MaxSendRate`, read once by the `SES` it is given to. Every application sharing
            the key should use the same rate.
        key: where the shared state lives in Redis. None: `sesflow:limiter:<region>`, one per
            region of the `SES` it is given to. Applications of one account share the rate
            by using the same Redis database and the same key (the default does, when they
            send from the same region); applications of different accounts on one Redis
            need keys of their own.
        headroom: the fraction of a second added to the window: no window of
            `1 + headroom` seconds holds more than `rate` (as the in-process limiter: 0.02).
            SES counts by arrival, so the headroom absorbs the difference between when
            senders send and when SES sees it: 20 ms by default. Senders whose delays to SES
            differ by more (machines on different network paths, or a heavily loaded one)
            need more, at the cost of as much of the rate (0.05: 95 % of it at most).

    Raises:
        MissingExtraError: redis-py is not installed (`pip install "sesflow[redis]"`).
        ValidationError: a bad `redis`, `rate` or `key`.

    Examples:
        >>> from sesflow.redis import RedisLimiter
        >>> limiter = RedisLimiter(redis_url, rate=1000, key=redis_key)
        >>> ses = SES(client=fake.client(), limiter=limiter)
        >>> ses.limiter is limiter
        True
        >>> ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
        SendResult(message_id='...')
        >>> limiter.close()
    """

    #: The default `headroom` (as the in-process limiter's: 1.02 s windows).
    HEADROOM = 0.02
    #: Slowest pace after throttles, as a fraction of `rate`.
    MIN_FACTOR = 0.25
    #: Lateness (seconds) of a request that the even spacing catches up on.
    CATCH_UP = 0.005
    #: Longest single sleep while a `cancel` check is given, so a stop is seen quickly.
    CANCEL_POLL = 0.1
    #: Seconds the shared state stays after its last use (then a fresh start, at full pace).
    IDLE = 60.0
    #: Seconds to wait for Redis to connect or answer, for a client built from a URL.
    TIMEOUT = 5.0
    # The length of a "second" (tests shorten it to run many windows quickly; the script
    # does not care how long its window is).
    _SECOND = 1.0

    def __init__(
        self,
        redis: str | redis_py.Redis | redis_asyncio.Redis,
        *,
        rate: float | None = None,
        key: str | None = None,
        headroom: float = 0.02,
    ) -> None:
        module = _redis_module()
        self._errors: tuple[type[BaseException], ...] = (module.RedisError, OSError)
        if isinstance(redis, str):
            try:
                client = module.Redis.from_url(
                    redis, socket_timeout=self.TIMEOUT, socket_connect_timeout=self.TIMEOUT
                )
            except ValueError as exc:
                raise ValidationError(f"redis: {exc}", field="redis", value=redis) from None
            self._owned = True
        elif callable(getattr(redis, "register_script", None)):
            client = redis
            self._owned = False
        else:
            raise ValidationError(
                f"redis: expected a URL or a redis.Redis client, got {type(redis).__name__}",
                field="redis",
            )
        if key is not None and (not isinstance(key, str) or not key):
            raise ValidationError(f"key: expected a non-empty string, got {key!r}", field="key")
        if (
            isinstance(headroom, bool)
            or not isinstance(headroom, int | float)
            or not 0 <= headroom < 1
        ):
            raise ValidationError(
                f"headroom: must be in [0, 1), got {headroom!r}", field="headroom"
            )
        self.headroom = float(headroom)
        self._client = client
        self._script = client.register_script(_LUA)
        self._rate = None if rate is None else validate_max_rate(rate)
        self._key = key
        self._region: str | None = None
        self._account_rate: Callable[[], float] | None = None
        self._sleep: Callable[[float], None] = time.sleep
        self._bound = False
        self._factor = 1.0  # as of the last answer from Redis
        self._lock = threading.Lock()

    def _bind(
        self,
        *,
        region: str,
        account_rate: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        """Called by the `SES` it is given to: its region names the default key, its
        account gives the default rate, and it waits with that `SES`'s sleep."""
        with self._lock:
            if self._bound:
                if self._key is None and region != self._region:
                    raise ValidationError(
                        f"limiter: this RedisLimiter already paces sends in {self._region}; "
                        f"sends in {region} have a rate of their own: give each region its "
                        "own limiter (or an explicit key)",
                        field="limiter",
                    )
                return
            self._bound = True
            self._region = region
            self._account_rate = account_rate
            self._sleep = sleep

    @property
    def key(self) -> str:
        """Where the shared state lives: the `key` given, else `sesflow:limiter:<region>`.

        Examples:
            >>> limiter = RedisLimiter(redis_url)
            >>> _ = SES(client=FakeSES(region="eu-west-1").client(), limiter=limiter)
            >>> limiter.key
            'sesflow:limiter:eu-west-1'
        """
        if self._key is not None:
            return self._key
        if self._region is None:
            raise ValidationError(
                "key: not given, and this RedisLimiter serves no SES yet (the default key is "
                "per region): give a key, or the limiter to SES(limiter=...)",
                field="key",
            )
        return f"sesflow:limiter:{self._region}"

    @property
    def rate(self) -> float:
        """Recipients per second at full pace: the `rate` given, else the account's
        `MaxSendRate` (read once, through the `SES` the limiter is given to).

        Examples:
            >>> limiter = RedisLimiter(redis_url, key=redis_key)
            >>> _ = SES(client=FakeSES(max_send_rate=200).client(), limiter=limiter)
            >>> limiter.rate
            200.0
        """
        rate = self._rate
        if rate is not None:
            return rate
        if self._account_rate is None:
            raise ValidationError(
                "rate: not given, and this RedisLimiter serves no SES yet to read the "
                "account's MaxSendRate from: give a rate, or the limiter to SES(limiter=...)",
                field="rate",
            )
        rate = validate_max_rate(self._account_rate())
        self._rate = rate
        return rate

    @property
    def capacity(self) -> int:
        """Recipients allowed in one window at the pace last heard from Redis (at least 1).

        Examples:
            >>> RedisLimiter(redis_url, rate=14.5, key=redis_key).capacity
            14
        """
        return max(1, math.floor(self.rate * self._factor + 1e-9))

    @property
    def factor(self) -> float:
        """The shared pace as a fraction of `rate`, as of the last answer from Redis
        (below 1 after throttles).

        Examples:
            >>> limiter = RedisLimiter(redis_url, rate=100, key=redis_key)
            >>> limiter.throttled()
            >>> limiter.factor
            0.8
        """
        return self._factor

    def _keys(self) -> list[str]:
        # One hash tag for both keys: a Redis Cluster keeps them in one slot, as a script
        # touching two keys needs.
        key = self.key
        return [f"{{{key}}}:log", f"{{{key}}}:state"]

    def _run(self, *args: object) -> Any:
        keys = self._keys()
        try:
            # A `redis.asyncio` client (under sesflow.aio) answers with an awaitable.
            return resolve(self._script(keys=keys, args=[args[0], int(self.IDLE * 1e6), *args[1:]]))
        except self._errors as exc:
            raise LimiterUnavailableError(
                f"the rate limiter's Redis ({self._where()}) cannot be used: {exc}. Nothing was "
                "sent past it. Start Redis (or fix its address) and send again; a bulk run "
                "resumes from its journal.",
                key=self.key,
            ) from exc

    def _where(self) -> str:
        kwargs = getattr(getattr(self._client, "connection_pool", None), "connection_kwargs", {})
        if "path" in kwargs:
            return f"unix socket {kwargs['path']}"
        host, port, db = kwargs.get("host", "?"), kwargs.get("port", "?"), kwargs.get("db", 0)
        return f"{host}:{port}, db {db}"

    @overload
    def grant(self, count: int) -> float: ...
    @overload
    def grant(self, count: int, *, cancel: Callable[[], bool] | None) -> float | None: ...

    def grant(self, count: int, *, cancel: Callable[[], bool] | None = None) -> float | None:
        """Like `acquire`, but returns when the recipients were granted: Redis's clock, in
        seconds (the slot the client slept until), or None when `cancel()` turned true first.

        Examples:
            >>> limiter = RedisLimiter(redis_url, rate=10, key=redis_key)
            >>> first, second = limiter.grant(10), limiter.grant(5)
            >>> round(second - first, 2)  # the next window: 1.02 s later
            1.02
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValidationError(
                f"count: expected a positive number of recipients, got {count!r}", field="count"
            )
        if cancel is not None and cancel():
            return None
        rate = self.rate
        asked = time.perf_counter()
        wait, slot, factor, member = self._run(
            "acquire",
            count,
            repr(rate),
            round((1.0 + self.headroom) * self._SECOND * 1e6),
            round(self.CATCH_UP * 1e6),
        )
        self._factor = float(factor)
        # The wait counts from when Redis ran the script; the answer may have taken a while
        # to reach this thread (a busy machine is slow to wake it), and that much is already
        # waited. (Redis ran the script soon after it was asked: the request leaves at once,
        # it is the wake-up on the way back that lags.)
        remaining = float(wait) / 1e6 - (time.perf_counter() - asked)
        if cancel is None:
            if remaining > 0:
                self._sleep(remaining)
            return float(slot) / 1e6
        while remaining > 0:
            if cancel():
                self._release(member)
                return None
            step = min(remaining, self.CANCEL_POLL)
            self._sleep(step)
            remaining -= step
        if cancel():
            self._release(member)
            return None
        return float(slot) / 1e6

    def _release(self, member: bytes | str) -> None:
        """Give back a reserved slot that will not be used (best effort: a slot not given
        back only wastes budget, it never lets more through)."""
        try:
            self._run("release", member)
        except LimiterUnavailableError as exc:
            logger.warning("could not give back a reserved send slot: %s", exc)

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        """Wait until `count` recipients may be sent, and count them against the shared rate.

        Returns False (counting nothing) when `cancel()` turned true while waiting.

        Raises:
            LimiterUnavailableError: Redis cannot be reached.

        Examples:
            >>> limiter = RedisLimiter(redis_url, rate=10, key=redis_key)
            >>> limiter.acquire(5)
            True
        """
        if cancel is None:
            self.grant(count)
            return True
        return self.grant(count, cancel=cancel) is not None

    def throttled(self) -> None:
        """SES throttled a call: slow everyone sharing the key to 80 % of the current pace
        (not below 25 %). Best effort: if Redis cannot be reached, the next `acquire` says so.

        Examples:
            >>> limiter = RedisLimiter(redis_url, rate=100, key=redis_key)
            >>> limiter.throttled()
            >>> limiter.capacity
            80
        """
        try:
            self._factor = float(self._run("throttled", repr(self.MIN_FACTOR)))
        except LimiterUnavailableError as exc:
            logger.warning("could not report a throttle to the shared limiter: %s", exc)

    def succeeded(self) -> None:
        """A call went through: bring back 5 % of the rate for everyone sharing the key.
        Asks Redis only while the pace is known to be slowed.

        Examples:
            >>> limiter = RedisLimiter(redis_url, rate=100, key=redis_key)
            >>> limiter.throttled()
            >>> limiter.succeeded()
            >>> limiter.factor
            0.85
        """
        if self._factor >= 1.0:
            return
        try:
            self._factor = float(self._run("succeeded"))
        except LimiterUnavailableError as exc:
            logger.warning("could not report a success to the shared limiter: %s", exc)

    def close(self) -> None:
        """Close the connections of a client built from a URL (a client given is left open).

        Examples:
            >>> RedisLimiter(redis_url, rate=10, key=redis_key).close()
        """
        if self._owned:
            self._client.close()

    def __repr__(self) -> str:
        key = self._key if self._key is not None else f"sesflow:limiter:{self._region or '?'}"
        rate = "the account's" if self._rate is None else f"{self._rate:g}"
        return f"RedisLimiter(key={key!r}, rate={rate}, factor={self._factor:.2f})"
