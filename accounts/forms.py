from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.models import PasswordReset, Role, RoleInvitation
from accounts.validators import normalise_user_id, validate_user_id


class UserIdField(forms.CharField):
    """The 8-digit user ID, normalised before anything authenticates, counts or records it."""

    default_validators = [validate_user_id]

    def to_python(self, value):
        return normalise_user_id(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if not value.isascii():  # `\d` in the validator matches any script's digits
            raise ValidationError(validate_user_id.message, code=validate_user_id.code)


class LoginForm(AuthenticationForm):
    """Django's login form with the user ID field made for an 8-digit ID."""

    username = UserIdField()

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
    username = UserIdField(
        label="Brukernavn",
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


class RoleInvitationForm(forms.ModelForm):
    """«Inviter en kollega»: who the colleague is; the employer is always the active role's.
    Someone who already is a contact there, or already has an invitation waiting, is not
    invited twice."""

    class Meta:
        model = RoleInvitation
        fields = ["full_name", "email", "mobile"]
        help_texts = {
            "email": "Lenken for å velge passord sendes hit.",
            "mobile": "Valgfritt. For varsler på SMS.",
        }

    def __init__(self, *args, employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer = employer

    def clean_email(self):
        email = self.cleaned_data["email"]
        employer = self.employer
        if Role.objects.filter(employer=employer, user__email__iexact=email).exists():
            raise forms.ValidationError(
                f"{email} er allerede trekkontakt for {employer.name}.", code="already_contact"
            )
        if RoleInvitation.objects.waiting_for(employer=employer, email=email).exists():
            raise forms.ValidationError(
                f"En invitasjon til {email} venter allerede på at forbundet godkjenner den.",
                code="already_invited",
            )
        return email


class GiveUpRoleForm(forms.Form):
    confirm = forms.BooleanField(
        label="Jeg vil ikke lenger være trekkontakt for denne bedriften.",
        error_messages={"required": "Kryss av for å bekrefte."},
    )
