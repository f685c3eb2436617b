"""Reminder sweeps: each rule finds what is late in one set-based statement per batch and records a
reminder per (rule, object, stage, date) in the same statement, so only what was not reminded yet
comes back, and the people to tell get one notice per batch, not one per object.

    INSERT INTO nhacviec_reminder (...) SELECT ... FROM (<the rule's candidates>) ...
    ON CONFLICT (rule_id, object_id, stage, due_date) DO NOTHING RETURNING id, object_id, path

The candidates are ORM querysets (the same ones the member list and the board's summary count),
compiled to SQL; the statement and the notices it leads to are one transaction, so a worker killed
half-way leaves nothing behind and the retried batch does all of it once.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, DateField, DateTimeField, Exists, F, IntegerField, Max, Min, OuterRef, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.urls import reverse as django_reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import hangdoi
from chibo.models import Meeting, MeetingStatus, Organization, PartyGroup, Role, RoleAssignment
from chibo.permissions import path_q
from chibo.selectors import nearest_role_holders
from dangvien.models import LinkState, Member, ResidenceLink
from dangvien.selectors import AWAITING_LETTER, awaiting_letter, letters_not_received
from nhanxet.models import (
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    PeriodScope,
)
from nhanxet.selectors import forms_unrated, links_due_yearly, links_held
from taikhoan.models import NotificationKind
from taikhoan.services import notify_many

from ..models import Reminder, ReminderRule, RuleCode
from ..selectors import rules_in_force
from . import deliveries

_MARK = 987_654_321  # stands for a key while a URL is resolved once per pattern


@functools.cache
def _pattern(name: str, arity: int) -> str:
    return django_reverse(name, args=[_MARK + i for i in range(arity)])


def reverse(name: str, args=()) -> str:
    """django.urls.reverse for integer arguments, the pattern resolved once per process: a batch
    writes thousands of notices whose links differ only by a key."""
    url = _pattern(name, len(args))
    for i, value in enumerate(args):
        url = url.replace(str(_MARK + i), str(int(value)), 1)
    return url


PERIOD_BATCH = 200  # a batch of an evaluation sweep covers this many periods
SAMPLE = 5  # names listed in a notice; the rest are counted


@dataclass(frozen=True)
class Found:
    id: int
    object_id: int
    path: str
    count: int = 1  # how many things late the object stands for (a branch's unsigned forms)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _id_batches(qs, stage: int, size: int) -> list[dict]:
    bounds = qs.order_by().aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    return [
        {"stage": stage, "lo": lo, "hi": min(lo + size, bounds["hi"] + 1)}
        for lo in range(bounds["lo"], bounds["hi"] + 1, size)
    ]


def _names(text_by_id: dict, found: list[Found]) -> str:
    shown = [text_by_id[f.object_id] for f in found[:SAMPLE] if f.object_id in text_by_id]
    rest = len(found) - len(shown)
    line = "; ".join(shown)
    if rest > 0:
        line += " " + ngettext("and %(n)s more", "and %(n)s more", rest) % {"n": rest}
    return line


class Rule:
    code = ""
    kind = NotificationKind.GENERAL
    roles: dict = {}  # stage → roles of the people told

    def batches(self, rule: ReminderRule, today: datetime.date) -> list[dict]:
        raise NotImplementedError

    def candidates(self, rule: ReminderRule, batch: dict, today: datetime.date):
        """A queryset annotated with r_object, r_due and r_path."""
        raise NotImplementedError

    def prepare(self, rule, batch, sample: list[Found], found: list[Found]) -> dict:
        """What the batch's messages need (names of the sample, counts), in a few queries."""
        return {}

    def message(self, rule, batch, found, org_id, today, context) -> tuple[str, str, str]:
        raise NotImplementedError

    def notify(self, rule: ReminderRule, batch: dict, found: list[Found], today) -> list[Found]:
        """One notice per office (the nearest holder of the stage's roles) for the batch's finds.
        Returns the finds nobody holds the role for: the engine forgets those reminders, so they
        go out once someone is appointed instead of being recorded as sent to no one."""
        holders = nearest_role_holders({f.path for f in found}, self.roles[batch["stage"]])
        groups, unheard = {}, []
        for f in found:
            if f.path in holders:
                org_id, users = holders[f.path]
                groups.setdefault(org_id, (users, []))[1].append(f)
            else:
                unheard.append(f)
        if not groups:
            return unheard
        told = [f for _users, fs in groups.values() for f in fs]
        context = self.prepare(rule, batch, [f for _users, fs in groups.values() for f in fs[:SAMPLE]], told)
        items = []
        for org_id, (users, fs) in groups.items():
            title, body, url = self.message(rule, batch, fs, org_id, today, context)
            key = f"rem:{self.code}:{batch['stage']}:{org_id}:{min(f.id for f in fs)}"
            items += [(user, key, title, body, url) for user in users]
        notify_many(items=items, kind=self.kind)
        return unheard


