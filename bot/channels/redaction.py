"""Keeping bot tokens out of every log record, whichever channel's library writes it.

Its own module so that a deployment without Telegram does not import python-telegram-bot to redact a Zalo token.
"""

from __future__ import annotations

import logging
from typing import Any


class TokenRedactingFilter(logging.Filter):
    """Replaces every known bot token in a log record (message, arguments, traceback) with "<token>".

    The record is formatted eagerly so that a token hidden in any argument (a URL object, an exception) is caught.
    """

    REPLACEMENT = "<token>"

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def add(self, token: str) -> None:
        if token:
            self.tokens.add(token)

    def redact(self, text: str) -> str:
        for token in self.tokens:
            text = text.replace(token, self.REPLACEMENT)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.tokens:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: still redact what can be redacted
            message = str(record.msg)
        redacted = self.redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_REDACTION = TokenRedactingFilter()
_factory_installed = False


def install_token_redaction(token: str) -> TokenRedactingFilter:
    """Keep `token` out of every log record from now on, whichever logger or handler it goes through.

    The filter is applied when each record is created (so handlers added later are covered too) and is also
    attached to the root logger's current handlers. Calling this again adds another token; it is idempotent.
    """
    global _factory_installed
    _REDACTION.add(token)
    if not _factory_installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _REDACTION.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
    for handler in logging.getLogger().handlers:
        if _REDACTION not in handler.filters:
            handler.addFilter(_REDACTION)
    for noisy in ("httpx", "httpcore"):  # they log every request URL, which contains the token
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return _REDACTION
