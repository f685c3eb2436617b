"""The one write quydinh does for the apps that use a pack: freezing it on first use. Editing a
pack (with its criteria sets) is nhanxet's (nhanxet/services/packs.py)."""

from django.utils import timezone

from .models import RegulationPack


def pack_freeze(pack: RegulationPack) -> None:
    """A pack in use can no longer change (one statement, nothing when already frozen)."""
    if pack.frozen_at is None:
        pack.frozen_at = timezone.now()
        RegulationPack.objects.filter(pk=pack.pk, frozen_at__isnull=True).update(frozen_at=pack.frozen_at)
