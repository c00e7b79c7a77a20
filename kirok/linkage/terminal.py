"""The terminal review (``kirok link review``): one pair at a time, side by side, with the reasons.

What a reviewer sees is what ``kirok.linkage.services.side_by_side`` gives them: protected values
revealed only to roles that may see them (and audited), masked for the rest.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from django.utils.translation import gettext as _

from kirok.linkage import present, services


def pair_table(pair, user=None) -> Table:
    left, right = services.side_by_side(pair, user=user)
    table = Table(title=_("Pair %(pk)s — match probability %(p).3f, weight %(w).2f") % {"pk": pair.pk, "p": pair.probability, "w": pair.weight})
    table.add_column(_("field"))
    table.add_column(_("left"))
    table.add_column(_("right"))
    for row in present.rows(left.record, right.record):
        table.add_row(row["field"], row["left"], row["right"])
    table.add_row(_("cluster"), left.cluster, right.cluster)
    return table


def reasons_table(pair) -> Table:
    table = Table(title=_("Why it scored so"))
    table.add_column(_("field"))
    table.add_column(_("level"))
    table.add_column(_("weight"), justify="right")
    for reason in present.reasons(pair):
        table.add_row(reason["field"], reason["level"], f"{reason['weight']:+.2f}")
    return table


def review(user=None, limit: int = 20, ask=input, console: Console | None = None) -> int:
    """Work the queue; returns how many pairs were judged. ``ask`` reads the reviewer's answers."""
    console = console or Console()
    judged = 0
    verdicts = {"s": "same", "d": "different", "u": "unsure"}
    for pair in services.queue(user=user, limit=limit):
        console.print(pair_table(pair, user))
        console.print(reasons_table(pair))
        answer = ask(_("[s]ame / [d]ifferent / [u]nsure / [k] skip / [q] quit: ")).strip().lower()[:1]
        if answer == "q":
            break
        if answer not in verdicts:
            continue
        reason = ask(_("why: ")).strip()
        try:
            services.judge(pair.left, pair.right, verdicts[answer], reason=reason, user=user, pair=pair)
            judged += 1
        except services.LinkageError as exc:
            console.print(f"[red]{exc}[/red]")
    return judged
