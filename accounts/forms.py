from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from accounts.models import PasswordReset, Role
from accounts.validators import validate_user_id


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


class PasswordResetRequestForm(forms.Form):
    username = forms.CharField(
        label="Brukernavn",
        max_length=8,
        validators=[validate_user_id],
        help_text="ID-en på åtte sifre du har fått fra forbundet.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "autofocus": True}
        ),
    )
    channel = forms.ChoiceField(
        label="Send lenken på",
        choices=PasswordReset.Channel.choices,
        initial=PasswordReset.Channel.EMAIL,
        widget=forms.RadioSelect,
    )


class NewPasswordForm(SetPasswordForm):
    """Django's form (with every password validator), labelled for a first or new password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nytt passord"
        self.fields["new_password2"].label = "Gjenta nytt passord"
        self.fields["new_password2"].help_text = ""
