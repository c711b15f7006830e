"""`coproduce serve`: the web server (granian, WSGI) and the task worker, together.

Either process dying stops the other, so a half-running installation never goes unnoticed.

Links in emails and feeds start with `SITE_URL`. Unless COPRODUCE_SITE_URL is set, that is the
address served here (`--host`, `--port`), passed to both processes, so a newcomer's
`PORT=8211 make run` mails links that work. A production start (COPRODUCE_HTTPS on) without an
https:// site URL, or a start on every interface without one, prints a warning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from coproduce.lib.env import served_url
from coproduce.security.secretkey import refuse_to_serve


class Command(BaseCommand):
    help = "Serve the site with granian (WSGI) and run the task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "8")),
            help="Request threads per web worker; each may hold a database connection.",
        )
        parser.add_argument("--no-worker", action="store_true", help="Serve pages only.")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_to_serve()  # a weak secret key over HTTPS: stop here
        host, port = options["host"], options["port"]
        if not settings.SITE_URL_SET:
            settings.SITE_URL = served_url(host, port)
        child_env = {**os.environ, "COPRODUCE_SITE_URL": settings.SITE_URL}
        bin_dir = os.path.dirname(sys.executable)
        web_cmd = [
            os.path.join(bin_dir, "granian"),
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "--no-ws",
            "coproduce.wsgi:application",
        ]
        children = [subprocess.Popen(web_cmd, env=child_env)]  # noqa: S603 - our own fixed argv
        if not options["no_worker"]:
            worker_cmd = [sys.executable, "-m", "coproduce", "worker", "--verbosity", "0"]
            children.append(subprocess.Popen(worker_cmd, env=child_env))  # noqa: S603
        self._print_banner(host, port)
        for warning in site_url_warnings(host):
            self.stderr.write(f"  WARNING: {warning}")

        def stop(signum: int, frame: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _print_banner(self, host: str, port: int) -> None:
        user_model = get_user_model()
        demo = user_model.objects.filter(username="manager").exists()
        mail = (
            f"SMTP at {settings.EMAIL_HOST}"
            if getattr(settings, "EMAIL_HOST", "")
            else f"files in {getattr(settings, 'EMAIL_FILE_PATH', '')}"
        )
        lines = [
            "",
            f"  coproduce is serving {settings.COLLABORATION_SHORT_NAME} on http://{host}:{port}/",
            f"  Staff area: http://{host}:{port}/staff/",
            f"  Links in emails and feeds start with {settings.SITE_URL}/",
        ]
        if demo:
            lines += [f"  {line}" for line in DEMO_SIGN_INS]
            if settings.COPRODUCE_REQUIRE_MANAGER_2FA:
                lines += [
                    "  Managers are asked to set up an authenticator app (two-factor) at first",
                    "  sign-in; researcher or reader (same password) shows the site without one.",
                ]
        lines += [f"  Outgoing email: {mail}", "  Press Ctrl+C to stop.", ""]
        self.stdout.write("\n".join(lines))


# The demo's sign-ins, one per role as people live it (all with the password coproduce-demo);
# README.md lists the same.
DEMO_SIGN_INS = (
    "Demo login: manager / coproduce-demo; the same password for each role:",
    "  researcher (a chief investigator), reader (a staff reader),",
    "  fellow (a diffusion fellow seconded to a study), resident (a researcher in residence),",
    "  panelchair and reviewer (the scientific committee), carer (a lay panel member).",
)


def site_url_warnings(host: str) -> list[str]:
    """What is wrong with the links' base for this start, in words for whoever runs it."""
    site_url = str(settings.SITE_URL)
    if settings.HTTPS and not site_url.startswith("https://"):
        return [
            f"this site is served over HTTPS but links in emails and feeds start with "
            f"{site_url}: set COPRODUCE_SITE_URL to the site's https:// address."
        ]
    if not settings.SITE_URL_SET and host.strip() in ("", "0.0.0.0", "::"):  # noqa: S104
        return [
            f"serving on every interface, but links in emails and feeds start with "
            f"{site_url}, which only this machine can open: set COPRODUCE_SITE_URL to the "
            "address people use."
        ]
    return []
