"""Password rules beyond Django's own (length, common passwords, all digits, like the username)."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class CharacterClassesValidator:
    """At least `classes` of the four kinds of character: lower case, upper case, digits, others
    (punctuation, spaces, Vietnamese letters without an upper/lower pair count as letters)."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    @staticmethod
    def kinds(password: str) -> int:
        return sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )

    def validate(self, password, user=None):
        if self.kinds(password) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case letters, capitals, digits, symbols.",
            "Your password must mix at least %(n)d kinds of character: lower-case letters, capitals, digits, symbols.",
            self.classes,
        ) % {"n": self.classes}
