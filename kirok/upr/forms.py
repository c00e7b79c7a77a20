from django import forms
from django.utils.translation import gettext_lazy as _

from kirok.protection import policy

from . import vocab
from .models import Cycle, Submission
from .submissions import WRITTEN, section_label


def _scopes():
    return [(code, code) for code in policy.scopes() if code != "internal"]


class FilterForm(forms.Form):
    theme = forms.CharField(label=_("Theme"), required=False)
    state = forms.CharField(label=_("Recommending state"), required=False)
    group = forms.CharField(label=_("Affected group"), required=False)
    sdg = forms.CharField(label=_("SDG"), required=False)
    position = forms.ChoiceField(label=_("Position"), required=False, choices=lambda: [("", "—"), *vocab.choices("positions")])
    status = forms.ChoiceField(label=_("Assessed status"), required=False,
                               choices=lambda: [("", "—"), ("unassessed", _("not assessed")), *vocab.choices("statuses")])
    q = forms.CharField(label=_("Words in the text"), required=False)


class LinkForm(forms.Form):
    record_type = forms.ChoiceField(label=_("Evidence"), choices=[("event", _("incident")), ("act", _("act")), ("source", _("source"))])
    record = forms.CharField(label=_("Kirok id or external id"), max_length=200)
    bearing = forms.ChoiceField(label=_("Bearing"), choices=lambda: vocab.choices("bearings"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
                           help_text=_("Stays in the workspace: no export carries it."))


class UnlinkForm(forms.Form):
    reason = forms.CharField(label=_("Why close the link"), max_length=2000)


class AssessForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=lambda: vocab.choices("statuses"))
    summary = forms.CharField(label=_("Assessment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=8000,
                              help_text=_("Goes into submissions as written: name no witness, give no exact date or place."))


class SubmissionForm(forms.Form):
    review = forms.ModelChoiceField(label=_("For the review of"), queryset=Cycle.objects.all())
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Submission.KINDS)
    organisations = forms.CharField(label=_("Submitting organisations"), required=False, max_length=2000)
    scope = forms.ChoiceField(label=_("Consent scope of the statistics"), choices=_scopes, initial="un")


class SectionsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in WRITTEN:
            self.fields[code] = forms.CharField(label=section_label(code), required=False, widget=forms.Textarea(attrs={"rows": 6}))
        self.order_fields([*WRITTEN, "reason"])

    reason = forms.CharField(label=_("What changed"), required=False, max_length=300)


class BriefingForm(forms.Form):
    period_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("Consent scope"), choices=_scopes, initial="un")
    cases = forms.CharField(label=_("Incidents to summarise"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Kirok ids or external ids, one per line."))

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            raise forms.ValidationError(_("The period ends before it begins."))
        return data

    def case_refs(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("cases", "").splitlines() if line.strip()]