class ClockRule(Rule):
    """A clock that runs from a date: the first reminder after first_days, the second after
    second_days more (none when it is empty). Batches are groups of top-level organisations (the
    provinces) on the side told, so every office is in one batch and gets one notice a day."""

    def days(self, rule, stage) -> int:
        return rule.first_days + ((rule.second_days or 0) if stage == 2 else 0)

    def overdue(self, rule, today, stage=1):
        raise NotImplementedError

    def annotated(self, rule, today, stage):
        """The overdue things with r_object, r_due and r_path (the path of the side told)."""
        raise NotImplementedError

    ROOT_GROUPS = 8  # batches per stage: few enough not to scan the overdue set often

    def batches(self, rule, today):
        stages = [1] + ([2] if rule.second_days is not None else [])
        roots = list(Organization.objects.filter(depth=1).order_by("path").values_list("path", flat=True))
        groups = [roots[i :: self.ROOT_GROUPS] for i in range(min(self.ROOT_GROUPS, len(roots)))]
        return [{"stage": stage, "roots": group} for stage in stages for group in groups]

    def candidates(self, rule, batch, today):
        return self.annotated(rule, today, batch["stage"]).filter(path_q(batch["roots"], "r_path"))


# ---- 1. covered members without a letter ----------------------------------------------------


class LetterMissing(ClockRule):
    code = RuleCode.LETTER_MISSING
    kind = NotificationKind.LETTER
    roles = {1: [Role.CLERK], 2: [Role.SIGNING_SECRETARY]}

    def overdue(self, rule, today, stage=1):
        return awaiting_letter(since_on_or_before=today - datetime.timedelta(days=self.days(rule, stage)))

    def annotated(self, rule, today, stage):
        return self.overdue(rule, today, stage).annotate(
            r_object=F("pk"), r_due=F("awaiting_letter_since"), r_path=F("org_path")
        )

    def prepare(self, rule, batch, sample, found):
        return {
            "names": dict(Member.objects.filter(pk__in=[f.object_id for f in sample]).values_list("pk", "full_name"))
        }

    def message(self, rule, batch, found, org_id, today, context):
        days = self.days(rule, batch["stage"])
        n = len(found)
        if batch["stage"] == 1:
            title = ngettext(
                "%(n)s covered member has had no introduction letter for %(days)s days",
                "%(n)s covered members have had no introduction letter for %(days)s days",
                n,
            ) % {"n": n, "days": days}
        else:
            title = ngettext(
                "Still no introduction letter after %(days)s days for %(n)s member: please see to it",
                "Still no introduction letters after %(days)s days for %(n)s members: please see to it",
                n,
            ) % {"n": n, "days": days}
        url = reverse("dangvien:list") + f"?covered={AWAITING_LETTER}&org={org_id}"
        if n == 1:
            url = reverse("dangvien:detail", args=(found[0].object_id,))
        return title, _names(context["names"], found), url


# ---- 2. letters not received -----------------------------------------------------------------


