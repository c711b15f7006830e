"""Parallel wrong passwords never get more checks than the limit (throttle.begin reserves each
attempt before the password is checked).

On SQLite: processes, each with threads and so each thread with its own connection, against
one database file, as the web workers of `coproduce serve` are. On PostgreSQL (when the suite
runs there): threads against the test database, each with its own connection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from coproduce.security.models import SignInFailure
from tests import factories
from tests.security import signin_race

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
THREADS = 5  # 20 attempts at once


def test_parallel_wrong_passwords_on_a_sqlite_file_check_at_most_the_limit(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "COPRODUCE_DATA_DIR": str(tmp_path),
        "COPRODUCE_SIGNIN_MAX_FAILURES": "5",
        "PYTHONPATH": str(ROOT),
    }
    module = [sys.executable, "-m", "tests.security.signin_race"]
    subprocess.run([*module, "setup"], env=env, cwd=ROOT, check=True, timeout=300)
    attackers = [
        subprocess.Popen(
            [*module, "attack", str(THREADS)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for attacker in attackers:  # every process imported Django and started its threads
            assert attacker.stdout is not None
            assert attacker.stdout.readline().strip() == "ready"
        for attacker in attackers:
            assert attacker.stdin is not None
            attacker.stdin.write("go\n")
            attacker.stdin.flush()
        statuses: list[int] = []
        for attacker in attackers:
            out, _ = attacker.communicate(timeout=300)
            result = json.loads(out.strip().splitlines()[-1])
            assert result["errors"] == []
            statuses += result["statuses"]
    finally:
        for attacker in attackers:
            if attacker.poll() is None:
                attacker.kill()

    assert len(statuses) == PROCESSES * THREADS
    # 200: the password was checked (and was wrong); 429: refused without checking it.
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == PROCESSES * THREADS - 5, statuses

    counted = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from coproduce.security.models import SignInFailure as F;"
            "print(F.objects.filter(username='alice').count())",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "coproduce.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert counted.stdout.strip() == "5"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_passwords_on_postgresql_check_at_most_the_limit(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the SQLite test database is in memory: see the test above)")
    settings.COPRODUCE_SIGNIN_MAX_FAILURES = 5
    factories.UserFactory(username=signin_race.USERNAME)
    attempts = 20
    start = threading.Barrier(attempts)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            client = Client(REMOTE_ADDR=signin_race.ADDRESS)
            start.wait()
            response = client.post(
                "/staff/sign-in/", {"username": signin_race.USERNAME, "password": f"wrong-{n}"}
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == attempts - 5, statuses
    assert SignInFailure.objects.filter(username=signin_race.USERNAME).count() == 5
