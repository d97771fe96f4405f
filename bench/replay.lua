-- wrk script: replays raw requests from a file (one per line, CRLF written as TAB).
-- One line: the request is parsed into wrk.method/path/headers/body at load time, so wrk sends it
-- from its prebuilt buffer exactly as it does for a plain URL (no Lua per request: the load
-- generator costs the same as for the hello-world ceiling). Many lines: thread i of N sends lines
-- i, i+N, i+2N... once each through request(), then repeats its last one.
-- usage: wrk -t N ... -s bench/replay.lua URL -- FILE N
local next_id = 0
local counter = 0

local function read_lines(path)
  local all = {}
  for line in io.lines(path) do table.insert(all, line) end
  return all
end

-- wrk passes the script arguments only to init(); the single-request fast path needs the file at
-- load time, so it is also given by the environment variable NIMBUS_BENCH_REQUEST.
local single = os.getenv("NIMBUS_BENCH_REQUEST")
if single ~= nil and single ~= "" then
  local line = read_lines(single)[1]
  local head, body = line:match("^(.-)\t\t(.*)$")
  local first = true
  for field in head:gmatch("[^\t]+") do
    if first then
      local method, path = field:match("^(%S+) (%S+)")
      wrk.method = method
      wrk.path = path
      first = false
    else
      local name, value = field:match("^([^:]+): (.*)$")
      if name:lower() ~= "content-length" then wrk.headers[name] = value end
    end
  end
  if body ~= nil and body ~= "" then wrk.body = body end
else
  setup = function(thread)
    thread:set("thread_id", next_id)
    next_id = next_id + 1
  end

  init = function(args)
    local nthreads = tonumber(args[2]) or 1
    requests = {}
    local all = read_lines(args[1])
    for i = thread_id + 1, #all, nthreads do
      table.insert(requests, (all[i]:gsub("\t", "\r\n")))
    end
  end

  request = function()
    counter = counter + 1
    if counter > #requests then counter = #requests end
    return requests[counter]
  end
end
