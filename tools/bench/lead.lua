-- wrk script: POST a realistic JSON lead with a unique Idempotency-Key and a unique phone (the same phone on the same
-- form within 10 s would be a double submission, answered 200 without a new event). Counts answers by status so the
-- caller can check every 201 against the log.
local threads = {}
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("tid", thread_number)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  created, replayed, refused, other = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Иван Петров","phone":"+79%d%08d","email":"client%d-%d@example.ru",' ..
    '"comment":"Перезвоните после 18:00, интересует тариф «Бизнес»","form_id":"callback",' ..
    '"page_url":"https://landing.example.ru/promo?utm_source=yandex","utm_source":"yandex",' ..
    '"utm_medium":"cpc","utm_campaign":"autumn_sale"}', tid % 10, counter % 100000000, tid, counter)
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = string.format("bench-%d-%d", tid, counter)}
  return wrk.format("POST", "/api/leads", headers, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then replayed = replayed + 1
  elseif status == 503 or status == 429 then refused = refused + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, r, f, o = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created"); r = r + thread:get("replayed")
    f = f + thread:get("refused"); o = o + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"created":%d,"replayed":%d,"refused":%d,"other":%d,"socket_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, c, r, f, o,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
