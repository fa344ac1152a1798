-- fresh.lua (wrk): a session token never seen before on every request, so
-- every request is a cache miss.  The simulator answers "fault:tag=N@T" as
-- the user of token T; N only makes the token unique.
local user = os.getenv("RP_BENCH_USER") or "tok-amelie-2f9c61d04b"
local nthreads = 0
local counter = 0

function setup(thread)
	nthreads = nthreads + 1
	thread:set("id", nthreads)
end

function request()
	counter = counter + 1
	local tag = id * 1000000000 + counter
	return wrk.format(nil, nil, { ["Cookie"] = "rp_token=fault:tag=" .. tag .. "@" .. user })
end
