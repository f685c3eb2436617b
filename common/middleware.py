"""Vietnamese unless the user chose otherwise."""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activate the language the user picked (cookie set by set_language), else LANGUAGE_CODE.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    browsers in Vietnam send English: the product is Vietnamese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
