-- POST a token request with a fresh client assertion each time (assertions are single use), taken in
-- order from BENCH_ASSERTIONS (one JWT per line, BENCH_WARMUP_ASSERTIONS during the warm-up), generated
-- before the run.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local bodies = {}
local index = 0
local file = os.getenv("BENCH_ASSERTIONS")
if os.getenv("BENCH_PHASE") == "warmup" then file = os.getenv("BENCH_WARMUP_ASSERTIONS") end
for line in io.lines(file) do
  bodies[#bodies + 1] = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" .. line
end
request = function()
  index = index + 1
  if index > #bodies then index = 1 end
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[index])
end