class LetterUnreceived(ClockRule):
    code = RuleCode.LETTER_UNRECEIVED
    kind = NotificationKind.LETTER
    roles = {1: [Role.CLERK], 2: [Role.CLERK]}

    def overdue(self, rule, today, stage=1):
        return letters_not_received(days=self.days(rule, stage), today=today)

    def annotated(self, rule, today, stage):
        # First the residence commune's office (the workplace's if the commune is not in the
        # system yet), then the workplace office too.
        path = (
            Coalesce(NullIf(F("residence_path"), Value("")), F("workplace_path")) if stage == 1 else F("workplace_path")
        )
        return self.overdue(rule, today, stage).annotate(
            r_object=F("pk"), r_due=TruncDate("letter__issued_at"), r_path=path
        )

    def prepare(self, rule, batch, sample, found):
        rows = ResidenceLink.objects.filter(pk__in=[f.object_id for f in sample]).values_list(
            "pk", "member__full_name", "letter__symbol", "residence_path"
        )
        return {
            "names": {pk: f"{name} ({symbol})" for pk, name, symbol, _path in rows},
            "residence_side": {pk for pk, _name, _symbol, path in rows if path and batch["stage"] == 1},
        }

    def message(self, rule, batch, found, org_id, today, context):
        days = self.days(rule, batch["stage"])
        n = len(found)
        if found[0].object_id in context["residence_side"]:
            title = ngettext(
                "%(n)s introduction letter has waited %(days)s days to be received",
                "%(n)s introduction letters have waited %(days)s days to be received",
                n,
            ) % {"n": n, "days": days}
            url = reverse("dangvien:residence_inbox") + f"?state={LinkState.LETTER_ISSUED}"
        else:
            title = ngettext(
                "%(n)s letter you issued is still not received after %(days)s days",
                "%(n)s letters you issued are still not received after %(days)s days",
                n,
            ) % {"n": n, "days": days}
            url = reverse("dangvien:workplace_inbox") + f"?state={LinkState.LETTER_ISSUED}"
        return title, _names(context["names"], found), url


# ---- 3. meetings coming up -------------------------------------------------------------------


class MeetingUpcoming(Rule):
    code = RuleCode.MEETING_UPCOMING
    kind = NotificationKind.MEETING
    MEETINGS_PER_BATCH = 5_000  # each meeting brings its leaders and its sheet of members

    def upcoming(self, rule, today):
        return Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
            starts_at__lt=_midnight(today + datetime.timedelta(days=rule.first_days + 1)),
        )

    def batches(self, rule, today):
        # The window holds the meetings to remind; the invitations catch-up looks at every
        # future one, so the batches span those.
        future = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        return _id_batches(future, 1, self.MEETINGS_PER_BATCH)

    def candidates(self, rule, batch, today):
        return (
            self.upcoming(rule, today)
            .filter(pk__gte=batch["lo"], pk__lt=batch["hi"])
            .annotate(r_object=F("pk"), r_due=TruncDate("starts_at"), r_path=F("branch_path"))
        )

    def notify(self, rule, batch, found, today) -> list[Found]:
        """Group leaders (in the app, and by e-mail as they chose) and the members invited (by
        their own e-mail; a member without one is named to the leader)."""
        from chibo.models import Attendance

        meetings = Meeting.objects.filter(pk__in=[f.object_id for f in found]).select_related("branch")
        leaders = {}
        for group in PartyGroup.objects.filter(branch__in={m.branch_id for m in meetings}, leader__isnull=False):
            leaders.setdefault(group.branch_id, set()).add(group.leader)
        attendance = {}
        for row in Attendance.objects.filter(meeting__in=meetings).select_related("member"):
            attendance.setdefault(row.meeting_id, []).append(row.member)
        items, member_mail = [], []
        for meeting in meetings:
            when = timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y")
            title = _("Reminder: meeting of %(branch)s at %(when)s") % {"branch": meeting.branch.name, "when": when}
            body = _("Place: %(place)s\nAgenda:\n%(agenda)s") % {"place": meeting.place, "agenda": meeting.agenda}
            invited = attendance.get(meeting.pk, [])
            no_email = [m.full_name for m in invited if not (m.email or "").strip()]
            leader_body = body
            if no_email:
                leader_body += "\n" + _("No e-mail on record, please tell them: %(names)s") % {
                    "names": ", ".join(sorted(no_email))
                }
            stamp = f"{meeting.pk}:{timezone.localtime(meeting.starts_at):%Y%m%d%H%M}"
            url = reverse("chibo:meeting", args=(meeting.pk,))
            items += [
                (u, f"meeting-remind:{stamp}", title, leader_body, url) for u in leaders.get(meeting.branch_id, ())
            ]
            member_mail += [(m, f"meeting-remind:{stamp}:m{m.pk}", title, body) for m in invited]
        deliveries.enqueue(deliveries.member_deliveries(member_mail))
        notify_many(items=items, kind=self.kind)
        return []


