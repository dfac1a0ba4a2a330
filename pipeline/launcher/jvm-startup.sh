# Sourced by kiln launchers (the repository's ./kiln; a distribution's launcher can ship and source
# this file too): picks the Java runtime and the best start-up aid it offers, without forking on
# the common path (each fork+exec costs several ms on a small VM): builtins, globs and file reads.
#
#   kiln_select_java             sets kiln_java (the java binary), kiln_java_home and
#                                kiln_java_feature (e.g. 17, 25; 0 when unknown)
#   kiln_startup_aid JAR DIR     sets kiln_aid_opts (JVM options) and kiln_aid (a description for
#                                'kiln --version'); records the aid into DIR on first use, trained
#                                by dev.kiln.pipeline.cli.StartupTraining
#
# Which runtime: $KILN_JAVA when set; else the JDK under $KILN_PREFERRED_JDK (default
# /usr/lib/jvm/temurin-25-jdk-amd64) when present; else java on PATH.
# Which aid: JDK 24 and later, an AOT cache (-XX:AOTCacheOutput once, then -XX:AOTCache: classes
# loaded and linked ahead, plus method profiles); JDK 13 to 23, a dynamic CDS archive
# (-XX:ArchiveClassesAtExit once, then -XX:SharedArchiveFile); none otherwise. Both are tied to
# the jar and to the runtime: they are recorded again when the jar is newer, and one file per JDK
# feature release is kept. A failed training run only costs speed.

kiln_select_java() {
  kiln_java=""
  kiln_java_home=""
  kiln_java_feature=0
  local preferred="${KILN_PREFERRED_JDK-/usr/lib/jvm/temurin-25-jdk-amd64}"
  if [[ -n "${KILN_JAVA:-}" ]]; then
    kiln_java="$KILN_JAVA"
  elif [[ -n "$preferred" && -x "$preferred/bin/java" ]]; then
    kiln_java="$preferred/bin/java"
  else
    hash java 2>/dev/null || return 1
    kiln_java="${BASH_CMDS[java]}"
  fi
  # The runtime's home: beside bin/java, or the JDK under /usr/lib/jvm whose java this is (the
  # distributions' /usr/bin/java is a chain of symbolic links; -ef follows them).
  if [[ "$kiln_java" == */bin/java && -f "${kiln_java%/bin/java}/release" ]]; then
    kiln_java_home="${kiln_java%/bin/java}"
  else
    local candidate
    for candidate in /usr/lib/jvm/*/; do
      if [[ -f "${candidate}release" && "$kiln_java" -ef "${candidate}bin/java" ]]; then
        kiln_java_home="${candidate%/}"
        break
      fi
    done
  fi
  if [[ -n "$kiln_java_home" ]]; then
    local line version
    while IFS= read -r line; do
      if [[ "$line" == JAVA_VERSION=* ]]; then
        version="${line#JAVA_VERSION=}"
        version="${version//\"/}"
        version="${version#1.}" # 1.8.0 style
        kiln_java_feature="${version%%[.+-]*}"
        [[ "$kiln_java_feature" =~ ^[0-9]+$ ]] || kiln_java_feature=0
        break
      fi
    done <"$kiln_java_home/release"
  fi
  return 0
}

kiln_startup_aid() {
  local jar="$1" dir="$2"
  kiln_aid_opts=()
  kiln_aid="none"
  # The training JVM runs with the options every command shares (the collector must match).
  local train=(-XX:+UseSerialGC -Xss4m -cp "$jar" dev.kiln.pipeline.cli.StartupTraining)
  if ((kiln_java_feature >= 24)); then
    local aot="$dir/kiln-jdk$kiln_java_feature.aot"
    if [[ ! -f "$aot" || "$jar" -nt "$aot" ]]; then
      rm -f "$aot"
      "$kiln_java" -XX:AOTCacheOutput="$aot" -Xlog:aot=off -Xlog:cds=off "${train[@]}" \
        >/dev/null 2>&1 || true
    fi
    if [[ -f "$aot" ]]; then
      # -Xlog ...=off: a cache the JVM cannot use is only slower, never worth a warning line.
      kiln_aid_opts=(-XX:AOTCache="$aot" -Xlog:aot=off -Xlog:cds=off)
      kiln_aid="AOT cache $aot"
    fi
  elif ((kiln_java_feature >= 13 || kiln_java_feature == 0)); then
    local cds="$dir/kiln.jsa"
    ((kiln_java_feature > 0)) && cds="$dir/kiln-jdk$kiln_java_feature.jsa"
    if [[ ! -f "$cds" || "$jar" -nt "$cds" ]]; then
      rm -f "$cds"
      "$kiln_java" -XX:ArchiveClassesAtExit="$cds" -XX:TieredStopAtLevel=1 "${train[@]}" \
        >/dev/null 2>&1 || true
    fi
    if [[ -f "$cds" ]]; then
      kiln_aid_opts=(-XX:SharedArchiveFile="$cds" -Xshare:auto -Xlog:cds=off
        -Xlog:cds+dynamic=off)
      kiln_aid="CDS archive $cds"
    fi
  fi
  kiln_aid_opts+=("-Dkiln.startup.aid=$kiln_aid")
}
