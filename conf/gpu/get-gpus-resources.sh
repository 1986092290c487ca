#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs this executor may use in the JSON Spark expects,
#   {"name": "gpu", "addresses": ["0", "1", ...]}
# Use with: --conf spark.executor.resource.gpu.discoveryScript=conf/gpu/get-gpus-resources.sh
# (on YARN and Kubernetes also ship it: --files conf/gpu/get-gpus-resources.sh, then name it ./get-gpus-resources.sh).
# CUDA_VISIBLE_DEVICES, when set by a container runtime, limits the GPUs to those it names.
set -euo pipefail
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  ids=$(tr ',' '\n' <<<"$CUDA_VISIBLE_DEVICES" | sed 's/^ *//;s/ *$//' | grep -v '^$' | nl -v0 -w1 -s' ' | cut -d' ' -f1)
else
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
addresses=$(sed 's/.*/"&"/' <<<"$ids" | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