def invitations_catch_up(lo: int, hi: int, now=None) -> int:
    """Scheduled meetings (ids lo ≤ id < hi) whose invitations never went out, handed to the
    invitation task a hundred at a time. A broker down at scheduling is the outbox's (hangdoi
    delivers the task when Redis is back); what is left for this sweep is a task that gave up
    (its retries spent on a mail server that did not answer) or was dropped. A meeting the outbox
    has not delivered yet may be handed over twice: the service sends once (it locks the meeting
    and finds `invitations_sent_at` set)."""
    from chibo.tasks import send_meeting_invitations_many

    now = now or timezone.now()
    ids = list(
        Meeting.objects.filter(
            pk__gte=lo,
            pk__lt=hi,
            status=MeetingStatus.SCHEDULED,
            invitations_sent_at__isnull=True,
            starts_at__gte=now,
            created_at__lt=now - datetime.timedelta(minutes=10),
        ).values_list("pk", flat=True)
    )
    hangdoi.enqueue_many(
        send_meeting_invitations_many, ([ids[start : start + 100]] for start in range(0, len(ids), 100))
    )
    return len(ids)


# ---- 4. evaluation deadlines -----------------------------------------------------------------


def _period_batches(periods, stage_of, deadline_of) -> list[dict]:
    groups = {}
    for period in periods:
        stage = stage_of(period)
        if stage:
            key = (stage, deadline_of(period).isoformat(), period.year, period.scope)
            groups.setdefault(key, []).append(period.org_path)
    out = []
    for (stage, deadline, year, scope), paths in sorted(groups.items()):
        for start in range(0, len(paths), PERIOD_BATCH):
            out.append(
                {
                    "stage": stage,
                    "deadline": deadline,
                    "year": year,
                    "scope": scope,
                    "paths": sorted(paths[start : start + PERIOD_BATCH]),
                }
            )
    return out


def _deadline_stage(rule, deadline, today) -> int:
    """1: the first reminder's window, 2: the last days before the deadline, 3: overdue. Only the
    latest stage due is sent, so a sweep that starts late does not send three at once."""
    if today > deadline:
        return 3
    if rule.second_days is not None and today >= deadline - datetime.timedelta(days=rule.second_days):
        return 2
    if today >= deadline - datetime.timedelta(days=rule.first_days):
        return 1
    return 0


def _recent_periods(today):
    return EvaluationPeriod.objects.filter(year__gte=today.year - 1).order_by("pk")


