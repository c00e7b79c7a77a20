import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.ledger import keys, services, timestamping, verifier
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = "The tamper-evident ledger: verify it, sign checkpoints, rotate the key, print proofs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="recompute everything; exit 1 and name the first inconsistency")
        check.add_argument("--no-progress", action="store_true")
        check.add_argument("--log-only", action="store_true",
                           help="check the log itself (entries, nodes, checkpoints) without recomputing versions, custody "
                                "events and keys: quick, for often; the full check is the default")
        sub.add_parser("checkpoint", help="sign the current tree head (and time-stamp it if KIROK_TSA_URL is set)")
        rotate = sub.add_parser("rotate-key", help="start signing checkpoints with a new key")
        rotate.add_argument("--reason", required=True)
        sub.add_parser("status", help="size, root, last checkpoint and the signing key")
        proof = sub.add_parser("proof", help="a proof as JSON, checkable with kirok/ledger/verifier.py")
        what = proof.add_mutually_exclusive_group(required=True)
        what.add_argument("--index", type=int, help="inclusion of this entry")
        what.add_argument("--version", type=int, help="inclusion of this record version (by its id)")
        what.add_argument("--old", type=int, help="consistency of the log at this size with the log at --size")
        proof.add_argument("--size", type=int, help="tree size (default: the newest checkpoint covering the entry; "
                                                     "for --old, the current size)")
        proof.add_argument("--output", type=Path, help="write to this file instead of standard output")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except (keys.KeyFileMissing, services.ProofUnavailable, timestamping.TimestampFailed, ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from None

    def do_verify(self, no_progress=False, log_only=False, **options):
        with progress_bar(not no_progress) as update:
            report = services.verify(progress=update, subjects=not log_only, parallel=True)
        if not report.ok:
            raise CommandError(_("ledger verification FAILED after %(n)s of %(size)s entries: %(problem)s")
                               % {"n": report.entries, "size": report.size, "problem": report.problem})
        values = {"entries": f"{report.entries:,}", "nodes": f"{report.nodes:,}", "checkpoints": report.checkpoints,
                  "kinds": ", ".join(f"{k} {n:,}" for k, n in sorted(report.by_kind.items())) or _("none"),
                  "seconds": f"{report.seconds:.1f}", "recomputing": f"{report.seconds_recomputing:.1f}"}
        if log_only:
            self.stdout.write(_("ledger OK (the log only): %(entries)s entries (%(kinds)s), %(nodes)s nodes, "
                                "%(checkpoints)s checkpoints recomputed in %(seconds)s s") % values)
        else:
            self.stdout.write(_("ledger OK: %(entries)s entries (%(kinds)s), %(nodes)s nodes, %(checkpoints)s checkpoints "
                                "recomputed in %(seconds)s s, of which %(recomputing)s s recomputing what the entries log") % values)

    def do_checkpoint(self, **options):
        made = services.checkpoint()
        self.stdout.write(made.note(services.origin()), ending="")
        if made.tsa_token:
            self.stdout.write(_("time-stamped by %(url)s") % {"url": os.environ["KIROK_TSA_URL"]})

    def do_rotate_key(self, reason, **options):
        key = services.rotate_key(reason)
        self.stdout.write(_("new signing key: %(vkey)s") % {"vkey": key.vkey})

    def do_status(self, **options):
        st = services.status()
        self.stdout.write(_("origin: %(origin)s") % {"origin": st.origin})
        self.stdout.write(_("size:   %(size)s entries") % {"size": f"{st.size:,}"})
        self.stdout.write(_("root:   %(root)s") % {"root": st.root.hex()})
        if st.last_checkpoint is None:
            self.stdout.write(_("last checkpoint: none yet (`kirok ledger checkpoint`)"))
        else:
            cp = st.last_checkpoint
            self.stdout.write(_("last checkpoint: size %(size)s at %(time)s by %(key)s%(stamp)s") % {
                "size": f"{cp.tree_size:,}", "time": verifier.format_time(cp.time), "key": cp.key.name,
                "stamp": _(", time-stamped") if cp.tsa_token else ""})
        self.stdout.write(_("signing key: %(vkey)s") % {"vkey": st.key.vkey if st.key else _("none yet (made at the first checkpoint)")})

    def do_proof(self, index=None, version=None, old=None, size=None, output=None, **options):
        if index is not None:
            doc = services.inclusion_document(index, size)
        elif version is not None:
            doc = services.version_document(version, size)
        else:
            doc = services.consistency_document(old, size)
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(_("wrote %(path)s; check it with: python verifier.py proof %(path)s --key KEY") % {"path": output})
        else:
            self.stdout.write(text, ending="")
