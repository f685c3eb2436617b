"""Importing a member list: upload, choose columns, dry run, write. Every write of members goes
through here in one transaction, with history, audit rows and the import's own log."""

import datetime
import gzip
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

import hangdoi
from chibo.models import Organization
from chibo.permissions import can_manage_members
from common.db import copy_insert, from_row
from common.text import fold, normalize
from dangvien import namewords
from dangvien.models import Exemption, Member, MemberNameWord, MemberStatus, NameWord
from dangvien.services.members import MEMBER_FIELDS, letter_clock, normalise, value_problems
from nhatky.models import AuditEvent
from nhatky.services import audit_events, audit_record, plain, snapshot

from . import cleaning, communes, reading
from .fields import BY_KEY, FIELDS, header_key, suggest
from .models import CommitMode, DuplicatePolicy, ImportChange, ImportJob, ImportSettings, ImportStatus

logger = logging.getLogger(__name__)
SAMPLE_ROWS = 5
# The upload reads this many rows (header, examples, the legacy-encoding sample); the dry run reads all.
HEAD_ROWS = 3000
# The member fields a file can set (the organisation comes from its own column or the import's).
WRITABLE = [f for f in MEMBER_FIELDS if f != "organization"] + ["organization"]
EXEMPTION_KEYS = ("exemption", "exemption_reason", "exemption_start", "exemption_decided_by")


def _check(actor, organization):
    if not can_manage_members(actor, organization):
        raise PermissionDenied(_("You may not manage members of this organisation."))


def progress_key(job_id: int) -> str:
    return f"import:{job_id}:progress"


def _progress(job_id, done, total, phase):
    cache.set(progress_key(job_id), {"done": done, "total": total, "phase": phase}, 3600)


# ---- upload and columns ---------------------------------------------------------------------


def import_upload(*, actor, organization: Organization, uploaded) -> ImportJob:
    """Keep the file, check it is a spreadsheet within the limits, find its header and suggest what
    each column means (what this organisation chose before first)."""
    _check(actor, organization)
    try:
        reading.check_size(uploaded.size)
        data = uploaded.read()
        kind = reading.sniff(data[:8192])
        sheet = reading.read(io.BytesIO(data), kind, head=HEAD_ROWS)
    except reading.FileRefused as exc:
        raise ValidationError({"file": str(exc)}) from None
    remembered = _settings(organization).columns
    guess = suggest(sheet.headers, remembered)
    name = normalize(uploaded.name or "")[:200] or "tep"
    with transaction.atomic():
        job = ImportJob(
            organization=organization,
            created_by=actor,
            file_name=name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_kind=kind,
            sheet_name=sheet.name[:100],
            header_row=sheet.header_row,
            headers=sheet.headers,
            sample=[[cleaning.text(v) for v in cells] for _n, cells in sheet.rows[:SAMPLE_ROWS]],
            mapping={str(i): key for i, key in guess.items()},
            total_rows=sheet.data_rows,
            legacy=sheet.legacy or "",
            legacy_examples=sheet.legacy_examples,
        )
        job.file.save(f"{job.file_sha256[:16]}.{kind}", ContentFile(data), save=False)
        job.save()
        audit_record(
            actor=actor,
            action="import.upload",
            obj=job,
            changes={"file": name, "rows": job.total_rows, "organization": organization.pk},
        )
    return job


def _settings(organization) -> ImportSettings:
    found = ImportSettings.objects.filter(organization=organization).first()
    return found or ImportSettings(organization=organization)


def _refuse_while_busy(job):
    """A new choice restarts the check: not while one is running (its result would land after
    the new one's, or on a job already being written) and not once the import is written."""
    if job.status in (ImportStatus.WRITING, ImportStatus.DONE):
        raise ValidationError(_("This import has already been written."))
    if job.status == ImportStatus.CHECKING:
        raise ValidationError(_("The check is still running; wait until it finishes, then change the choice."))


