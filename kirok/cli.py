"""The `kirok` command: a thin front over Django management commands.

`kirok init`, `kirok import FILE…`, `kirok export`, `kirok demo-data`, `kirok serve` and the
rest are management commands in the apps (``<app>/management/commands/<verb>.py``); this file
only sets up Django and maps hyphenated verbs to command modules.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if len(argv) == 1:
        argv.append("help")
    from django.core.management import execute_from_command_line

    argv[0] = "kirok"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
