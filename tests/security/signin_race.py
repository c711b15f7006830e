"""Wrong passwords sent all at once from several processes, each with its own connections to
one SQLite file (run by tests/security/test_signin_concurrency.py, not collected by pytest).

    python -m tests.security.signin_race setup           # tables, and the user "alice"
    python -m tests.security.signin_race attack THREADS  # prints "ready", waits for a line
                                                         # on stdin, then each thread posts one
                                                         # wrong password through the real
                                                         # sign-in view; prints the statuses

The environment names the database (DATABASE_URL) and data folder (COPRODUCE_DATA_DIR).
"""

from __future__ import annotations

import json
import os
import sys
import threading

USERNAME = "alice"
PASSWORD = "correct-horse-battery"
ADDRESS = "203.0.113.9"


def setup() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    # contacts: saving a sign-in account attaches it to its contact (contacts/roles.py).
    for app in ("auth", "sessions", "security", "contacts"):
        call_command("migrate", app, verbosity=0)
    # No email address, so a refusal queues no unlock link and needs no outbox tables.
    get_user_model().objects.create_user(USERNAME, "", PASSWORD)


def attack(threads: int) -> None:
    from django.db import connection
    from django.test import Client

    statuses: list[int] = []
    errors: list[str] = []
    go = threading.Event()

    def one(n: int) -> None:
        client = Client(REMOTE_ADDR=ADDRESS)
        go.wait()
        try:
            response = client.post(
                "/staff/sign-in/", {"username": USERNAME, "password": f"wrong-{os.getpid()}-{n}"}
            )
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported to the test as text
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    print("ready", flush=True)
    sys.stdin.readline()
    go.set()
    for worker in workers:
        worker.join(timeout=300)
    print(json.dumps({"statuses": statuses, "errors": errors}), flush=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    import django
    from django.conf import settings

    # Wait up to 60 s for the write lock instead of 5: on a test machine shared with other
    # work, 20 queued transactions can take longer than 5 s, and "database is locked" is then
    # the machine's load, not what this test measures (how many passwords were checked).
    options = settings.DATABASES["default"]["OPTIONS"]
    options["init_command"] = options["init_command"].replace(
        "busy_timeout=5000", "busy_timeout=60000"
    )
    assert "busy_timeout=60000" in options["init_command"], options
    django.setup()
    if sys.argv[1] == "setup":
        setup()
    else:
        attack(int(sys.argv[2]))


if __name__ == "__main__":
    main()
