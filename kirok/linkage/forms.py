from django import forms
from django.utils.translation import gettext_lazy as _

from kirok.linkage.models import Judgement


class JudgementForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Judgement.VERDICTS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                             help_text=_("Kept with the judgement: what in the records decided it."))
