"""The Python half of scripts/backup.sh and scripts/restore.sh: the connection the settings name, a
dump whose row counts come from the same snapshot, the manifest, and the checks after a restore."""

import datetime
import hashlib
import json
import os
import re
import shlex
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor

# The two folders backed up, by the names their archives and the manifest use.
ROOTS = {"media": "MEDIA_ROOT", "private": "PRIVATE_MEDIA_ROOT"}
DUMP = "database.dump"
# Private files named in text columns rather than FileFields (all under PRIVATE_MEDIA_ROOT).
PATH_COLUMNS = [
    ("chibo.Organization", "stamp_image"),
    ("chibo.Signatory", "signature_image"),
    ("dangvien.ResidenceLink", "acknowledgement_scan"),
    ("chibo.MeetingAttachment", "path"),
]
# Files whose SHA-256 is stored beside them: (model, file field, hash field).
HASHED_FILES = [("vanban.Document", "pdf", "sha256"), ("nhapdulieu.ImportJob", "file", "file_sha256")]
# Stamps, signatures and scans are stored under their own SHA-256 (chibo.images, vanban.uploads).
CONTENT_ADDRESSED = re.compile(r"(?:^|/)([0-9a-f]{64})\.[a-z]+$")
CHUNK = 1024 * 1024


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    while block := stream.read(CHUNK):
        digest.update(block)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return sha256_of(f)


def libpq_env() -> dict:
    """The default database as libpq's environment variables, so pg_dump, pg_restore and psql
    need no arguments (and the password stays out of the process list)."""
    if connection.vendor != "postgresql":
        raise CommandError(f"Backups need PostgreSQL; the settings name a {connection.vendor} database.")
    database = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(database, [])  # password, SSL files, service
    env = dict(env or {})
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[name] = str(database[key])
    return env


def table_counts(cursor) -> dict:
    """Rows per table, for every table outside PostgreSQL's own schemas."""
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
        " AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        qualified = f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"
        cursor.execute(f"SELECT count(*) FROM {qualified}")  # noqa: S608 (names from the catalogue)
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def root_of(storage) -> str:
    location = os.path.abspath(storage.location)
    for key, setting in ROOTS.items():
        if location == os.path.abspath(getattr(settings, setting)):
            return key
    raise CommandError(f"A file field stores under {location}, which is neither MEDIA_ROOT nor PRIVATE_MEDIA_ROOT.")


