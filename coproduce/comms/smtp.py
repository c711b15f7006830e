"""Handing messages to the SMTP relay so that a killed worker neither loses nor doubles one.

The relay accepts a message when it receives the final "." of the DATA phase. Whatever we do,
there is a moment between that acceptance and our database knowing about it. We order the steps
so that the moment is as short as it can be and its failure mode is known:

1. MAIL FROM, RCPT TO, DATA, then the whole message body, but *not* the final ".".
2. `before_commit_point()`: the caller commits "sent" for the row in its own transaction.
3. Only then the final "." (one small `send()`), then read the relay's reply. (`Relay.start`
   returns at the dot and leaves the reply to be read later, after the dispatcher has built
   the next message; nothing that decides exactly once happens after the dot.)

The body is written held back (`MSG_MORE`, or TCP_CORK where that is not available) and goes
out with the dot, in one piece; a killed worker's socket is flushed by the kernel all the
same, without a dot if the worker died before writing it.

When the relay offers PIPELINING (RFC 2920; Postfix does), the envelope (MAIL FROM, RCPT TO
and DATA) goes in one write instead of three round trips, and the next message's envelope
goes in the same write as this message's final dot: one round trip a message. The dot is
still written only after the commit, and the next message's envelope commits the relay to
nothing: a connection dropped after it, before that message's own dot, delivers nothing.

If the worker dies before step 2 commits, the relay never saw the final "." and drops the
half-sent message when the connection closes; the row is still "sending" and the sweeper
queues it again. If it dies after step 3's `send()`, the kernel still delivers the bytes it
holds and the relay accepts the message; the row already says "sent". The only gap left is
between the commit returning and the `send()` of five bytes (with PIPELINING, five bytes and
the next envelope: microseconds of our own code, with no I/O wait): a kill landing exactly
there leaves a row marked sent that the relay never accepted. If the relay answers the "."
with an error, the caller records that instead. `docs/architecture.md` ("Exactly once")
gives the measured figures.

Without EMAIL_HOST (the offline demo writes messages as files) there is no relay and Django's
configured backend is used: the file is written, then the row is marked sent.
"""

from __future__ import annotations

import functools
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address

_LONE_DOT = re.compile(rb"(?m)^\.")


