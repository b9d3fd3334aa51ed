from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from two_factor.views import LoginView as TwoFactorLoginView

from accounts.decorators import SESSION_ENDED, role_required
from accounts.forms import (
    ChooseRoleForm,
    GiveUpRoleForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    RoleInvitationForm,
)
from accounts.middleware import ROLE_SESSION_KEY, activate_only_role, activate_role, login_url
from accounts.models import (
    AuditEvent,
    LastContact,
    PasswordReset,
    Role,
    RoleInvitation,
    role_give_up,
)

RESET_TOKEN_SESSION_KEY = "password_reset_token"


class LoginView(TwoFactorLoginView):
    form_list = (
        (TwoFactorLoginView.AUTH_STEP, LoginForm),
        *TwoFactorLoginView.form_list[1:],
    )


class LogoutView(auth_views.LogoutView):
    """«Logg ut», then the login page says so: without a word it looks as if nothing happened."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "Du er logget ut.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """ "Endre passord": other sessions end (Django), the user gets a notice, staff an audit row.

    Wrong old passwords are throttled like the login (accounts.lockout): once locked, even the
    right one is refused until the cool-off, and the form is not even checked.
    """

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def post(self, request, *args, **kwargs):
        if AuditEvent.objects.password_change_locked(request.user):
            AuditEvent.objects.record("password_change_refused", request=request)
            return self.locked_response()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        AuditEvent.objects.record("password_changed", request=self.request)
        self.request.user.record_password_changed_notice()
        return response

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            AuditEvent.objects.record("password_change_failed", request=self.request)
            if AuditEvent.objects.password_change_locked(self.request.user):
                AuditEvent.objects.record("password_change_locked", request=self.request)
                return self.locked_response()
        return super().form_invalid(form)

    def locked_response(self):
        # An unbound form: a bound one would tell, by its errors, whether the guess was right.
        context = self.get_context_data(
            form=self.get_form_class()(user=self.request.user),
            locked_minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        )
        return self.render_to_response(context, status=429)


@login_required
def after_login(request):
    """Where a fresh login lands: straight in with one role, a choice with several."""
    if activate_only_role(request):
        return redirect("home")
    if Role.objects.for_user(request.user).exists():
        return redirect("accounts:choose_role")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("accounts:no_role")


@login_required
@require_http_methods(["GET", "POST"])
def choose_role(request):
    """ "Velg rolle"; then on to the page asked for (`next`: a deep link, or the draft a
    contact returns to after the session ended), or home."""
    next_url = _safe_next(request)
    if request.method == "GET" and request.role is None and activate_only_role(request):
        return redirect(next_url or "home")
    form = ChooseRoleForm(request.POST or None, user=request.user)
    if form.is_valid():
        role = form.cleaned_data["role"]
        activate_role(request, role)
        AuditEvent.objects.record("role_switch", request=request, employer=role.employer)
        messages.success(request, f"Du handler nå for {role.employer.name}.")
        return redirect(next_url or "home")
    if not form.fields["role"].queryset.exists():
        return redirect("accounts:no_role")
    return render(request, "accounts/choose_role.html", {"form": form, "next": next_url})


def _safe_next(request):
    """`next` of the request if it is a path on this site; else empty."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if allowed and next_url.startswith("/") else ""


@require_POST
def keep_alive(request):
    """Asked by a form's script while someone types (static/js/list_autosave.js): a request,
    so the idle timeout is pushed on (SessionLifetimeMiddleware); the absolute lifetime still
    ends the session. Logged out: a JSON 401 the script can show."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": SESSION_ENDED, "login_url": login_url()}, status=401)
    return HttpResponse(status=204)


@login_required
def no_role(request):
    if request.role is not None:
        return redirect("home")
    return render(request, "accounts/no_role.html")


def no_referrer(view):
    """The reset link's address holds the token: nothing may carry it on as a Referer.

    Only for responses without a form. Under no-referrer a browser sends `Origin: null`
    with a form's POST, which Django's CSRF check rightly refuses; the pages with forms
    have token-less addresses and keep the site-wide same-origin policy.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Glemt passord": the same answer whatever exists, so nobody learns who has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if form.is_valid():
        PasswordReset.objects.request_link(
            username=form.cleaned_data["username"],
            channel=form.cleaned_data["channel"],
            request=request,
        )
        request.session["password_reset_channel"] = form.cleaned_data["channel"]
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


