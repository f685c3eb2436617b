"""Filters of the document templates."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def unbroken(text, doc):
    """The text, escaped, with each of the regulation's numbers kept on one line (213-QĐ/TW never
    breaks at its hyphen or slash). The numbers are those of the pack stamped in the snapshot
    `doc`; a snapshot without one (documents issued before packs) gets the plain escaped text."""
    html = escape(text or "")
    for number in ((doc or {}).get("pack") or {}).get("numbers") or ():
        if number:
            html = html.replace(escape(number), f'<span class="nb">{escape(number)}</span>')
    return mark_safe(html)  # noqa: S308 - built from escaped text only
