"""How pages hand service errors back to the form the user filled."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def apply_errors(form, exc: ValidationError):
    """Put a service's validation errors on the form's fields (or on top when not a field). A form
    whose fields differ from the service's arguments maps them in `service_fields` (the meeting
    form's date and time make the service's `starts_at`)."""
    if hasattr(exc, "error_dict"):
        mapping = getattr(form, "service_fields", {})
        for field, errors in exc.error_dict.items():
            field = mapping.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def run_service(form, action):
    """Call a service; its validation errors land on the form, a refusal is a 404."""
    try:
        return action()
    except ValidationError as exc:
        apply_errors(form, exc)
    except PermissionDenied as exc:
        raise Http404 from exc
    return None
