"""The ledger's tables. Rows are only ever added: nothing here is updated, except the head (the
tree's current size and root, which appenders lock) and a key's retirement time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import verifier


class Head(models.Model):
    """The one row that says how big the log is. Appenders lock it (``SELECT … FOR UPDATE`` on
    PostgreSQL), so two transactions never append at the same index."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    origin = models.CharField(_("origin"), max_length=100, help_text=_("the log's name in its checkpoints"))
    size = models.BigIntegerField(_("size"), default=0)
    root = models.BinaryField(_("root hash"), max_length=32, default=verifier.EMPTY_ROOT)

    class Meta:
        verbose_name = _("ledger head")


class Entry(models.Model):
    """One leaf: something Kirok committed to (a changeset's versions, a custody event, a key)."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=16)
    subject = models.CharField(_("subject"), max_length=200, db_index=True, help_text=_("what the digest is of, e.g. changeset:17"))
    digest = models.CharField(_("digest"), max_length=64, help_text=_("SHA-256, hexadecimal"))
    time = models.DateTimeField(_("time"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind} {self.subject}"

    def encoded(self) -> bytes:
        return verifier.encode_entry(self.index, self.kind, self.subject, self.digest, verifier.format_time(self.time))

    def as_dict(self) -> dict:
        return {"index": self.index, "kind": self.kind, "subject": self.subject, "digest": self.digest,
                "time": verifier.format_time(self.time)}


class Node(models.Model):
    """The hash of one complete interior subtree, stored when its last leaf is appended.
    ``id`` is its place in that order (``tree.stored_index``); leaves' hashes stay in Entry."""

    id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("ledger node")


class SigningKey(models.Model):
    """An Ed25519 key that signs checkpoints. The private half is a file in the workspace's key
    folder; the public half stays here for good, so old checkpoints keep verifying."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.BinaryField(_("public key"), max_length=32)
    created = models.DateTimeField(_("created"))
    retired = models.DateTimeField(_("retired"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("signing key")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The key's name in signed notes."""
        return f"kirok-{self.key_id}"

    @property
    def vkey(self) -> str:
        return verifier.vkey(self.name, bytes(self.public_key))


class Checkpoint(models.Model):
    """A signed tree head: the log had ``tree_size`` entries with this root at this time."""

    tree_size = models.BigIntegerField(_("tree size"), db_index=True)
    root = models.BinaryField(_("root hash"), max_length=32)
    time = models.DateTimeField(_("time"))
    key = models.ForeignKey(SigningKey, verbose_name=_("signing key"), on_delete=models.PROTECT, related_name="checkpoints")
    signature = models.BinaryField(_("signature"), max_length=64)
    tsa_token = models.BinaryField(_("RFC 3161 time-stamp token"), null=True, blank=True)
    tsa_chain = models.TextField(_("time-stamp authority's certificates (PEM)"), blank=True)

    class Meta:
        verbose_name = _("checkpoint")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.time:%Y-%m-%d %H:%M:%S}"

    def statement(self, origin: str) -> verifier.Checkpoint:
        return verifier.Checkpoint(origin, self.tree_size, bytes(self.root), verifier.format_time(self.time))

    def note(self, origin: str) -> str:
        return self.statement(origin).note(self.key.name, bytes(self.key.public_key), bytes(self.signature))