class SendError(Exception):
    """The relay refused the message. `temporary` is True for 4xx answers and lost connections."""

    def __init__(self, reason: str, *, temporary: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
        self.code = code


class AmbiguousDelivery(Exception):
    """The final "." went out but no answer came back: the relay may or may not have it."""


def _smtp_error(exc: Exception) -> SendError:
    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return SendError(
            f"{exc.smtp_code} {text}"[:500],
            temporary=400 <= exc.smtp_code < 500,
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(exc.recipients.values()))
        said = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
        reason = f"{code} {said}"
        return SendError(reason[:500], temporary=400 <= code < 500, code=code)
    return SendError(f"{type(exc).__name__}: {exc}"[:500], temporary=True)


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=64)
def _sanitized(address: str) -> str:
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def plain_address(address: str) -> str:
    """An envelope or header address: plain ASCII addresses as they are, anything else through Django."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return _sanitized(address)


class Relay:
    """One connection to the configured relay, reused for a batch of messages."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.fallback = None
        self.pipelining = False  # the relay offers PIPELINING (RFC 2920)
        # The envelope of the next message, already written after the last final dot; its
        # three answers are still to be read (by `start`, for that message).
        self.announced: tuple[str, list[str]] | None = None
        if (
            not settings.EMAIL_HOST
            or settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend"
        ):
            self.fallback = get_connection(fail_silently=False)

    def __enter__(self) -> Relay:
        if self.fallback is not None:
            self.fallback.open()
            return self
        try:
            timeout = getattr(settings, "EMAIL_TIMEOUT", 30)
            if getattr(settings, "EMAIL_USE_SSL", False):
                self.smtp = smtplib.SMTP_SSL(
                    settings.EMAIL_HOST,
                    settings.EMAIL_PORT,
                    timeout=timeout,
                    context=ssl.create_default_context(),
                )
            else:
                self.smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
                if getattr(settings, "EMAIL_USE_TLS", False):
                    self.smtp.starttls(context=ssl.create_default_context())
            # The final dot is a small write right after the body: without TCP_NODELAY,
            # Nagle's algorithm and the relay's delayed ACK hold it for ~40 ms every message.
            if self.smtp.sock is not None:
                self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo_or_helo_if_needed()
            if settings.EMAIL_HOST_USER:
                self.smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            self.pipelining = bool(self.smtp.does_esmtp and self.smtp.has_extn("pipelining"))
        except (OSError, smtplib.SMTPException) as exc:
            raise _smtp_error(exc) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.fallback is not None:
            self.fallback.close()
            return
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()

    def abort(self) -> None:
        """Close the connection without QUIT: a message cut off before its final dot is
        dropped by the relay."""
        if self.fallback is not None:
            self.fallback.close()
        elif self.smtp is not None:
            self.smtp.close()

    def send(
        self, message: EmailMessage, before_commit_point: Callable[[], Callable[[], None] | None]
    ) -> None:
        """Send a Django message; see `send_bytes`."""
        self.send_bytes(
            message.from_email,
            message.recipients(),
            message.message().as_bytes(linesep="\r\n"),
            before_commit_point,
            as_email=lambda: message,
        )

    def send_bytes(
        self,
        from_email: str,
        to: list[str],
        data: bytes,
        before_commit_point: Callable[[], Callable[[], None] | None],
        *,
        as_email: Callable[[], EmailMessage],
    ) -> None:
        """Send one message; call `before_commit_point` just before the relay can accept it.

        Raises SendError (nothing accepted; the commit point was not reached, or the relay
        refused the message after it) or AmbiguousDelivery.
        """
        self.start(from_email, to, data, before_commit_point, as_email=as_email)()

    def alive(self) -> bool:
        """Whether a connection kept from earlier still answers (NOOP); False if closed."""
        if self.fallback is not None:
            return True
        if self.smtp is None or self.smtp.sock is None:
            return False
        try:
            return self.smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def start(
        self,
        from_email: str,
        to: list[str],
        data: bytes,
        before_commit_point: Callable[[], Callable[[], None] | None],
        *,
        as_email: Callable[[], EmailMessage],
        following: tuple[str, list[str]] | None = None,
    ) -> Callable[[], None]:
        """`send_bytes` up to and including the final dot; returns the rest: a callable that
        reads the relay's answer to the dot (and raises SendError or AmbiguousDelivery).

        The caller may do other work before calling it (the dispatcher builds the next
        message while the relay takes this one), but must call it before anything else is
        sent on this connection. Everything that decides exactly once has happened by then:
        the row was committed as sent, then the dot was written.

        `following` is the next message's envelope (sender, recipients), if the caller will
        send it next on this connection: with PIPELINING it goes out with this message's dot,
        and the next `start` must be for exactly that envelope.
        """
        if self.fallback is not None:
            self.fallback.send_messages([as_email()])
            finish = before_commit_point()
            if finish is not None:
                finish()
            return _nothing
        assert self.smtp is not None
        smtp = self.smtp
        sock = smtp.sock
        sender = plain_address(from_email)
        recipients = [plain_address(a) for a in to]
        body = _LONE_DOT.sub(b"..", data) if b"\n." in data or data[:1] == b"." else data
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        corked = False
        if sock is None:
            raise _smtp_error(smtplib.SMTPServerDisconnected("not connected"))
        try:
            if self.pipelining:
                self._pipelined_envelope(smtp, sender, recipients)
            else:
                self._envelope_step_by_step(smtp, sender, recipients)
            # Held back, the body waits in our socket buffer and goes out with the dot, in
            # one piece: the relay wakes once per message, not twice. A killed worker's socket
            # is still flushed when the kernel closes it, without a dot if we died before it.
            corked = _send_held(sock, body)
        except (OSError, smtplib.SMTPException) as exc:
            if corked:
                _cork(sock, False)
            raise _smtp_error(exc) from exc
        # The dot (and, with PIPELINING, the next envelope) is made ready before the commit,
        # so that after it there is nothing left to do but one write.
        tail = b".\r\n"
        announce = None
        if following is not None and self.pipelining:
            announce = (plain_address(following[0]), [plain_address(a) for a in following[1]])
            tail += _envelope_commands(*announce)
        # Everything but the final dot is with the relay. Commit first, then let it accept.
        # The commit may come back as a callable: the commit was sent to the database, and
        # the callable waits for its answer, which we do after the dot (see outbox.py).
        try:
            finish = before_commit_point()
        except BaseException:
            if corked:
                _cork(sock, False)
            raise
        try:
            try:
                sock.sendall(tail)
                self.announced = announce
            finally:
                if corked:
                    _cork(sock, False)
                if finish is not None:
                    finish()
        except (OSError, smtplib.SMTPException) as exc:
            raise AmbiguousDelivery(f"{type(exc).__name__}: {exc}") from exc
        return functools.partial(_read_answer, smtp)

    def _envelope_step_by_step(
        self, smtp: smtplib.SMTP, sender: str, recipients: list[str]
    ) -> None:
        """MAIL, RCPT and DATA, each answered before the next (a relay without PIPELINING).
        As smtplib's mail() and rcpt() without options, minus their address parsing."""
        smtp.putcmd("mail", f"FROM:{_envelope(sender)}")
        code, reply = smtp.getreply()
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            smtp.putcmd("rcpt", f"TO:{_envelope(recipient)}")
            code, reply = smtp.getreply()
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            smtp.rset()
            raise smtplib.SMTPDataError(code, reply)

    def _pipelined_envelope(self, smtp: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        """MAIL, RCPT and DATA in one write (unless they went out with the last dot), then
        their answers, in order (RFC 2920)."""
        announced, self.announced = self.announced, None
        if announced is None:
            assert smtp.sock is not None
            smtp.sock.sendall(_envelope_commands(sender, recipients))
        elif announced != (sender, recipients):
            # The caller said the next message would be another one: a bug. The relay may be
            # about to take data for the announced envelope; the connection cannot be used.
            raise smtplib.SMTPServerDisconnected(
                "the envelope sent ahead is not this message's: connection dropped"
            )
        mail = smtp.getreply()
        refused = {}
        for recipient in recipients:
            code, reply = smtp.getreply()
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        code, reply = smtp.getreply()
        accepted = mail[0] == 250 and len(refused) < len(recipients)
        if code == 354 and accepted:
            return
        if code == 354:
            # Told to send data for an envelope it refused: anything sent now could be
            # delivered. Only dropping the connection is safe (no dot, nothing delivered).
            raise smtplib.SMTPServerDisconnected("relay accepted DATA after refusing the envelope")
        smtp.rset()
        if mail[0] != 250:
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
        if not accepted:
            raise smtplib.SMTPRecipientsRefused(refused)
        raise smtplib.SMTPDataError(code, reply)


def _envelope_commands(sender: str, recipients: list[str]) -> bytes:
    """MAIL FROM, RCPT TO for each recipient and DATA, as one piece to write."""
    rcpts = "".join(f"RCPT TO:{_envelope(recipient)}\r\n" for recipient in recipients)
    return f"MAIL FROM:{_envelope(sender)}\r\n{rcpts}DATA\r\n".encode()


def _send_held(sock: socket.socket, data: bytes) -> bool:
    """Write `data` but hold it back until the next write (MSG_MORE); where that flag is not
    available (TLS sockets, other systems) cork the socket instead and return True: the caller
    then uncorks it after the next write."""
    more = getattr(socket, "MSG_MORE", 0)
    if more and type(sock) is socket.socket:
        sock.sendall(data, more)
        return False
    corked = _cork(sock, True)
    sock.sendall(data)
    return corked


def _envelope(address: str) -> str:
    """An address as MAIL FROM and RCPT TO take it: `<name@example.org>`."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return _quoted(address)


@functools.lru_cache(maxsize=64)
def _quoted(address: str) -> str:
    """smtplib's own parsing, for "Name <address>" (the sender, the same every time)."""
    return smtplib.quoteaddr(address)


def _cork(sock: socket.socket | None, on: bool) -> bool:
    """Hold (True) or release (False) what is written to the socket; False where TCP_CORK is
    not available."""
    if sock is None or not hasattr(socket, "TCP_CORK"):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1 if on else 0)
    except OSError:
        return False
    return True


def _nothing() -> None:
    return None


def _read_answer(smtp: smtplib.SMTP) -> None:
    """The relay's answer to a final dot: 250, or SendError, or AmbiguousDelivery if none came."""
    try:
        code, reply = smtp.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        raise AmbiguousDelivery(f"{type(exc).__name__}: {exc}") from exc
    if code != 250:
        text = reply.decode("utf-8", "replace")
        raise SendError(f"{code} {text}"[:500], temporary=400 <= code < 500, code=code)
