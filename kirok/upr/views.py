"""UPR pages: cycles, recommendations with their evidence and status, submissions, briefings.
Thin: every check and every change is in ``services``, ``submissions`` and ``briefing``."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kirok.protection.policy import PolicyError
from kirok.protection.principal import NotFound
from kirok.web.rules import page

from . import briefing as briefing_pack, repeats, services, submissions, vocab
from .forms import AssessForm, BriefingForm, FilterForm, LinkForm, SectionsForm, SubmissionForm, UnlinkForm

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def _download(data: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page("read_records")
def cycles(request):
    found = list(services.cycles())
    for cycle in found:
        counts = services.status_counts(cycle) if cycle.imported else {}
        cycle.statuses = [(label, counts[code]) for code, label in vocab.choices("statuses") if counts.get(code)]
    return render(request, "upr/cycles.html", {"cycles": found})


@page("read_records")
def cycle(request, number: int):
    found = services.get_cycle(number)
    form = FilterForm(request.GET or None)
    filters = services.Filters(**form.cleaned_data) if form.is_valid() else services.Filters()
    recs = services.recommendations(found, filters, user=request.user)
    shown = list(recs[:500])
    positions, statuses = dict(vocab.choices("positions")), dict(vocab.choices("statuses"))
    for rec in shown:
        rec.states, rec.position_label, rec.status_label = rec.tags("state"), positions.get(rec.position, rec.position), statuses.get(rec.status, "")
    context = {"cycle": found, "form": form, "recommendations": shown, "total": recs.count(), "facets": services.facets(found),
               "review": services.next_review(found)}
    template = "upr/includes/recommendations.html" if request.headers.get("HX-Request") else "upr/cycle.html"
    return render(request, template, context)


def _record_url(record_type: str, uid) -> str:
    try:
        return reverse(f"web:{record_type}", args=[uid])
    except NoReverseMatch:
        return ""


def _recommendation_page(request, rec, *, link_form=None, assess_form=None, status=200):
    for kind in ("state", "theme", "group", "sdg"):
        setattr(rec, f"tags_{kind}", rec.tags(kind))
    evidence = services.evidence(rec, user=request.user)
    for item in evidence:
        item.url = _record_url(item.link.record_type, item.record.uid)
    return render(request, "upr/recommendation.html", {
        "rec": rec, "evidence": evidence, "assessments": services.assessments(rec),
        "again": repeats.made_again(rec), "review": services.next_review(rec.cycle),
        "link_form": link_form or LinkForm(), "assess_form": assess_form or AssessForm(), "unlink_form": UnlinkForm(),
        "position": vocab.label_of("positions", rec.position),
    }, status=status)


@page("read_records")
def recommendation(request, number: int, paragraph: str):
    return _recommendation_page(request, services.get_recommendation(number, paragraph, user=request.user))


@page("write_records")
def link(request, number: int, paragraph: str):
    rec = services.get_recommendation(number, paragraph, user=request.user)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.link(rec, data["record_type"], data["record"], bearing=data["bearing"], note=data["note"], user=request.user)
        except NotFound:
            form.add_error("record", _("No such record within your reach."))
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Evidence linked."))
            return redirect("upr:recommendation", number=number, paragraph=paragraph)
    return _recommendation_page(request, rec, link_form=form, status=400)


@page("write_records")
def assess(request, number: int, paragraph: str):
    rec = services.get_recommendation(number, paragraph, user=request.user)
    form = AssessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assess(rec, status=form.cleaned_data["status"], summary=form.cleaned_data["summary"], user=request.user)
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect("upr:recommendation", number=number, paragraph=paragraph)
    return _recommendation_page(request, rec, assess_form=form, status=400)


@page("write_records")
def unlink(request, uid):
    row = services.get_link(str(uid), user=request.user)
    rec = row.recommendation
    form = UnlinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unlink(row, reason=form.cleaned_data["reason"], user=request.user)
        except services.FollowUpError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Link closed."))
    else:
        messages.error(request, _("Say why the link is closed."))
    return redirect("upr:recommendation", number=rec.cycle.number, paragraph=rec.paragraph)


@page("read_records")
def submission_list(request):
    form = SubmissionForm(request.POST or None, initial={"review": services.cycles().order_by("-number").first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = submissions.create(data["review"], title=data["title"], kind=data["kind"], organisations=data["organisations"],
                                      scope=data["scope"], user=request.user)
        except (services.FollowUpError, PolicyError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("upr:submission", uid=made.uid)
    return render(request, "upr/submissions.html", {"submissions": submissions.listing(user=request.user), "form": form},
                  status=400 if form.errors else 200)


@page("read_records")
def submission(request, uid):
    found = submissions.get(str(uid), user=request.user)
    current = found.current
    form = SectionsForm(request.POST or None, initial=current.sections if current else {})
    if request.method == "POST" and form.is_valid():
        submissions.save(found, form.cleaned_data, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Draft saved."))
        return redirect("upr:submission", uid=uid)
    doc = submissions.live_count(found, form.data if form.is_bound else (current.sections if current else {}), user=request.user)
    return render(request, "upr/submission.html", {"submission": found, "form": form, "doc": doc,
                                                   "revisions": found.revisions.order_by("-id")[:20]},
                  status=400 if form.errors else 200)


@page("write_records")
def word_count(request, uid):
    found = submissions.get(str(uid), user=request.user)
    doc = submissions.live_count(found, request.POST, user=request.user)
    return render(request, "upr/includes/word_count.html", {"doc": doc})


@page("export")
def submission_export(request, uid, fmt: str):
    found = submissions.get(str(uid), user=request.user)
    if fmt not in ("docx", "pdf"):
        raise NotFound(fmt)
    data, name, _doc = submissions.export(found, fmt, user=request.user, destination=_("download from the workspace"))
    return _download(data, name, fmt)


@page("export")
def briefing(request):
    form = BriefingForm(request.GET or None)
    pack = None
    if form.is_valid():
        data = form.cleaned_data
        arguments = {"scope": data["scope"], "period_from": data["period_from"], "period_to": data["period_to"], "cases": form.case_refs()}
        fmt = request.GET.get("format", "")
        if fmt in ("pdf", "csv"):
            files = briefing_pack.export(user=request.user, destination=_("download from the workspace"), **arguments)
            name = next(n for n in files if n.endswith(f".{fmt}"))
            return _download(files[name], name, fmt)
        pack = briefing_pack.build(user=request.user, **arguments)
    return render(request, "upr/briefing.html", {"form": form, "pack": pack}, status=400 if form.errors else 200)
