"""Template tags of the workspace: navigation by role, the fictional-data banner, bilingual dates.

Navigation is worked out here rather than in a context processor so that every page extending
``web/base.html`` (the search page too) gets it without a change to the project's settings.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy as _

from kirok.accounts.roles import role_of
from kirok.records.services import has_demo_data
from kirok.types.dates import ESTIMATE, UncertainDate
from kirok.web.queries import GENERATION_KEY

register = template.Library()

# (url name, label, capability the role needs); None: every signed-in user with a role.
NAVIGATION = (
    ("web:dashboard", _("Dashboard"), "read_records"),
    ("web:events", _("Incidents"), "read_records"),
    ("web:persons", _("Persons"), "read_records"),
    ("web:sources", _("Sources"), "read_records"),
    ("web:organizations", _("Organizations"), "read_records"),
    ("web:places", _("Places"), "read_records"),
    ("search:search", _("Search"), "read_records"),
    ("linkage:queue", _("Duplicates"), "review"),
    ("cases:cases", _("Cases"), "read_records"),
    ("upr:cycles", _("UPR"), "read_records"),
    ("web:testimony-new", _("New testimony"), "write_records"),
    ("web:incident-new", _("New incident"), "write_records"),
    ("web:evidence-upload", _("Upload evidence"), "write_records"),
)
DEMO_CACHE_SECONDS = 60


def nav_items(request) -> list[dict]:
    """The links the signed-in user's role may follow; pages it may not open are not offered."""
    role = role_of(getattr(request, "user", None))
    if role is None:
        return []
    here = request.path
    items = []
    for name, label, capability in NAVIGATION:
        if not role.can(capability):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app that has not mounted its page yet
            continue
        current = here == url if url == "/" else here.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    if role.admin_site:
        items.append({"url": reverse("admin:index"), "label": _("Administration"), "current": here.startswith("/admin/")})
    return items


@register.inclusion_tag("web/includes/navigation.html", takes_context=True)
def navigation(context):
    request = context.get("request")
    items = nav_items(request) if request is not None else []
    search = next((item["url"] for item in items if item["url"] == _search_url()), "")
    return {"items": items, "search_url": search, "query": request.GET.get("q", "") if request is not None and search else ""}


def _search_url() -> str:
    try:
        return reverse("search:search")
    except NoReverseMatch:
        return ""


def demo_loaded() -> bool:
    """Whether the demo set is in, cached for a minute: the banner is on every page."""
    key = f"kirok.web.demo.{cache.get(GENERATION_KEY, 0)}"  # a changeset (the demo import) renews it
    found = cache.get(key)
    if found is None:
        found = has_demo_data()
        cache.set(key, found, DEMO_CACHE_SECONDS)
    return found


@register.inclusion_tag("web/includes/fictional.html")
def fictional_banner():
    return {"demo": demo_loaded()}


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


def day(value: date) -> str:
    """One day in the active language's convention: 2024-03-05 or 2024년 3월 5일."""
    if _korean():
        return f"{value.year}년 {value.month}월 {value.day}일"
    return value.isoformat()


def _korean_end(text: str) -> str:
    parts = [int(p) for p in text.split("-")]
    units = ("년", "월", "일")
    return " ".join(f"{n}{unit}" for n, unit in zip(parts, units))


@register.filter
def kdate(value) -> str:
    """A date, a moment or an uncertain date in the active language's convention.

    English keeps ISO 8601 / EDTF (2024-03-05, 1998-03, 1997/1999, 1998~); Korean writes
    2024년 3월 5일, 1998년 3월, 1997년 ~ 1999년, 1998년경. Unknown dates show as "unknown".
    """
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        text = day(value.date())
        return f"{text} {value:%H:%M} UTC" if value.utcoffset() is not None else text
    if isinstance(value, date):
        return day(value)
    parsed = value if isinstance(value, UncertainDate) else UncertainDate.parse(str(value))
    if not parsed.is_known:
        return str(_("unknown"))
    text = str(parsed)
    if not _korean():
        return text
    estimate = parsed.type == ESTIMATE
    text = text.rstrip("~")
    korean = " ~ ".join(_korean_end(end) for end in text.split("/"))
    return f"{korean}경" if estimate else korean


@register.filter
def term(value) -> str:
    """A vocabulary term's label in the active language (empty for none)."""
    return value.label if value is not None else ""


@register.filter
def terms(manager) -> str:
    return ", ".join(t.label for t in manager.all()) if manager is not None else ""


@register.simple_tag(takes_context=True)
def page_url(context, **changes) -> str:
    """The current URL with some query parameters changed (paging, filters); others kept."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def verbose_plural(model) -> str:
    return model._meta.verbose_name_plural


@register.filter
def get(mapping, key):
    return mapping.get(key, "")


FILTER_LABELS = {
    "category": _("Violation category"), "act_type": _("Type of act"), "sex": _("Sex"), "role": _("Role"),
    "kind": _("Kind"), "basis": _("Testimony basis"),
}


@register.simple_tag
def filter_label(name: str) -> str:
    return FILTER_LABELS.get(name, name)


@register.filter
def record_kind(record) -> str:
    return record._meta.verbose_name


@register.simple_tag
def field_value(row) -> str:
    """A field's value as text: links for references, bilingual dates."""
    from django.utils.html import format_html, format_html_join

    if row.kind == "ref":
        return format_html('<a href="{}">{}</a>', row.url, row.value)
    if row.kind == "refs":
        return format_html_join(", ", '<a href="{}">{}</a>', ((url, text) for text, url in row.items))
    if row.kind in ("date", "plain_date"):
        return kdate(row.value)
    return str(row.value)
