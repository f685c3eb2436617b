"""Messages of the libraries we use that their own Vietnamese catalogues leave untranslated.

Written here so that `make messages` (Django's makemessages) keeps them in locale/vi as live
entries: entries with no place in our sources would be marked obsolete and stop working.
Nothing imports this module at run time; the libraries look the messages up themselves.
"""

from django.utils.translation import gettext_noop, ngettext

DJANGO_FORMS = [
    # Django 5.2's form fields and model choice fields (found by tests/fuzz).
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
]

AXES_MODELS = [
    # django-axes' models, in the admin.
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
]


def _password_validation(n):
    # Django 5.2's MinimumLengthValidator (a plural: gettext_noop has no plural form).
    return ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        n,
    )
