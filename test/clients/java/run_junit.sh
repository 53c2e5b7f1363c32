#!/bin/sh
# run_junit.sh TEST_CLASS...: compiles the generated Java client
# ($ALDER_GEN_DIR/java), the example client (ALDER_EXAMPLES_DIR/java) and the
# tests beside this script into a fresh directory under $TMPDIR (never the
# source tree), then runs TEST_CLASS... with JUnit 4. Exits with JUnit's
# status. Meant to run under alder_with_cluster (see CMakeLists.txt here).
set -eu

: "${ALDER_GEN_DIR:?ALDER_GEN_DIR is not set (the build's thrift/gen)}"
: "${ALDER_EXAMPLES_DIR:?ALDER_EXAMPLES_DIR is not set (the source tree's thrift/examples)}"
jars=${ALDER_JAVA_JARS:-/usr/share/java}
classpath=$jars/thrift.jar:$jars/geronimo-annotation-1.3-spec.jar:$jars/slf4j-api.jar:$jars/slf4j-nop.jar
classpath=$classpath:$jars/junit4.jar:$jars/hamcrest.jar
here=$(cd "$(dirname "$0")" && pwd)

classes=$(mktemp -d "${TMPDIR:-/tmp}/alder-java-test.XXXXXX")
trap 'rm -rf "$classes"' EXIT

# -encoding UTF-8: the sources hold non-ASCII keys, and the default charset
# may be ASCII. Generated code is not ours to lint; the rest is, strictly
# (-path: Debian jars name missing jars in their manifests' Class-Path).
javac -encoding UTF-8 -nowarn -cp "$classpath" -d "$classes" "$ALDER_GEN_DIR"/java/org/alderdb/api/*.java
javac -encoding UTF-8 -Xlint:all,-path -Werror -cp "$classes:$classpath" -d "$classes" \
  "$ALDER_EXAMPLES_DIR"/java/*.java "$here"/*.java

status=0
java -cp "$classes:$classpath" org.junit.runner.JUnitCore "$@" || status=$?
exit $status
