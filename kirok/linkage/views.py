"""Review pages: the queue of candidate pairs, one pair side by side with its reasons, a cluster.
Thin: every check and every change is in ``kirok.linkage.services``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kirok.linkage import present, services
from kirok.linkage.forms import JudgementForm
from kirok.protection import access
from kirok.records.services import principal_for
from kirok.web.rules import page


@page("review")
def queue(request):
    pairs = services.queue(user=request.user, limit=100)
    return render(request, "linkage/queue.html", {"pairs": pairs})


@page("review")
def pair(request, pk: int):
    candidate = services.candidate(pk, user=request.user)
    form = JudgementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.judge(candidate.left, candidate.right, form.cleaned_data["verdict"], reason=form.cleaned_data["reason"],
                           user=request.user, pair=candidate)
        except services.LinkageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Judgement recorded."))
            return redirect("linkage:queue")
    left, right = services.side_by_side(candidate, user=request.user)
    return render(request, "linkage/pair.html", {
        "pair": candidate, "rows": present.rows(left.record, right.record), "left": left, "right": right,
        "reasons": present.reasons(candidate), "form": form,
    }, status=400 if form.errors else 200)


@page("read_records")
def cluster(request, ref: str):
    person = access.get("person", ref, principal_for(request.user))
    found = services.canonical(person, user=request.user)
    for values in found["values"].values():
        for value in values:
            value["text"] = present.text(value["value"])
    return render(request, "linkage/cluster.html", {"cluster": found})
