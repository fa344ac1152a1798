-- fresh.lua (wrk): a session token never seen before on every request, so
-- every request is a cache miss.  The simulator answers "fault:tag=N@T" as
-- the user of token T; N only makes the token unique.
--
-- wrk shares the machine's cores with what it measures, so the request is
-- formatted once per thread (wrk.format) and only the number is spliced
-- in per request: formatting each request afresh doubled wrk's own CPU
-- per request and showed as a slower program.
local user = os.getenv("RP_BENCH_USER") or "tok-amelie-2f9c61d04b"
local nthreads = 0
local counter = 0
local prefix, suffix

function setup(thread)
	nthreads = nthreads + 1
	thread:set("id", nthreads)
end

function init(args)
	local t = wrk.format(nil, nil, { ["Cookie"] = "rp_token=fault:tag=\0@" .. user })
	prefix, suffix = t:match("^(.-)%z(.*)$")
end

function request()
	counter = counter + 1
	return prefix .. string.format("%d", id * 1000000000 + counter) .. suffix
end
