#!/bin/sh
# Interleaved rounds, each in a fresh process: ours, tinypool child_process, Python.
cd "$(dirname "$0")"
for r in 1 2 3 4 5; do
  echo "w1 ours $(node w.mjs ours w1) tinypool $(node w.mjs tinypool w1) python $(python3 w.py w1)"
  echo "w4 ours $(node w.mjs ours w4) python $(python3 w.py w4)"
done
