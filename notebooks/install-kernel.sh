#!/usr/bin/env bash
# Installs the Jupyter kernel the Java notebooks run on: rapaio-jupyter-kernel (from Maven Central,
# copied to job/target/jupyter/ by the build) on this JDK, with the JVM flags Spark and DJL need.
#   mvn -B -q -DskipTests package && notebooks/install-kernel.sh && jupyter notebook notebooks/
# The kernel spec goes to ${JUPYTER_DATA_DIR:-~/.local/share/jupyter}/kernels/latent-decode-java.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kernel_jar="$root/job/target/jupyter/rapaio-jupyter-kernel.jar"
if [[ ! -f "$kernel_jar" ]]; then
  echo "install-kernel.sh: $kernel_jar is missing; build first: mvn -B -q -DskipTests package" >&2
  exit 2
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
dir="${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/latent-decode-java"
mkdir -p "$dir"
opens=(java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util
  java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs
  sun.security.action sun.util.calendar)
args=("\"$java_bin\"" '"-XX:+IgnoreUnrecognizedVMOptions"' '"-Xmx3g"')
for p in "${opens[@]}"; do args+=("\"--add-opens=java.base/$p=ALL-UNNAMED\""); done
args+=('"--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED"'
  '"-Dio.netty.tryReflectionSetAccessible=true"' '"-Djava.awt.headless=true"'
  '"-Dai.djl.offline=true"' '"-DOPT_OUT_TRACKING=true"' '"-Dai.djl.pytorch.num_interop_threads=1"'
  '"-jar"' "\"$kernel_jar\"" '"{connection_file}"')
argv=$(IFS=,; echo "${args[*]}")
cat > "$dir/kernel.json" <<JSON
{
  "argv": [$argv],
  "display_name": "Java (latent-decode)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {"SPARK_LOCAL_IP": "127.0.0.1", "LATENT_DECODE_HOME": "$root"}
}
JSON
echo "Installed the latent-decode-java kernel in $dir"
