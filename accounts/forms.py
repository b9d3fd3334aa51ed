from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Role


class LoginForm(AuthenticationForm):
    """Django's login form with the user ID field made for an 8-digit ID."""

    error_messages = {
        "invalid_login": "Feil brukernavn eller passord.",
        "inactive": "Feil brukernavn eller passord.",
    }

    def __init__(self, request=None, *args, **kwargs):
        # two-factor's wizard passes the request only to forms that name it.
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Brukernavn"
        self.fields["username"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "username", "autofocus": True}
        )
        self.fields["password"].label = "Passord"


class ChooseRoleForm(forms.Form):
    role = forms.ModelChoiceField(
        label="Rolle",
        queryset=Role.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": "Velg en av rollene dine."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.for_user(user)
