"""The workspace's forms. Every control has a label; choices come from the vocabularies (data
files loaded into the database) in the active language; places and units are picked by typing a
name in Hangul or any romanization, resolved on the server (``Picker``), so the pickers work
without JavaScript and HTMX only shows the candidates while typing."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy as _

from kirok.records.exchange import canonical_uuid
from kirok.records.models import Organization, Place, Term
from kirok.types.dates import DateError, UncertainDate

from . import queries
from .services import ActDraft, Incident, Testimony

CONSENT_METHODS = [("", "—"), ("written", _("written")), ("oral recorded", _("oral, recorded")), ("oral noted", _("oral, noted"))]


def term_choices(vocabulary: str, blank: bool = True) -> list[tuple[str, str]]:
    korean = (get_language() or "").startswith("ko")
    rows = Term.objects.filter(vocabulary__key=vocabulary, retired=False).order_by("position").values_list("code", "label_ko", "label_en")
    choices = [(code, ko if korean else en) for code, ko, en in rows]
    return [("", "—"), *choices] if blank else choices


class UncertainDateInput(forms.CharField):
    """An uncertain date as people write it: 1998, 1998-03, 1998~, 1997/1999, 1998년 3월, 약 1998년."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("1998-03-02, 1998-03, 1998, 1998~ (about), 1997/1999 (between); 1998년 3월 works too"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return str(UncertainDate.parse(value)) if value else ""
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from None


class Picker:
    """A reference picked by typing: ``<name>_query`` (free text) and ``<name>`` (the chosen
    record's id). With no id chosen, the query is resolved: one match is taken, several are
    offered as a choice (no JavaScript needed), none is an error."""

    def __init__(self, form: forms.Form, name: str, label, find, describe, model, required: bool = False, help_text=""):
        self.form, self.name, self.find, self.describe = form, name, find, describe
        form.fields[f"{name}_query"] = forms.CharField(label=label, required=False, help_text=help_text)
        form.fields[name] = forms.ChoiceField(label=_("matches for %(what)s") % {"what": label}, required=False, choices=[])
        html_name = form.add_prefix(name)
        form.fields[f"{name}_query"].widget.attrs.update({
            "autocomplete": "off", "hx-get": f"{reverse('web:picker')}?field={html_name}", "hx-target": f"#id_{html_name}-group",
            "hx-trigger": "input changed delay:400ms", "hx-include": "this", "hx-sync": "this:replace",
        })
        self.required = required
        query = form.data.get(form.add_prefix(f"{name}_query"), "") if form.is_bound else ""
        chosen = form.data.get(form.add_prefix(name), "") if form.is_bound else ""
        candidates = list(self.find(query)) if query.strip() else []
        if chosen and chosen not in {str(c.uid) for c in candidates} and canonical_uuid(chosen):
            candidates += list(model.objects.filter(uid=canonical_uuid(chosen)))  # picked while typing (HTMX)
        form.fields[name].choices = [("", "—"), *[(str(c.uid), self.describe(c)) for c in candidates]]
        self.candidates = candidates

    def clean(self, cleaned: dict) -> str:
        chosen = cleaned.get(self.name) or ""
        query = (cleaned.get(f"{self.name}_query") or "").strip()
        if chosen:
            return chosen
        if not query:
            if self.required:
                self.form.add_error(f"{self.name}_query", _("type a name to pick from"))
            return ""
        if len(self.candidates) == 1:
            return str(self.candidates[0].uid)
        if not self.candidates:
            self.form.add_error(f"{self.name}_query", _("nothing matches %(q)r; try another spelling, in Hangul or a romanization") % {"q": query})
        else:
            self.form.add_error(self.name, _("several match %(q)r; choose one") % {"q": query})
        return ""


def place_label(place: Place) -> str:
    parent = f" — {place.parent.name_ko}" if place.parent_id else ""
    roman = place.mr or place.rr or place.name_en
    return f"{place.name_ko} ({roman}){parent}" if roman else f"{place.name_ko}{parent}"


def find_places(query: str):
    return Place.objects.filter(pk__in=queries.gazetteer_matches(query)).select_related("parent").order_by("iso_code", "name_ko")[:30]


def org_label(org: Organization) -> str:
    return str(org)


