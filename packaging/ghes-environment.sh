#!/bin/sh
# Builds a GitHub Enterprise Server pre-receive hook environment around the static binary:
# a gzipped tarball of a tiny root filesystem that GHES unpacks and chroots into to run
# pre-receive hooks (Site admin -> Hooks -> Manage environments -> Add environment, or
# `ghe-hook-env-create` on the appliance).
#
#   packaging/ghes-environment.sh [STATIC_BINARY] [OUT.tar.gz]
#     STATIC_BINARY  default build-static/alembic-guard (./install.sh --static builds it)
#     OUT.tar.gz     default build-static/alembic-guard-ghes-env.tar.gz
#
# Contents:  /usr/bin/alembic-guard  the static binary (stripped), nothing else needed
#            /bin/sh                 Debian's static busybox (busybox-static): GHES runs the
#                                    hook script from the hook repository with the environment's
#                                    shell; env, cat, ... are busybox applets
#            /tmp, /etc/passwd       a writable /tmp and a passwd line for uid 500 (GHES runs
#                                    hooks as an unprivileged user)
# and the hook script for the hook repository is written next to the tarball
# (alembic-guard-pre-receive.sh). Reproducible: fixed owners, modes and times.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build-static/alembic-guard}
out=${2:-build-static/alembic-guard-ghes-env.tar.gz}
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$bin" ] || { echo "ghes-environment.sh: no static binary at $bin (./install.sh --static)" >&2; exit 1; }
file "$bin" | grep -q 'statically linked' || { echo "ghes-environment.sh: $bin is not statically linked" >&2; exit 1; }
[ -x "$busybox" ] && file "$busybox" | grep -q 'statically linked' ||
  { echo "ghes-environment.sh: no static busybox at $busybox (apt-get install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/bin" "$root/usr/bin" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
strip -o "$root/usr/bin/alembic-guard" "$bin"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat env ls echo printf test true false; do ln -s busybox "$root/bin/$applet"; done
printf 'root:x:0:0:root:/:/bin/sh\ngit:x:500:500:git:/tmp:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\ngit:x:500:\n' > "$root/etc/group"
version=$("$root/usr/bin/alembic-guard" --version)
printf '%s\n' "$version" > "$root/etc/alembic-guard-version"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C "$root" -cf - . | gzip -9n > "$out"

hook="$(dirname "$out")/alembic-guard-pre-receive.sh"
cat > "$hook" <<'HOOK'
#!/bin/sh
# GitHub Enterprise pre-receive hook: runs in the alembic-guard environment.
exec /usr/bin/alembic-guard pre-receive
HOOK
chmod 0755 "$hook"
echo "ghes-environment.sh: wrote $out ($version, $(wc -c < "$out") bytes) and $hook"
