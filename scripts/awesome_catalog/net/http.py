"""HTTP engine of ``awesome-catalog links``: check many URLs quickly but politely.

``check_urls(urls, options)`` returns one ``Result`` per URL and knows nothing of files.
Each URL is tried with HEAD, then GET when HEAD is refused. Politeness: at most
``concurrency`` requests in flight overall and ``per_host`` per host name, ``delay``
seconds between two requests to one host, ``Retry-After`` honoured (capped) on 429
and 503, exponential backoff after timeouts and dropped connections, and a hard
``deadline`` after which nothing more is sent and what is left is reported unchecked.
Redirects are followed here, not by a library, so that a permanent one is reported
with the address to use instead.

A link is dead only when the answer is final: 404, 410 or another client error, a
host name that does not resolve, a TLS failure, or a timeout or dropped connection
on every try. Busy servers (429, 503 after every retry) and server errors leave the
link unchecked, which is a warning. So does a refusal (401, 403 or 429, the answer of
hosts that turn scripts away) unless ``refusal_is_dead``. Which hosts refuse scripts
whatever they are sent is the list's setting (``links.refuse_scripts`` in its
``catalog/list.yaml``), given as ``refuse_scripts``: from them a refusal means "works,
but could not be verified".
"""

from __future__ import annotations

import email.utils
import heapq
import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from awesome_catalog import __url__, __version__

USER_AGENT = f"awesome-catalog/{__version__} (+{__url__})"
"""How the tool names itself to the hosts it asks (links and arXiv's API)."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
BUSY = frozenset({408, 429, 503})
REFUSALS = frozenset({401, 403, 429})
"""Answers of a host that turns the request away, which says nothing of the link itself."""
UNREACHED = frozenset({"dns", "refused", "timeout", "reset", "other"})
"""Errors of a request that reached no server: the host did not resolve, or no connection."""
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"
_DRAIN_BYTES = 64 * 1024
"""A GET body up to this size is read so that its connection can be reused."""


class Outcome(StrEnum):
    """What became of one URL."""

    OK = "ok"
    MOVED = "moved"  # works, but a permanent redirect names its new address
    UNVERIFIED = "unverified"  # a host the list says refuses scripts refused this one
    DEAD = "dead"
    UNCHECKED = "unchecked"  # busy server, server error, a refusal, or the deadline came first


@dataclass(frozen=True)
class Result:
    """The verdict on one URL. ``final_url`` ends the redirect chain; ``moved_to`` is
    where its leading permanent redirects point."""

    url: str
    outcome: Outcome
    detail: str
    status: int | None = None
    final_url: str | None = None
    moved_to: str | None = None
    reached: bool = True  # False when no try got past resolving the host or connecting to it


@dataclass(frozen=True)
class Options:
    """Limits of one run, times in seconds; then the list's settings: the hosts (and
    their subdomains) that refuse scripts, and whether a refusal from any other host
    is a dead link rather than an unchecked one."""

    timeout: float = 15.0
    concurrency: int = 8
    per_host: int = 2
    delay: float = 0.5
    retries: int = 2
    deadline: float = 600.0
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_redirects: int = 10
    refuse_scripts: frozenset[str] = frozenset()
    refusal_is_dead: bool = False


@dataclass(frozen=True)
class Reply:
    """One HTTP exchange: a status, or an ``error`` kind (dns, tls, invalid, timeout,
    reset, refused, other) with a detail."""

    status: int | None = None
    location: str | None = None
    retry_after: float | None = None
    error: str | None = None
    detail: str = ""


def host_of(url: str) -> str:
    """The host name politeness is counted by (port not included)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def refuses_scripts(host: str, hosts: frozenset[str]) -> bool:
    """Whether ``host`` or a domain it belongs to is one of ``hosts``."""
    return any(host == h or host.endswith("." + h) for h in hosts)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Client:
    """Sends requests through urllib3's pools: connections to a host are kept alive and
    reused (one TLS handshake per host, not per URL), and proxies come from the
    environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``) as urllib reads them.
    Redirects and retries are left to ``decide``. Safe to share between threads."""

    def __init__(self, timeout: float, per_host: int = 2) -> None:
        import urllib.request

        import urllib3

        self.timeout = timeout
        settings: dict[str, Any] = {
            "num_pools": 64, "maxsize": max(1, per_host), "retries": False,
            "timeout": urllib3.Timeout(connect=timeout, read=timeout),
            "headers": {"User-Agent": USER_AGENT, "Accept": "*/*"},
        }
        self._direct = urllib3.PoolManager(**settings)
        self._proxies = {scheme: urllib3.ProxyManager(proxy, **settings)
                         for scheme, proxy in urllib.request.getproxies().items() if scheme in ("http", "https")}
        self._bypass = urllib.request.proxy_bypass

    def _manager(self, scheme: str, host: str) -> Any:
        proxy = self._proxies.get(scheme)
        return self._direct if proxy is None or self._bypass(host) else proxy

    def request(self, url: str, method: str) -> Reply:
        """Send one request without following redirects; never raises."""
        from urllib3 import exceptions as failed

        try:
            parts = urlsplit(url)
            port = f":{parts.port}" if parts.port else ""
            host = (parts.hostname or "").encode("idna").decode("ascii")
        except (ValueError, UnicodeError):
            return Reply(error="invalid", detail="the URL cannot be parsed")
        if parts.scheme not in ("http", "https") or not host:
            return Reply(error="invalid", detail="not an http(s) URL")
        target = quote(parts.path or "/", safe=_URL_SAFE)
        if parts.query:
            target += "?" + quote(parts.query, safe=_URL_SAFE)
        netloc = f"[{host}]" if ":" in host else host
        try:
            response = self._manager(parts.scheme, host).request(
                method, f"{parts.scheme}://{netloc}{port}{target}", redirect=False, preload_content=False)
        except failed.NameResolutionError as err:
            return Reply(error="dns", detail=f"the host name does not resolve ({err.__cause__ or err})")
        except failed.SSLError as err:
            return Reply(error="tls", detail=f"TLS failed: {err}")
        except failed.TimeoutError:
            return Reply(error="timeout", detail=f"no answer within {self.timeout:g} s")
        except failed.NewConnectionError as err:
            refused = isinstance(err.__cause__, ConnectionRefusedError) or "refused" in str(err)
            return (Reply(error="refused", detail="connection refused") if refused
                    else Reply(error="other", detail=f"cannot connect: {err}"))
        except failed.ProxyError as err:
            return Reply(error="other", detail=f"the proxy failed: {err}")
        except failed.ProtocolError as err:
            return Reply(error="reset", detail=f"connection dropped ({type(err.__cause__ or err).__name__})")
        except failed.LocationParseError:
            return Reply(error="invalid", detail="the URL cannot be parsed")
        except (failed.HTTPError, OSError) as err:
            return Reply(error="other", detail=f"{type(err).__name__}: {err}")
        reply = Reply(response.status, response.headers.get("Location"),
                      retry_after(response.headers.get("Retry-After")))
        length = response.headers.get("Content-Length", "")
        try:
            if method == "HEAD" or (length.isdigit() and int(length) <= _DRAIN_BYTES):
                response.drain_conn()  # read to the end: the connection goes back to its pool
            else:
                response.close()  # a large body is not worth reading
        except (failed.HTTPError, OSError):
            pass
        return reply


