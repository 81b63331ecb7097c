from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDateField

from .models import ApiTokenScope


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. After 5 wrong tries the account is locked "
            "for 15 minutes."
        ),
        "inactive": _("This account has been switched off. Ask your administrator."),
    }


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    """A new personal access token (issue 17): the rules are in ``accounts.tokens``."""

    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("What the token is for, e.g. “Provincial finance system”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = VietDateField(
        label=_("Expires on (optional)"),
        required=False,
        help_text=_("dd/mm/yyyy. The token stops working at the end of that day."),
    )

    def field_for(self, field: str | None, column: str | None) -> str | None:
        return "expires_on" if field == "expires_at" else field

    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
