#!/usr/bin/env bash
# Starts one data-parallel run as two ranks on this machine (docs/DISTRIBUTED.md), the way torchrun would but
# without Python: RANK / LOCAL_RANK 0 and 1, WORLD_SIZE 2, MASTER_ADDR 127.0.0.1, MASTER_PORT PORT. Rank 0's
# stdout goes to OUT0, rank 1's to OUT1; both stderr to this script's. Exits non-zero when either rank failed.
#   bench/gpu/two_ranks.sh OUT0 OUT1 PORT CLI ARGS...
set -uo pipefail
OUT0="$1" OUT1="$2" PORT="$3"
shift 3
export WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT="$PORT"
RANK=1 LOCAL_RANK=1 "$@" >"$OUT1" &
pid1=$!
RANK=0 LOCAL_RANK=0 "$@" >"$OUT0"
rc0=$?
wait "$pid1"
rc1=$?
echo "two_ranks: rank 0 exit $rc0, rank 1 exit $rc1" >&2
[ "$rc0" = 0 ] && [ "$rc1" = 0 ]
