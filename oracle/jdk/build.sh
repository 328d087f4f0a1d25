#!/usr/bin/env bash
# Compiles hoplab's JDK oracle into OUT_DIR and prints the class path to run it with:
#   java -cp "$(oracle/jdk/build.sh OUT_DIR)" hoplab.oracle.Oracle version
# Needs javac 17 and Debian's libhttpclient-java and libhttpasyncclient-java (JARS_DIR,
# default /usr/share/java).
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
jars=${JARS_DIR:-/usr/share/java}
src="$(cd "$(dirname "$0")" && pwd)/src"
cp=""
for jar in httpclient httpcore httpasyncclient httpcore-nio commons-logging commons-codec; do
    if [ ! -f "$jars/$jar.jar" ]; then
        echo "build.sh: $jars/$jar.jar is missing (apt-get install libhttpclient-java libhttpasyncclient-java)" >&2
        exit 3
    fi
    cp="$cp${cp:+:}$jars/$jar.jar"
done
mkdir -p "$out/classes"
javac -nowarn -encoding UTF-8 --release 17 -cp "$cp" -d "$out/classes" "$src"/hoplab/oracle/*.java >&2
echo "$out/classes:$cp"
