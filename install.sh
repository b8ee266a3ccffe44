#!/usr/bin/env bash
# Installs counter-kiosk from this checkout on Raspberry Pi OS Bookworm: apt packages, the
# kiosk user, a venv in /opt/kiosk, /etc/kiosk/kiosk.toml, /var/lib/kiosk and systemd units.
set -euo pipefail

readonly EX_USAGE=2 EX_NOT_ROOT=3 EX_MISSING=4
readonly KIOSK_USER=kiosk
readonly KIOSK_GROUPS='video gpio'
readonly VENV=/opt/kiosk/venv
readonly CONFIG=/etc/kiosk/kiosk.toml
readonly DATA_DIR=/var/lib/kiosk
# [dashboard] secret_key_file's default: the dashboard reads the file's bytes as the key
# that signs login cookies and refuses fewer than 32 (kiosk/dashboard/auth.py).
readonly SECRET_KEY=$DATA_DIR/secret_key
readonly UNIT_DIR=/etc/systemd/system

# python3-venv: the venv. python3-picamera2: the Camera Module (libcamera's Python bindings
# are apt-only, so the venv sees them through --system-site-packages); without recommends
# it leaves out the Qt/OpenGL preview windows a headless kiosk never opens.
# python3-lgpio: gpiozero's pin backend on Bookworm (/dev/gpiochip*).
# libgl1, libglib2.0-0: the cv2 that mediapipe 0.10.18 brings (opencv-contrib-python 4.11,
# aarch64 manylinux wheel) links its bundled Qt5 at import, and that Qt needs libGL.so.1,
# libglib-2.0.so.0 and libgthread-2.0.so.0 from the system (the wheel bundles everything
# else; read from the wheels' ELF headers). Present on the desktop image, maybe not on Lite.
# mediapipe's own aarch64 library needs only glibc and libstdc++.
readonly APT_PACKAGES='python3-venv python3-picamera2 python3-lgpio libgl1 libglib2.0-0'

PROG=${0##*/}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat <<EOF
Usage: sudo ./$PROG [--dry-run] [--start] [--root DIR] [--kiosk PATH] [--units DIR]

Installs counter-kiosk from this checkout ($REPO) on Raspberry Pi OS Bookworm.
Safe to run again: it keeps what is there and changes only what is missing or stale.

  - apt packages: $APT_PACKAGES
  - the system user '$KIOSK_USER' (no login shell) in the groups: $KIOSK_GROUPS
  - a venv at $VENV (--system-site-packages, to see picamera2 and lgpio from apt)
    with this checkout installed into it (pip install $REPO: the pins in pyproject.toml)
  - $CONFIG from 'kiosk config --defaults' if there is none (never overwritten),
    root:$KIOSK_USER 0640
  - $DATA_DIR ($KIOSK_USER, 0750) and the dashboard's secret key $SECRET_KEY
    (32 random bytes as hex, $KIOSK_USER, 0600), made once and never replaced
  - the units in systemd/ (if any) copied to $UNIT_DIR, daemon-reload, enable;
    nothing is started without --start

  --dry-run     print every action, change nothing
  --start       also (re)start the units after installing
  --root DIR    install under DIR instead of / (tests, an image being built): files are
                written under DIR; apt-get, useradd, usermod, python3 -m venv, pip,
                chown and systemctl are printed, not run (names and services belong to
                the target system, not this one)
  --kiosk PATH  the kiosk program that prints the default config (default: the venv's,
                DIR$VENV/bin/kiosk; give one when --root is not /, as no venv is built)
  --units DIR   the systemd units to install (default: $REPO/systemd)
  -h, --help    print this help

Lines starting with "+ " are commands being run; "would run: " lines are printed only.

Exit status:
  0  installed (or a dry run)
  1  a command failed (its own message says which)
  2  bad arguments
  3  not run as root (needed when --root is /, except with --dry-run)
  4  something needed is missing (python3 older than 3.11, no kiosk program for the
     default config)
EOF
}