class EvaluationUnfilled(Rule):
    code = RuleCode.EVALUATION_UNFILLED
    kind = NotificationKind.EVALUATION
    roles = {1: [Role.BRANCH_SECRETARY], 2: [Role.BRANCH_SECRETARY], 3: [Role.CLERK]}

    def batches(self, rule, today):
        return _period_batches(
            _recent_periods(today),
            lambda p: _deadline_stage(rule, p.branch_deadline, today),
            lambda p: p.branch_deadline,
        )

    @staticmethod
    def unfilled(year: int, scope: str, paths):
        """Links of covered members whose form for the year is not signed yet (a period of
        requests only: the requested members)."""
        done = Evaluation.objects.filter(is_current=True).exclude(status=EvaluationStatus.DRAFT)
        if scope == PeriodScope.ALL:
            # Members exempt from meetings (HD 33 §1.1) are evaluated only on request.
            return links_due_yearly(paths).filter(
                ~Exists(done.filter(member=OuterRef("member"), year=year, request__isnull=True))
            )
        return links_held(paths).filter(
            Exists(EvaluationRequest.objects.filter(link=OuterRef("pk"), year=year)),
            ~Exists(done.filter(request__link=OuterRef("pk"), request__year=year)),
        )

    def candidates(self, rule, batch, today):
        path = F("residence_path") if batch["stage"] == 3 else F("residence_branch__path")
        return (
            self.unfilled(batch["year"], batch["scope"], batch["paths"])
            .annotate(
                r_object=F("residence_branch_id"),
                r_due=Value(datetime.date.fromisoformat(batch["deadline"]), output_field=DateField()),
                r_path=path,
            )
            .values("r_object", "r_due", "r_path")
            .annotate(r_count=Count("pk"))
        )

    def prepare(self, rule, batch, sample, found):
        return {
            "names": dict(Organization.objects.filter(pk__in=[f.object_id for f in sample]).values_list("pk", "name")),
            "counts": {f.object_id: f.count for f in found},
        }

    def message(self, rule, batch, found, org_id, today, context):
        deadline = datetime.date.fromisoformat(batch["deadline"])
        counts, names = context["counts"], context["names"]
        forms = sum(counts.get(f.object_id, 0) for f in found)
        if batch["stage"] == 3:
            title = ngettext(
                "%(n)s branch has not signed its evaluation forms; the deadline was %(date)s",
                "%(n)s branches have not signed their evaluation forms; the deadline was %(date)s",
                len(found),
            ) % {"n": len(found), "date": deadline.strftime("%d/%m/%Y")}
            body = _names({k: f"{v} ({counts.get(k, 0)})" for k, v in names.items()}, found)
            return title, body, reverse("nhanxet:index")
        title = ngettext(
            "%(n)s evaluation form still to fill and sign by %(date)s",
            "%(n)s evaluation forms still to fill and sign by %(date)s",
            forms,
        ) % {"n": forms, "date": deadline.strftime("%d/%m/%Y")}
        url = reverse("nhanxet:branch", args=(found[0].object_id, batch["year"]))
        return title, _names(names, found), url


class EvaluationUnconfirmed(Rule):
    code = RuleCode.EVALUATION_UNCONFIRMED
    kind = NotificationKind.EVALUATION
    roles = {1: [Role.CLERK], 2: [Role.CLERK], 3: [Role.CLERK]}

    def batches(self, rule, today):
        periods = list(_recent_periods(today))

        def confirm_stage(p):
            # 1 within the first days before the deadline, 2 once it has passed.
            stage = _deadline_stage(rule, p.confirm_deadline, today)
            return {1: 1, 2: 1, 3: 2}.get(stage, 0)

        return _period_batches(periods, confirm_stage, lambda p: p.confirm_deadline) + _period_batches(
            periods, lambda p: 3 if today > p.forward_deadline else 0, lambda p: p.forward_deadline
        )

    @staticmethod
    def waiting(year: int, paths, status):
        return Evaluation.objects.filter(is_current=True, status=status, year=year).filter(path_q(paths, "branch_path"))

    def _status(self, batch):
        return EvaluationStatus.CONFIRMED if batch["stage"] == 3 else EvaluationStatus.SIGNED

    def candidates(self, rule, batch, today):
        return (
            self.waiting(batch["year"], batch["paths"], self._status(batch))
            .annotate(
                r_object=F("commune_id"),
                r_due=Value(datetime.date.fromisoformat(batch["deadline"]), output_field=DateField()),
                r_path=F("commune__path"),
            )
            .values("r_object", "r_due", "r_path")
            .annotate(r_count=Count("pk"))
        )

    def prepare(self, rule, batch, sample, found):
        return {"counts": {f.object_id: f.count for f in found}}

    def message(self, rule, batch, found, org_id, today, context):
        deadline = datetime.date.fromisoformat(batch["deadline"]).strftime("%d/%m/%Y")
        n = sum(context["counts"].get(f.object_id, 0) for f in found)
        if batch["stage"] == 3:
            title = ngettext(
                "%(n)s confirmed form not yet forwarded to the workplace; the deadline was %(date)s",
                "%(n)s confirmed forms not yet forwarded to the workplaces; the deadline was %(date)s",
                n,
            )
        elif batch["stage"] == 2:
            title = ngettext(
                "%(n)s signed form awaits your confirmation; the deadline was %(date)s",
                "%(n)s signed forms await your confirmation; the deadline was %(date)s",
                n,
            )
        else:
            title = ngettext(
                "%(n)s signed form awaits your confirmation by %(date)s",
                "%(n)s signed forms await your confirmation by %(date)s",
                n,
            )
        return title % {"n": n, "date": deadline}, "", reverse("nhanxet:commune", args=(found[0].object_id,))


