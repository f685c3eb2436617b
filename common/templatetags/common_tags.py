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


@register.filter
def minutes(value):
    """A timedelta as whole minutes, rounded up (the lockout page's cool-off)."""
    try:
        return max(1, -(-int(value.total_seconds()) // 60))
    except AttributeError:
        return ""
