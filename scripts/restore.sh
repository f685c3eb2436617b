#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an empty database and file folders, then checks
# the result against the backup's manifest.
#
#   scripts/restore.sh [--force] [--database-url URL] [--media-root DIR] [--private-media-root DIR] BACKUP
#
# BACKUP is one tdv213-<time> folder. The target is the app's own configuration (DATABASE_URL,
# MEDIA_ROOT, PRIVATE_MEDIA_ROOT in the environment or .env), or the options given. The database
# must exist (createdb) and hold no tables, and the folders must be empty or missing, unless --force:
# then the backup's tables replace those of the same name (pg_restore --clean) and its files are
# written over the folders' (other files stay). Stop the app (web, worker, beat) while restoring.
#
# Checked before: the archives' SHA-256 (SHA256SUMS). Checked after: every table holds the
# manifest's row count, every backed-up file is back with its SHA-256, every file the database
# names is on disk, and every archived document PDF (and stamp, signature, scan, import) has the
# SHA-256 the database stores for it. Exit status 0 only when all of that holds.
# Needs pg_restore and psql (postgresql-client), tar and sha256sum.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi

say() { echo "restore: $*"; }
fail() { echo "restore: $*" >&2; exit 1; }
manage() { "$PYTHON" "$ROOT/manage.py" backup "$@"; }
usage() {
    echo "usage: scripts/restore.sh [--force] [--database-url URL] [--media-root DIR] [--private-media-root DIR] BACKUP" >&2
    exit 2
}

force=0
backup=
while (($#)); do
    case $1 in
        --force) force=1 ;;
        --database-url) [[ $# -ge 2 ]] || usage; export DATABASE_URL=$2; shift ;;
        --media-root) [[ $# -ge 2 ]] || usage; export MEDIA_ROOT=$2; shift ;;
        --private-media-root) [[ $# -ge 2 ]] || usage; export PRIVATE_MEDIA_ROOT=$2; shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) [[ -z $backup ]] || usage; backup=$1 ;;
    esac
    shift
done
[[ -n $backup ]] || usage
[[ -f $backup/manifest.json ]] || fail "$backup is not a backup folder (no manifest.json)"
backup=$(cd "$backup" && pwd)

say "checking the archives in $backup"
(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || fail "the backup's archives do not match SHA256SUMS: it is damaged"

exports=$(manage connection)
eval "$exports"
target="database $PGDATABASE on ${PGHOST:-the local socket}:${PGPORT:-5432}"

relations=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'") ||
    fail "cannot open $target (does it exist? createdb it first)"
clean=()
if ((relations > 0)); then
    ((force)) || fail "$target is not empty ($relations tables, views and sequences): nothing restored. Restore into a new database (createdb), or pass --force to replace what it holds."
    say "$target holds $relations tables, views and sequences: --force, the backup's replace them"
    clean=(--clean --if-exists)
fi
for dir in "$MEDIA_ROOT" "$PRIVATE_MEDIA_ROOT"; do
    if [[ -d $dir && -n $(ls -A "$dir") ]]; then
        ((force)) || fail "$dir is not empty: nothing restored. Restore into empty folders, or pass --force to write over it."
        say "$dir is not empty: --force, the backup's files are written over it"
    fi
done

say "restoring the database into $target (pg_restore, one transaction)"
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges "${clean[@]}" -d "$PGDATABASE" "$backup/database.dump"
for pair in "media.tar:$MEDIA_ROOT" "private.tar:$PRIVATE_MEDIA_ROOT"; do
    archive=${pair%%:*} dir=${pair#*:}
    mkdir -p "$dir"
    tar -xf "$backup/$archive" -C "$dir" --no-same-owner
    say "restored $archive into $dir"
done

say "verifying against $backup/manifest.json"
manage verify "$backup"
say "done: $target and the folders hold the backup of $(sed -n 's/.*"created_at": "\([^"]*\)".*/\1/p' "$backup/manifest.json")"
