"""Residence communes as typed in old files, matched to today's units (after the 2025 merger).

A name that still exists (in the province given, or anywhere when it is unique) matches at once;
an old name that no longer does gets suggestions of today's units with a similar name, in its
province when one is given, and the user confirms one (remembered for the organisation)."""

import difflib
import re

from common.text import fold

_TYPE = re.compile(r"^(xa|phuong|thi tran|dac khu|p|x|tt|f)[\s.]+")
_PROVINCE = re.compile(r"^(tinh|thanh pho|tp)[\s.]+")

# The communes to confirm a check lists (services.parse_rows keeps as many).
SUGGESTED_MAX = 200


def bare(text: str) -> str:
    """The folded name without its unit type: 'Phường Hoàn Kiếm' → 'hoan kiem'."""
    return _TYPE.sub("", fold(text)).strip()


class Matcher:
    def __init__(self, remembered: dict | None = None):
        from chibo.models import Commune, Province

        self.remembered = remembered or {}
        self._memo = {}
        self._suggested = 0  # unknown names given suggestions so far
        self.communes = {c.code: c for c in Commune.objects.select_related("province")}
        self.by_name: dict[str, list] = {}
        self.by_full: dict[str, list] = {}
        for c in self.communes.values():
            self.by_name.setdefault(bare(c.name), []).append(c)
            self.by_full.setdefault(fold(c.name), []).append(c)
        self.provinces = {_PROVINCE.sub("", fold(p.name)).strip(): p.code for p in Province.objects.all()}

    def province_of(self, text: str) -> int | None:
        key = _PROVINCE.sub("", fold(text)).strip()
        return self.provinces.get(key)

    def key(self, commune_text: str, province_text: str = "") -> str:
        return " | ".join(p for p in (fold(commune_text), fold(province_text)) if p)

    def match(self, commune_text: str, province_text: str = ""):
        """(commune or None, [(code, label)] suggestions); a file names the same few communes
        thousands of times, so each pair is looked up once."""
        key = (commune_text, province_text)
        if key not in self._memo:
            # Suggestions (a comparison with every commune of the province, or of the country) only
            # for as many unknown names as the page lists to confirm: a column of free-text
            # addresses would otherwise take the check hours.
            suggest = self._suggested < SUGGESTED_MAX
            self._memo[key] = found = self._match(commune_text, province_text, suggest=suggest)
            self._suggested += found[0] is None
        return self._memo[key]

    def _match(self, commune_text: str, province_text: str, *, suggest: bool = True):
        if not commune_text:
            return None, []
        remembered = self.remembered.get(self.key(commune_text, province_text))
        if remembered and remembered in self.communes:
            return self.communes[remembered], []
        parts = [p.strip() for p in re.split(r"[,;–-]", commune_text) if p.strip()]
        province = self.province_of(province_text) if province_text else None
        for part in parts[1:]:
            province = province or self.province_of(part)
        first = parts[0] if parts else commune_text
        full = [c for c in self.by_full.get(fold(first), []) if province in (None, c.province_id)]
        if len(full) == 1:
            return full[0], []
        named = [c for c in self.by_name.get(bare(first), []) if province in (None, c.province_id)]
        if len(named) == 1:
            return named[0], []
        if not suggest:
            return None, []
        pool = named or [c for c in self.communes.values() if province in (None, c.province_id)]
        return None, self._suggest(bare(first), pool)

    @staticmethod
    def _suggest(query: str, pool) -> list:
        """Today's units whose name shares a word with the old one (a merged unit often kept one of
        its parts' names), then those spelled alike, best first."""
        words = set(query.split())
        scored = []
        for c in pool:
            name = bare(c.name)
            shared = len(words & set(name.split()))
            ratio = difflib.SequenceMatcher(None, query, name).ratio()
            if shared or ratio >= 0.6:
                scored.append((-shared, -ratio, c.name, c))
        scored.sort(key=lambda item: item[:3])
        return [(c.code, f"{c.name}, {c.province.name}") for *_k, c in scored[:8]]
