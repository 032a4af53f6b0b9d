-- wrk script for scripts/load-test.sh: POSTs the body in $BODY_FILE with
-- the auth headers from the environment, counts answers by status, and
-- prints one RESULT line with percentiles and the status counts.
local threads = {}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local body_file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = body_file:read("*a")
body_file:close()
if os.getenv("WITH_AUTH") == "1" then
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCESS_TOKEN")
    wrk.headers["X-Tenant-Token"] = os.getenv("TENANT_TOKEN")
end

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
            counts[status] = (counts[status] or 0) + n
        end
    end
    local parts = {}
    for status, n in pairs(counts) do
        table.insert(parts, status .. ":" .. n)
    end
    table.sort(parts)
    io.write(string.format(
        "RESULT requests=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f socket_errors=%d statuses=%s\n",
        summary.requests,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000,
        latency:percentile(95) / 1000,
        latency:percentile(99) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        table.concat(parts, ",")))
end