@no_referrer
@require_GET
def password_reset_sent(request):
    channel = request.session.get("password_reset_channel", PasswordReset.Channel.EMAIL)
    minutes = int(PasswordReset.validity(channel).total_seconds() // 60)
    return render(
        request,
        "accounts/password_reset_sent.html",
        {"by_sms": channel == PasswordReset.Channel.SMS, "minutes": minutes},
    )


@no_referrer
@require_GET
def password_reset_link(request, token):
    """The link from the mail or SMS: keep the token in the session, drop it from the address."""
    request.session[RESET_TOKEN_SESSION_KEY] = token
    return redirect("accounts:password_reset_confirm")


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    reset = PasswordReset.objects.for_token(request.session.get(RESET_TOKEN_SESSION_KEY, ""))
    if reset is None:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NewPasswordForm(reset.user, request.POST or None)
    if form.is_valid():
        if not reset.complete(form.cleaned_data["new_password1"], request=request):
            return render(request, "accounts/password_reset_invalid.html", status=400)
        # No automatic login: whoever is logged in in this browser is logged out, too.
        logout(request)
        messages.success(request, "Passordet er lagret. Logg inn med det nye passordet.")
        return redirect(settings.LOGIN_URL)
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form, "reset_user": reset.user}
    )


@role_required
@require_http_methods(["GET", "POST"])
def invite_colleague(request):
    """«Inviter en kollega»: always for the active role's employer, never one named in the
    request."""
    form = RoleInvitationForm(request.POST or None, employer=request.role.employer)
    if form.is_valid():
        try:
            invitation = RoleInvitation.objects.invite(
                role=request.role,
                request=request,
                **{field: form.cleaned_data[field] for field in ("full_name", "email", "mobile")},
            )
        except IntegrityError:  # the same invitation sent twice at once: the first one stands
            messages.info(request, "Invitasjonen var allerede sendt.")
            return redirect("home")
        if invitation.status == RoleInvitation.Status.APPROVED:
            messages.success(
                request,
                f"{invitation.full_name} er nå trekkontakt for {request.role.employer.name} "
                "og får en e-post med innloggingen.",
            )
        else:
            messages.success(
                request,
                f"Invitasjonen til {invitation.full_name} er sendt til forbundet. Når den er "
                "godkjent, får kollegaen din en e-post med innloggingen.",
            )
        return redirect("home")
    return render(
        request,
        "accounts/invite_colleague.html",
        {"form": form, "needs_approval": settings.ROLE_INVITATIONS_NEED_APPROVAL},
    )


@role_required
@require_http_methods(["GET", "POST"])
def give_up_role(request):
    """«Gi fra meg rollen»: the active role only, and never the employer's last contact."""
    role = request.role
    others = Role.objects.filter(employer=role.employer).exclude(pk=role.pk).exists()
    # An unticked box posts nothing, which must still be a bound (and invalid) form.
    form = GiveUpRoleForm(request.POST if request.method == "POST" else None)
    if others and form.is_valid():
        try:
            role_give_up(role=role, request=request)
        except LastContact:
            others = False
        else:
            request.session.pop(ROLE_SESSION_KEY, None)
            messages.success(request, f"Du er ikke lenger trekkontakt for {role.employer.name}.")
            return redirect("accounts:after_login")
    return render(
        request,
        "accounts/give_up_role.html",
        {"form": form, "last_contact": not others},
        status=409 if request.method == "POST" and not others else 200,
    )
