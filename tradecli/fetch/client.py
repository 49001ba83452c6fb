"""HTTP for the fetchers: one request at a time, throttled, retried within bounds, every failure one sentence.

Retries follow what the server says: 429, and 403 with Retry-After, wait the time it asks for;
5xx, timeouts and dropped connections back off (1 s, 2 s, 4 s, ... by default). Both are bounded
in count (``retries``) and in total waiting (``max_wait``). Redirects are not followed: the key
header would go with them to wherever they point.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .. import __version__
from ..errors import MissingExtraError, TradeDataError

#: The most an answer may hold: 250,000 Comtrade records are about 350 MB of JSON.
MAX_BODY = 512 * 1024 * 1024
_KEY = re.compile(r"[\x21-\x7e]{1,256}", re.ASCII)


class FetchError(TradeDataError):
    """A request that failed: refused, unreachable, too slow, or answered with something that is not data."""


def check_key(key: str, where: str) -> str:
    """The key without surrounding space; FetchError (never showing it) when it cannot be a header value."""
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise FetchError(f"the API key in {where} is not a key (one word of printable ASCII characters, at most 256)")
    return key


@dataclass(frozen=True)
class Policy:
    """How politely to ask: the least time between requests, the timeout, and the bounds on retrying."""

    interval: float = 1.0  # seconds between the starts of two requests
    timeout: float = 60.0  # seconds to connect, and between bytes of the answer
    retries: int = 3  # retries of one request after the first try
    max_wait: float = 300.0  # seconds one request may spend waiting to retry, in all
    backoff: float = 1.0  # the first wait after a 5xx or a timeout; doubled each time
    longest: float = 600.0  # seconds one answer may take to arrive in full (a trickle never trips ``timeout``)


@dataclass
class Answer:
    """A 200 answer: its body and content type."""

    body: bytes
    content_type: str


@dataclass
class Client:
    """Sends GET requests with the key in the Ocp-Apim-Subscription-Key header only; counts what it sends."""

    key: str | None = None
    policy: Policy = field(default_factory=Policy)
    sleep: Callable[[float], None] | None = None  # default time.sleep, looked up at each call
    clock: Callable[[], float] = time.monotonic
    sent: int = 0  # requests sent, retries included

    def __post_init__(self) -> None:
        try:
            import httpx
        except ImportError:
            raise MissingExtraError("fetching from the network", "httpx", "fetch") from None
        self._httpx = httpx
        headers = {"User-Agent": f"tradecli/{__version__}", "Accept": "application/json"}
        if self.key:
            headers["Ocp-Apim-Subscription-Key"] = self.key
        self._http = httpx.Client(headers=headers, timeout=self.policy.timeout, follow_redirects=False)
        self._last: float | None = None

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def redact(self, text: str) -> str:
        """``text`` with the key, should a server echo it, replaced by ***."""
        return text.replace(self.key, "***") if self.key else text

    def _throttle(self) -> None:
        if self._last is not None:
            wait = self._last + self.policy.interval - self.clock()
            if wait > 0:
                (self.sleep or time.sleep)(wait)
        self._last = self.clock()

    def get(self, url: str, params: Sequence[tuple[str, str]], what: str) -> Answer:
        """GET ``url`` with ``params``; the 200 answer, or FetchError naming ``what`` (the request, without the key)."""
        httpx = self._httpx
        waited, attempt = 0.0, 0
        while True:
            self._throttle()
            self.sent += 1
            retry_after: float | None = None
            try:
                with self._http.stream("GET", url, params=list(params)) as response:
                    status = response.status_code
                    body = self._read(response, what)
                    content_type = response.headers.get("content-type", "")
                    retry_after = _retry_after(response.headers.get("retry-after"))
            except httpx.TimeoutException:
                problem = f"no answer within {self.policy.timeout:g} s"
                status = None
            except httpx.RemoteProtocolError:
                problem = "the server closed the connection without a complete answer"
                status = None
            except httpx.ConnectError as exc:
                raise FetchError(f"{what}: cannot connect ({self.redact(_reason(exc))})") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{what}: the request failed ({self.redact(_reason(exc))})") from None
            if status == 200:
                return Answer(body, content_type)
            if status is not None:
                problem = f"HTTP {status}{self._said(body)}"
            if status in (429, 403) and (status == 429 or retry_after is not None):
                delay = retry_after if retry_after is not None else self.policy.backoff * 2**attempt
                transient = True
            elif status is None or status >= 500:
                delay = self.policy.backoff * 2**attempt
                transient = True
            else:
                transient = False
            if not transient:
                raise FetchError(f"{what}: {problem}{_advice(status)}")
            if attempt >= self.policy.retries or waited + delay > self.policy.max_wait:
                tries = attempt + 1
                raise FetchError(
                    f"{what}: {problem} after {tries} tr{'ies' if tries > 1 else 'y'}"
                    + (f" (the server asks to wait {delay:g} s more)" if status in (429, 403) else "")
                    + "; try again later"
                )
            (self.sleep or time.sleep)(delay)
            waited += delay
            attempt += 1

    def _read(self, response, what: str) -> bytes:
        """The answer's body, bounded in size and in the time it takes to arrive."""
        chunks, size, start = [], 0, self.clock()
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise FetchError(f"{what}: the answer is larger than {MAX_BODY // 2**20} MiB; ask for fewer periods or partners")
            if self.clock() - start > self.policy.longest:
                raise FetchError(f"{what}: the answer took longer than {self.policy.longest:g} s to arrive; try again later")
            chunks.append(chunk)
        return b"".join(chunks)

    def _said(self, body: bytes) -> str:
        """What an error body says, in a few words: APIM's {"message"}, Comtrade's {"error"} or errorObject."""
        try:
            document = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return ""
        said = None
        if isinstance(document, dict):
            error_object = document.get("errorObject")
            said = document.get("message") or document.get("error")
            if isinstance(error_object, dict):
                said = error_object.get("errorMessage") or said
        if not isinstance(said, str) or not said.strip():
            return ""
        said = " ".join(self.redact(said).split())
        return f": {said[:200]}{'…' if len(said) > 200 else ''}"


def _advice(status: int | None) -> str:
    return {
        401: " (the API key is missing, wrong or expired: check $COMTRADE_API_KEY or --key-file)",
        403: " (the key's quota is used up or the call is not allowed)",
        404: " (no such endpoint: check --api-url, --freq and --type)",
    }.get(
        status or 0, " (redirects are not followed: point --api-url at the final address)" if 300 <= (status or 0) < 400 else ""
    )


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: BaseException) -> str:
    """The innermost reason of a connection error, in one line."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    return " ".join(str(exc).split()) or type(exc).__name__
