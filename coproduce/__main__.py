"""The `coproduce` console script: everything `manage.py` does, under the project's name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The SQLite file, uploads and offline mail live here; create it on first use rather
    # than when settings are imported.
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
