"""The search box and its filters, read from the query string."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crawler.selectors import visible_sites
from summarizer.models import Summary
from summarizer.rendering import language_label, mode_label

from .selectors import Filters, languages


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=500,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("Every site")
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    mode = forms.ChoiceField(label=_("Kind"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = visible_sites(user).order_by("url")
        every = [("", _("Any"))]
        self.fields["language"].choices = every + [
            (code, language_label(code)) for code in languages(user)
        ]
        self.fields["mode"].choices = every + [
            (value, mode_label(value)) for value in Summary.Mode.values
        ]

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first date is after the last."))
        return data

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    @property
    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            site=data.get("site"),
            language=data.get("language", ""),
            mode=data.get("mode", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
