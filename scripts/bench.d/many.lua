-- Each request from a random entry of the Lua table in BENCH_REQUESTS: {path=, auth=, body=} (POST).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local entries = dofile(os.getenv("BENCH_REQUESTS"))
math.randomseed(os.time())
request = function()
    local entry = entries[math.random(#entries)]
    return wrk.format("POST", entry.path, {["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = entry.auth}, entry.body)
end
