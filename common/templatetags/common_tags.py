from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def folded(value):
    """The search key of a text (no diacritics, lower case), for filtering in the browser."""
    from common.text import fold

    return fold(str(value or ""))