def import_columns(*, actor, job: ImportJob, mapping: dict, duplicates: str, mode: str) -> ImportJob:
    """The user's choice of what each column means and how to treat duplicates and problems; the
    choice is remembered for the organisation. The dry run then starts in the background."""
    _check(actor, job.organization)
    _refuse_while_busy(job)
    clean, seen = {}, {}
    errors = {}
    for index, key in mapping.items():
        index = int(index)
        if not key:
            continue
        if key not in BY_KEY or not 0 <= index < len(job.headers):
            errors[f"col_{index}"] = _("Choose a field from the list.")
            continue
        if key in seen:
            errors[f"col_{index}"] = _("%(field)s is already chosen for column %(n)s.") % {
                "field": BY_KEY[key].label,
                "n": seen[key] + 1,
            }
            continue
        seen[key] = index
        clean[str(index)] = key
    missing = [f for f in FIELDS if f.required and f.key not in seen]
    if missing:
        errors["__all__"] = _("Choose the column of: %(fields)s.") % {
            "fields": ", ".join(str(f.label) for f in missing)
        }
    if duplicates not in DuplicatePolicy.values:
        errors["duplicates"] = _("Choose what to do with members already in the system.")
    if mode not in CommitMode.values:
        errors["mode"] = _("Choose what to do when some rows have problems.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.mapping, job.duplicates, job.mode = clean, duplicates, mode
        job.status = ImportStatus.CHECKING
        job.save(update_fields=["mapping", "duplicates", "mode", "status"])
        remembered = _settings(job.organization)
        remembered.columns.update(
            {header_key(job.headers[int(i)]): key for i, key in clean.items() if job.headers[int(i)]}
        )
        remembered.save()
        audit_record(
            actor=actor,
            action="import.columns",
            obj=job,
            changes={"mapping": clean, "duplicates": duplicates, "mode": mode},
        )
        _schedule("check", job.pk)
    return job


def import_communes(*, actor, job: ImportJob, choices: dict) -> ImportJob:
    """The user's confirmation of today's unit for commune names the dry run could not place
    (remembered for the organisation); the dry run runs again."""
    from chibo.models import Commune

    _check(actor, job.organization)
    _refuse_while_busy(job)
    chosen = {key: str(code) for key, code in choices.items() if code and key in job.communes}
    if not all(code.isdigit() for code in chosen.values()):
        raise ValidationError(_("Choose a commune from the suggestions."))
    codes = {key: int(code) for key, code in chosen.items()}
    known = set(Commune.objects.filter(code__in=codes.values()).values_list("code", flat=True))
    if set(codes.values()) - known:
        raise ValidationError(_("Choose a commune from the suggestions."))
    with transaction.atomic():
        remembered = _settings(job.organization)
        remembered.communes.update(codes)
        remembered.save()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
        audit_record(actor=actor, action="import.communes", obj=job, changes={"communes": codes})
        _schedule("check", job.pk)
    job.refresh_from_db()
    return job


def import_write(*, actor, job: ImportJob) -> ImportJob:
    """Start writing the checked rows (in the background)."""
    _check(actor, job.organization)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ImportStatus.WRITING, ImportStatus.DONE):
            raise ValidationError(_("This import has already been written."))
        if job.status != ImportStatus.CHECKED:
            raise ValidationError(_("Run the check first; only a checked import can be written."))
        if job.mode == CommitMode.ALL and job.counts.get("error"):
            raise ValidationError(
                _("%(n)s rows have problems and you chose to write nothing then: correct the file and upload it again.")
                % {"n": job.counts["error"]}
            )
        if not (job.counts.get("create") or job.counts.get("update")):
            raise ValidationError(_("There is nothing to write."))
        job.status = ImportStatus.WRITING
        job.save(update_fields=["status"])
        audit_record(actor=actor, action="import.write", obj=job, changes={"counts": job.counts})
        _schedule("write", job.pk)
    return job


def _schedule(what, job_id):
    from . import tasks

    hangdoi.enqueue(tasks.check_import if what == "check" else tasks.write_import, job_id)


