-- Abstract submission with CSRF on: each wrk thread (one connection) fetches /submit, takes
-- the session cookie, csrf_token and form_nonce, and posts the multipart body the runner
-- wrote (a real 2-page PDF) with those filled in. Only the POSTs are timed; a 303 to the
-- receipt page counts as a success.
dofile("report.lua")
local forms = dofile("forms.lua")

local label = os.getenv("BENCH_LABEL") or "bench"
local boundary = os.getenv("BENCH_BOUNDARY")
local template_file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local template = template_file:read("*a")
template_file:close()

successes = 0
unexpected = 0
timed = {}
unanswered = 0 -- 1 while a POST is on its way (when the run stops, its answer is not counted)

local form = nil
local posting = false
local started = 0
local count = 0

-- Plain-text replacement: the template holds binary PDF data, so no Lua patterns in values.
local function fill(text, placeholder, value)
  local at = text:find(placeholder, 1, true)
  assert(at, "placeholder missing: " .. placeholder)
  return text:sub(1, at - 1) .. value .. text:sub(at + #placeholder)
end

function request()
  started = forms.now_us()
  if form == nil then
    posting = false
    return wrk.format("GET", "/submit")
  end
  posting = true
  unanswered = 1
  count = count + 1
  local body = fill(template, "@@CSRF@@", form.csrf)
  body = fill(body, "@@NONCE@@", form.nonce)
  body = fill(body, "@@EMAIL@@", string.format("%s-%d-%d@example.org", label, id, count))
  body = fill(body, "@@NUMBER@@", id .. "-" .. count)
  local headers = {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Cookie"] = form.cookie,
  }
  form = nil
  return wrk.format("POST", "/submit", headers, body)
end

function response(status, headers, body)
  local elapsed = forms.now_us() - started
  if posting then
    unanswered = 0
    timed[#timed + 1] = elapsed
    if forms.redirects_to(status, headers, "/submit/thanks") then
      successes = successes + 1
    else
      unexpected = unexpected + 1
    end
    return
  end
  local cookie = forms.session_cookie(headers)
  local csrf = forms.hidden(body, "csrf_token")
  local nonce = forms.hidden(body, "form_nonce")
  if status == 200 and cookie and csrf and nonce then
    form = { cookie = cookie, csrf = csrf, nonce = nonce }
  else
    unexpected = unexpected + 1
  end
end
