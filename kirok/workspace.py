"""The workspace: one folder (``KIROK_HOME``) that holds everything a deployment owns.

An embedded deployment is a laptop with one folder: the SQLite database, the blob folder for
evidence, and the key file. Keeping them together makes backup, transfer and wiping a single,
obvious operation. A server deployment points ``KIROK_DATABASE_URL`` at PostgreSQL instead.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workspace:
    home: Path

    @classmethod
    def from_env(cls) -> "Workspace":
        return cls(Path(os.environ.get("KIROK_HOME", "./kirok-data")).expanduser().resolve())

    @property
    def database_path(self) -> Path:
        return self.home / "kirok.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.home / "blobs"

    @property
    def keys(self) -> Path:
        return self.home / "keys"

    @property
    def secret_key_file(self) -> Path:
        return self.keys / "django-secret.key"

    @property
    def database_url(self) -> str:
        return os.environ.get("KIROK_DATABASE_URL") or f"sqlite:///{self.database_path}"

    def ensure(self) -> None:
        """Create the folders; the key folder is readable by the owner only."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.blobs.mkdir(exist_ok=True)
        self.keys.mkdir(exist_ok=True)
        os.chmod(self.keys, 0o700)

    def secret_key(self) -> str:
        """The Django secret key, made once per workspace and kept in the key folder.

        Read-only callers (tests, a checkout without a workspace) get an ephemeral key rather
        than a file written behind their back.
        """
        if self.secret_key_file.exists():
            return self.secret_key_file.read_text().strip()
        if not self.home.exists():
            return secrets.token_urlsafe(50)
        self.ensure()
        key = secrets.token_urlsafe(50)
        fd = os.open(self.secret_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key
