"""Runs one fuzz case against a page or a service and judges it.

A case runs inside a savepoint that is rolled back, so every case starts from the fixture's state.
It is judged on:

- server error: a 5xx answer or an exception the view or service did not turn into a refusal;
- partial write: the case was refused (form shown again with errors, a 4xx, an error message on the
  redirect, a ValidationError) yet some table of the project's apps changed (row count or content,
  by one query over every table); for a read-only page, any change at all;
- messages: a refusal the user sees must say why in Vietnamese (an English or empty message is
  a missing translation or a missing check);
- stored text: an accepted write must not store control characters or text not in NFC.

In CI a problem fails the case at once (Hypothesis then shrinks it to a minimal input). With
FUZZ_COLLECT set (bench/fuzz.py) problems are counted and the run goes on; tests/fuzz/conftest.py
writes the counters to FUZZ_REPORT.
"""

import os
import sys
import traceback
import unicodedata
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.db import connection, models, transaction
from django.forms import BaseForm
from django.http import Http404
from django.test.utils import ContextList

from common.text import _CONTROL

STATS = {
    "cases": 0,
    "server_errors": 0,
    "partial_writes": 0,
    "message_problems": 0,
    "stored_text_problems": 0,
    "targets": {},  # cases per target
    "accepted": {},  # of them, the ones the page or service accepted (did the cases get deep?)
    "problems": [],
}
KEEP_PROBLEMS = 200

# Reference data loaded by a migration (3,321 communes): counted, not hashed, and not searched
# for control characters (it costs more than every other table together and no case writes it).
REFERENCE_TABLES = {"chibo_commune", "chibo_province"}
# Written by reads, refused or not, by design (the access log, login attempts): not a partial write.
IGNORED_TABLES = {"nhatky_accessevent", "nhatky_access_log", "axes_accessattempt", "axes_accesslog"}


def collecting() -> bool:
    return bool(os.environ.get("FUZZ_COLLECT"))


def _project_models():
    base = str(settings.BASE_DIR)
    found = []
    for config in apps.get_app_configs():
        if not config.path.startswith(base) or os.sep + ".venv" + os.sep in config.path:
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy and model._meta.db_table not in IGNORED_TABLES:
                found.append(model)
    return found


_SQL = {}


def _snapshot_sql():
    if "snapshot" not in _SQL:
        tables = sorted({m._meta.db_table for m in _project_models()})
        q = connection.ops.quote_name
        _SQL["snapshot"] = " UNION ALL ".join(
            f"SELECT '{t}', count(*), "  # noqa: S608 - table names from the models, not input
            + ("0" if t in REFERENCE_TABLES else "coalesce(sum(hashtext(x::text)::bigint), 0)")
            + f" FROM {q(t)} x"
            for t in tables
        )
    return _SQL["snapshot"]


def snapshot() -> dict:
    """{table: (rows, checksum of every row's text)} for every table of the project's apps."""
    with connection.cursor() as cur:
        cur.execute(_snapshot_sql())
        return {table: (n, checksum) for table, n, checksum in cur.fetchall()}


# The characters common.text refuses, minus the line breaks and tabs multi-line fields may hold
# (and NUL, which PostgreSQL cannot store at all).
_BAD_CLASS = _CONTROL.pattern.replace("\\x00-\\x08", "\\x01-\\x08")


def _text_sql():
    if "text" not in _SQL:
        q = connection.ops.quote_name
        parts = []
        for model in _project_models():
            if model._meta.db_table in REFERENCE_TABLES:
                continue
            for f in model._meta.concrete_fields:
                if isinstance(f, models.CharField | models.TextField | models.FileField):
                    col, table = q(f.column), q(model._meta.db_table)
                    parts.append(
                        f"SELECT '{model._meta.db_table}.{f.column}', {q(model._meta.pk.column)}::text FROM {table} "  # noqa: S608
                        f"WHERE {col} ~ %s OR {col} IS NOT NFC NORMALIZED"
                    )
        _SQL["text"] = (" UNION ALL ".join(parts), len(parts))
    return _SQL["text"]