class EvaluationUnreceived(Rule):
    code = RuleCode.EVALUATION_UNRECEIVED
    kind = NotificationKind.EVALUATION
    roles = {1: [Role.CLERK]}

    def batches(self, rule, today):
        return _period_batches(
            _recent_periods(today),
            lambda p: 1 if today >= p.forward_deadline + datetime.timedelta(days=rule.first_days) else 0,
            lambda p: p.forward_deadline,
        )

    unrated = staticmethod(forms_unrated)

    def candidates(self, rule, batch, today):
        return self.unrated(batch["year"], batch["paths"]).annotate(
            r_object=F("pk"),
            r_due=Value(datetime.date.fromisoformat(batch["deadline"]), output_field=DateField()),
            r_path=F("workplace_path"),
        )

    def prepare(self, rule, batch, sample, found):
        return {
            "names": dict(
                Evaluation.objects.filter(pk__in=[f.object_id for f in sample]).values_list("pk", "member__full_name")
            )
        }

    def message(self, rule, batch, found, org_id, today, context):
        n = len(found)
        title = ngettext(
            "%(n)s evaluation form from the residence side has no quality rating yet",
            "%(n)s evaluation forms from the residence side have no quality rating yet",
            n,
        ) % {"n": n}
        return title, _names(context["names"], found), reverse("nhanxet:incoming") + f"?year={batch['year']}"


# ---- 5. the board's weekly summary -----------------------------------------------------------


def _rolled_up(rows) -> dict:
    """{path: count} over organisation paths → {every prefix: total in its subtree}."""
    totals = {}
    for path, n in rows:
        if not path:
            continue
        for prefix in Organization.path_prefixes(path):
            totals[prefix] = totals.get(prefix, 0) + n
    return totals


def _period_groups(periods, due) -> list[tuple[int, str, list[str]]]:
    """(year, scope, paths) for the periods `due` accepts, at most PERIOD_BATCH paths each: the
    digest counts them in a few grouped queries, not one per period."""
    groups = {}
    for period in periods:
        if due(period):
            groups.setdefault((period.year, period.scope), []).append(period.org_path)
    return [
        (year, scope, paths[start : start + PERIOD_BATCH])
        for (year, scope), paths in sorted(groups.items())
        for start in range(0, len(paths), PERIOD_BATCH)
    ]


