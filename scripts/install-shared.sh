#!/bin/sh
# One install of mopstui for every account on this host (see the README, "Setting it up"):
#   install    a virtual environment under SHARED_DIR built from the system's Python (not one in
#              somebody's private home, which other accounts cannot run), `mopstui` linked into
#              SHARED_BIN, the watch service's unit installed (and enabled when it can run).
#              Run again to upgrade: the war-room and /etc/mopstui are never touched.
#   uninstall  removes what install made; the war-room and its config stay.
set -eu
action=${1:-install}
src=$(cd "$(dirname "$0")/.." && pwd)
python=${SHARED_PYTHON:-/usr/bin/python3}
dir=${SHARED_DIR:-/opt/mopstui}
bin=${SHARED_BIN:-/usr/local/bin}
units=${SYSTEMD_DIR:-/etc/systemd/system}
extras=${EXTRAS:-postgresql}

say() { printf '%s\n' "$*"; }
fail() { printf 'install-shared: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ] && ! [ -w "$(dirname "$dir")" ]; then
    fail "run it as root: sudo make $action-shared"
fi
has_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

case "$action" in
install)
    [ -x "$python" ] || fail "no Python at $python; install python3 (3.11 or newer) or set SHARED_PYTHON=/path/to/python3"
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || fail "$python is $("$python" -V 2>&1); mopstui needs Python 3.11 or newer (set SHARED_PYTHON)"
    "$python" -c 'import venv, ensurepip' 2>/dev/null \
        || fail "$python cannot make virtual environments; install python3-venv (Debian, Ubuntu) and run again"
    real=$(readlink -f "$python")
    case "$real" in
        /root/*|/home/*) fail "$python is $real, inside a private home: other accounts could not run it; set SHARED_PYTHON=/usr/bin/python3" ;;
    esac
    # Everything below runs as root and every account will run it: only what root (or the admin
    # who ran sudo) owns, and nobody else can change, may go in.
    trusted_owner() { owner=$(stat -c %u "$1"); [ "$owner" = 0 ] || [ "$owner" = "${SUDO_UID:-0}" ]; }
    writable_by_others() { [ -n "$(find "$1" -maxdepth 0 -perm /022 2>/dev/null)" ]; }
    trusted_owner "$real" && ! writable_by_others "$real" \
        || fail "$real may be changed by someone other than root: build from a Python only root can change"
    trusted_owner "$src" && ! writable_by_others "$src" \
        || fail "$src belongs to $(stat -c %U "$src") or is writable by others: installing it as root would run their code; clone it as root or as yourself"
    umask 022
    if [ -x "$dir/venv/bin/python" ]; then
        say "upgrading mopstui in $dir/venv (the war-room and /etc/mopstui are not touched)"
    else
        say "installing mopstui into $dir/venv, built from $real"
        mkdir -p "$dir"
        "$python" -m venv "$dir/venv"
        "$dir/venv/bin/python" -m pip install -q --upgrade pip
    fi
    "$dir/venv/bin/python" -m pip install -q --upgrade --no-cache-dir "$src[$extras]"
    chmod -R a+rX "$dir"
    mkdir -p "$bin"
    ln -sfn "$dir/venv/bin/mopstui" "$bin/mopstui"
    say "linked $bin/mopstui -> $dir/venv/bin/mopstui ($("$bin/mopstui" --version))"
    mkdir -p "$units"
    sed "s|@BIN@|$bin|" "$src/scripts/mopstui-watch.service" > "$units/mopstui-watch.service"
    chmod 644 "$units/mopstui-watch.service"
    if has_systemd; then
        systemctl daemon-reload
        if [ -f /etc/mopstui/config.yaml ] && { [ "$(stat -c %u /etc/mopstui/config.yaml)" != 0 ] || writable_by_others /etc/mopstui/config.yaml; }; then
            say "not starting the watch service: /etc/mopstui/config.yaml must belong to root and be writable by root alone"
            say "  (it says which commands the service runs): sudo chown root: /etc/mopstui/config.yaml && sudo chmod 644 /etc/mopstui/config.yaml"
        elif [ -f /etc/mopstui/config.yaml ] && id mopstui >/dev/null 2>&1; then
            systemctl enable --now mopstui-watch && say "the watch service is enabled and running (systemctl status mopstui-watch)"
        else
            say "installed $units/mopstui-watch.service; to start it: create the account mopstui (in the war-room's group),"
            say "  write /etc/mopstui/config.yaml, set Group= in the unit, then: sudo systemctl enable --now mopstui-watch"
        fi
    else
        say "no systemd here: the unit is in $units/mopstui-watch.service; run \`$bin/mopstui watch\` under your service manager"
    fi
    say "done. Every account can now run: mopstui   (check a person's set-up with: mopstui doctor)"
    ;;
uninstall)
    if has_systemd && [ -f "$units/mopstui-watch.service" ]; then
        systemctl disable --now mopstui-watch 2>/dev/null || true
    fi
    rm -f "$units/mopstui-watch.service"
    has_systemd && systemctl daemon-reload || true
    if [ -L "$bin/mopstui" ] && [ "$(readlink "$bin/mopstui")" = "$dir/venv/bin/mopstui" ]; then
        rm -f "$bin/mopstui"
    fi
    rm -rf "$dir/venv"
    rmdir "$dir" 2>/dev/null || true
    say "removed mopstui from $dir and $bin; the war-room and /etc/mopstui are kept"
    ;;
*)
    fail "usage: install-shared.sh install|uninstall"
    ;;
esac
