-- wrk script: every request sends the next of the session cookies in env BENCH_COOKIES
-- (comma-separated), so concurrent clients are different logged-in sessions.
local cookies = {}
for cookie in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^,]+") do
  table.insert(cookies, cookie)
end
local counter = 0
local threads_made = 0

function setup(thread)
  thread:set("offset", threads_made * 7)
  threads_made = threads_made + 1
end

function init(args)
  counter = offset or 0
end

request = function()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = "sessionid=" .. cookies[(counter % #cookies) + 1]
  end
  return wrk.format("GET", nil, headers)
end
