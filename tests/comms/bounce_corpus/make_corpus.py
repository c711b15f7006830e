"""Write the bounce test corpus: `python tests/comms/bounce_corpus/make_corpus.py`.

Each message is written to a `.eml` file beside this script, and `expected.json` says what each
one should give when it is read on its own into an empty database. The shapes follow what real
mail systems send (Postfix, Exim, Microsoft Exchange / Office 365, Gmail, Yahoo), trimmed; the
addresses and hosts are made up. File name prefixes: perm- (permanent failures), temp-
(temporary), mixed- (several recipients), ok- (successes, ignored), dup- (a copy of another
file), skip- (not a bounce) and bad- (malformed).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
ORIGINAL_ID = "<20250303.m7.a{n}@news.coproduce.example>"

EXPECTED: dict[str, dict[str, int]] = {}


def _expect(name: str, **counts: int) -> None:
    EXPECTED[name] = {
        "permanent": counts.get("permanent", 0),
        "temporary": counts.get("temporary", 0),
        "suppressed": counts.get("suppressed", 0),
        "ignored": counts.get("ignored", 0),
        "skipped": counts.get("skipped", 0),
    }


def _write(name: str, data: bytes | str) -> None:
    (HERE / name).write_bytes(data.encode() if isinstance(data, str) else data)


def _headers_part(n: int, *, subject: str = "Engage newsletter: spring issue") -> str:
    return (
        "Content-Type: text/rfc822-headers\n"
        "Content-Description: Undelivered Message Headers\n"
        "\n"
        "Return-Path: <bounces@coproduce.example>\n"
        "From: Research Collaboration <news@coproduce.example>\n"
        f"To: recipient{n}@example.org\n"
        f"Subject: {subject}\n"
        f"Message-ID: {ORIGINAL_ID.format(n=n)}\n"
        "Date: Mon, 3 Mar 2025 09:00:00 +0000\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    )


def _message_part(n: int) -> str:
    return (
        "Content-Type: message/rfc822\n"
        "\n"
        "From: Research Collaboration <news@coproduce.example>\n"
        f"To: recipient{n}@example.org\n"
        "Subject: Monthly briefing\n"
        f"Message-ID: {ORIGINAL_ID.format(n=n)}\n"
        "Date: Mon, 3 Mar 2025 09:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Hello,\n\nThis month in the collaboration...\n"
    )


def postfix(
    recipients: list[dict[str, str]],
    *,
    date: str,
    n: int,
    returned: str = "headers",
    host: str = "mail.example.net",
) -> str:
    """A Postfix bounce (or delay warning) with one block per recipient."""
    delayed = all(r.get("action") == "delayed" for r in recipients)
    blocks = "\n".join(
        f"Final-Recipient: rfc822; {r['address']}\n"
        f"Original-Recipient: rfc822;{r['address']}\n"
        f"Action: {r.get('action', 'failed')}\n"
        f"Status: {r['status']}\n"
        f"Remote-MTA: dns; mx.{r['address'].rpartition('@')[2]}\n"
        + (f"Diagnostic-Code: smtp; {r['diagnostic']}\n" if r.get("diagnostic") else "")
        + ("Will-Retry-Until: Thu, 6 Mar 2025 09:00:02 +0000 (UTC)\n" if delayed else "")
        for r in recipients
    )
    returned_part = _headers_part(n) if returned == "headers" else _message_part(n)
    subject = (
        "Delayed Mail (still being retried)" if delayed else "Undelivered Mail Returned to Sender"
    )
    return (
        f"Return-Path: <>\n"
        f"Received: by {host} (Postfix) id 4Q1x2y3z4; {date}\n"
        f"Date: {date}\n"
        f"From: MAILER-DAEMON@{host} (Mail Delivery System)\n"
        f"Subject: {subject}\n"
        "To: bounces@coproduce.example\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="4Q1x2y3z4.{n}/{host}"\n'
        "Content-Transfer-Encoding: 8bit\n"
        f"Message-Id: <20250303090002.4Q1x2y3z4.{n}@{host}>\n"
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        f"--4Q1x2y3z4.{n}/{host}\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        f"This is the mail system at host {host}.\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n"
        "\n"
        "                   The mail system\n"
        "\n"
        f"--4Q1x2y3z4.{n}/{host}\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        f"Reporting-MTA: dns; {host}\n"
        f"X-Postfix-Queue-ID: 4Q1x2y3z4\n"
        "X-Postfix-Sender: rfc822; bounces@coproduce.example\n"
        "Arrival-Date: Mon,  3 Mar 2025 09:00:01 +0000 (UTC)\n"
        "\n"
        f"{blocks}\n"
        f"--4Q1x2y3z4.{n}/{host}\n"
        f"{returned_part}"
        "\n"
        f"--4Q1x2y3z4.{n}/{host}--\n"
    )


def exim(address: str, status: str, diagnostic: str, *, date: str, n: int) -> str:
    return (
        "Return-path: <>\n"
        "Envelope-to: bounces@coproduce.example\n"
        f"Delivery-date: {date}\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@smtp.example.com>\n"
        "To: bounces@coproduce.example\n"
        "References: <20250303.m7.a3@news.coproduce.example>\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=1741000000-eximdsn-1804289383\n"
        "MIME-Version: 1.0\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1tp0ab-000123-CD@smtp.example.com>\n"
        f"Date: {date}\n"
        "\n"
        "--1741000000-eximdsn-1804289383\n"
        "Content-type: text/plain; charset=us-ascii\n"
        "\n"
        "This message was created automatically by mail delivery software.\n"
        "\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n"
        "\n"
        f"  {address}\n"
        f"    host mx.example.com [192.0.2.25]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{address}>:\n"
        f"    {diagnostic}\n"
        "\n"
        "--1741000000-eximdsn-1804289383\n"
        "Content-type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; smtp.example.com\n"
        "\n"
        "Action: failed\n"
        f"Final-Recipient: rfc822;{address}\n"
        f"Status: {status}\n"
        "Remote-MTA: dns; mx.example.com\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n"
        "\n"
        "--1741000000-eximdsn-1804289383\n"
        f"{_message_part(n)}"
        "\n"
        "--1741000000-eximdsn-1804289383--\n"
    )


def exchange(address: str, status: str, diagnostic: str, *, date: str, n: int) -> bytes:
    """Microsoft Exchange / Office 365 NDR: CRLF line ends, an HTML notice, headers returned."""
    text = (
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example>\n"
        "To: <bounces@coproduce.example>\n"
        f"Date: {date}\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="b0d0c3a1-5a6e-4d0e-9f4a-2c1e0c7d9e11"\n'
        "X-MS-Exchange-Message-Is-Ndr:\n"
        "Content-Language: en-GB\n"
        f"Message-ID: <0f2e0a51-8f0e-4c1a-9d35-{n:012d}@AM0PR02MB1234.eurprd02.prod.outlook.example>\n"
        "In-Reply-To: <20250303.m7.a4@news.coproduce.example>\n"
        "Subject: Undeliverable: Monthly briefing\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "\n"
        "--b0d0c3a1-5a6e-4d0e-9f4a-2c1e0c7d9e11\n"
        "Content-Type: multipart/alternative; differences=Content-Type;\n"
        '\tboundary="9a8b7c6d-alt"\n'
        "\n"
        "--9a8b7c6d-alt\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Your message to "
        f"{address} couldn't be delivered.=0D=0A=\n"
        "The address wasn't found at the destination domain.\n"
        "\n"
        "--9a8b7c6d-alt\n"
        'Content-Type: text/html; charset="us-ascii"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "PGh0bWw+PGJvZHk+PHA+WW91ciBtZXNzYWdlIGNvdWxkbid0IGJlIGRlbGl2ZXJlZC48L3A+PC9ib2R5PjwvaHRtbD4=\n"
        "\n"
        "--9a8b7c6d-alt--\n"
        "\n"
        "--b0d0c3a1-5a6e-4d0e-9f4a-2c1e0c7d9e11\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns;AM0PR02MB1234.eurprd02.prod.outlook.example\n"
        "Received-From-MTA: dns;relay.coproduce.example\n"
        f"Arrival-Date: {date}\n"
        "\n"
        f"Final-Recipient: rfc822;{address}\n"
        "Action: failed\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: smtp;{diagnostic}\n"
        f"X-Display-Name: {address.partition('@')[0].title()}\n"
        "\n"
        "\n"
        "--b0d0c3a1-5a6e-4d0e-9f4a-2c1e0c7d9e11\n"
        f"{_headers_part(n, subject='Monthly briefing')}"
        "\n"
        "--b0d0c3a1-5a6e-4d0e-9f4a-2c1e0c7d9e11--\n"
    )
    return text.replace("\n", "\r\n").encode()


def gmail(
    address: str, status: str, diagnostic: str, *, date: str, n: int, action: str = "failed"
) -> str:
    return (
        "Return-Path: <>\n"
        "Received: by 2002:a05:6000:1:b0:39c:1234 with SMTP id abc; " + date + "\n"
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\n"
        "To: bounces@coproduce.example\n"
        "Auto-Submitted: auto-replied\n"
        f"Message-ID: <67c5f0aa.050a0220.{n}.abcd.GMR@mx.google.example>\n"
        f"Date: {date}\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; boundary="000000000000gmail0001"; report-type=delivery-status\n'
        "\n"
        "--000000000000gmail0001\n"
        'Content-Type: multipart/related; boundary="000000000000gmail0002"\n'
        "\n"
        "--000000000000gmail0002\n"
        'Content-Type: multipart/alternative; boundary="000000000000gmail0003"\n'
        "\n"
        "--000000000000gmail0003\n"
        'Content-Type: text/plain; charset="UTF-8"\n'
        "\n"
        "** Address not found **\n"
        "\n"
        f"Your message wasn't delivered to {address} because the address couldn't be found.\n"
        "\n"
        "--000000000000gmail0003\n"
        'Content-Type: text/html; charset="UTF-8"\n'
        "\n"
        "<html><body><h1>Address not found</h1></body></html>\n"
        "\n"
        "--000000000000gmail0003--\n"
        "--000000000000gmail0002--\n"
        "--000000000000gmail0001\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; googlemail.example\n"
        "Received-From-MTA: dns; relay.coproduce.example\n"
        f"Arrival-Date: {date}\n"
        f"X-Original-Message-ID: {ORIGINAL_ID.format(n=n)}\n"
        "\n"
        f"Final-Recipient: rfc822; {address}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n"
        f"Last-Attempt-Date: {date}\n"
        "\n"
        "--000000000000gmail0001\n"
        f"{_message_part(n)}"
        "--000000000000gmail0001--\n"
    )


def simple_report(
    blocks: str, *, date: str, n: int, content_type: str = "message/delivery-status"
) -> str:
    """A minimal DSN around hand-written delivery-status blocks."""
    return (
        "From: MAILER-DAEMON@mta.example.org\n"
        "To: bounces@coproduce.example\n"
        f"Date: {date}\n"
        f"Message-ID: <dsn.{n}@mta.example.org>\n"
        "Subject: Delivery Status Notification\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="simple"\n'
        "\n"
        "--simple\n"
        "Content-Type: text/plain\n"
        "\n"
        "Your message could not be delivered.\n"
        "--simple\n"
        f"Content-Type: {content_type}\n"
        "\n"
        "Reporting-MTA: dns; mta.example.org\n"
        "\n"
        f"{blocks}"
        "\n"
        "--simple\n"
        f"{_headers_part(n)}"
        "--simple--\n"
    )


def build() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    EXPECTED.clear()
    march = "Mon, 3 Mar 2025 09:00:02 +0000"

    # -- permanent failures ----------------------------------------------------------------
    _write(
        "perm-postfix-user-unknown.eml",
        postfix(
            [
                {
                    "address": "alice.gone@example.org",
                    "status": "5.1.1",
                    "diagnostic": "550 5.1.1 <alice.gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
                }
            ],
            date=march,
            n=1,
        ),
    )
    _expect("perm-postfix-user-unknown.eml", permanent=1, suppressed=1)
    _write(
        "dup-postfix-user-unknown-copy.eml", (HERE / "perm-postfix-user-unknown.eml").read_bytes()
    )
    _expect("dup-postfix-user-unknown-copy.eml", permanent=1, suppressed=1)

    _write(
        "perm-postfix-not-authorised.eml",
        postfix(
            [
                {
                    "address": "bob.x@example.net",
                    "status": "5.7.1 (delivery not authorized, message refused)",
                    "diagnostic": "554 5.7.1 <bob.x@example.net>: Relay access denied",
                }
            ],
            date="Tue, 4 Mar 2025 10:11:12 +0000",
            n=2,
            returned="message",
        ),
    )
    _expect("perm-postfix-not-authorised.eml", permanent=1, suppressed=1)

    _write(
        "perm-exim-no-such-user.eml",
        exim(
            "carol@example.com",
            "5.0.0",
            "550 No Such User Here",
            date="Wed, 05 Mar 2025 11:00:00 +0000",
            n=3,
        ),
    )
    _expect("perm-exim-no-such-user.eml", permanent=1, suppressed=1)

    _write(
        "perm-exchange-recipient-not-found.eml",
        exchange(
            "dave@contoso.example",
            "5.1.10",
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            date="Thu, 6 Mar 2025 12:00:00 +0000",
            n=4,
        ),
    )
    _expect("perm-exchange-recipient-not-found.eml", permanent=1, suppressed=1)

    _write(
        "perm-office365-access-denied.eml",
        exchange(
            "frank@fabrikam.example",
            "5.4.1",
            "550 5.4.1 Recipient address rejected: Access denied. [AM0PR02MB1234.eurprd02.prod.outlook.example]",
            date="Fri, 7 Mar 2025 08:30:00 +0000",
            n=6,
        ),
    )
    _expect("perm-office365-access-denied.eml", permanent=1, suppressed=1)

    _write(
        "perm-gmail-no-such-user.eml",
        gmail(
            "erin@gmail.example",
            "5.1.1",
            "550-5.1.1 The email account that you tried to reach does not exist. 5.1.1 https://support.google.example/mail/?p=NoSuchUser",
            date="Sat, 08 Mar 2025 07:07:07 -0800",
            n=5,
        ),
    )
    _expect("perm-gmail-no-such-user.eml", permanent=1, suppressed=1)

    _write(
        "perm-yahoo-no-account.eml",
        simple_report(
            "Final-Recipient: rfc822; grace@yahoo.example\n"
            "Action: failed\n"
            "Status: 5.0.0\n"
            "Diagnostic-Code: smtp; 554 delivery error: dd This user doesn't have a yahoo.example account (grace@yahoo.example) [-5] - mta1001.mail.example\n",
            date="Sun, 9 Mar 2025 06:00:00 +0000",
            n=7,
        ),
    )
    _expect("perm-yahoo-no-account.eml", permanent=1, suppressed=1)

    _write(
        "perm-mailbox-full-permanent.eml",
        postfix(
            [
                {
                    "address": "heidi@example.org",
                    "status": "5.2.2",
                    "diagnostic": "552 5.2.2 <heidi@example.org>: Mailbox full, quota exceeded",
                }
            ],
            date="Mon, 10 Mar 2025 09:00:00 +0000",
            n=8,
        ),
    )
    _expect("perm-mailbox-full-permanent.eml", permanent=1, suppressed=1)

    _write(
        "perm-postfix-two-recipients.eml",
        postfix(
            [
                {
                    "address": "ivan@example.org",
                    "status": "5.1.1",
                    "diagnostic": "550 5.1.1 User unknown",
                },
                {
                    "address": "judy@example.org",
                    "status": "5.1.1",
                    "diagnostic": "550 5.1.1 User unknown",
                },
            ],
            date="Tue, 11 Mar 2025 09:00:00 +0000",
            n=9,
        ),
    )
    _expect("perm-postfix-two-recipients.eml", permanent=2, suppressed=2)

    _write(
        "perm-global-delivery-status.eml",
        simple_report(
            "Final-Recipient: utf-8; mallory@example.org\n"
            "Action: failed\n"
            "Status: 5.1.1\n"
            "Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\n",
            date="Wed, 12 Mar 2025 09:00:00 +0000",
            n=10,
            content_type="message/global-delivery-status",
        ),
    )
    _expect("perm-global-delivery-status.eml", permanent=1, suppressed=1)

    _write(
        "perm-mixed-case-address.eml",
        simple_report(
            "Final-Recipient: RFC822;<Niaj.Upper@Example.ORG>\nACTION: Failed\nstatus: 5.1.1\n",
            date="Thu, 13 Mar 2025 09:00:00 GMT",
            n=11,
        ),
    )
    _expect("perm-mixed-case-address.eml", permanent=1, suppressed=1)

    _write(
        "perm-folded-fields.eml",
        simple_report(
            "Final-Recipient:\n rfc822;\n peggy@example.org\n"
            "Action: failed\n"
            "Status: 5.1.1\n"
            "Diagnostic-Code: smtp; 550-5.1.1 The mailbox you tried to reach\n"
            "    does not exist here. Please check the address\n"
            "    and try again.\n",
            date="Fri, 14 Mar 2025 09:00:00 +0000",
            n=12,
        ),
    )
    _expect("perm-folded-fields.eml", permanent=1, suppressed=1)

    # -- several recipients with different outcomes ------------------------------------------
    _write(
        "mixed-three-recipients.eml",
        postfix(
            [
                {
                    "address": "rupert@example.org",
                    "status": "5.1.1",
                    "diagnostic": "550 5.1.1 User unknown",
                },
                {
                    "address": "sybil@example.org",
                    "action": "delayed",
                    "status": "4.2.2",
                    "diagnostic": "452 4.2.2 Mailbox full",
                },
                {
                    "address": "trent@example.org",
                    "action": "delivered",
                    "status": "2.0.0",
                    "diagnostic": "250 2.0.0 Ok: queued",
                },
            ],
            date="Sat, 15 Mar 2025 09:00:00 +0000",
            n=13,
        ),
    )
    _expect("mixed-three-recipients.eml", permanent=1, temporary=1, suppressed=1, ignored=1)

    _write(
        "mixed-one-bad-status.eml",
        simple_report(
            "Final-Recipient: rfc822; victor@example.org\n"
            "Action: failed\n"
            "Status: 5.1.1\n"
            "\n"
            "Final-Recipient: rfc822; walda@example.org\n"
            "Action: failed\n"
            "Status: 5.x.x\n",
            date="Sun, 16 Mar 2025 09:00:00 +0000",
            n=14,
        ),
    )
    _expect("mixed-one-bad-status.eml", permanent=1, suppressed=1)

    # -- temporary failures ------------------------------------------------------------------
    _write(
        "temp-postfix-delayed.eml",
        postfix(
            [
                {
                    "address": "walter@example.org",
                    "action": "delayed",
                    "status": "4.4.1",
                    "diagnostic": "connect to mx.example.org[192.0.2.1]:25: Connection timed out",
                }
            ],
            date="Mon, 17 Mar 2025 09:00:00 +0000",
            n=15,
        ),
    )
    _expect("temp-postfix-delayed.eml", temporary=1)

    _write(
        "temp-exchange-expired.eml",
        exchange(
            "xavier@contoso.example",
            "4.4.7",
            "500 4.4.7 Message delayed; the message could not be delivered in time",
            date="Tue, 18 Mar 2025 09:00:00 +0000",
            n=16,
        ),
    )
    _expect("temp-exchange-expired.eml", temporary=1)

    _write(
        "temp-greylisted.eml",
        exim(
            "yvonne@example.com",
            "4.7.1",
            "451 4.7.1 Greylisted, please try again later",
            date="Wed, 19 Mar 2025 09:00:00 +0000",
            n=17,
        ),
    )
    _expect("temp-greylisted.eml", temporary=1)

    # Three within 30 days: suppressed on the third, whatever the order they are read in.
    for i, day in enumerate(("01", "10", "20"), start=1):
        name = f"temp-soft-limit-{i}.eml"
        _write(
            name,
            gmail(
                "softy@example.net",
                "4.2.2",
                "452-4.2.2 The email account that you tried to reach is over quota.",
                date=f"Thu, {day} May 2025 09:00:00 +0000",
                n=20 + i,
                action="delayed",
            ),
        )
        _expect(name, temporary=1)
    # Two within 30 days: under the limit.
    for i, day in enumerate(("02", "12"), start=1):
        name = f"temp-under-limit-{i}.eml"
        _write(
            name,
            postfix(
                [
                    {
                        "address": "almost@example.net",
                        "action": "delayed",
                        "status": "4.2.2",
                        "diagnostic": "452 4.2.2 Mailbox full",
                    }
                ],
                date=f"Fri, {day} May 2025 09:00:00 +0000",
                n=30 + i,
            ),
        )
        _expect(name, temporary=1)
    # Three, but never three within 30 days.
    for i, date in enumerate(
        (
            "Wed, 1 Jan 2025 09:00:00 +0000",
            "Sat, 15 Feb 2025 09:00:00 +0000",
            "Tue, 1 Apr 2025 09:00:00 +0000",
        ),
        start=1,
    ):
        name = f"temp-spread-out-{i}.eml"
        _write(
            name,
            postfix(
                [
                    {
                        "address": "spread@example.net",
                        "status": "4.4.1",
                        "diagnostic": "connect to mx.example.net: Connection refused",
                    }
                ],
                date=date,
                n=40 + i,
            ),
        )
        _expect(name, temporary=1)

    # -- successes (ignored) ------------------------------------------------------------------
    for action in ("delivered", "relayed", "expanded"):
        name = f"ok-{action}.eml"
        _write(
            name,
            simple_report(
                f"Final-Recipient: rfc822; happy.{action}@example.org\n"
                f"Action: {action}\n"
                "Status: 2.0.0\n",
                date="Mon, 24 Mar 2025 09:00:00 +0000",
                n=50,
            ),
        )
        _expect(name, ignored=1)

    # -- not bounces -----------------------------------------------------------------------------
    _write(
        "skip-vacation-auto-reply.eml",
        "From: Quentin <quentin@example.org>\n"
        "To: news@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:00:00 +0000\n"
        "Subject: Auto: Engage newsletter: spring issue\n"
        "Auto-Submitted: auto-replied\n"
        "Message-ID: <vacation.1@example.org>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "I am away until 7 April with no access to email.\n",
    )
    _expect("skip-vacation-auto-reply.eml", skipped=1)
    _write(
        "skip-exchange-out-of-office.eml",
        "From: Rosa <rosa@contoso.example>\n"
        "To: news@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:05:00 +0000\n"
        "Subject: Automatic reply: Monthly briefing\n"
        "X-Auto-Response-Suppress: All\n"
        "Auto-Submitted: auto-generated\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="oof"\n'
        "\n"
        "--oof\n"
        "Content-Type: text/plain\n"
        "\n"
        "I'm out of the office.\n"
        "--oof\n"
        "Content-Type: text/html\n"
        "\n"
        "<p>I'm out of the office.</p>\n"
        "--oof--\n",
    )
    _expect("skip-exchange-out-of-office.eml", skipped=1)
    _write(
        "skip-read-receipt.eml",
        "From: Sam <sam@example.org>\n"
        "To: news@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:10:00 +0000\n"
        "Subject: Read: Monthly briefing\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"\n'
        "\n"
        "--mdn\n"
        "Content-Type: text/plain\n"
        "\n"
        "Your message was displayed.\n"
        "--mdn\n"
        "Content-Type: message/disposition-notification\n"
        "\n"
        "Final-Recipient: rfc822; sam@example.org\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n"
        "--mdn--\n",
    )
    _expect("skip-read-receipt.eml", skipped=1)
    _write(
        "skip-abuse-feedback-report.eml",
        "From: feedback@isp.example\n"
        "To: abuse@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:20:00 +0000\n"
        "Subject: Abuse report\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="arf"\n'
        "\n"
        "--arf\n"
        "Content-Type: text/plain\n"
        "\n"
        "This is an email abuse report.\n"
        "--arf\n"
        "Content-Type: message/feedback-report\n"
        "\n"
        "Feedback-Type: abuse\n"
        "User-Agent: isp-fbl/1.0\n"
        "Version: 1\n"
        "--arf\n"
        f"{_headers_part(60)}"
        "--arf--\n",
    )
    _expect("skip-abuse-feedback-report.eml", skipped=1)
    _write(
        "skip-human-reply.eml",
        "From: Tom <tom@example.org>\n"
        "To: news@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:30:00 +0000\n"
        "Subject: Re: Monthly briefing\n"
        "In-Reply-To: <20250303.m7.a61@news.coproduce.example>\n"
        "Content-Type: text/plain\n"
        "\n"
        "Thanks, very useful. Status: 5.1.1 is not a thing I know about.\n",
    )
    _expect("skip-human-reply.eml", skipped=1)
    _write(
        "skip-qmail-plain-text-bounce.eml",
        "From: MAILER-DAEMON@old.example.org\n"
        "To: bounces@coproduce.example\n"
        "Date: Tue, 25 Mar 2025 09:40:00 +0000\n"
        "Subject: failure notice\n"
        "\n"
        "Hi. This is the qmail-send program at old.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n"
        "\n"
        "<uma@old.example.org>:\n"
        "Sorry, no mailbox here by that name. (#5.1.1)\n",
    )
    _expect("skip-qmail-plain-text-bounce.eml", skipped=1)

    # -- malformed ------------------------------------------------------------------------------
    whole = postfix(
        [{"address": "cut.off@example.org", "status": "5.1.1", "diagnostic": "550 5.1.1"}],
        date="Wed, 26 Mar 2025 09:00:00 +0000",
        n=70,
    )
    _write("bad-truncated-mime.eml", whole[: whole.index("Original-Recipient: rfc822;cut.off")])
    _expect("bad-truncated-mime.eml", skipped=1)
    _write(
        "bad-no-delivery-status-part.eml",
        "From: MAILER-DAEMON@mta.example.org\n"
        "Date: Wed, 26 Mar 2025 09:10:00 +0000\n"
        "Subject: Undelivered Mail\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="nods"\n'
        "\n"
        "--nods\n"
        "Content-Type: text/plain\n"
        "\n"
        "Could not deliver to vera@example.org: 550 5.1.1 user unknown\n"
        "--nods\n"
        f"{_headers_part(71)}"
        "--nods--\n",
    )
    _expect("bad-no-delivery-status-part.eml", skipped=1)
    _write(
        "bad-status-not-a-code.eml",
        simple_report(
            "Final-Recipient: rfc822; wendy@example.org\nAction: failed\nStatus: 5.x.x\n\n"
            "Final-Recipient: rfc822; xena@example.org\nAction: failed\nStatus: failed\n",
            date="Wed, 26 Mar 2025 09:20:00 +0000",
            n=72,
        ),
    )
    _expect("bad-status-not-a-code.eml", skipped=1)
    _write(
        "bad-status-out-of-range.eml",
        simple_report(
            "Final-Recipient: rfc822; yara@example.org\nAction: failed\nStatus: 9.1.1\n\n"
            "Final-Recipient: rfc822; zed@example.org\nAction: failed\nStatus: 3.0.0\n\n"
            "Final-Recipient: rfc822; zoe@example.org\nAction: failed\nStatus: 5.1.1.1\n",
            date="Wed, 26 Mar 2025 09:30:00 +0000",
            n=73,
        ),
    )
    _expect("bad-status-out-of-range.eml", skipped=1)
    _write(
        "bad-missing-status.eml",
        simple_report(
            "Final-Recipient: rfc822; abel@example.org\nAction: failed\n"
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n",
            date="Wed, 26 Mar 2025 09:40:00 +0000",
            n=74,
        ),
    )
    _expect("bad-missing-status.eml", skipped=1)
    _write(
        "bad-no-recipient-blocks.eml",
        simple_report("", date="Wed, 26 Mar 2025 09:50:00 +0000", n=75),
    )
    _expect("bad-no-recipient-blocks.eml", skipped=1)
    _write(
        "bad-recipient-not-an-address.eml",
        simple_report(
            "Final-Recipient: rfc822; not-an-address\nAction: failed\nStatus: 5.1.1\n\n"
            "Final-Recipient: x-unknown; ???\nAction: failed\nStatus: 5.1.1\n",
            date="Wed, 26 Mar 2025 10:00:00 +0000",
            n=76,
        ),
    )
    _expect("bad-recipient-not-an-address.eml", skipped=1)
    _write(
        "bad-no-boundary.eml",
        "From: MAILER-DAEMON@mta.example.org\n"
        "Date: Wed, 26 Mar 2025 10:10:00 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status\n"
        "\n"
        "--lost\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Final-Recipient: rfc822; bea@example.org\nAction: failed\nStatus: 5.1.1\n"
        "--lost--\n",
    )
    _expect("bad-no-boundary.eml", skipped=1)
    junk = random.Random(3464)
    _write(
        "bad-binary-junk.eml",
        bytes(junk.randrange(256) for _ in range(4096)).replace(b"\nFrom ", b"\nfrom "),
    )
    _expect("bad-binary-junk.eml", skipped=1)
    _write("bad-empty.eml", b"")
    _expect("bad-empty.eml", skipped=1)

    (HERE / "expected.json").write_text(json.dumps(EXPECTED, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    build()
    print(f"Wrote {len(EXPECTED)} messages to {HERE}")