def stored_text_problems() -> set:
    """(table.column, pk) of every stored text with a control character or not in NFC."""
    sql, n = _text_sql()
    pattern = _BAD_CLASS.encode().decode("unicode_escape")
    with connection.cursor() as cur:
        cur.execute(sql, [pattern] * n)
        return set(cur.fetchall())


def _suspicious(values) -> bool:
    for value in _strings(values):
        if _CONTROL.search(value) or not unicodedata.is_normalized("NFC", value):
            return True
    return False


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set):
        for v in value:
            yield from _strings(v)


def english(messages) -> list:
    """Messages a Vietnamese user would read in English (or not at all): plain-ASCII words."""
    return [str(m) for m in messages if not str(m).strip() or (str(m).isascii() and any(ch.isalpha() for ch in str(m)))]


@dataclass
class Outcome:
    rejected: bool = False
    server_error: bool = False
    partial_write: bool = False
    messages: list = field(default_factory=list)
    message_problems: list = field(default_factory=list)
    stored_text: set = field(default_factory=set)
    changed: list = field(default_factory=list)
    detail: str = ""

    def __iter__(self):
        return iter((self.server_error, self.partial_write))

    @property
    def problems(self) -> list:
        out = []
        if self.server_error:
            out.append("server error")
        if self.partial_write:
            out.append(f"partial write ({', '.join(self.changed)})")
        if self.message_problems:
            out.append(f"message not in Vietnamese: {self.message_problems}")
        if self.stored_text:
            out.append(f"control characters or non-NFC text stored: {sorted(self.stored_text)[:5]}")
        return out


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def _forms_in(context):
    if context is None:
        return []
    contexts = context if isinstance(context, ContextList) else [context]
    found = []
    for ctx in contexts:
        values = ctx.flatten().values() if hasattr(ctx, "flatten") else ctx.values()
        found.extend(v for v in values if isinstance(v, BaseForm) and all(v is not f for f in found))
    return found


