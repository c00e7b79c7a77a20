"""The vault's storage backends, chosen by ``KIROK_VAULT_URL``.

unset                      the workspace's blob folder (``KIROK_HOME/blobs``)
``file:///srv/kirok/blobs`` another local folder (a mounted disk, a NAS)
``s3://bucket/prefix``      S3-compatible object storage, with boto3's ``AWS_*`` variables
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .base import Storage, StoredBlob
from .local import LocalStorage
from .s3 import S3Storage

__all__ = ["LocalStorage", "S3Storage", "Storage", "StoredBlob", "get_storage"]


def get_storage() -> Storage:
    url = os.environ.get("KIROK_VAULT_URL", "").strip()
    if not url:
        return LocalStorage(settings.WORKSPACE.blobs)
    parsed = urlparse(url)
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Storage(parsed.netloc, parsed.path)
    if parsed.scheme == "file" and parsed.path:
        return LocalStorage(unquote(parsed.path))
    raise ImproperlyConfigured(
        _("KIROK_VAULT_URL=%(url)s is not understood: use s3://BUCKET/PREFIX or file:///FOLDER, "
          "or leave it unset for the workspace's blob folder") % {"url": url}
    )
