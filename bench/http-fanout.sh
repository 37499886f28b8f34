#!/usr/bin/env bash
# HTTP fan-out benchmark: 20,000 GETs of a small JSON body, at most 64 in flight, over pooled keep-alive
# connections, from a server in another process. Compares PooledHttpClient.fetchAll, raw reactor-netty
# (flatMap(..., 64)) and the JDK HttpClient in one JVM, warmed, then each one cold (a fresh JVM, start included);
# adds wrk -c64 (the ceiling) and the seeds' aiohttp fetch_with_limit when they are installed.
# Usage: bench/http-fanout.sh [requests] [concurrency] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${1:-20000}
CONCURRENCY=${2:-64}
ROUNDS=${3:-5}
JAR=reactor-patterns-benchmarks/target/benchmarks.jar
PKG=io.github.reactorpatterns.benchmarks.http

if [[ ! -f "$JAR" ]]; then
    ./mvnw -B -q -DskipTests package -pl reactor-patterns-benchmarks -am
fi

server_log=$(mktemp)
java -Xmx256m -cp "$JAR" "$PKG.HttpFanoutServer" >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_log"' EXIT
for _ in $(seq 1 100); do
    grep -q '^PORT ' "$server_log" && break
    sleep 0.2
done
port=$(grep '^PORT ' "$server_log" | cut -d' ' -f2)
url="http://127.0.0.1:$port/item"
echo "server (separate JVM, pid $server_pid) at $url"

echo "== warmed, side by side in one JVM"
java -Xmx512m -cp "$JAR" "$PKG.HttpFanout" "$url" "$REQUESTS" "$CONCURRENCY" "$ROUNDS"

echo "== cold: a fresh JVM per client, JVM start included"
for client in pooled raw jdk; do
    TIMEFORMAT="  $client: JVM wall %R s, client CPU %U s user + %S s sys"
    time java -Xmx512m -cp "$JAR" "$PKG.HttpFanout" --cold "$client" "$url" "$REQUESTS" "$CONCURRENCY" | sed "s/^/  /"
done

if command -v wrk >/dev/null 2>&1; then
    echo "== wrk -c$CONCURRENCY (ceiling)"
    wrk -t2 -c"$CONCURRENCY" -d10s "$url"
else
    echo "== wrk not installed (bench/install-peers.sh): no ceiling measured"
fi

python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import aiohttp' >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done
if [[ -n "$python" ]]; then
    echo "== aiohttp fetch_with_limit (the seeds' pattern), $("$python" -c 'import aiohttp; print(aiohttp.__version__)')"
    "$python" - "$url" "$REQUESTS" "$CONCURRENCY" <<'PY'
import asyncio, sys, time
import aiohttp
url, n, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
async def main():
    sem = asyncio.Semaphore(limit)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit)) as session:
        async def fetch(i):
            async with sem:
                async with session.get(f"{url}?i={i}") as r:
                    r.raise_for_status()
                    return await r.read()
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(fetch(i) for i in range(n)), return_exceptions=True)
        wall, used = time.perf_counter() - start, time.process_time() - cpu
        print(f"aiohttp: {n / wall:.0f} req/s, CPU {used * 1000 / (n / 1000):.1f} ms/1k req")
asyncio.run(main())
PY
else
    echo "== python3-aiohttp not installed (bench/install-peers.sh): aiohttp not measured"
fi