class Fuzzer:
    """The judge of one target's cases; the fixture state it starts from is its baseline."""

    def __init__(self, name: str, *, read_only: bool = False, stats: dict | None = None, strict: bool | None = None):
        """`stats`: the counters to add to (the run's); `strict`: fail at the first problem (in CI,
        not under FUZZ_COLLECT)."""
        self.name = name
        self.read_only = read_only
        self.stats = STATS if stats is None else stats
        self.strict = not collecting() if strict is None else strict
        self._baseline_text = None
        for key in ("targets", "accepted"):
            self.stats.setdefault(key, {}).setdefault(name, 0)
        self._start = (self.stats["targets"][name], self.stats["accepted"][name])

    def judged(self) -> tuple[int, int]:
        """(cases, accepted): what this fuzzer has judged so far."""
        return (
            self.stats["targets"][self.name] - self._start[0],
            self.stats["accepted"][self.name] - self._start[1],
        )

    def check_reached(self, *, refused_too: bool = False):
        """The target ran and, in the same cases every run (CI: derandomized), reached what it
        does at least once: a target whose every case is refused fuzzes only its refusals.
        `refused_too`: and some cases were refused (a strategy drawing valid and hostile input)."""
        from .strategies import derandomized

        cases, accepted = self.judged()
        assert cases >= 1, f"{self.name}: no case ran"
        if derandomized():
            assert accepted > 0, f"{self.name}: none of {cases} cases accepted, only its refusals were fuzzed"
            if refused_too:
                assert accepted < cases, f"{self.name}: all {cases} cases accepted, no refusal fuzzed"

    # -- pages --

    def view(self, client, method: str, url: str, data=None, *, accepted=None, **extra) -> Outcome:
        """One request through the whole stack (middleware, view, template). A GET only reads.

        `accepted`: what acceptance means for this page, a callable(response) run in the case's
        savepoint (it may read the database): an answer that shows no refusal but is not accepted
        (the blank form again for an empty POST) then counts as refused, so it must not have
        written anything. Without it, every answer that shows no refusal counts as accepted."""
        self.read_only = self.read_only or method == "get"
        errors = []

        def caught(sender, request=None, **kwargs):
            errors.append("".join(traceback.format_exception(*sys.exc_info())))

        def action():
            got_request_exception.connect(caught, weak=False, dispatch_uid="fuzz")
            try:
                response = getattr(client, method)(url, data or {}, **extra)
            finally:
                got_request_exception.disconnect(dispatch_uid="fuzz")
            outcome = Outcome()
            if errors or response.status_code >= 500:
                outcome.server_error = True
                outcome.detail = errors[0] if errors else f"HTTP {response.status_code}"
                return outcome
            self._judge_response(response, outcome, method)
            if accepted is not None and not outcome.rejected and not accepted(response):
                outcome.rejected = True
            return outcome

        return self._case(action, inputs=data)

    def _judge_response(self, response, outcome, method):
        status = response.status_code
        shown = []
        queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
        error_messages = [m.message for m in queued if m.level >= message_levels.ERROR]
        if status >= 400:
            outcome.rejected = True
            if response.get("Content-Type", "").startswith("application/json"):
                body = response.json()
                shown.append(body.get("error", ""))
        elif status == 200:
            bad_forms = [f for f in _forms_in(response.context) if f.is_bound and f.errors]
            if bad_forms:
                outcome.rejected = True
                for form in bad_forms:
                    for messages in form.errors.values():
                        shown.extend(messages)
        if error_messages:
            outcome.rejected = True
            shown.extend(error_messages)
        outcome.messages = shown
        outcome.message_problems = english(shown)

    # -- services --

    def service(self, action, *, inputs=None, refusals=()) -> Outcome:
        """Call a service; ValidationError (and the given refusal exceptions) are refusals."""

        def run():
            outcome = Outcome()
            try:
                action()
            except ValidationError as exc:
                outcome.rejected = True
                outcome.messages = exc.messages
                outcome.message_problems = english(exc.messages)
            except (PermissionDenied, Http404, ObjectDoesNotExist, *refusals):
                outcome.rejected = True
            except Exception:
                outcome.server_error = True
                outcome.detail = traceback.format_exc()
            return outcome

        return self._case(run, inputs=inputs)

    # -- one case --

    def _case(self, action, *, inputs) -> Outcome:
        check_text = _suspicious(inputs)
        if check_text and self._baseline_text is None:
            self._baseline_text = stored_text_problems()
        with transaction.atomic():
            before = snapshot()
            try:
                with transaction.atomic():
                    outcome = action()
                    if not outcome.server_error:
                        after = snapshot()
                        if outcome.rejected or self.read_only:
                            outcome.changed = sorted(t for t in after if after[t] != before.get(t))
                            outcome.partial_write = bool(outcome.changed)
                        elif check_text:
                            outcome.stored_text = stored_text_problems() - self._baseline_text
            except Exception:
                # The service or view left the transaction broken (caught a database error
                # without a savepoint): a 500 on the next query in production.
                outcome = Outcome(server_error=True, detail=traceback.format_exc())
            transaction.set_rollback(True)
        self._record(outcome, inputs)
        return outcome

    def _record(self, outcome, inputs):
        stats = self.stats
        for key, add in (
            ("cases", 1),
            ("server_errors", outcome.server_error),
            ("partial_writes", outcome.partial_write),
            ("message_problems", bool(outcome.message_problems)),
            ("stored_text_problems", bool(outcome.stored_text)),
        ):
            stats[key] = stats.get(key, 0) + add
        stats["targets"][self.name] += 1
        stats["accepted"][self.name] += not (outcome.rejected or outcome.server_error)
        problems = outcome.problems
        if not problems:
            return
        report = f"{self.name}: {'; '.join(problems)}\ninput: {_short(inputs, 600)}\n{outcome.detail}"
        if self.strict:
            raise AssertionError(report)
        kept = stats.setdefault("problems", [])
        if len(kept) < KEEP_PROBLEMS:
            kept.append(report)
