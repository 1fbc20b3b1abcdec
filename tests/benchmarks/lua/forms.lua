-- Helpers for the form cases (register.lua, submit.lua): a browser's round trip with one
-- connection per wrk thread, so request() and response() alternate strictly and the time
-- between them is the latency of that one request.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } fastpath_timespec;
int clock_gettime(int clock_id, fastpath_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("fastpath_timespec")

local forms = {}

function forms.now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

-- The value of a hidden input as Flask-WTF renders it: name="..." type="hidden" value="...".
function forms.hidden(body, name)
  return body:match('name="' .. name .. '" type="hidden" value="([^"]*)"')
end

-- "session=...": the cookie part of a Set-Cookie header, or nil.
function forms.session_cookie(headers)
  local header = headers["Set-Cookie"] or headers["set-cookie"]
  return header and header:match("^(session=[^;]*)")
end

function forms.urlencode(value)
  return (tostring(value):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function forms.encode(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = forms.urlencode(pair[1]) .. "=" .. forms.urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- A redirect to `path` (absolute or relative Location).
function forms.redirects_to(status, headers, path)
  local location = headers["Location"] or headers["location"] or ""
  return (status == 302 or status == 303) and location:sub(-#path) == path
end

return forms
