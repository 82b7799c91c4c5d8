#!/usr/bin/env bash
# Spark (the `spark` target, its tests and benchmarks) runs on Java 17 or newer. Use $JAVA_HOME's or
# the `java` on PATH when it is new enough; otherwise, as root on Debian, install Debian's
# openjdk-17-jre-headless; otherwise say what to install and fail (the Spark tests never skip).
set -euo pipefail
say() { echo "[java] $*" >&2; }
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/java}
java_bin=${java_bin:-$(command -v java || true)}
major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if [ -n "$java_bin" ] && [ -x "$java_bin" ] && [ "$(major "$java_bin")" -ge 17 ] 2>/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Java 17 is missing: installing openjdk-17-jre-headless from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    say "ready: $(java -version 2>&1 | head -1)"
else
    say "Spark needs Java 17 or newer (found: ${java_bin:-none})."
    say "Install openjdk-17-jre-headless (Debian) or point JAVA_HOME at a Java 17+ runtime, then re-run."
    exit 1
fi
