#!/usr/bin/env bash
# Puts counter-kiosk's boot settings (config-fragment.txt, beside this script) into the
# Raspberry Pi's config.txt between two marker lines, or takes them out again (--revert).
set -euo pipefail

readonly BEGIN_MARK='# >>> counter-kiosk >>>'
readonly END_MARK='# <<< counter-kiosk <<<'
readonly EX_USAGE=2 EX_NO_CONFIG=3 EX_NOT_WRITABLE=4 EX_BROKEN_BLOCK=5
# The GPIOs `kiosk config --defaults` uses ([presence], [cues.*], [leds], [pause]); an
# overlay that claims one makes it busy for lgpio. tests/unit/installer checks the list.
readonly KIOSK_PINS='4 5 6 12 13 17 22 23 24 26 27'

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/config-fragment.txt

usage() {
    cat <<EOF
Usage: $PROG [--root DIR] [--dry-run] [--revert]

Puts counter-kiosk's boot settings ($FRAGMENT)
into config.txt between the lines
    $BEGIN_MARK
    $END_MARK
replacing that block where it is if it is there already (so a second run changes
nothing), else adding it at the end. To change the settings, edit config-fragment.txt
and run this again. config.txt is DIR/boot/firmware/config.txt (Raspberry Pi OS
Bookworm) or else DIR/boot/config.txt (older releases).

  --root DIR   the system to change is under DIR (default /; e.g. a mounted SD card)
  --dry-run    print the diff this would make, change nothing
  --revert     remove the block
  -h, --help   print this help

Before changing config.txt it is copied to config.txt.kiosk-backup-YYYYmmdd-HHMMSS.
"reboot needed" is printed when, and only when, config.txt changed. Lines outside the
block that work against it (camera_auto_detect=0, a second camera overlay, the legacy
camera, an overlay that claims one of the kiosk's default GPIOs) are reported as
warnings and left alone.

Exit status:
  0  done: changed, already up to date, or a dry run
  1  a command failed unexpectedly
  2  bad arguments
  3  no config.txt under DIR, or config-fragment.txt is missing
  4  config.txt or its folder is not writable (run it with sudo)
  5  config.txt has a broken counter-kiosk block (a marker without its pair, or two
     blocks): fix it by hand
EOF
}

die() {
    local code=$1
    shift
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit "$code"
}

warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }

# Prints "absent", "present" or "broken". Lines are compared without trailing blanks
# or a CR, since config.txt is often edited on Windows (it is on a FAT partition).
block_state() {
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
        { line = $0; sub(/[ \t\r]+$/, "", line) }
        line == b { if (open || seen) bad = 1; open = 1; seen = 1; next }
        line == e { if (!open) bad = 1; open = 0 }
        END { if (open) bad = 1; print (bad ? "broken" : (seen ? "present" : "absent")) }
    ' "$1"
}

# config.txt with the block put in place of the old one, or at the end.
with_block() {
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v fragment="$FRAGMENT" '
        function block(    text) {
            print b
            while ((getline text < fragment) > 0) print text
            close(fragment)
            print e
        }
        { line = $0; sub(/[ \t\r]+$/, "", line) }
        line == b { block(); inside = 1; done = 1; next }
        inside { if (line == e) inside = 0; next }
        { print }
        END { if (!done) block() }
    ' "$1"
}

# config.txt without the block.
without_block() {
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
        { line = $0; sub(/[ \t\r]+$/, "", line) }
        line == b { inside = 1; next }
        inside { if (line == e) inside = 0; next }
        { print }
    ' "$1"
}

# One line per setting outside the block that works against it: "LINE_NUMBER: TEXT: WHY".
conflicts() {
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v kiosk_pins="$KIOSK_PINS" '
        BEGIN { n = split(kiosk_pins, list, " "); for (i = 1; i <= n; i++) pin[list[i]] = 1 }
        function report(why) { printf "line %d: %s: %s\n", NR, line, why }
        # The GPIOs an overlay line claims: the value of its pin parameter, else its default.
        function claimed(param, default_pins,    i, n, parts, kv, found) {
            n = split(line, parts, ",")
            for (i = 2; i <= n; i++) {
                split(parts[i], kv, "=")
                if (kv[1] == param) found = kv[2]
            }
            return found != "" ? found : default_pins
        }
        function check_pins(pins,    i, n, list, hits) {
            n = split(pins, list, " ")
            for (i = 1; i <= n; i++) if (list[i] in pin) hits = hits (hits ? ", " : "") "GPIO" list[i]
            if (hits)
                report("claims " hits ", a pin the kiosk uses by default (if kiosk.toml moved it elsewhere, ignore this)")
        }
        { line = $0; sub(/[ \t\r]+$/, "", line); sub(/^[ \t]+/, "", line) }
        line == b { inside = 1; next }
        line == e { inside = 0; next }
        inside || line == "" || line ~ /^#/ { next }
        line ~ /^camera_auto_detect=0/ {
            report("turns camera auto-detection off; the kiosk block turns it on")
        }
        line ~ /^start_x=1/ {
            report("selects the legacy camera firmware, which libcamera (picamera2) does not use")
        }
        line ~ /^dtoverlay=(ov5647|imx219|imx296|imx378|imx477|imx500|imx519|imx708|imx290|ov9281)([,:]|$)/ {
            report("a camera overlay outside the kiosk block, which sets the camera up too: keep one of the two")
        }
        line ~ /^dtoverlay=w1-gpio(-pullup)?([,:]|$)/ { check_pins(claimed("gpiopin", "4")) }
        line ~ /^dtoverlay=gpio-fan([,:]|$)/ { check_pins(claimed("gpiopin", "12")) }
        line ~ /^dtoverlay=pwm([,:]|$)/ { check_pins(claimed("pin", "18")) }
        line ~ /^dtoverlay=pwm-2chan([,:]|$)/ { check_pins(claimed("pin", "18") " " claimed("pin2", "19")) }
        line ~ /^dtoverlay=audremap([,:]|$)/ {
            if (line ~ /,pins_18_19/) check_pins("18 19")
            else if (line ~ /,pins_40_4[15]/) check_pins("40 41 45")
            else check_pins("12 13")
        }
    ' "$1"
}