# ---- the dry run ----------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    action: str = "create"  # create / update / skip / error
    data: dict = field(default_factory=dict)  # member field → value
    exemption: dict = field(default_factory=dict)
    member: Member | None = None  # the member already in the system (update / skip)
    changes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)  # [(column, message)]
    notes: list = field(default_factory=list)
    validated: bool = False  # checked as a new member's values
    was_covered: bool = False  # an updated member's QĐ 213 coverage before the file's values
    status_derived: bool = False  # the status was worked out from the full-membership date cell
    keys: list | None = None


def header_of(job: ImportJob):
    """The column a field was read from, as the user sees it in the file (for messages)."""
    column_of = {key: int(i) for i, key in job.mapping.items()}

    def header(key):
        index = column_of.get(key)
        if index is None:
            return str(BY_KEY[key].label) if key in BY_KEY else str(Member._meta.get_field(key).verbose_name)
        return job.headers[index] or _("column %(n)s") % {"n": index + 1}

    return header


def analyse(job: ImportJob, *, progress=True) -> list[Row]:
    """Every data row of the file read, checked and matched against the members already in the
    system: what writing it would do, and every problem by row and column."""
    rows = parse_rows(job, progress=progress)
    plan(job, rows)
    return rows


def plan(job: ImportJob, rows: list[Row], *, lock: bool = False):
    """Against the members in the system now: which rows create, update or skip a member. A row
    the dry run already checked as a new member is not checked again (its values have not
    changed); an update is, against the member as it is now. `lock` (the write, inside its
    transaction): the members found are locked until it commits, so an edit made meanwhile in a
    member's page waits instead of being written over with the values read here."""
    _duplicates(job, rows, header_of(job), lock=lock)


def parse_rows(job: ImportJob, *, progress=True) -> list[Row]:
    """Every data row of the file read into member values, with the problems of each value."""
    with job.file.open("rb") as handle:
        sheet = reading.read(io.BytesIO(handle.read()), job.file_kind)
    mapping = {int(i): key for i, key in job.mapping.items()}
    column_of = {key: i for i, key in mapping.items()}
    header = header_of(job)

    remembered = _settings(job.organization)
    matcher = communes.Matcher(remembered.communes) if "residence_commune" in column_of else None
    organizations = _organizations(job.organization) if "organization" in column_of else {}
    rows: list[Row] = []
    unplaced: dict[str, tuple] = {}  # key → (the commune as typed, suggestions)
    with cleaning.categories_in_force():
        _parse_sheet(job, sheet, rows, mapping, column_of, header, organizations, matcher, unplaced, progress)
    kept = list(unplaced.items())[: communes.SUGGESTED_MAX]
    job.communes = {key: suggestions for key, (_typed, suggestions) in kept}
    job.commune_texts = {key: typed for key, (typed, _suggestions) in kept}
    job.empty_rows = sheet.empty_rows
    return rows


def _parse_sheet(job, sheet, rows, mapping, column_of, header, organizations, matcher, unplaced, progress):
    uncalculated = set(sheet.uncalculated)
    total = len(sheet.rows)
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        row = Row(number)
        values = {}
        for index, key in mapping.items():
            raw = cells[index] if index < len(cells) else None
            if (number, index) in uncalculated:
                row.problems.append(
                    (header(key), _("a formula without a computed value: open the file in Excel and save it"))
                )
                continue
            try:
                value, note = BY_KEY[key].parse(raw)
            except ValueError as exc:
                row.problems.append((header(key), str(exc)))
                continue
            if note:
                row.notes.append((header(key), note))
            values[key] = value
        _member_data(job, row, values, column_of, header, organizations, matcher, unplaced)
        rows.append(row)
        if progress and done % 2000 == 0:
            _progress(job.pk, done, total, "check")


def _organizations(root) -> dict:
    out = {}
    for org in Organization.objects.filter(path__startswith=root.path, is_active=True):
        for name in {org.name, org.short_name}:
            if name:
                out.setdefault(fold(name), []).append(org)
    # Names as typed exactly, found without folding each row's text.
    out.update({org.name: [org] for orgs in list(out.values()) for org in orgs if len(out[fold(org.name)]) == 1})
    return out


