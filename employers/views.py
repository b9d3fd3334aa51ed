from django.shortcuts import render

from accounts.decorators import role_required
from employers.models import PortalInformation


@role_required
def home(request):
    return render(
        request,
        "employers/home.html",
        {"employer": request.role.employer, "information": PortalInformation.current()},
    )


def user_guide(request):
    return render(request, "pages/user_guide.html")
