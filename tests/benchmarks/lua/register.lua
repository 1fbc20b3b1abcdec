-- Registration with CSRF on: each wrk thread (one connection) fetches the form, takes the
-- session cookie, csrf_token and one-time nonce from it, and posts a new person. Only the
-- POSTs are timed; a 303 to the thanks page counts as a success.
dofile("report.lua")
local forms = dofile("forms.lua")

local label = os.getenv("BENCH_LABEL") or "bench"
successes = 0
unexpected = 0
timed = {}
unanswered = 0 -- 1 while a POST is on its way (when the run stops, its answer is not counted)

local form = nil -- { cookie, csrf, nonce } from the last GET
local posting = false
local started = 0
local count = 0

function request()
  started = forms.now_us()
  if form == nil then
    posting = false
    return wrk.format("GET", "/register")
  end
  posting = true
  unanswered = 1
  count = count + 1
  local body = forms.encode({
    { "csrf_token", form.csrf },
    { "nonce", form.nonce },
    { "website", "" },
    { "name", "Bench Person " .. id .. "-" .. count },
    { "email", string.format("%s-%d-%d@example.org", label, id, count) },
    { "affiliation", "Load Test Lab" },
    { "position", "industry" },
    { "dietary", "" },
    { "accessibility", "" },
    { "consent", "y" },
  })
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = form.cookie,
  }
  form = nil
  return wrk.format("POST", "/register", headers, body)
end

function response(status, headers, body)
  local elapsed = forms.now_us() - started
  if posting then
    unanswered = 0
    timed[#timed + 1] = elapsed
    if forms.redirects_to(status, headers, "/register/thanks") then
      successes = successes + 1
    else
      unexpected = unexpected + 1
    end
    return
  end
  local cookie = forms.session_cookie(headers)
  local csrf = forms.hidden(body, "csrf_token")
  local nonce = forms.hidden(body, "nonce")
  if status == 200 and cookie and csrf and nonce then
    form = { cookie = cookie, csrf = csrf, nonce = nonce }
  else
    unexpected = unexpected + 1
  end
end
