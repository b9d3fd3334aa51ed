from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from two_factor.views import LoginView as TwoFactorLoginView

from accounts.audit import AuditEvent
from accounts.forms import ChooseRoleForm, LoginForm
from accounts.middleware import activate_role
from accounts.models import Role


class LoginView(TwoFactorLoginView):
    form_list = (
        (TwoFactorLoginView.AUTH_STEP, LoginForm),
        *TwoFactorLoginView.form_list[1:],
    )


@login_required
def after_login(request):
    """Where a fresh login lands: straight in with one role, a choice with several."""
    roles = list(Role.objects.for_user(request.user)[:2])
    if len(roles) == 1:
        activate_role(request, roles[0])
        return redirect("home")
    if roles:
        return redirect("accounts:choose_role")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("accounts:no_role")


@login_required
@require_http_methods(["GET", "POST"])
def choose_role(request):
    form = ChooseRoleForm(request.POST or None, user=request.user)
    if form.is_valid():
        role = form.cleaned_data["role"]
        activate_role(request, role)
        AuditEvent.objects.record("role_switch", request=request, employer=role.employer)
        messages.success(request, f"Du handler nå for {role.employer.name}.")
        return redirect("home")
    if not form.fields["role"].queryset.exists():
        return redirect("accounts:no_role")
    return render(request, "accounts/choose_role.html", {"form": form})


@login_required
def no_role(request):
    if request.role is not None:
        return redirect("home")
    return render(request, "accounts/no_role.html")
