#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an empty database and file folders, then checks
# the result against the backup's manifest.
#
#   scripts/restore.sh [--force] [--database-url URL] [--media-root DIR] [--private-media-root DIR] BACKUP
#
# BACKUP is one tdv213-<time> folder. The target is the app's own configuration (DATABASE_URL,
# MEDIA_ROOT, PRIVATE_MEDIA_ROOT in the environment or .env), or the options given.
#
# The database's password is never an argument of a program: pg_restore and psql are given it in
# their environment (PGPASSWORD, from the settings), and a password in --database-url is taken off
# this script's own command line at once (it starts itself again with DATABASE_URL in its
# environment instead), since `ps` shows a command line to every user for as long as it runs. It
# was still on the command line for an instant, and in the shell's history: rather leave it out of
# the URL (postgres://USER@HOST:PORT/NAME) and give it in PGPASSWORD or ~/.pgpass (or PGPASSFILE),
# or put the whole URL in DATABASE_URL in the environment or .env.
#
# The database must exist (createdb) and hold no tables, and the folders must be empty or missing,
# unless --force: then the backup's tables replace those of the same name (pg_restore --clean) and
# its files are written over the folders' (other files stay). Stop the app (web, worker, beat)
# while restoring.
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
    cat >&2 <<'EOF'
usage: scripts/restore.sh [--force] [--database-url URL] [--media-root DIR] [--private-media-root DIR] BACKUP

  --database-url URL   the database to restore into (default: DATABASE_URL from the environment or
                       .env), e.g. postgres://USER@HOST:5432/NAME. Leave the password out of it: a
                       command line is visible to every user (ps) and kept in the shell's history.
                       Give it in PGPASSWORD or ~/.pgpass instead (or the whole URL in DATABASE_URL).
                       A password given here all the same is used, and taken off the command line
                       as soon as the script starts; pg_restore and psql get it in PGPASSWORD only.
  --media-root DIR, --private-media-root DIR
                       the folders to restore the files into (default: MEDIA_ROOT, PRIVATE_MEDIA_ROOT)
  --force              replace the tables and files already there
EOF
    exit 2
}

force=0
backup=
database_url=
given=0
rest=() # the arguments but --database-url
while (($#)); do
    case $1 in
        --force) force=1; rest+=("$1") ;;
        --database-url) [[ $# -ge 2 ]] || usage; database_url=$2; given=1; shift ;;
        --media-root) [[ $# -ge 2 ]] || usage; export MEDIA_ROOT=$2; rest+=("$1" "$2"); shift ;;
        --private-media-root) [[ $# -ge 2 ]] || usage; export PRIVATE_MEDIA_ROOT=$2; rest+=("$1" "$2"); shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) [[ -z $backup ]] || usage; backup=$1; rest+=("$1") ;;
    esac
    shift
done
[[ -n $backup ]] || usage
if ((given)); then
    # The URL moves to the environment (readable by this user and root only) and the script starts
    # again without it, so its command line, which ps shows until the restore ends, holds no password.
    export DATABASE_URL=$database_url
    if [[ $database_url =~ ^[^:/]+://[^@/]*:[^@/]*@ || $database_url == *[?\&]password=* ]]; then
        echo "restore: note: --database-url holds a password; it is now off this command line, but was on it for an instant and is in your shell's history. Give it in PGPASSWORD or ~/.pgpass instead (scripts/restore.sh --help)." >&2
    fi
    exec "${BASH:-bash}" "${BASH_SOURCE[0]}" "${rest[@]}"
fi
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
