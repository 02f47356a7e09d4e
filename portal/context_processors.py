from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": "Fairdue",
        "IS_STAFF_AREA": request.path.startswith(("/staff/", "/admin/")),
        "IS_STAFF_USER": bool(user and user.is_authenticated and user.is_staff),
        "DEBUG": settings.DEBUG,
    }