def offline(results: Iterable[Result]) -> bool:
    """Whether no request at all reached the network: there were results, and every one
    failed on resolving its host or on connecting. Their links are then unchecked, not dead."""
    seen = False
    for result in results:
        if result.reached or result.status is not None or result.outcome is not Outcome.DEAD:
            return False
        seen = True
    return seen


@dataclass
class Job:
    """One URL on its way: where it has got to, and how many tries went wrong."""

    url: str
    current: str = ""
    method: str = "HEAD"
    failures: int = 0
    hops: int = 0
    moved_to: str | None = None
    permanent: bool = True  # every redirect so far was permanent
    note: str = ""  # why it is waiting, for the deadline's report

    def __post_init__(self) -> None:
        self.current = self.current or self.url

    def result(self, outcome: Outcome, detail: str, status: int | None = None, reached: bool = True) -> Result:
        final = self.current if self.current != self.url else None
        return Result(self.url, outcome, detail, status, final, self.moved_to if outcome is Outcome.MOVED else None,
                      reached)


def decide(job: Job, reply: Reply, options: Options) -> Result | float:
    """The verdict after one reply, or the seconds to wait before ``job``'s next request
    (``job`` then says what to send: another method, URL or a retry)."""
    if reply.error is not None:
        reached = reply.error not in UNREACHED
        if reply.error in ("dns", "tls", "invalid"):
            return job.result(Outcome.DEAD, reply.detail, reached=reached)
        job.failures += 1
        job.note = reply.detail
        if job.failures > options.retries:
            return job.result(Outcome.DEAD, f"{reply.detail}, {job.failures} tries", reached=reached)
        return options.backoff * 2.0 ** (job.failures - 1)
    status = reply.status or 0
    if status in REDIRECTS and reply.location:
        job.hops += 1
        if job.hops > options.max_redirects:
            return job.result(Outcome.DEAD, f"more than {options.max_redirects} redirects", status)
        job.current = urljoin(job.current, reply.location.strip())
        job.permanent = job.permanent and status in PERMANENT
        if job.permanent:
            job.moved_to = job.current
        job.method, job.failures = "HEAD", 0
        return 0.0
    if 200 <= status < 300:
        if job.moved_to:
            return job.result(Outcome.MOVED, f"moved permanently to {job.moved_to}", status)
        return job.result(Outcome.OK, f"HTTP {status}", status)
    refused_script = status in REFUSALS and refuses_scripts(host_of(job.current), options.refuse_scripts)
    if job.method == "HEAD" and status >= 400 and status not in BUSY:
        job.method = "GET"  # many servers refuse or mishandle HEAD
        return 0.0
    if refused_script:
        return job.result(Outcome.UNVERIFIED, f"HTTP {status} from a host that refuses scripts", status)
    if status in BUSY:
        job.failures += 1
        job.note = f"HTTP {status}"
        if job.failures > options.retries:
            final = Outcome.DEAD if status in REFUSALS and options.refusal_is_dead else Outcome.UNCHECKED
            return job.result(final, f"still HTTP {status} after {job.failures} tries", status)
        wait = reply.retry_after if reply.retry_after is not None else options.backoff * 2.0 ** (job.failures - 1)
        return min(wait, options.max_retry_after)
    if status in REFUSALS and not options.refusal_is_dead:
        return job.result(Outcome.UNCHECKED, f"HTTP {status}, the host refused the request", status)
    if 400 <= status < 500:
        return job.result(Outcome.DEAD, f"HTTP {status}", status)
    return job.result(Outcome.UNCHECKED, f"HTTP {status}", status)