def overdue_counts(today: datetime.date) -> dict:
    """What is overdue, per organisation subtree: {item: {path: count}}, from grouped queries over
    the same querysets the reminders use (one per item, or per batch of periods)."""
    rules = {r.code: r for r in rules_in_force(day=today)}

    def grouped(qs, field, into=None):
        totals = into if into is not None else {}
        for path, n in _rolled_up(qs.order_by().values_list(field).annotate(n=Count("pk"))).items():
            totals[path] = totals.get(path, 0) + n
        return totals

    out = {}
    if RuleCode.LETTER_MISSING in rules:
        out["letters_missing"] = grouped(LetterMissing().overdue(rules[RuleCode.LETTER_MISSING], today), "org_path")
    if RuleCode.LETTER_UNRECEIVED in rules:
        late = LetterUnreceived().overdue(rules[RuleCode.LETTER_UNRECEIVED], today)
        out["letters_unreceived_sent"] = grouped(late, "workplace_path")
        out["letters_unreceived_waiting"] = grouped(late.exclude(residence_path=""), "residence_path")
    periods = list(_recent_periods(today))
    unfilled, unconfirmed, unrated = {}, {}, {}
    for year, scope, paths in _period_groups(periods, lambda p: today > p.branch_deadline):
        grouped(EvaluationUnfilled.unfilled(year, scope, paths), "residence_path", unfilled)
    for year, _scope, paths in _period_groups(periods, lambda p: today > p.confirm_deadline):
        grouped(EvaluationUnconfirmed.waiting(year, paths, EvaluationStatus.SIGNED), "branch_path", unconfirmed)
    unreceived = rules.get(RuleCode.EVALUATION_UNRECEIVED)
    if unreceived:
        late_after = datetime.timedelta(days=unreceived.first_days)
        for year, _scope, paths in _period_groups(periods, lambda p: today >= p.forward_deadline + late_after):
            grouped(EvaluationUnreceived.unrated(year, paths), "workplace_path", unrated)
    out.update({"forms_unfilled": unfilled, "forms_unconfirmed": unconfirmed, "forms_unrated": unrated})
    return out


class BoardDigest(Rule):
    code = RuleCode.BOARD_DIGEST
    kind = NotificationKind.DIGEST

    @staticmethod
    def week_of(today):
        return today - datetime.timedelta(days=today.weekday())

    def batches(self, rule, today):
        return [{"stage": 1}]

    def candidates(self, rule, batch, today):
        return RoleAssignment.objects.filter(role=Role.BOARD_VIEWER, user__is_active=True).annotate(
            r_object=F("pk"),
            r_due=Value(self.week_of(today), output_field=DateField()),
            r_path=F("organization__path"),
        )

    def notify(self, rule, batch, found, today) -> list[Found]:
        counts = overdue_counts(today)
        assignments = {
            a.pk: a
            for a in RoleAssignment.objects.filter(pk__in=[f.object_id for f in found]).select_related(
                "user", "organization"
            )
        }
        letters_waiting = reverse("dangvien:list") + f"?covered={AWAITING_LETTER}&org="
        lines_of = [
            ("letters_missing", _("covered members without an introduction letter past the limit"), None),
            (
                "letters_unreceived_sent",
                _("letters issued here and not received in time"),
                reverse("dangvien:workplace_inbox") + f"?state={LinkState.LETTER_ISSUED}",
            ),
            (
                "letters_unreceived_waiting",
                _("letters waiting too long to be received here"),
                reverse("dangvien:residence_inbox") + f"?state={LinkState.LETTER_ISSUED}",
            ),
            ("forms_unfilled", _("evaluation forms not signed by the deadline"), reverse("nhanxet:index")),
            ("forms_unconfirmed", _("signed forms not confirmed by the deadline"), reverse("nhanxet:index")),
            ("forms_unrated", _("forwarded forms without a quality rating"), reverse("nhanxet:incoming")),
        ]
        items = []
        for f in found:
            assignment = assignments.get(f.object_id)
            if assignment is None:
                continue
            lines, total = [], 0
            for item, label, url in lines_of:
                n = counts.get(item, {}).get(f.path, 0)
                if n:
                    total += n
                    link = deliveries.absolute(url or f"{letters_waiting}{assignment.organization_id}")
                    lines.append(f"- {n} {label}: {link}")
            title = _("Weekly summary for %(org)s: %(n)s overdue") % {"org": assignment.organization.name, "n": total}
            body = "\n".join(lines) if lines else _("Nothing is overdue. Thank you.")
            items.append(
                (assignment.user, f"board-digest:{self.week_of(today).isoformat()}:{f.object_id}", title, body, "")
            )
        notify_many(items=items, kind=self.kind)
        return []