# Copies $1 to a backup name that is not taken yet (two runs in the same second keep both).
backup() {
    local stamp base name n=1
    stamp=$(date +%Y%m%d-%H%M%S)
    base=$1.kiosk-backup-$stamp
    name=$base
    while [[ -e $name ]]; do
        name=$base-$n
        n=$((n + 1))
    done
    cp -p -- "$1" "$name"
    printf 'backed up %s to %s\n' "$1" "$name"
}

# Replaces $1 by $2's content, never leaving a half-written config.txt: the new text is
# written beside it and renamed over it (the copy keeps config.txt's mode).
replace() {
    local tmp=$1.kiosk-new
    cp -- "$1" "$tmp"
    cat -- "$2" >"$tmp"
    sync -- "$tmp" 2>/dev/null || sync
    mv -f -- "$tmp" "$1"
    sync
}

main() {
    local root=/ dry_run=0 revert=0
    while (($#)); do
        case $1 in
            --root)
                (($# >= 2)) || die "$EX_USAGE" "--root needs a folder (see --help)"
                root=$2
                shift 2
                ;;
            --root=*)
                root=${1#--root=}
                shift
                ;;
            --dry-run)
                dry_run=1
                shift
                ;;
            --revert)
                revert=1
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
    root=${root%/}
    [[ -f $FRAGMENT ]] || die "$EX_NO_CONFIG" "$FRAGMENT is missing"

    local config='' candidate
    for candidate in "$root/boot/firmware/config.txt" "$root/boot/config.txt"; do
        if [[ -f $candidate ]]; then
            config=$candidate
            break
        fi
    done
    [[ -n $config ]] || die "$EX_NO_CONFIG" "no config.txt: neither $root/boot/firmware/config.txt nor $root/boot/config.txt exists"
    # On Bookworm /boot/config.txt only says the file has moved: editing it does nothing.
    if grep -q 'has moved to /boot/firmware/config.txt' "$config"; then
        die "$EX_NO_CONFIG" "$config says config.txt has moved to /boot/firmware, where there is none: is the boot partition mounted on $root/boot/firmware?"
    fi

    case $(block_state "$config") in
        broken) die "$EX_BROKEN_BLOCK" "$config has a '$BEGIN_MARK' line without its '$END_MARK' (or the reverse, or two blocks): fix it by hand, then run this again" ;;
        absent) if ((revert)); then
            printf '%s has no counter-kiosk block: nothing to revert\n' "$config"
            return 0
        fi ;;
    esac

    local work
    work=$(mktemp -d)
    # Expanded now on purpose: $work is local to main and gone when the trap runs.
    # shellcheck disable=SC2064
    trap "rm -rf -- '$work'" EXIT
    if ((revert)); then
        without_block "$config" >"$work/config.txt"
    else
        with_block "$config" >"$work/config.txt"
        local found conflict
        found=$(conflicts "$config")
        if [[ -n $found ]]; then
            while IFS= read -r conflict; do
                warn "$config $conflict"
            done <<<"$found"
        fi
    fi

    if cmp -s -- "$config" "$work/config.txt"; then
        printf '%s: already up to date\n' "$config"
        return 0
    fi
    if ((dry_run)); then
        diff -u --label "$config" --label "$config (after $PROG)" -- "$config" "$work/config.txt" || true
        printf 'dry run: %s not changed\n' "$config"
        return 0
    fi
    local folder
    folder=$(dirname -- "$config")
    [[ -w $config && -w $folder ]] || die "$EX_NOT_WRITABLE" "$config or its folder is not writable (run it with sudo; is the boot partition mounted read-only?)"
    backup "$config"
    replace "$config" "$work/config.txt"
    if ((revert)); then
        printf 'removed the counter-kiosk block from %s\n' "$config"
    else
        printf 'wrote the counter-kiosk block into %s\n' "$config"
    fi
    printf 'reboot needed\n'
}

main "$@"
