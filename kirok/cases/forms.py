from django import forms
from django.utils.translation import gettext_lazy as _

from kirok.cases import frameworks
from kirok.cases.models import ElementLink

REASON_HELP = _("Kept in the history with this change.")


def item_choices(*kinds: str) -> list[tuple[str, str]]:
    """framework:item choices (crimes and rights for charges, modes for suspects), grouped."""
    return [
        (framework.title, [(f"{framework.key}:{item.key}", f"{item.key} — {item.label}") for item in framework.items])
        for framework in frameworks.frameworks().values() if framework.kind in kinds
    ]


def element_choices(references: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The elements an analyst may link to in a case: the common ones of each charged framework,
    then those of each charged item and of each suspect's modes."""
    known = frameworks.frameworks()
    groups, common_done = [], set()
    for reference in references:
        framework_key, _sep, item_key = reference.partition(":")
        framework = known.get(framework_key)
        item = framework.item(item_key) if framework else None
        if item is None:
            continue
        if framework.common and framework.key not in common_done:
            common_done.add(framework.key)
            groups.append((framework.title, [(f"{framework.key}:{e.key}", f"{e.key} — {e.text}") for e in framework.common]))
        groups.append((item.label, [(f"{framework.key}:{e.key}", f"{e.key} — {e.text}") for e in item.elements]))
    return groups


def standard_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(s.code, s.label) for s in frameworks.standards().values()]


class CaseForm(forms.Form):
    key = forms.SlugField(label=_("Case key"), max_length=60, help_text=_("Short name for the command line, e.g. camp-99."))
    title = forms.CharField(label=_("Title"), max_length=400)
    compartment = forms.ChoiceField(label=_("Compartment"))
    charges = forms.MultipleChoiceField(label=_("Charges"), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)

    def __init__(self, *args, compartments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compartment"].choices = [(c.key, c.name) for c in compartments]
        self.fields["charges"].choices = item_choices("crimes", "rights")


class ChargesForm(forms.Form):
    charges = forms.MultipleChoiceField(label=_("Charges"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charges"].choices = item_choices("crimes", "rights")


class SuspectForm(forms.Form):
    person = forms.CharField(label=_("Person (Kirok id or external id)"), required=False, max_length=200)
    organization = forms.CharField(label=_("Unit (Kirok id or external id)"), required=False, max_length=200)
    modes = forms.MultipleChoiceField(label=_("Modes of liability"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modes"].choices = item_choices("liability")


class AssessmentForm(forms.Form):
    assessment = forms.ChoiceField(label=_("Assessment"), choices=ElementLink.ASSESSMENTS)
    strength = forms.ChoiceField(label=_("Strength"), choices=ElementLink.STRENGTHS)
    standard = forms.ChoiceField(label=_("Standard of proof reached"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = standard_choices()


class LinkForm(AssessmentForm):
    TARGETS = [("act", _("act")), ("information", _("source passage (information)")), ("item", _("evidence item")),
               ("position", _("position (biographic detail)"))]

    element = forms.ChoiceField(label=_("Element"))
    target = forms.ChoiceField(label=_("Links"), choices=TARGETS)
    ref = forms.CharField(label=_("Record (Kirok id or external id; an evidence item also by its SHA-256)"), max_length=200)
    suspect = forms.ChoiceField(label=_("Suspect"), required=False)
    field_order = ["element", "target", "ref", "suspect", "assessment", "strength", "standard", "note", "reason"]

    def __init__(self, *args, case=None, suspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        references = list(case.charges) + [m for s in suspects for m in s[1]]
        self.fields["element"].choices = element_choices(list(dict.fromkeys(references)))
        self.fields["suspect"].choices = [("", _("the whole case"))] + [(uid, label) for uid, _modes, label in suspects]


class UnlinkForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)


class ExportForm(forms.Form):
    SCOPES = [("prosecutors", _("prosecutors")), ("un", _("UN mechanism")), ("sanctions", _("sanctions")),
              ("internal", _("internal"))]

    scope = forms.ChoiceField(label=_("Recipient scope"), choices=SCOPES)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, help_text=_("Goes into the disclosure record."))


class CommandForm(forms.Form):
    unit = forms.CharField(label=_("Unit (Kirok id or external id)"), required=False, max_length=200)
    place = forms.CharField(label=_("or facility (Kirok id or external id)"), required=False, max_length=200)
    on = forms.CharField(label=_("On (date, may be uncertain)"), required=False, max_length=40,
                         help_text=_("1998, 1998-03, 1998~, 1997/1999"))


class PeriodForm(forms.Form):
    """A fact true for a period (dates may be uncertain), with its sources and the reason for recording it."""

    start = forms.CharField(label=_("From"), required=False, max_length=40, help_text=_("1998, 1998-03, 1998~, 1997/1999"))
    end = forms.CharField(label=_("Until"), required=False, max_length=40)
    citation = forms.CharField(label=_("Sources cited"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    reason = forms.CharField(label=_("Why"), max_length=2000, help_text=REASON_HELP)


class UnitParentForm(PeriodForm):
    unit = forms.CharField(label=_("Unit (Kirok id or external id)"), max_length=200)
    parent = forms.CharField(label=_("Parent unit (Kirok id or external id)"), max_length=200)
    field_order = ["unit", "parent", "start", "end", "citation", "reason"]


class FacilityOperatorForm(PeriodForm):
    place = forms.CharField(label=_("Facility (Kirok id or external id)"), max_length=200)
    unit = forms.CharField(label=_("Operating unit (Kirok id or external id)"), max_length=200)
    field_order = ["place", "unit", "start", "end", "citation", "reason"]