def _member_data(job, row, values, column_of, header, organizations, matcher, unplaced):
    data = {k: v for k, v in values.items() if k in MEMBER_FIELDS and k != "organization"}
    if "female_mark" in values and "gender" not in values:
        data["gender"] = values["female_mark"]
    if "organization" in column_of and values.get("organization"):
        found = organizations.get(values["organization"]) or organizations.get(fold(values["organization"]), [])
        if len(found) == 1:
            data["organization"] = found[0]
        else:
            row.problems.append(
                (
                    header("organization"),
                    _("“%(value)s” is not an organisation under %(org)s.")
                    % {"value": values["organization"], "org": job.organization.name}
                    if not found
                    else _("Several organisations are called “%(value)s”; write the full name.")
                    % {"value": values["organization"]},
                )
            )
    if matcher is not None and values.get("residence_commune"):
        commune, suggestions = matcher.match(values["residence_commune"], values.get("residence_province", ""))
        if commune is not None:
            data["residence_commune"] = commune
        else:
            province = values.get("residence_province", "")
            key = matcher.key(values["residence_commune"], province)
            unplaced.setdefault(key, (", ".join(t for t in (values["residence_commune"], province) if t), suggestions))
            row.problems.append(
                (
                    header("residence_commune"),
                    _("“%(value)s” is not a commune of today (after the 2025 merger): confirm its unit below.")
                    % {"value": values["residence_commune"]},
                )
            )
    if not data.get("status"):
        # An empty Trạng thái cell is no status given: it follows from the dates, as with no column.
        data.pop("status", None)
        if "full_membership_date" in data:
            data["status"] = MemberStatus.FULL if data["full_membership_date"] else MemberStatus.PROBATIONARY
            row.status_derived = True
    if values.get("exemption"):
        row.exemption = {
            "category": values["exemption"],
            # The kind the category has in the pack the file was checked under, kept with the row
            # so the write stores what the check showed even if a new pack comes in between.
            "kind": next((c["kind"] for c in cleaning.categories() if c["code"] == values["exemption"]), ""),
            "reason": values.get("exemption_reason") or "",
            "start_date": values.get("exemption_start") or timezone.localdate(),
            "decided_by": values.get("exemption_decided_by") or job.organization.name,
        }
        if not row.exemption["reason"]:
            row.problems.append((header("exemption_reason"), _("Give the reason for the exemption.")))
        else:
            try:
                # The constraints are the same rules as the fields' validators and clean();
                # full_clean would check each with a query of its own, four a row.
                _exemption(row, None).full_clean(exclude=["member", "recorded_by"], validate_constraints=False)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    column = header(_EXEMPTION_COLUMNS.get(name, "exemption"))
                    row.problems += [(column, message) for message in messages]
    row.data = _normalised(data)


# Exemption's fields and the columns a file gives them in.
_EXEMPTION_COLUMNS = {
    "category": "exemption",
    "reason": "exemption_reason",
    "start_date": "exemption_start",
    "decided_by": "exemption_decided_by",
}


def _exemption(row, actor) -> Exemption:
    """The exemption a row records, as the dry run checks it and the write stores it."""
    given = row.exemption
    kind = given.get("kind")
    if kind is None:  # a file checked before rows kept the kind
        kind = next((c["kind"] for c in cleaning.categories() if c["code"] == given["category"]), "")
    return Exemption(
        member=row.member,
        category=given["category"],
        kind=kind,
        reason=normalize(given["reason"], multiline=True),
        start_date=given["start_date"],
        decided_by=normalize(given["decided_by"]),
        recorded_by=actor,
    )


def _validate(member: Member, row: Row, header):
    """Member's own rules, as the member service checks them (value_problems), at the columns."""
    for name, messages in value_problems(member).items():
        column = header(name) if name in BY_KEY or name in MEMBER_FIELDS else ""
        row.problems += [(column, m) for m in messages]


def _normalised(data: dict) -> dict:
    """A row's values as the member service stores them (dangvien.services.members.normalise):
    what the dry run compares with the members held and checks is what the write stores."""
    values = {k: v for k, v in data.items() if k in _VALUES}
    member = Member(**values)
    normalise(member, derive=False)
    return {**data, **{k: getattr(member, k) for k in values}}


