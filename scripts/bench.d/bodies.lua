-- POST each line of BENCH_BODIES once, in order (BENCH_WARMUP_BODIES during the warm-up): single-use
-- grants (authorization codes, refresh tokens) seeded before the run. BENCH_AUTH: an Authorization header.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local bodies = {}
local index = 0
local file = os.getenv("BENCH_BODIES")
if os.getenv("BENCH_PHASE") == "warmup" then file = os.getenv("BENCH_WARMUP_BODIES") end
for line in io.lines(file) do bodies[#bodies + 1] = line end
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = os.getenv("BENCH_AUTH")}
request = function()
  index = index + 1
  if index > #bodies then index = 1 end
  return wrk.format("POST", nil, headers, bodies[index])
end
