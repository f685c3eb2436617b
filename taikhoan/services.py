"""User accounts: creation goes through here so it is audited like every other write."""

from django.db import transaction

from nhatky.services import audit_record

from .models import User


def user_create(
    *,
    actor,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            is_staff=is_staff or is_superuser,
            is_superuser=is_superuser,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            changes={"username": username, "is_staff": user.is_staff, "is_superuser": is_superuser},
        )
    return user