# The fields a row gives as values (its units are looked up, and may be a name not found yet).
_VALUES = {name for name in MEMBER_FIELDS if not Member._meta.get_field(name).is_relation}


def _duplicates(job, rows, header, *, lock=False):
    """Rows naming the same member as an earlier row, or as a member already in the system."""
    first = {}
    for row in rows:
        if row.problems:
            continue
        for key in _keys(row):
            if key in first:
                row.problems.append(("", _("The same member as row %(n)s.") % {"n": first[key]}))
                break
        else:
            for key in _keys(row):
                first[key] = row.number
    existing = _existing([row for row in rows if not row.problems], lock=lock)
    for row in rows:
        if row.problems:
            row.action = "error"
            continue
        found = {existing[k] for k in _keys(row) if k in existing}
        if len(found) > 1:
            row.problems.append(
                (
                    "",
                    _("The citizen ID, card number and name with birth date match different members in the system."),
                )
            )
            row.action = "error"
            continue
        if found:
            member = found.pop()
            if not member.org_path.startswith(job.organization.path):
                row.problems.append(
                    (
                        "",
                        _("This member is already in the system in another organisation; ask the organisation board."),
                    )
                )
                row.action = "error"
                continue
            if job.duplicates == DuplicatePolicy.SKIP:
                row.action, row.member = "skip", member
                row.notes.append(("", _("already in the system: skipped")))
                continue
            row.member = member
            _plan_update(job, row, member, header)
        else:
            _plan_create(job, row, header)


def _keys(row):
    """The keys a row's member is known by (computed once a row)."""
    if row.keys is None:
        data = row.data
        row.keys = []
        if data.get("citizen_id"):
            row.keys.append(("citizen_id", data["citizen_id"]))
        if data.get("card_number"):
            row.keys.append(("card_number", data["card_number"]))
        if data.get("full_name") and data.get("birth_date"):
            row.keys.append(("name_birth", fold(data["full_name"]), data["birth_date"]))
    return row.keys


def _existing(rows, *, lock=False) -> dict:
    """Members already in the system under any of the rows' keys: three queries, each key list
    sent as one array (a 50,000-row file's keys as IN lists took seconds to build)."""
    out = {}
    ids = sorted({r.data["citizen_id"] for r in rows if r.data.get("citizen_id")})
    cards = sorted({r.data["card_number"] for r in rows if r.data.get("card_number")})
    pairs = sorted(
        {
            (fold(r.data["full_name"]), r.data["birth_date"])
            for r in rows
            if r.data.get("full_name") and r.data.get("birth_date")
        }
    )
    for m in _members_where("m.citizen_id = ANY(%s)", [ids], lock=lock, citizen_id__in=ids):
        out[("citizen_id", m.citizen_id)] = m
    for m in _members_where("m.card_number = ANY(%s)", [cards], lock=lock, card_number__in=cards):
        out[("card_number", m.card_number)] = m
    names, births = [p[0] for p in pairs], [p[1] for p in pairs]
    found = _members_where(
        "(m.search_name, m.birth_date) IN (SELECT * FROM unnest(%s::varchar[], %s::date[]))",
        [names, births],
        lock=lock,
        search_name__in=names,
        birth_date__in=births,
    )
    wanted = set(pairs)
    for m in found:
        if (m.search_name, m.birth_date) in wanted:
            out[("name_birth", m.search_name, m.birth_date)] = m
    # One object per member, whichever key found it.
    by_pk = {}
    for key, m in out.items():
        out[key] = by_pk.setdefault(m.pk, m)
    # Their exemptions in force (one query), so a file imported again adds none twice.
    for m in by_pk.values():
        m.current_exemption_categories = set()
    today = timezone.localdate()
    current = Exemption.objects.filter(start_date__lte=today).exclude(end_date__lt=today)
    if connection.vendor == "postgresql":  # the ids as one array, as _members_where sends keys
        current = current.filter(member_id__in=RawSQL("SELECT unnest(%s::bigint[])", [list(by_pk)]))
    else:
        current = current.filter(member_id__in=list(by_pk))
    for member_id, category in current.values_list("member_id", "category"):
        by_pk[member_id].current_exemption_categories.add(category)
    return out


