#!/usr/bin/env bash
# Chooses the PostgreSQL and Redis the test suite talks to and writes
# .tmp/services.env (export DATABASE_URL=... / export REDIS_URL=...) for the
# Makefile to source; the same lines go to stdout, so `eval "$(...)"` works too.
#
# Each service is chosen on its own, first match wins:
#   1. DATABASE_URL / REDIS_URL already set in the environment, used as given;
#   2. a server on the default port (127.0.0.1:5432 / 127.0.0.1:6379) that answers
#      (PostgreSQL must accept user postgres without a password);
#   3. a throwaway server started from the installed binaries, data under .tmp/
#      (PostgreSQL on 127.0.0.1:54329, Redis on 127.0.0.1:63799). It is left
#      running so the next run reuses it; `scripts/ensure_services.sh stop` ends it;
#   4. otherwise exit 1, naming the Debian packages to install.
#
# ENSURE_SERVICES_SKIP_DEFAULT=1 skips step 2, to exercise step 3 on a machine
# whose default servers are running.
#
# The database name is tdv213: pytest-django creates and drops test_tdv213 itself,
# so only the server has to exist. Redis uses db 15 to stay clear of dev data.
set -euo pipefail

cd "$(dirname "$0")/.."
TMP_DIR="$PWD/.tmp"
PG_DIR="$TMP_DIR/postgres"
REDIS_DIR="$TMP_DIR/redis"
PG_PORT=54329
REDIS_PORT=63799
DB_NAME=tdv213
REDIS_DB=15

say() { echo "ensure_services: $*" >&2; }

# initdb and the server refuse to run as root, so root runs them as this user.
pg_user() {
    if [[ $EUID -ne 0 ]]; then
        id -un
    elif id -u postgres >/dev/null 2>&1; then
        echo postgres
    else
        echo nobody
    fi
}

as_pg_user() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$(pg_user)" -- "$@"
    else
        "$@"
    fi
}

pg_bin_dir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# True when the server on 127.0.0.1:$1 accepts user postgres without a password.
pg_answers() {
    local port=$1
    if command -v psql >/dev/null; then
        PGCONNECT_TIMEOUT=3 psql -X -q -w -h 127.0.0.1 -p "$port" -U postgres -d postgres \
            -Atc 'select 1' >/dev/null 2>&1
    elif command -v pg_isready >/dev/null; then
        pg_isready -q -t 3 -h 127.0.0.1 -p "$port" -U postgres
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

# True when 127.0.0.1:$1 answers PING with PONG.
redis_answers() {
    local port=$1 reply=""
    if command -v redis-cli >/dev/null; then
        reply=$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)
    else
        reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'PING\r\n' >&3 && head -c 5 <&3" \
            2>/dev/null || true)
    fi
    [[ $reply == *PONG* ]]
}

start_postgres() {
    local bin user
    bin=$(pg_bin_dir) || return 1
    user=$(pg_user)
    mkdir -p "$PG_DIR/run"
    if [[ $EUID -eq 0 ]]; then
        chown -R "$user" "$PG_DIR"
        if ! runuser -u "$user" -- test -w "$PG_DIR"; then
            say "user $user cannot reach $PG_DIR (a parent folder is closed to it); move the checkout or set DATABASE_URL"
            return 1
        fi
    fi
    if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
        say "initialising a throwaway PostgreSQL cluster in $PG_DIR/data"
        as_pg_user "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    fi
    # Durability settings are off: the data is thrown away, and tests run faster.
    if ! as_pg_user "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        tail -n 20 "$PG_DIR/server.log" >&2 || true
        return 1
    fi
    pg_answers "$PG_PORT"
}

start_redis() {
    command -v redis-server >/dev/null || return 1
    mkdir -p "$REDIS_DIR"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
        --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
    local _
    for _ in $(seq 50); do
        redis_answers "$REDIS_PORT" && return 0
        sleep 0.1
    done
    tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
    return 1
}

stop_started() {
    local bin
    if [[ -f $PG_DIR/data/postmaster.pid ]] && bin=$(pg_bin_dir); then
        as_pg_user "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null && say "stopped PostgreSQL on port $PG_PORT"
    fi
    if [[ -f $REDIS_DIR/redis.pid ]]; then
        local pid _
        pid=$(cat "$REDIS_DIR/redis.pid")
        if kill "$pid" 2>/dev/null; then
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            say "stopped Redis on port $REDIS_PORT"
        fi
        rm -f "$REDIS_DIR/redis.pid"
    fi
    return 0
}

choose_database() {
    if [[ -n ${DATABASE_URL:-} ]]; then
        say "PostgreSQL: DATABASE_URL from the environment"
        echo "$DATABASE_URL"
    elif [[ ${ENSURE_SERVICES_SKIP_DEFAULT:-} != 1 ]] && pg_answers 5432; then
        say "PostgreSQL: local server on 127.0.0.1:5432"
        echo "postgres://postgres@127.0.0.1:5432/$DB_NAME"
    elif pg_answers "$PG_PORT" || start_postgres; then
        say "PostgreSQL: throwaway server under .tmp/ (port $PG_PORT)"
        echo "postgres://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
    else
        return 1
    fi
}

choose_redis() {
    if [[ -n ${REDIS_URL:-} ]]; then
        say "Redis: REDIS_URL from the environment"
        echo "$REDIS_URL"
    elif [[ ${ENSURE_SERVICES_SKIP_DEFAULT:-} != 1 ]] && redis_answers 6379; then
        say "Redis: local server on 127.0.0.1:6379"
        echo "redis://127.0.0.1:6379/$REDIS_DB"
    elif redis_answers "$REDIS_PORT" || start_redis; then
        say "Redis: throwaway server under .tmp/ (port $REDIS_PORT)"
        echo "redis://127.0.0.1:$REDIS_PORT/$REDIS_DB"
    else
        return 1
    fi
}

if [[ ${1:-} == stop ]]; then
    stop_started
    exit 0
fi

mkdir -p "$TMP_DIR"
missing=()
database_url=$(choose_database) || missing+=(postgresql)
redis_url=$(choose_redis) || missing+=(redis-server)
if ((${#missing[@]})); then
    say "no usable ${missing[*]}: install it (apt-get install ${missing[*]}) or set DATABASE_URL / REDIS_URL"
    exit 1
fi

say "DATABASE_URL=$database_url"
say "REDIS_URL=$redis_url"
printf 'export DATABASE_URL=%q\nexport REDIS_URL=%q\n' "$database_url" "$redis_url" | tee "$TMP_DIR/services.env"