def find_units(query: str):
    query = query.strip()
    return (
        Organization.objects.filter(Q(name_ko__icontains=query) | Q(name_en__icontains=query) | Q(names__name__icontains=query))
        .distinct().order_by("name_ko")[:30]
    )


def place_picker(form, name: str, label=None) -> Picker:
    return Picker(form, name, label or _("place"), find_places, place_label, Place,
                  help_text=_("type the name in Hangul (either spelling) or any romanization: 요덕, Yodok, Yodŏk"))


class CompartmentForm(forms.Form):
    def __init__(self, *args, compartments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compartment"] = forms.ChoiceField(
            label=_("compartment"), choices=[(c.key, c.name) for c in compartments],
            help_text=_("who may see the new records: the members of this compartment"),
        )


class TestimonyForm(CompartmentForm):
    title = forms.CharField(label=_("title"), max_length=400, help_text=_("a short title that does not name the witness"))
    interviewer = forms.CharField(label=_("interviewer"), max_length=200)
    date = UncertainDateInput(label=_("date of the interview"))
    transcript = forms.CharField(label=_("transcript"), required=False, widget=forms.Textarea,
                                 help_text=_("protected: encrypted, masked for roles that may not see it"))
    description = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("protected; keep names out of every unprotected field"))
    witness_name = forms.CharField(label=_("witness name (Hangul)"), required=False, max_length=200,
                                   help_text=_("protected; the witness is shown everywhere by a keyed pseudonym"))
    witness_latin = forms.CharField(label=_("witness name (romanized)"), required=False, max_length=200)
    consent_given_on = forms.DateField(label=_("consent given on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    consent_method = forms.ChoiceField(label=_("how consent was given"), choices=CONSENT_METHODS, required=False)
    consent_note = forms.CharField(label=_("consent note"), required=False, max_length=1000,
                                   help_text=_("e.g. the reference of the signed consent form"))
    reason = forms.CharField(label=_("note for the history"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(label=_("language of the interview"), choices=term_choices("languages"), required=False)
        self.fields["testimony_basis"] = forms.ChoiceField(label=_("testimony basis"), choices=term_choices("testimony_basis"),
                                                           help_text=_("did the witness experience, see, or hear of it?"))
        self.fields["witness_sex"] = forms.ChoiceField(label=_("witness sex"), choices=term_choices("sex"), required=False)
        self.fields["consent_scopes"] = forms.MultipleChoiceField(
            label=_("consent scopes"), choices=term_choices("consent_scopes", blank=False), required=False,
            widget=forms.CheckboxSelectMultiple, help_text=_("what the witness agreed to; anything not ticked never leaves the workspace"),
        )
        self.order_fields(["compartment", "title", "interviewer", "date", "language", "testimony_basis", "witness_name",
                           "witness_latin", "witness_sex", "consent_scopes", "consent_given_on", "consent_method",
                           "consent_note", "transcript", "description", "reason"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_scopes") and not cleaned.get("consent_method"):
            self.add_error("consent_method", _("say how the witness gave consent"))
        return cleaned

    def draft(self) -> Testimony:
        return Testimony(**{k: v for k, v in self.cleaned_data.items() if k in Testimony.__dataclass_fields__})


VICTIM_KINDS = [("none", _("no victim recorded")), ("existing", _("a person already recorded")),
                ("new", _("a new person")), ("group", _("a counted group"))]
PERPETRATOR_KINDS = [("none", _("not known")), ("person", _("a person already recorded")), ("unit", _("a unit or institution"))]


class ActForm(forms.Form):
    victim_kind = forms.ChoiceField(label=_("victim"), choices=VICTIM_KINDS, initial="none", widget=forms.RadioSelect)
    victim_ref = forms.CharField(label=_("victim's Kirok id or external id"), required=False)
    victim_name = forms.CharField(label=_("new victim's name"), required=False, help_text=_("protected"))
    group_size = forms.IntegerField(label=_("number of people in the group"), required=False, min_value=1)
    group_description = forms.CharField(label=_("group description"), required=False)
    perpetrator_kind = forms.ChoiceField(label=_("perpetrator"), choices=PERPETRATOR_KINDS, initial="none", widget=forms.RadioSelect)
    perpetrator_ref = forms.CharField(label=_("perpetrator's Kirok id or external id"), required=False)
    start_date = UncertainDateInput(label=_("initial date"))
    end_date = UncertainDateInput(label=_("final date"))
    exact_location = forms.CharField(label=_("exact location"), required=False, help_text=_("protected"))
    remarks = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act_type"] = forms.ChoiceField(label=_("type of act"), choices=term_choices("act_types"))
        self.fields["degree"] = forms.ChoiceField(label=_("degree of involvement"), choices=term_choices("degrees_of_involvement"), required=False)
        self.fields["methods"] = forms.MultipleChoiceField(label=_("methods of violence"), choices=term_choices("methods_of_violence", blank=False),
                                                           required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
        self.place = place_picker(self, "place")
        self.unit = Picker(self, "unit", _("perpetrating unit"), find_units, org_label, Organization,
                           help_text=_("type part of its name in Korean or English"))
        self.order_fields(["act_type", "victim_kind", "victim_ref", "victim_name", "group_size", "group_description",
                           "perpetrator_kind", "perpetrator_ref", "unit_query", "unit", "degree", "methods", "place_query",
                           "place", "start_date", "end_date", "exact_location", "remarks"])

    def clean(self):
        cleaned = super().clean()
        cleaned["place"] = self.place.clean(cleaned)
        kind = cleaned.get("perpetrator_kind")
        cleaned["unit"] = self.unit.clean(cleaned) if kind == "unit" else ""
        if kind == "unit" and not cleaned["unit"] and not self.errors.get("unit") and not self.errors.get("unit_query"):
            self.add_error("unit_query", _("type the unit's name"))
        if kind == "person" and not cleaned.get("perpetrator_ref"):
            self.add_error("perpetrator_ref", _("give the perpetrator's Kirok id or external id"))
        if cleaned.get("victim_kind") == "existing" and not cleaned.get("victim_ref"):
            self.add_error("victim_ref", _("give the victim's Kirok id or external id"))
        return cleaned

    def draft(self) -> ActDraft:
        return ActDraft(**{k: v for k, v in self.cleaned_data.items() if k in ActDraft.__dataclass_fields__ and v is not None})


ActFormSet = forms.formset_factory(ActForm, extra=0, min_num=1, validate_min=True, max_num=50)


class IncidentForm(CompartmentForm):
    title = forms.CharField(label=_("title of the incident"), max_length=400)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = UncertainDateInput(label=_("initial date"))
    end_date = UncertainDateInput(label=_("final date"))
    source = forms.CharField(label=_("coded from source (Kirok id or external id)"), required=False,
                             help_text=_("the testimony or document this incident is coded from"))
    reason = forms.CharField(label=_("note for the history"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"] = forms.MultipleChoiceField(
            label=_("violation categories (COI)"), choices=term_choices("coi_violation_categories", blank=False), required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        self.fields["testimony_basis"] = forms.ChoiceField(label=_("testimony basis"), choices=term_choices("testimony_basis"), required=False)
        self.place = place_picker(self, "place")
        self.order_fields(["compartment", "title", "description", "start_date", "end_date", "place_query", "place", "categories",
                           "source", "testimony_basis", "reason"])

    def clean(self):
        cleaned = super().clean()
        cleaned["place"] = self.place.clean(cleaned)
        return cleaned

    def draft(self, acts: list[ActDraft]) -> Incident:
        values = {k: v for k, v in self.cleaned_data.items() if k in Incident.__dataclass_fields__ and k != "acts"}
        return Incident(**values, acts=acts)


CAPTURE_METHODS = "capture_methods"


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file"))
    source = forms.CharField(label=_("source (Kirok id or external id)"), help_text=_("the testimony or document the file belongs to"))
    collector = forms.CharField(label=_("collected by"), max_length=200)
    notes = forms.CharField(label=_("capture notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("reason for the custody record"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"] = forms.ChoiceField(label=_("how it was captured"), choices=term_choices(CAPTURE_METHODS), required=False)
        self.fields["origin_kind"] = forms.ChoiceField(label=_("where it came from"), choices=term_choices("origin_kinds"), required=False)
        self.order_fields(["file", "source", "collector", "method", "origin_kind", "notes", "reason"])


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("why you need to see the protected values"), max_length=200,
                              help_text=_("recorded with your name in the read audit"))