def _members_where(condition: str, params: list, *, lock=False, **orm_filter) -> list:
    """Members matching an SQL condition on PostgreSQL (the ORM filter elsewhere)."""
    if not params[0]:
        return []
    if connection.vendor != "postgresql":
        members = Member.objects.filter(**orm_filter)
        return list(members.select_for_update() if lock else members)
    fields = Member._meta.concrete_fields
    columns = ", ".join("m." + f.column for f in fields)
    locking = " FOR UPDATE OF m" if lock else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {Member._meta.db_table} m WHERE {condition}{locking}",  # noqa: S608 (names from the model)
            params,
        )
        return [from_row(Member, fields, row) for row in cursor.fetchall()]


def _plan_create(job, row, header):
    data = dict(row.data)
    data.setdefault("organization", job.organization)
    for f in FIELDS:
        if f.required and not data.get(f.key):
            row.problems.append((header(f.key), _("This column is empty.")))
    for key, message in (
        ("gender", _("Give the gender (a Giới tính column, or x in a Nữ column).")),
        ("birth_date", _("Give the date of birth.")),
        ("citizen_id", _("Give the citizen ID.")),
        ("admission_date", _("Give the admission date.")),
    ):
        if not data.get(key) and not any(c == header(key) for c, _m in row.problems):
            row.problems.append((header(key), message))
    if not row.problems:
        data.setdefault("status", MemberStatus.FULL if data.get("full_membership_date") else MemberStatus.PROBATIONARY)
        if not row.validated:
            _validate(Member(**{k: v for k, v in data.items() if k in MEMBER_FIELDS}), row, header)
            row.validated = True
        row.data = data
    row.action = "error" if row.problems else "create"


def _plan_update(job, row, member, header):
    data = {k: v for k, v in row.data.items() if k in MEMBER_FIELDS}
    changes = {}
    for name, value in data.items():
        if value in (None, "") or (name == "status" and row.status_derived and not data.get("full_membership_date")):
            # An empty cell is nothing given: an update never clears what the system holds (nor
            # makes a full member probationary because the full-membership date was left empty).
            continue
        current = getattr(member, "organization_id" if name == "organization" else name)
        new = value.pk if name == "organization" else value
        if name == "residence_commune":
            current, new = member.residence_commune_id, value.pk
        if current != new and not (current in (None, "") and new in (None, "")):
            changes[name] = (current, value)
    if row.exemption and row.exemption["category"] in member.current_exemption_categories:
        row.notes.append((header("exemption"), _("this exemption is already recorded")))
        row.exemption = {}
    if not changes and not row.exemption:
        row.action = "skip"
        row.notes.append(("", _("already in the system, nothing changed")))
        return
    row.was_covered = member.covered_213
    for name, (_old, value) in changes.items():
        setattr(member, name, value)
    _validate(member, row, header)
    if "organization" in changes and not changes["organization"][1].path.startswith(job.organization.path):
        row.problems.append((header("organization"), _("You may not manage members of this organisation.")))
    row.changes = {name: value for name, (_old, value) in changes.items()}
    row.action = "error" if row.problems else "update"


def import_check(job_id: int) -> ImportJob:
    """The dry run (a task): counts and problems stored on the job, nothing else written. A file
    that turns out unreadable, or a failure of the check itself, ends the job with a message
    instead of leaving its progress bar running."""
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    if job.status != ImportStatus.CHECKING:
        return job
    try:
        rows = parse_rows(job)
        plan(job, rows)
        # The rows as checked, kept for the write (which then only checks them against the system again).
        job.parsed.save(f"{job.file_sha256[:16]}-{job.pk}.json.gz", ContentFile(_dump(rows)), save=False)
    except reading.FileRefused as exc:
        return _failed(job, str(exc))
    except Exception:
        logger.exception("Import %s: the check failed", job.pk)
        return _failed(job, _("The check could not be finished; nothing was written. Ask the administrator."))
    finally:
        cache.delete(progress_key(job.pk))
    _store(job, rows)
    job.status, job.error = ImportStatus.CHECKED, ""
    job.checked_at = timezone.now()
    with transaction.atomic():
        # A check run twice (a task delivered again) stores its result only while the job still
        # waits for it: never over a write that has started since.
        if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.CHECKING).exists():
            return ImportJob.objects.get(pk=job.pk)
        job.save()
    return job


