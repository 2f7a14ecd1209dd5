#!/usr/bin/env bash
# The steps of the sigcheck GitHub Action (action.yml), kept here so they can be run and tested
# without GitHub: `action.sh install` and `action.sh run`.
#
# Inputs come as environment variables, as action.yml passes them:
#   SIGCHECK_ACTION_PATH  the action's own checkout (install: sigcheck is installed from it)
#   SIGCHECK_VENV         where install puts the virtual environment (default: $RUNNER_TEMP/sigcheck-venv)
#   SIGCHECK_PATHS        what to check, whitespace-separated (default: .)
#   SIGCHECK_BASE         the revision to compare with (default: the pull request's base commit, read
#                         from $GITHUB_EVENT_PATH; none outside a pull request)
#   SIGCHECK_CHANGED_ONLY "true": report only findings in files that differ from the base
#   SIGCHECK_SARIF        the SARIF file to write (default: sigcheck.sarif)
#   SIGCHECK_ANNOTATE     "true": also print GitHub annotations (::error file=…) for the diff
#   SIGCHECK_FAIL_ON      error | warning | note | never (default: error)
#   SIGCHECK_ARGS         further arguments for `sigcheck check` (whitespace-separated)
#   SIGCHECK_BIN          the sigcheck command to run (default: the one install put in SIGCHECK_VENV)
# `run` writes exit-code and sarif-file to $GITHUB_OUTPUT (when set) and exits 0 unless sigcheck
# could not run (exit 2): the action fails in its last step, after the SARIF is uploaded.
set -euo pipefail

venv="${SIGCHECK_VENV:-${RUNNER_TEMP:-/tmp}/sigcheck-venv}"

install() {
    local src="${SIGCHECK_ACTION_PATH:?set it to the checkout of the action}"
    local python="${SIGCHECK_PYTHON:-python3}"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$src"
    "$venv/bin/sigcheck" --version
}

pr_base() {
    # The pull request's base commit from the event payload (pull_request / pull_request_target).
    local event="${GITHUB_EVENT_PATH:-}"
    [ -n "$event" ] && [ -f "$event" ] || return 0
    python3 - "$event" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as handle:
    event = json.load(handle)
print(((event.get("pull_request") or {}).get("base") or {}).get("sha") or "")
PY
}

run() {
    local bin="${SIGCHECK_BIN:-$venv/bin/sigcheck}"
    local base="${SIGCHECK_BASE:-}"
    [ -n "$base" ] || base="$(pr_base)"
    local sarif="${SIGCHECK_SARIF:-sigcheck.sarif}"
    local -a paths args
    read -r -a paths <<< "${SIGCHECK_PATHS:-.}"
    [ "${#paths[@]}" -gt 0 ] || paths=(.)
    read -r -a args <<< "${SIGCHECK_ARGS:-}"
    args+=(--fail-on "${SIGCHECK_FAIL_ON:-error}")
    if [ -n "$base" ]; then
        # A shallow checkout (actions/checkout's default depth 1) lacks the base commit.
        if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
            git fetch --no-tags --quiet --depth=1 origin "$base" || true
        fi
        args+=(--base "$base")
        [ "${SIGCHECK_CHANGED_ONLY:-false}" = "true" ] && args+=(--changed-only)
    elif [ "${SIGCHECK_CHANGED_ONLY:-false}" = "true" ]; then
        echo "sigcheck: no base revision (not a pull request, and no 'base' input): checking every file" >&2
    fi
    mkdir -p "$(dirname -- "$sarif")"
    local code=0
    "$bin" check --format sarif --output "$sarif" "${args[@]}" -- "${paths[@]}" || code=$?
    if [ "$code" -ne 2 ] && [ "${SIGCHECK_ANNOTATE:-true}" = "true" ]; then
        "$bin" check --format github "${args[@]}" -- "${paths[@]}" || true
    fi
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        { echo "exit-code=$code"; echo "sarif-file=$sarif"; } >> "$GITHUB_OUTPUT"
    fi
    echo "sigcheck exited $code; SARIF in $sarif"
    [ "$code" -ne 2 ] || exit 2
}

case "${1:-}" in
    install) install ;;
    run) run ;;
    *) echo "usage: $0 install|run" >&2; exit 2 ;;
esac
