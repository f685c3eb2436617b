#!/usr/bin/env bash
# Backs up the app: the PostgreSQL database (pg_dump -Fc) and the two file folders (MEDIA_ROOT and
# PRIVATE_MEDIA_ROOT: stamps, signatures, archived document PDFs, scans, imports), with a manifest.
#
#   scripts/backup.sh [FOLDER]        (or BACKUP_DIR=FOLDER; BACKUP_KEEP=N keeps the newest N)
#
# The database, the folders and the settings module come from the app's own configuration
# (DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT, DJANGO_SETTINGS_MODULE, in the environment or .env),
# so run it where the app runs, as the app's user. Each backup is one folder, FOLDER/tdv213-<UTC time>:
#   database.dump    pg_dump custom format
#   media.tar        MEDIA_ROOT;  private.tar  PRIVATE_MEDIA_ROOT
#   manifest.json    rows per table (counted in the dump's own snapshot), the SHA-256 of every file
#                    in the two archives, the files the database names, the app's git revision, the time
#   SHA256SUMS       the three archives' checksums (`sha256sum -c SHA256SUMS`)
# The database is dumped before the folders are archived, so every file a dumped row names was on
# disk already (files are written before the row that names them commits). The app may keep running.
# A failed run leaves no folder that looks complete (it is written as .partial and renamed).
# Needs pg_dump (postgresql-client) of the server's major version or newer, tar and sha256sum.
set -euo pipefail
# The dump and the archives hold personal data: readable by the app's user only.
umask 077

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi

say() { echo "backup: $*"; }
manage() { "$PYTHON" "$ROOT/manage.py" backup "$@"; }

dest=${1:-${BACKUP_DIR:-}}
if [[ -z $dest || $dest == -* ]]; then
    echo "usage: scripts/backup.sh FOLDER   (or BACKUP_DIR=FOLDER; BACKUP_KEEP=N prunes to the newest N)" >&2
    exit 2
fi
keep=${BACKUP_KEEP:-0}
[[ $keep =~ ^[0-9]+$ ]] || { echo "backup: BACKUP_KEEP must be a number, not '$keep'" >&2; exit 2; }
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

# PGHOST, PGPORT, PGUSER, PGDATABASE (and PGPASSWORD...) and the two folders, as the settings have them.
exports=$(manage connection)
eval "$exports"

name=tdv213-$(date -u +%Y%m%dT%H%M%SZ)
folder=$dest/$name
work=$folder.partial
[[ ! -e $folder ]] || { echo "backup: $folder exists already" >&2; exit 1; }
mkdir "$work"
trap 'rm -rf "$work"' EXIT
say "backing up database $PGDATABASE on ${PGHOST:-the local socket}:${PGPORT:-5432} and the folders $MEDIA_ROOT and $PRIVATE_MEDIA_ROOT into $folder"

manage dump "$work"

archive() {
    local dir=$1 out=$2
    if [[ -d $dir ]]; then
        local status=0
        tar -cf "$out" -C "$dir" . || status=$?
        # 1: a file changed or went away while tar read it (the app is running). The manifest hashes
        # what the archive holds, and every file the dumped rows name was complete before they committed.
        ((status <= 1)) || exit "$status"
        ((status == 0)) || say "note: some files changed while they were archived (the app is running); the archive holds them as read"
        say "archived $dir in $(basename "$out") ($(du -sh "$out" | cut -f1))"
    else
        tar -cf "$out" -T /dev/null
        say "$dir does not exist: $(basename "$out") is empty"
    fi
}
archive "$MEDIA_ROOT" "$work/media.tar"
archive "$PRIVATE_MEDIA_ROOT" "$work/private.tar"

revision=${APP_REVISION:-}
if [[ -z $revision ]] && revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); then
    [[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || revision="$revision (with uncommitted changes)"
fi
manage manifest "$work" --revision "${revision:-unknown}"

mv "$work" "$folder"
trap - EXIT
say "done: $folder ($(du -sh "$folder" | cut -f1))"

if ((keep > 0)); then
    mapfile -t complete < <(find "$dest" -mindepth 1 -maxdepth 1 -type d -name 'tdv213-*Z' -exec test -f '{}/manifest.json' ';' -print | sort -r)
    for old in "${complete[@]:keep}"; do
        rm -rf "$old"
        say "pruned $old (BACKUP_KEEP=$keep)"
    done
fi
