-- wrk script for test_soak.py: reads, logins and posts against the blog example.
--
-- Arguments (after "--"): an anonymous session cookie and its CSRF token, a logged-in
-- session cookie and its token, the username and the password. Sessions are signed
-- cookies, so these pairs stay valid however often they are replayed. Every response
-- is counted by status class; done() prints the totals on lines starting "SOAK".

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local anon_cookie, anon_token, user_cookie, user_token, username, password =
    args[1], args[2], args[3], args[4], args[5], args[6]
  counts = { 0, 0, 0, 0, 0, 0 } -- 1xx .. 5xx, then anything else
  sent = 0
  posts = 0
  anon = { Cookie = "session=" .. anon_cookie }
  user = { Cookie = "session=" .. user_cookie }
  user_post = {
    Cookie = "session=" .. user_cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  post_prefix = "csrf_token=" .. user_token .. "&body=Written+under+load.&title=soak+"
  reads = {
    wrk.format("GET", "/", anon),
    wrk.format("GET", "/", user),
    wrk.format("GET", "/auth/login", anon),
    wrk.format("GET", "/create", user),
    wrk.format("GET", "/static/style.css"),
  }
  login = wrk.format("POST", "/auth/login", {
    Cookie = "session=" .. anon_cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. anon_token .. "&username=" .. username .. "&password=" .. password)
end

function request()
  sent = sent + 1
  local slot = sent % 100
  if slot == 0 or slot == 50 then -- 2% logins (a password hash each: costly)
    return login
  elseif slot == 25 or slot == 75 then -- 2% new posts
    posts = posts + 1
    local title = thread_number .. "-" .. posts
    return wrk.format("POST", "/create", user_post, post_prefix .. title)
  end
  return reads[sent % #reads + 1]
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class < 1 or class > 5 then
    class = 6
  end
  counts[class] = counts[class] + 1
end

function done(summary, latency, requests)
  local totals = { 0, 0, 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    local counted = thread:get("counts")
    for i = 1, 6 do
      totals[i] = totals[i] + counted[i]
    end
  end
  local errors = summary.errors
  io.write(string.format("SOAK requests=%d duration_us=%d bytes=%d\n",
    summary.requests, summary.duration, summary.bytes))
  io.write(string.format("SOAK status 1xx=%d 2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d\n",
    totals[1], totals[2], totals[3], totals[4], totals[5], totals[6]))
  io.write(string.format("SOAK errors connect=%d read=%d write=%d status=%d timeout=%d\n",
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  io.write(string.format("SOAK latency_us p50=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(99), latency.max))
end