die() {
    local code=$1
    shift
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit "$code"
}

warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
say() { printf '%s\n' "$*"; }

# The arguments as one line a shell would read back the same (quotes only where needed).
quoted() {
    local arg words=()
    for arg in "$@"; do
        if [[ -n $arg && $arg != *[!A-Za-z0-9_./:=@%+,-]* ]]; then
            words+=("$arg")
        else
            words+=("'${arg//\'/\'\\\'\'}'")
        fi
    done
    printf '%s' "${words[*]}"
}

ROOT=
DRY_RUN=0
# Commands that act on the system beyond files under --root run only when LIVE (--root /
# without --dry-run). With --root / the real system is also read (packages, owners, the
# python version), dry run or not; under another root nothing outside it is consulted.
LIVE=0
CHANGED=0
BUILD_COPY=

# A command that changes the system (packages, users, ownership, services): run only on
# the real system (--root / without --dry-run), printed otherwise.
run() {
    if ((LIVE)); then
        say "+ $(quoted "$@")"
        "$@"
    else
        say "would run: $(quoted "$@")"
    fi
}

# A change to files under --root: made unless --dry-run. change_as shows TEXT for it.
change() { change_as "$(quoted "$@")" "$@"; }
change_as() {
    local text=$1
    shift
    if ((DRY_RUN)); then
        say "would run: $text"
    else
        say "+ $text"
        "$@"
        CHANGED=$((CHANGED + 1))
    fi
}

# The path of an installed file: /etc/kiosk under --root DIR is DIR/etc/kiosk.
at() { printf '%s%s' "$ROOT" "$1"; }

ensure_dir() {
    local path=$1 owner=$2 mode=$3
    [[ -d $path ]] || change mkdir -p -- "$path"
    ensure_owner_mode "$path" "$owner" "$mode"
}

ensure_owner_mode() {
    local path=$1 owner=$2 mode=$3
    if [[ ! -e $path ]] || [[ $(stat -c %a -- "$path") != "$mode" ]]; then
        change chmod "$mode" -- "$path"
    fi
    if [[ -z $ROOT && -e $path && $(stat -c %U:%G -- "$path") == "$owner" ]]; then
        return 0
    fi
    run chown "$owner" -- "$path"
}

# An account in the target system's files (getent on the real system, which also sees
# NSS sources; the files under --root otherwise).
has_entry() {
    local database=$1 name=$2
    if [[ -z $ROOT ]]; then
        getent "$database" "$name" >/dev/null
    else
        grep -q "^$name:" "$(at "/etc/$database")" 2>/dev/null
    fi
}

