from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import validate_single_line


class User(AbstractUser):
    """A person who logs in. What they may see comes from their RoleAssignment rows."""

    full_name = models.CharField(_("full name"), max_length=120, blank=True, validators=[validate_single_line])
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username
