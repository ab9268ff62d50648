# shellcheck shell=bash
# Sourced by the oracle set-ups (tests/python_compile/oracles/setup.sh,
# tests/differential/alembic_oracles.sh): downloads Debian packages of another suite with a
# private apt state, so nothing is installed on or changed in the system.

# Prints the Debian mirror this machine's apt uses (not its security mirror), else deb.debian.org.
debian_mirror() {
  local f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Says why a download cannot be tried here (and returns 1), or nothing (returns 0).
debian_download_missing() {
  local tool
  for tool in apt-get apt-cache dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (a Debian system)"; return 1; }
  done
  [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
    { echo "/usr/share/keyrings/debian-archive-keyring.gpg is missing (package debian-archive-keyring)"; return 1; }
}

# debian_download STATE "SUITE..." PACKAGE...
# Downloads each PACKAGE (apt's forms: name=version, name/suite) of Debian's SUITEs into STATE/debs,
# with STATE as the whole apt state (emptied first). Returns 0, or 1 after printing the last lines
# of what failed, indented, and the line "failed: <step> of Debian <suites> from <mirror>".
debian_download() {
  local R=$1 suites=$2 uri arch
  shift 2
  uri=$(debian_mirror)
  arch=$(dpkg --print-architecture)
  rm -rf "$R"
  mkdir -p "$R/lists/partial" "$R/cache/archives/partial" "$R/etc" "$R/debs"
  : > "$R/status"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$suites" /usr/share/keyrings/debian-archive-keyring.gpg > "$R/etc/oracle.sources"
  local O=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$R/etc" -o "Dir::State::Lists=$R/lists"
           -o "Dir::Cache=$R/cache" -o "Dir::State::status=$R/status" -o Acquire::Languages=none
           -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "APT::Sandbox::User=$(id -un)"
           -o Acquire::Retries=3)
  # apt-get update exits 0 when a host cannot be reached ("W: Failed to fetch"): look for the indexes.
  if ! apt-get "${O[@]}" update -qq >"$R/update.log" 2>&1 || ! compgen -G "$R/lists/*_Packages*" >/dev/null; then
    sed 's/^/  /' "$R/update.log" | tail -5
    echo "failed: apt-get update of Debian $suites from $uri"
    return 1
  fi
  if ! (cd "$R/debs" && apt-get "${O[@]}" download "$@" >"$R/download.log" 2>&1); then
    sed 's/^/  /' "$R/download.log" | tail -5
    local names=("${@%%[=/]*}")
    { apt-cache "${O[@]}" policy "${names[@]}" 2>/dev/null || true; } | sed 's/^/  /' | head -20
    echo "failed: apt-get download of $* from Debian $suites at $uri (a suite may have moved on: see the versions above)"
    return 1
  fi
}
