"""Keep secrets out of logs: Authorization headers, bearer JWTs, edepot API tokens, and configured
secret values (EDEPOT_SECRET_KEY, the alert webhook URL) are replaced by `[redacted]`.

`install(secrets)` wraps the logging record factory, so every record of every logger is redacted
when it is created (before any handler, test capture or formatter sees it), and adds the filter to
the root handlers so that formatted tracebacks are redacted too. Idempotent; secrets accumulate.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?)(bearer|basic|token)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"()eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # a JWT anywhere
    re.compile(r"()edp_[0-9a-f]{32}_[A-Za-z0-9_-]+"),  # an edepot API token anywhere
)

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    for secret in sorted({*secrets, *_secrets}, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Redacts the message and any formatted traceback of a record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _redact_value(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    redacted = redact(text)
    return value if redacted == text else redacted


def _redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place. Where only the arguments hold secrets they are redacted one by one,
    keeping their shape (formatters such as uvicorn's access log unpack them); otherwise the
    message is formatted, redacted and stored without arguments."""
    try:
        full = record.getMessage()
    except Exception:  # a broken format string: logging reports it later; keep the parts redacted
        record.msg = _redact_value(record.msg)
        return
    if redact(full) == full:
        return
    if isinstance(record.args, tuple | dict) and record.args:
        original = record.args
        if isinstance(original, tuple):
            record.args = tuple(_redact_value(a) for a in original)
        else:
            record.args = {k: _redact_value(v) for k, v in original.items()}
        try:
            if redact(record.getMessage()) == record.getMessage():
                return
        except Exception:  # noqa: S110 - fall through to the formatted message
            pass
    record.msg, record.args = redact(full), None


def install(secrets: Iterable[str] = ()) -> None:
    """Redact every log record from now on; `secrets` are literal values to hide as well."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)
        if _installed:
            return
        _installed = True
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
    add_filter_to_handlers()


def add_filter_to_handlers(loggers: Iterable[str] = ("", "uvicorn", "uvicorn.error", "uvicorn.access")) -> None:
    """Put the filter on the handlers of these loggers (for tracebacks, which are formatted late)."""
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