def referenced_files() -> list[dict]:
    """Every file the database names: FileFields of every model and the private path columns, each
    with the SHA-256 it should have when one is known (stored beside it, or in its name)."""
    hash_fields = {(label, field): hashed for label, field, hashed in HASHED_FILES}
    columns = [(apps.get_model(label), field) for label, field in PATH_COLUMNS]
    for model in apps.get_models():
        columns += [(model, f.name) for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    found = []
    for model, field_name in columns:
        field = model._meta.get_field(field_name)
        root = root_of(field.storage) if isinstance(field, models.FileField) else "private"
        hashed = hash_fields.get((model._meta.label, field_name))
        values = [field_name, "pk"] + ([hashed] if hashed else [])
        for row in model._default_manager.exclude(**{field_name: ""}).values_list(*values).iterator():
            name, pk = row[0], row[1]
            expected = row[2] if hashed else None
            if expected is None and (match := CONTENT_ADDRESSED.search(name)):
                expected = match.group(1)
            found.append(
                {"what": f"{model._meta.label}.{field_name} #{pk}", "path": f"{root}/{name}", "sha256": expected}
            )
    return found


def archive_hashes(archive: Path, prefix: str) -> dict:
    """SHA-256 of every regular file in a tar made with `tar -C root .`, keyed prefix/relative path."""
    hashes = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile():
                name = member.name.removeprefix("./")
                hashes[f"{prefix}/{name}"] = sha256_of(tar.extractfile(member))
    return hashes


def local_path(key: str) -> Path:
    prefix, _, rest = key.partition("/")
    return Path(getattr(settings, ROOTS[prefix])) / rest


class Command(BaseCommand):
    help = "Backup and restore helpers for scripts/backup.sh and scripts/restore.sh."
    # Fonts and other deployment warnings are not this command's business, and checks cost time.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("connection", help="Print shell exports: libpq's PG* variables and the two media folders.")
        dump = actions.add_parser("dump", help=f"Write FOLDER/{DUMP} (pg_dump -Fc) and the row counts of its snapshot.")
        dump.add_argument("folder")
        manifest = actions.add_parser("manifest", help="Write FOLDER/manifest.json and FOLDER/SHA256SUMS.")
        manifest.add_argument("folder")
        manifest.add_argument("--revision", default="unknown")
        verify = actions.add_parser("verify", help="Compare the database and files with FOLDER/manifest.json.")
        verify.add_argument("folder")

    def handle(self, *args, action, **options):
        getattr(self, action)(**{k: v for k, v in options.items() if k in ("folder", "revision")})

    def say(self, text):
        self.stdout.write(text)

    def connection(self):
        values = {**libpq_env(), **{setting: os.path.abspath(getattr(settings, setting)) for setting in ROOTS.values()}}
        for name, value in values.items():
            self.stdout.write(f"export {name}={shlex.quote(str(value))}")

    def dump(self, folder):
        """pg_dump reads the snapshot the counts were taken in (pg_export_snapshot), so the counts
        are the dump's even while the app keeps writing; so is the list of files the rows name."""
        folder = Path(folder)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), current_database()")
            snapshot, version, database = cursor.fetchone()
            counts = table_counts(cursor)
            references = referenced_files()
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}"]
            try:
                subprocess.run(command, env={**os.environ, **libpq_env()}, check=True)  # noqa: S603
            except FileNotFoundError:
                raise CommandError("pg_dump is not installed (Debian: postgresql-client).") from None
            except subprocess.CalledProcessError as error:
                raise CommandError(f"pg_dump failed (exit status {error.returncode}); its message is above.") from None
        (folder / "database.json").write_text(
            json.dumps({"database": database, "server_version": version, "tables": counts, "references": references})
        )
        self.say(
            f"Dumped database {database} (PostgreSQL {version}) with pg_dump -Fc into {DUMP}: "
            f"{len(counts)} tables, {sum(counts.values()):,} rows, {len(references)} files named by its rows."
        )

    def manifest(self, folder, revision):
        folder = Path(folder)
        database = json.loads((folder / "database.json").read_text())
        files = {}
        for prefix in ROOTS:
            files.update(archive_hashes(folder / f"{prefix}.tar", prefix))
        missing = [ref for ref in database.pop("references") if ref["path"] not in files]
        archives = {name: sha256_file(folder / name) for name in (DUMP, "media.tar", "private.tar")}
        manifest = {
            "format": 1,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "app_revision": revision,
            "settings": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
            **database,
            "archives": archives,
            "files": files,
            # Files the rows name that were already gone when the backup was taken.
            "missing_at_backup": missing,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        (folder / "database.json").unlink()
        (folder / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in archives.items()))
        self.say(f"Wrote manifest.json: {len(files)} files with their SHA-256, app revision {revision}.")
        for ref in missing:
            self.stderr.write(f"Warning: {ref['what']} names {ref['path']}, which is not on disk (not backed up).")

    def verify(self, folder):
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
        problems, notes = [], []
        with connection.cursor() as cursor:
            counts = table_counts(cursor)
        for table, expected in manifest["tables"].items():
            if table not in counts:
                problems.append(f"table {table} is missing")
            elif counts[table] != expected:
                problems.append(f"table {table} has {counts[table]} rows, the backup {expected}")
        extra = sorted(set(counts) - set(manifest["tables"]))
        if extra:
            notes.append(f"{len(extra)} tables not in the backup were left as they were: {', '.join(extra)}")
        matching = len(manifest["tables"]) - len([p for p in problems if p.startswith("table ")])
        self.say(
            f"Tables: {matching} of {len(manifest['tables'])} hold the backup's row counts "
            f"({sum(manifest['tables'].values()):,} rows)."
        )

        hashes = {}

        def current(key):
            if key not in hashes:
                path = local_path(key)
                hashes[key] = sha256_file(path) if path.is_file() else None
            return hashes[key]

        bad_files = 0
        for key, expected in manifest["files"].items():
            actual = current(key)
            if actual != expected:
                bad_files += 1
                problems.append(
                    f"file {key} is missing" if actual is None else f"file {key} differs (SHA-256 {actual})"
                )
        self.say(
            f"Files: {len(manifest['files']) - bad_files} of {len(manifest['files'])} restored with their SHA-256."
        )

        known_missing = {ref["path"] for ref in manifest["missing_at_backup"]}
        references = referenced_files()
        documents = checked = 0
        for ref in references:
            actual = current(ref["path"])
            if actual is None:
                if ref["path"] in known_missing:
                    notes.append(f"{ref['what']}: {ref['path']} was already missing when the backup was taken")
                else:
                    problems.append(f"{ref['what']}: {ref['path']} is missing")
            elif ref["sha256"] is not None:
                checked += 1
                documents += ref["what"].startswith("vanban.Document.")
                if actual != ref["sha256"]:
                    problems.append(
                        f"{ref['what']}: {ref['path']} has SHA-256 {actual}, the database says {ref['sha256']}"
                    )
        self.say(
            f"References: {len(references)} files named by the database, {checked} of them with a known SHA-256 "
            f"(including {documents} archived document PDFs) checked against it."
        )
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            notes.append("this code has migrations the restored database lacks: run manage.py migrate before the app")
        for note in notes:
            self.say(f"Note: {note}.")
        if problems:
            shown = "\n  ".join(problems[:50])
            more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
            raise CommandError(f"Verification failed, {len(problems)} problems:\n  {shown}{more}")
        self.say("Verified: the database and the files are those of the backup.")
