# Sourced by bin/local and bin/test: exports JAVA_HOME pointing at a JDK 21 or newer, and sets
# JDK_LINE, the line that says which JDK is used (and why not JAVA_HOME, when it is not that one).
# Lambda runs java21; the build compiles with --release 21, so any JDK >= 21 works.

jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local major
  major=$(jdk_major "$1")
  [ -n "$major" ] && [ "$major" -ge 21 ]
}

# Why a folder is not a usable JDK, in a few words.
jdk_problem() {
  if [ ! -x "$1/bin/java" ]; then
    echo "no bin/java there"
  elif [ ! -x "$1/bin/javac" ]; then
    echo "a JRE without javac"
  else
    local major
    major=$(jdk_major "$1")
    echo "JDK ${major:-of unknown version}, older than 21"
  fi
}

find_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && jdk_ok "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if jdk_ok "$candidate"; then echo "$candidate"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
                   "$HOME"/.sdkman/candidates/java/* /opt/java/* /opt/jdk*; do
    if [ -d "$candidate" ] && jdk_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

requested_java_home=${JAVA_HOME:-}
if ! JAVA_HOME=$(find_jdk); then
  echo "error: no JDK 21 or newer found (JAVA_HOME, the javac on PATH and the usual install folders were checked)." >&2
  if [ -n "$requested_java_home" ]; then
    echo "       JAVA_HOME=$requested_java_home: $(jdk_problem "$requested_java_home")." >&2
  fi
  echo "       Install one (e.g. Temurin 21) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
JDK_LINE="Using JDK $(jdk_major "$JAVA_HOME") at $JAVA_HOME"
if [ -n "$requested_java_home" ] && [ "$requested_java_home" != "$JAVA_HOME" ]; then
  # Said on the same line: a JAVA_HOME that is passed over must never be passed over silently.
  JDK_LINE="$JDK_LINE, not JAVA_HOME=$requested_java_home ($(jdk_problem "$requested_java_home"))"
fi
unset requested_java_home
if ! command -v mvn >/dev/null 2>&1; then
  echo "error: Maven (mvn) is not on PATH; install Apache Maven 3.8 or newer." >&2
  exit 1
fi
