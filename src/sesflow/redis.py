"""One sending rate shared by every process and machine of an account: `RedisLimiter`.

Needs the optional redis-py package (imported when a `RedisLimiter` is made):
`pip install "sesflow[redis]"`.

    >>> from sesflow.redis import RedisLimiter
    >>> # needs AWS, and a Redis server reachable at that address
    >>> limiter = RedisLimiter("redis://cache:6379/0")
    >>> ses = sesflow.SES("eu-west-1", limiter=limiter)  # doctest: +SKIP

Every `SES` object given a `RedisLimiter` on the same Redis and key takes its recipients from
one budget: single sends and bulk runs, in any number of threads, processes and machines,
together never put more than the rate into any sliding second. The state is kept by one
atomic Lua script per acquire, on Redis's clock (machines' own clocks may disagree); see
`RedisLimiter` for the options and how applications share a key.
"""

from sesflow._redis import RedisLimiter

__all__ = ["RedisLimiter"]
