-- wrk script: replays raw requests from a file (one per line, CRLF written as TAB).
-- One line: every request repeats it. Many lines: thread i of N sends lines i, i+N, i+2N...
-- once each, then repeats its last one (so generate enough lines for creates).
-- usage: wrk -t N ... -s bench/replay.lua URL -- FILE N
local next_id = 0
local counter = 0

setup = function(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

init = function(args)
  local nthreads = tonumber(args[2]) or 1
  requests = {}
  local all = {}
  for line in io.lines(args[1]) do table.insert(all, line) end
  if #all == 1 then
    requests[1] = all[1]:gsub("\t", "\r\n")
    return
  end
  for i = thread_id + 1, #all, nthreads do
    table.insert(requests, (all[i]:gsub("\t", "\r\n")))
  end
end

request = function()
  counter = counter + 1
  if counter > #requests then counter = #requests end
  return requests[counter]
end
