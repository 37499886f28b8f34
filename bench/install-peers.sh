#!/usr/bin/env bash
# Installs the peers that bench/http-fanout.sh compares against, from Debian's packages: wrk (the ceiling) and
# python3-aiohttp (the seeds' fetch_with_limit). Needs root (or sudo). Not needed for the build or the tests.
set -euo pipefail
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq wrk python3-aiohttp