def _failed(job, message) -> ImportJob:
    job.status, job.error = ImportStatus.FAILED, message
    job.save(update_fields=["status", "error"])
    return job


def _store(job, rows, *, notes=True):
    kept = settings.IMPORT_PROBLEMS_KEPT
    counts = {"create": 0, "update": 0, "skip": 0, "error": 0}
    problems, notes_kept = [], []
    for row in rows:
        counts[row.action] += 1
        for column, message in row.problems:
            if len(problems) < kept:
                problems.append({"row": row.number, "column": column, "message": str(message)})
        for column, message in row.notes:
            if len(notes_kept) < kept:
                notes_kept.append({"row": row.number, "column": column, "message": str(message)})
    counts["problems"] = sum(len(r.problems) for r in rows)
    job.counts, job.problems = counts, problems
    if notes:
        job.notes = notes_kept
    job.total_rows = len(rows)


# ---- writing ----------------------------------------------------------------------------------


def import_commit(job_id: int) -> ImportJob:
    """Write what the dry run found (a task), the rows it read checked again against the members
    now in the system: all of it in one transaction, or nothing."""
    job = ImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    if job.status != ImportStatus.WRITING:
        return job
    actor = job.created_by
    try:
        _check(actor, job.organization)
        rows = _load(job)
        with transaction.atomic():
            # The members are read and locked in the write's transaction: what is written over
            # them is what they hold now.
            plan(job, rows, lock=True)
            _store(job, rows, notes=False)
            if job.mode == CommitMode.ALL and job.counts["error"]:
                raise ValidationError(_("Some rows now have problems; nothing was written. Check the import again."))
            _write(job, actor, rows)
            job.status, job.written_at, job.error = ImportStatus.DONE, timezone.now(), ""
            job.save()
            audit_record(actor=actor, action="import.done", obj=job, changes={"counts": job.counts})
    except ValidationError as exc:
        message = " ".join(exc.messages)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != "23505":  # only a unique key taken meanwhile
            logger.exception("Import %s: a row broke a database rule the check let through", job.pk)
            message = _("The write could not be finished; nothing was written. Ask the administrator.")
        else:
            message = _(
                "Another change to the same members happened meanwhile; nothing was written. Check the import again."
            )
    except PermissionDenied as exc:
        message = str(exc)
    except Exception:
        logger.exception("Import %s: the write failed", job.pk)
        message = _("The write could not be finished; nothing was written. Ask the administrator.")
    else:
        return job
    finally:
        cache.delete(progress_key(job.pk))
    # Nothing was written (the transaction rolled back): the job goes back to checked, with why.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKED, error=message, counts=job.counts, problems=job.problems, notes=job.notes
    )
    job.refresh_from_db()
    return job