install_packages() {
    local missing=() package
    for package in $APT_PACKAGES; do
        if [[ -z $ROOT && $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == 'install ok installed' ]]; then
            continue
        fi
        missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then
        say "apt packages present: $APT_PACKAGES"
        return 0
    fi
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

install_user() {
    if has_entry passwd "$KIOSK_USER"; then
        say "user $KIOSK_USER present"
    else
        run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
            --shell /usr/sbin/nologin --comment counter-kiosk "$KIOSK_USER"
    fi
    local group present=()
    for group in $KIOSK_GROUPS; do
        # Under --root a target without /etc/group yet (a test) is given the benefit.
        if has_entry group "$group" || [[ -n $ROOT && ! -e $(at /etc/group) ]]; then
            present+=("$group")
        else
            warn "no group '$group' on this system (is it Raspberry Pi OS?): $KIOSK_USER is not added to it"
        fi
    done
    if ((${#present[@]})); then
        local joined
        joined=$(
            IFS=,
            printf '%s' "${present[*]}"
        )
        run usermod --append --groups "$joined" "$KIOSK_USER"
    fi
}

install_venv() {
    ensure_dir "$(at /opt/kiosk)" root:root 755
    if [[ -x $(at "$VENV/bin/python") ]]; then
        say "venv $(at "$VENV") present"
    else
        if [[ -z $ROOT ]] && ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            die "$EX_MISSING" "python3 is $(python3 -V 2>&1); counter-kiosk needs 3.11 or later (Raspberry Pi OS Bookworm)"
        fi
        run python3 -m venv --system-site-packages "$(at "$VENV")"
    fi
    # The pins are pyproject.toml's (mediapipe==0.10.18, numpy<2). Through the system site
    # pip may keep Bookworm's apt numpy (1.24), which satisfies them; numpy<2 also keeps a
    # numpy 2 out of the way of picamera2's compiled helpers, built against apt's numpy 1.
    # pip reinstalls from a folder every time, so a run after 'git pull' updates the code.
    # It builds inside the folder (build/, *.egg-info): on the real system it builds a copy,
    # so the checkout gets no root-owned files that a later 'pip install -e .' cannot replace.
    local from=$REPO
    if ((LIVE)); then
        BUILD_COPY=$(mktemp -d)
        say "+ copy $REPO (without .git, .venv, build) to $BUILD_COPY for pip"
        tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=__pycache__ \
            --exclude='*.egg-info' --exclude=./.pytest_cache --exclude=./.ruff_cache -cf - . |
            tar -C "$BUILD_COPY" -xf -
        from=$BUILD_COPY
    fi
    run "$(at "$VENV/bin/pip")" install --disable-pip-version-check "$from"
}

install_config() {
    local kiosk=$1 config
    config=$(at "$CONFIG")
    ensure_dir "$(dirname -- "$config")" "root:$KIOSK_USER" 750
    if [[ -e $config ]]; then
        say "kept $config (present: never overwritten)"
    else
        if ((!DRY_RUN)) && [[ ! -x $kiosk ]]; then
            die "$EX_MISSING" "no kiosk program at $kiosk to print the default config (the venv is only built when --root is /): give one with --kiosk PATH"
        fi
        change_as "$(quoted "$kiosk" config --defaults) > $(quoted "$config")" \
            write_default_config "$kiosk" "$config"
    fi
    ensure_owner_mode "$config" "root:$KIOSK_USER" 640
}

write_default_config() {
    local kiosk=$1 config=$2 tmp
    tmp=$(mktemp -- "$config.XXXXXX")
    if ! "$kiosk" config --defaults >"$tmp"; then
        rm -f -- "$tmp"
        die 1 "'$kiosk config --defaults' failed"
    fi
    chmod 640 -- "$tmp"
    mv -- "$tmp" "$config"
}

install_data() {
    local data key
    data=$(at "$DATA_DIR")
    key=$(at "$SECRET_KEY")
    ensure_dir "$data" "$KIOSK_USER:$KIOSK_USER" 750
    # A database or key made by a kiosk command run as root would lock the service out.
    if [[ -z $ROOT && -d $data ]] && has_entry passwd "$KIOSK_USER" &&
        [[ -n $(find "$data" -mindepth 1 ! -user "$KIOSK_USER" -print -quit) ]]; then
        run chown -R "$KIOSK_USER:$KIOSK_USER" -- "$data"
    fi
    if [[ -e $key ]]; then
        say "kept $key (present: never replaced, or every login would end)"
        if (($(stat -c %s -- "$key") < 32)); then
            warn "$key is shorter than 32 bytes and the dashboard will refuse it: delete it and run this again"
        fi
    else
        change_as "new secret key (32 random bytes, hex) > $(quoted "$key")" write_secret_key "$key"
    fi
    ensure_owner_mode "$key" "$KIOSK_USER:$KIOSK_USER" 600
}

write_secret_key() {
    local key=$1 tmp
    # mktemp makes the file 0600 before a byte is written; ln never replaces a key that
    # appeared meanwhile (kiosk serve makes one too if it starts first).
    tmp=$(mktemp -- "$(dirname -- "$key")/.secret_key.XXXXXX")
    od -An -v -N32 -tx1 /dev/urandom | tr -d ' \n' >"$tmp"
    ln -- "$tmp" "$key" 2>/dev/null || say "$key appeared meanwhile: kept it"
    rm -f -- "$tmp"
}

install_units() {
    local units_dir=$1 start=$2 unit name target units=() changed=0 unit_dir
    unit_dir=$(at "$UNIT_DIR")
    if [[ -d $units_dir ]]; then
        for unit in "$units_dir"/*.service "$units_dir"/*.timer "$units_dir"/*.socket "$units_dir"/*.path; do
            [[ -f $unit ]] || continue
            name=${unit##*/}
            target=$unit_dir/$name
            if [[ -f $target ]] && cmp -s -- "$unit" "$target"; then
                say "unit $target up to date"
            else
                if [[ ! -d $unit_dir ]] && ((changed == 0)); then
                    change mkdir -p -- "$unit_dir"
                fi
                change install -m 644 -- "$unit" "$target"
                changed=1
            fi
            # A template (name@.service) is enabled per instance, not here.
            [[ $name == *@.* ]] || units+=("$name")
        done
    fi
    if ((${#units[@]} == 0)); then
        say "no systemd units in $units_dir: nothing to enable"
        if ((start)); then
            warn "--start: there are no units to start"
        fi
        return 0
    fi
    if ((changed)); then
        run systemctl daemon-reload
    fi
    run systemctl enable "${units[@]}"
    if ((start)); then
        run systemctl restart "${units[@]}"
    else
        say "not started (--start would): systemctl restart ${units[*]}"
    fi
}

main() {
    local root=/ kiosk='' units_dir=$REPO/systemd start=0
    while (($#)); do
        case $1 in
            --root | --kiosk | --units)
                (($# >= 2)) || die "$EX_USAGE" "$1 needs a value (see --help)"
                case $1 in
                    --root) root=$2 ;;
                    --kiosk) kiosk=$2 ;;
                    --units) units_dir=$2 ;;
                esac
                shift 2
                ;;
            --dry-run)
                DRY_RUN=1
                shift
                ;;
            --start)
                start=1
                shift
                ;;
            -h | --help)
                usage
                exit 0
                ;;
            *) die "$EX_USAGE" "unknown argument '$1' (see --help)" ;;
        esac
    done
    [[ -d $root ]] || die "$EX_USAGE" "--root $root is not a folder"
    ROOT=$(cd "$root" && pwd)
    ROOT=${ROOT%/}
    if [[ -z $ROOT ]] && ((!DRY_RUN)); then
        LIVE=1
        ((EUID == 0)) || die "$EX_NOT_ROOT" "run it as root: sudo ./$PROG (or try --dry-run)"
    fi
    kiosk=${kiosk:-$(at "$VENV/bin/kiosk")}
    umask 022
    trap 'if [[ -n $BUILD_COPY ]]; then rm -rf -- "$BUILD_COPY"; fi' EXIT

    if ((DRY_RUN)); then
        say "installing counter-kiosk from $REPO into ${ROOT:-/} (dry run: nothing is changed)"
    else
        say "installing counter-kiosk from $REPO into ${ROOT:-/}"
    fi
    install_packages
    install_user
    install_venv
    install_config "$kiosk"
    install_data
    install_units "$units_dir" "$start"

    if ((DRY_RUN)); then
        say "dry run: nothing changed"
    elif ((CHANGED == 0)); then
        say "files under ${ROOT:-/}: nothing to change"
    fi
    cat <<EOF

Next:
  - boot settings for the camera: sudo $REPO/firmware_config/apply.sh, then reboot
  - set [counter] name and site (and [camera] hfov_deg for a Module 3 Wide or 2):
    sudoedit $CONFIG, then: sudo $VENV/bin/kiosk check-config $CONFIG
  - a supervisor's login, as the kiosk user (so the database stays its own):
    sudo -u $KIOSK_USER $VENV/bin/kiosk user add NAME --config $CONFIG
EOF
}

main "$@"