@dataclass
class _Host:
    ready: deque[Job] = field(default_factory=deque)
    in_flight: int = 0
    next_at: float = 0.0


Progress = Callable[[int, int, int], None]
"""Called with (URLs done, URLs in all, dead so far) after each verdict."""


def check_urls(urls: Iterable[str], options: Options, progress: Progress | None = None) -> dict[str, Result]:
    """Check every URL once (duplicates are checked once) within the options' bounds."""
    jobs = [Job(url) for url in dict.fromkeys(urls)]
    results: dict[str, Result] = {}
    deadline = time.monotonic() + options.deadline
    hosts: dict[str, _Host] = {}
    waiting: list[tuple[float, int, Job]] = []
    order = itertools.count()
    work: queue.SimpleQueue[tuple[Job, str] | None] = queue.SimpleQueue()
    replies: queue.SimpleQueue[tuple[Job, str, Reply]] = queue.SimpleQueue()
    in_flight = dead = 0

    client = Client(options.timeout, options.per_host)

    def worker() -> None:
        while (item := work.get()) is not None:
            job, host = item
            replies.put((job, host, client.request(job.current, job.method)))

    def host(job: Job) -> _Host:
        return hosts.setdefault(host_of(job.current), _Host())

    for job in jobs:
        host(job).ready.append(job)
    threads = [threading.Thread(target=worker, daemon=True, name=f"links-{i}")
               for i in range(min(options.concurrency, len(jobs)))]
    for thread in threads:
        thread.start()
    try:
        while len(results) < len(jobs):
            now = time.monotonic()
            if now >= deadline:
                break
            while waiting and waiting[0][0] <= now:
                job = heapq.heappop(waiting)[2]
                host(job).ready.append(job)
            wake = [deadline, *(w[0] for w in waiting[:1])]
            for name, h in hosts.items():
                while h.ready and h.in_flight < options.per_host and in_flight < options.concurrency:
                    if h.next_at > now:
                        wake.append(h.next_at)
                        break
                    job = h.ready.popleft()
                    h.in_flight += 1
                    in_flight += 1
                    h.next_at = now + options.delay
                    work.put((job, name))
            try:
                job, name, reply = replies.get(timeout=max(0.0, min(wake) - now))
            except queue.Empty:
                continue
            hosts[name].in_flight -= 1
            in_flight -= 1
            verdict = decide(job, reply, options)
            if isinstance(verdict, Result):
                results[job.url] = verdict
                dead += verdict.outcome is Outcome.DEAD
                if progress:
                    progress(len(results), len(jobs), dead)
            elif verdict > 0:
                heapq.heappush(waiting, (time.monotonic() + verdict, next(order), job))
            else:
                host(job).ready.appendleft(job)
    finally:
        for _ in threads:
            work.put(None)  # requests still in flight finish on their own: the threads are daemons
    for job in jobs:
        if job.url not in results:
            why = f" (last: {job.note})" if job.note else ""
            results[job.url] = job.result(Outcome.UNCHECKED, f"the deadline of {options.deadline:g} s came first{why}")
    return results