RULES = {
    rule.code: rule
    for rule in (
        LetterMissing(),
        LetterUnreceived(),
        MeetingUpcoming(),
        EvaluationUnfilled(),
        EvaluationUnconfirmed(),
        EvaluationUnreceived(),
        BoardDigest(),
    )
}
DAILY = [code for code in RULES if code != RuleCode.BOARD_DIGEST]


# ---- the engine --------------------------------------------------------------------------------


_COLUMNS = "rule_id, stage, object_id, due_date, path, created_at"
_CONFLICT = "ON CONFLICT (rule_id, object_id, stage, due_date) DO NOTHING RETURNING id, object_id, path"


def _insert(rule: ReminderRule, stage: int, qs) -> list[Found]:
    """INSERT … SELECT the candidates not reminded yet; returns only the rows this call created.
    Candidates grouped with an r_count (a branch and its unsigned forms) are read first and
    inserted as values, so the count comes without a second scan."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    now = timezone.now()
    if "r_count" in qs.query.annotations:
        grouped = list(qs.order_by().values_list("r_object", "r_due", "r_path", "r_count"))
        counts = {obj: n for obj, _due, _path, n in grouped}
        rows = []
        with connection.cursor() as cursor:
            for start in range(0, len(grouped), 1000):
                chunk = grouped[start : start + 1000]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                params = [v for obj, due, path, _n in chunk for v in (rule.pk, stage, obj, due, path, now)]
                cursor.execute(f"INSERT INTO {table} ({_COLUMNS}) VALUES {values} {_CONFLICT}", params)  # noqa: S608
                rows += cursor.fetchall()
        return sorted((Found(pk, obj, path, counts[obj]) for pk, obj, path in rows), key=lambda f: f.id)
    qs = (
        qs.order_by()
        .annotate(
            r_rule=Value(rule.pk, output_field=IntegerField()),
            r_stage=Value(stage, output_field=IntegerField()),
            r_created=Value(now, output_field=DateTimeField()),
        )
        .values("r_rule", "r_stage", "r_object", "r_due", "r_path", "r_created")
    )
    sql, params = qs.query.sql_with_params()
    columns = ", ".join(
        f"c.{connection.ops.quote_name(n)}" for n in ("r_rule", "r_stage", "r_object", "r_due", "r_path", "r_created")
    )
    statement = f"INSERT INTO {table} ({_COLUMNS}) SELECT {columns} FROM ({sql}) AS c WHERE true {_CONFLICT}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return sorted((Found(*row) for row in rows), key=lambda f: f.id)


def sweep_plan(today: datetime.date, codes=None) -> list[tuple[str, dict]]:
    """The batches due today for the active rules (each one a task)."""
    rules = rules_in_force(ReminderRule.objects.filter(is_active=True, code__in=codes or DAILY), today)
    return [(rule.code, batch) for rule in rules for batch in RULES[rule.code].batches(rule, today)]


def sweep_batch(code: str, batch: dict, today: datetime.date) -> int:
    """Record and send the reminders of one batch, all or nothing; returns how many were new."""
    rule = ReminderRule.objects.filter(code=code, is_active=True).first()
    if rule is None:
        return 0
    (rule,) = rules_in_force([rule], today)
    impl = RULES[code]
    with transaction.atomic():
        found = _insert(rule, batch["stage"], impl.candidates(rule, batch, today))
        unheard = impl.notify(rule, batch, found, today) if found else []
        if unheard:
            # Nobody holds the role there yet: not recorded as sent, so it goes out once someone does.
            Reminder.objects.filter(pk__in=[f.id for f in unheard]).delete()
            unheard = set(unheard)
            found = [f for f in found if f not in unheard]
        if code == RuleCode.MEETING_UPCOMING:
            invitations_catch_up(batch["lo"], batch["hi"])
    return len(found)


def sweep_run(today: datetime.date | None = None, codes=None) -> dict:
    """Every batch in this process, one after another (the demo, tests, a manual run); returns
    {rule: new reminders} for the rules that had any."""
    today = today or timezone.localdate()
    done = {}
    for code, batch in sweep_plan(today, codes):
        new = sweep_batch(code, batch, today)
        if new:
            done[code] = done.get(code, 0) + new
    return done