def _write(job, actor, rows):
    """Members, their history, name words, exemptions, audit rows and the import's log, by COPY
    (common.db.copy_insert) inside the caller's transaction."""
    reason = job.audit_reason
    now = timezone.now()
    creates = [r for r in rows if r.action == "create"]
    updates = [r for r in rows if r.action == "update"]
    total = len(creates) + len(updates)
    for r in creates:
        member = Member(**{k: v for k, v in r.data.items() if k in MEMBER_FIELDS})
        normalise(member)
        member.awaiting_letter_since = letter_clock(member)
        r.member = member
    new_members = [r.member for r in creates]
    copy_insert(Member, new_members)
    _progress(job.pk, len(new_members), total, "write")
    copy_insert(Member.history.model, _history(new_members, "+", actor, reason, now))
    # New members have no index rows yet.
    words = [values for m in new_members for values in namewords.values_for(m)]
    copy_insert(MemberNameWord, words)
    NameWord.objects.bulk_create([NameWord(word=w) for w in {r["word"] for r in words}], ignore_conflicts=True)
    changed = []
    for r in updates:
        member = r.member
        normalise(member)
        member.awaiting_letter_since = letter_clock(
            member, was_covered=r.was_covered, moved="organization" in r.changes
        )
        member.updated_at = now
        changed.append(member)
    if changed:
        names = sorted(
            {name for r in updates for name in r.changes}
            | {"search_name", "sort_key", "org_path", "awaiting_letter_since", "updated_at"}
        )
        Member.objects.bulk_update(changed, names, batch_size=2000)
        copy_insert(Member.history.model, _history(changed, "~", actor, reason, now))
        namewords.reindex([r.member for r in updates if {"full_name", "organization"} & set(r.changes)])
        _progress(job.pk, total, total, "write")
    with cleaning.categories_in_force():
        exemptions = [_exemption(r, actor) for r in creates + updates if r.exemption]
    copy_insert(Exemption, exemptions)
    logged = [(r, "create", plain(snapshot(r.member, MEMBER_FIELDS))) for r in creates]
    logged += [(r, "update", plain(r.changes)) for r in updates]
    # The values are in the import's log (and the member's history); a created member's audit
    # row points there.
    events = audit_events(
        actor=actor,
        action="member.create",
        entries=[(r.member, {"import": job.pk, "row": r.number}) for r in creates],
        reason=reason,
    )
    events += audit_events(
        actor=actor,
        action="member.update",
        entries=[(r.member, c) for r, a, c in logged if a == "update"],
        reason=reason,
    )
    events += audit_events(
        actor=actor,
        action="exemption.record",
        entries=[(e, {"category": e.category, "start_date": e.start_date}) for e in exemptions],
        reason=reason,
    )
    copy_insert(AuditEvent, events)
    copy_insert(
        ImportChange, [ImportChange(job=job, row=r.number, member=r.member, action=a, changes=c) for r, a, c in logged]
    )


def _history(members, kind, actor, reason, when):
    """simple-history's rows for members written in bulk, as its bulk helpers make them."""
    tracked = [f.attname for f in Member.history.model.tracked_fields]
    common = {"history_date": when, "history_user_id": actor.pk, "history_change_reason": reason, "history_type": kind}
    return [{**common, **{a: getattr(m, a) for a in tracked}} for m in members]


# ---- the rows as read, between the dry run and the write ---------------------------------------


def _dump(rows: list[Row]) -> bytes:
    def encode(value):
        if isinstance(value, datetime.date):
            return {"date": value.isoformat()}
        if isinstance(value, Organization):
            return {"org": value.pk}
        if hasattr(value, "province_id"):
            return {"commune": value.pk}
        return value

    items = [
        {
            "n": r.number,
            "v": r.validated,
            "p": [[str(c), str(m)] for c, m in r.problems],
            "d": {k: encode(v) for k, v in r.data.items()},
            "x": {k: encode(v) for k, v in r.exemption.items()},
            "s": r.status_derived,
        }
        for r in rows
    ]
    return gzip.compress(json.dumps(items, ensure_ascii=False).encode(), compresslevel=3)


def _load(job) -> list[Row]:
    from chibo.models import Commune

    with job.parsed.open("rb") as handle:
        items = json.loads(gzip.decompress(handle.read()))
    orgs = Organization.objects.in_bulk(
        {v["org"] for i in items for v in i["d"].values() if isinstance(v, dict) and "org" in v}
    )
    units = Commune.objects.in_bulk(
        {v["commune"] for i in items for v in i["d"].values() if isinstance(v, dict) and "commune" in v}
    )

    def decode(value):
        if isinstance(value, dict):
            if "date" in value:
                return datetime.date.fromisoformat(value["date"])
            if "org" in value:
                return orgs[value["org"]]
            if "commune" in value:
                return units[value["commune"]]
        return value

    return [
        Row(
            i["n"],
            data={k: decode(v) for k, v in i["d"].items()},
            exemption={k: decode(v) for k, v in i["x"].items()},
            problems=[tuple(p) for p in i["p"]],
            status_derived=i.get("s", False),
            validated=i["v"],
        )
        for i in items
    ]
