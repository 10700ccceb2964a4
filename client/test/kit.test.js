'use strict'
// Unit level over real HTTP: the kit, a wx stand-in doing real requests, and a scripted server
// speaking the API's contract. Time is an injected clock; nothing sleeps (Retry-After waits go
// through an injected sleep that advances the clock).
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { createClient, ERR_CODES } = require('..')
const { startApi } = require('./support/api')
const { createWx } = require('./support/wx')

const HOUR = 3600 * 1000

// Nothing the kit does may print: no token, refresh token or code can leak through the console.
const printed = []
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace']
const originals = {}
before(() => {
  for (const m of consoleMethods) {
    originals[m] = console[m]
    console[m] = (...args) => printed.push(args)
  }
})
after(() => {
  for (const m of consoleMethods) console[m] = originals[m]
  assert.deepEqual(printed, [], 'the kit printed something')
})

function clockAt (t) {
  const now = () => t
  now.advance = ms => { t += ms }
  now.set = v => { t = v }
  return now
}

async function setup (t, { build = 'app', timeout = 2000, start = Date.UTC(2026, 0, 1), storage } = {}) {
  const api = await startApi()
  t.after(() => api.close())
  const wx = await createWx({ build, storage })
  const now = clockAt(start)
  const slept = []
  const sleep = async ms => { slept.push(ms); now.advance(ms) }
  const make = (extra) => createClient(Object.assign({ baseUrl: api.url, wx, now, sleep, timeout, build }, extra))
  const client = make()
  const events = []
  client.onSessionChange(e => events.push(e))
  return { api, wx, now, slept, client, events, make }
}

function storedSession (wx, api) {
  const value = wx.getStorageSync('wxlogin.session:' + api.url)
  return value === '' ? null : value
}

async function failure (promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  assert.fail('expected a failure')
}

function assertShape (err, prefix) {
  assert.equal(typeof err.errCode, 'number')
  assert.notEqual(err.errCode, 0)
  assert.ok(err.errMsg.startsWith(prefix), err.errMsg)
}

// ---- login ----

test('app build: login() uses wx.weixinAppLogin, posts the code alone and stores the session with its refresh token', async t => {
  const { api, wx, client, events, now } = await setup(t)
  const session = await client.login()
  assert.deepEqual(api.requests.map(r => r.path), ['/login'])
  assert.deepEqual(api.requests[0].body, { code: wx.codesIssued[0] })
  assert.match(wx.codesIssued[0], /^weixinApp\./)
  assert.deepEqual(session, { userId: 'user-weixinApp', openid: 'o-user-weixinApp', unionid: null, loginType: 'weixinApp', expiresAt: now() + 3600 * 1000 })
  assert.deepEqual(client.getSession(), session)
  const stored = storedSession(wx, api)
  assert.ok(stored.refreshToken.startsWith('rt'))
  assert.equal(stored.token, api.requests.length && [...api.access.keys()][0])
  assert.deepEqual(events, [{ type: 'signedIn', session }])
})

test('mini-program build: login() uses wx.login with codeType miniProgram; getMiniProgramCode too; other wx.*Login send identity codes', async t => {
  const mp = await setup(t, { build: 'miniProgram' })
  await mp.client.login()
  assert.deepEqual(mp.api.requests[0].body, { code: mp.wx.codesIssued[0], codeType: 'miniProgram' })
  assert.match(mp.wx.codesIssued[0], /^miniProgram\./)

  const app = await setup(t)
  await app.client.login({ method: 'getMiniProgramCode' })
  await app.client.login({ method: 'weixinMiniProgramLogin' })
  await app.client.login({ method: 'appleLogin' })
  assert.deepEqual(app.api.requests.map(r => r.body), [
    { code: app.wx.codesIssued[0], codeType: 'miniProgram' },
    { code: app.wx.codesIssued[1] },
    { code: app.wx.codesIssued[2] },
  ])
  await app.client.login({ code: 'phoneOneClick.button1' })
  assert.deepEqual(app.api.requests[3].body, { code: 'phoneOneClick.button1' })
})

test('build is detected from wx.miniapp, which only the app build has', async t => {
  const { api } = await setup(t)
  const appWx = await createWx({ build: 'app' })
  const mpWx = await createWx({ build: 'miniProgram' })
  assert.equal(createClient({ baseUrl: api.url, wx: appWx }).build, 'app')
  assert.equal(createClient({ baseUrl: api.url, wx: mpWx }).build, 'miniProgram')
  assert.throws(() => createClient({ baseUrl: 'not a url', wx: appWx }), TypeError)
  assert.throws(() => createClient({ baseUrl: api.url, wx: appWx, build: 'web' }), TypeError)
})

test('wx.*Login failures come back with WeChat\'s errCode and what to do; no /login call', async t => {
  const { api, wx, client } = await setup(t)
  const cases = [
    [{ errCode: 10001007, errMsg: 'weixinAppLogin:fail not bound' }, /not bound to a mobile app/],
    [{ errCode: 10001005, errMsg: 'weixinAppLogin:fail' }, /identity management/],
    [{ errCode: 10001015, errMsg: 'weixinAppLogin:fail' }, /binding/],
    [{ errCode: -1, errMsg: 'weixinAppLogin:fail system error' }, /try again/],
    [{ errCode: -700000, errMsg: 'sendOpenReq:fail launch wechat fail' }, /WeChat could not be opened/],
    [{ errMsg: 'weixinAppLogin:fail cancel' }, /cancelled/],
  ]
  for (const [wxFailure, hint] of cases) {
    wx.loginFailures.push(wxFailure)
    const err = await failure(client.login())
    assertShape(err, 'login:fail ')
    assert.equal(err.errCode, wxFailure.errCode === undefined ? -1 : wxFailure.errCode)
    assert.match(err.errMsg, hint)
  }
  const unknown = await failure(client.login({ method: 'qqLogin' }))
  assert.equal(unknown.errCode, ERR_CODES.BAD_ARGUMENT)
  const missing = await failure(client.login({ method: 'login' }))  // the app build has no wx.login here
  assert.equal(missing.errCode, ERR_CODES.LOGIN_UNAVAILABLE)
  assert.equal(api.count('/login'), 0)
  assert.equal(client.getSession(), null)
})

test('/login errors pass the API\'s errCode and errMsg through; the app build never retries (a new code opens WeChat again)', async t => {
  const { api, wx, client } = await setup(t)
  api.next('/login', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900503, errMsg: 'WeChat unreachable: retry' } })
  const err = await failure(client.login())
  assert.deepEqual(err, { errCode: 900503, errMsg: 'login:fail WeChat unreachable: retry' })
  assert.equal(api.count('/login'), 1)
  assert.equal(wx.codesIssued.length, 1)
  api.next('/login', { status: 502, body: '<html>Bad Gateway</html>' })
  const html = await failure(client.login())
  assert.equal(html.errCode, ERR_CODES.RETRY_LATER)
})

test('mini-program build: a /login retry uses a new code, once, after a short Retry-After', async t => {
  const { api, wx, client, slept } = await setup(t, { build: 'miniProgram' })
  api.next('/login', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: -1, errMsg: 'WeChat busy' } })
  await client.login()
  assert.equal(api.count('/login'), 2)
  assert.equal(wx.codesIssued.length, 2)
  assert.notEqual(api.requests[0].body.code, api.requests[1].body.code)
  assert.deepEqual(api.requests.map(r => r.body.code), wx.codesIssued)
  assert.deepEqual(slept, [1000])

  api.next('/login', { status: 401, body: { errCode: 10001001, errMsg: 'code used' } })
  api.next('/login', { status: 401, body: { errCode: 10001001, errMsg: 'code used' } })
  const err = await failure(client.login())
  assert.equal(err.errCode, 10001001)
  assert.equal(api.count('/login'), 4, 'one retry only')
  assert.equal(new Set(api.requests.map(r => r.body.code)).size, 4)
})

// ---- callFunction's shapes ----

test('callFunction: a Promise with wx.cloud.callFunction\'s success shape; the body carries data; the bearer token is sent', async t => {
  const { api, wx, client } = await setup(t)
  await client.login()
  const res = await client.callFunction({ name: 'myCloudFunction', data: { hello: 'world' } })
  assert.deepEqual(res, { result: { name: 'myCloudFunction', data: { hello: 'world' }, userId: 'user-weixinApp' }, requestID: 'req-1', errMsg: 'cloud.callFunction:ok' })
  const call = api.requests[1]
  assert.deepEqual(call.body, { data: { hello: 'world' } })
  assert.equal(call.authorization, 'Bearer ' + storedSession(wx, api).token)
  const noData = await client.callFunction({ name: 'myCloudFunction' })
  assert.deepEqual(noData.result.data, {})
})

test('callFunction with callbacks: no Promise; success or fail, then complete, each exactly once', async t => {
  const { client } = await setup(t)
  await client.login()
  const seen = []
  const returned = await new Promise(resolve => {
    const r = client.callFunction({
      name: 'myCloudFunction',
      data: 1,
      success: res => seen.push(['success', res]),
      fail: err => seen.push(['fail', err]),
      complete: res => { seen.push(['complete', res]); resolve(r) },
    })
  })
  assert.equal(returned, undefined)
  assert.equal(seen.length, 2)
  assert.equal(seen[0][0], 'success')
  assert.equal(seen[0][1].errMsg, 'cloud.callFunction:ok')
  assert.equal(seen[1][0], 'complete')
  assert.equal(seen[1][1], seen[0][1])

  const failed = []
  await new Promise(resolve => client.callFunction({
    name: 'failing',
    success: res => failed.push(['success', res]),
    fail: err => failed.push(['fail', err]),
    complete: err => { failed.push(['complete', err]); resolve() },
  }))
  assert.deepEqual(failed.map(f => f[0]), ['fail', 'complete'])
  assert.deepEqual(failed[0][1], { errCode: 12345, errMsg: 'cloud.callFunction:fail out of stock', requestID: 'req-fail' })

  const onlyComplete = await new Promise(resolve => client.callFunction({ name: 'bad/name', complete: resolve }))
  assert.equal(onlyComplete.errCode, ERR_CODES.BAD_ARGUMENT)
})

test('callFunction failures: the function\'s own errCode, an unknown function, a bad name, all as {errCode, errMsg: "cloud.callFunction:fail ..."}', async t => {
  const { api, client } = await setup(t)
  await client.login()
  const own = await failure(client.callFunction({ name: 'failing' }))
  assert.deepEqual(own, { errCode: 12345, errMsg: 'cloud.callFunction:fail out of stock', requestID: 'req-fail' })
  api.next('/functions/nope', { status: 404, body: { message: 'Not Found' } })
  const missing = await failure(client.callFunction({ name: 'nope' }))
  assert.equal(missing.errCode, ERR_CODES.NOT_FOUND)
  for (const name of [undefined, '', '../login', 'a b', 42]) {
    const bad = await failure(client.callFunction({ name }))
    assertShape(bad, 'cloud.callFunction:fail ')
    assert.equal(bad.errCode, ERR_CODES.BAD_ARGUMENT)
  }
  assert.equal(api.count('/functions/failing'), 1, 'a function\'s failure is not retried')
})

// ---- no session ----

test('app build without a session: "login required" at once, no request; the app calls login() from a tap', async t => {
  const { api, wx, client } = await setup(t)
  const err = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(err.errCode, ERR_CODES.LOGIN_REQUIRED)
  assert.match(err.errMsg, /^cloud\.callFunction:fail not logged in: call login\(\) from a user action/)
  assert.equal(api.requests.length, 0)
  assert.equal(wx.codesIssued.length, 0)
  const del = await failure(client.deleteAccount())
  assert.equal(del.errCode, ERR_CODES.LOGIN_REQUIRED)
})

test('mini-program build without a session: logs in by itself with wx.login, once for many parallel calls', async t => {
  const { api, wx, client, events } = await setup(t, { build: 'miniProgram' })
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => client.callFunction({ name: 'myCloudFunction', data: i })))
  assert.deepEqual(results.map(r => r.result.data), [0, 1, 2, 3, 4])
  assert.equal(wx.codesIssued.length, 1)
  assert.equal(api.count('/login'), 1)
  assert.equal(api.requests[0].body.codeType, 'miniProgram')
  assert.deepEqual(events.map(e => e.type), ['signedIn'])
})

test('mini-program build: a failed login by itself is not repeated by every call: the next waits 5 s (or Retry-After)', async t => {
  const { api, wx, client, now } = await setup(t, { build: 'miniProgram' })
  api.next('/login', { status: 503, body: { errCode: 900506, errMsg: 'the user directory is unavailable: log in again with a new code' } })
  api.next('/login', { status: 503, body: { errCode: 900506, errMsg: 'the user directory is unavailable: log in again with a new code' } })
  const first = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(first.errCode, 900506)
  const during = await Promise.all(Array.from({ length: 5 }, () => failure(client.callFunction({ name: 'myCloudFunction' }))))
  assert.ok(during.every(e => e.errCode === 900506))
  assert.equal(api.count('/login'), 2, 'one login by itself (one retry with a new code), not one per call')
  assert.equal(wx.codesIssued.length, 2)
  now.advance(4999)
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  now.advance(1)
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  assert.equal(api.count('/login'), 3)
})

// ---- refresh ----

test('refreshes ahead of expiry (injected clock), stores the rotated refresh token, and tells listeners', async t => {
  const { api, wx, client, now, events } = await setup(t)
  await client.login()
  const first = storedSession(wx, api)
  now.advance(3600 * 1000 - 61 * 1000)
  await client.callFunction({ name: 'myCloudFunction' })
  assert.equal(api.count('/session/refresh'), 0, 'more than a minute left: no refresh')
  now.advance(2 * 1000)
  await client.callFunction({ name: 'myCloudFunction' })
  assert.equal(api.count('/session/refresh'), 1)
  assert.deepEqual(api.requests.find(r => r.path === '/session/refresh').body, { refreshToken: first.refreshToken })
  const second = storedSession(wx, api)
  assert.notEqual(second.refreshToken, first.refreshToken)
  const lastCall = api.requests[api.requests.length - 1]
  assert.equal(lastCall.authorization, 'Bearer ' + second.token)
  assert.equal(second.expiresAt, now() + 3600 * 1000)
  assert.deepEqual(events.map(e => e.type), ['signedIn', 'refreshed'])
  assert.equal(events[1].session.expiresAt, second.expiresAt)
})

test('401/403 from a function: one refresh, one retry', async t => {
  for (const status of [401, 403]) {
    const { api, client } = await setup(t)
    await client.login()
    api.next('/functions/myCloudFunction', { status, body: { message: status === 401 ? 'Unauthorized' : 'Forbidden' } })
    const res = await client.callFunction({ name: 'myCloudFunction', data: 'x' })
    assert.equal(res.result.data, 'x')
    assert.equal(api.count('/session/refresh'), 1)
    assert.equal(api.count('/functions/myCloudFunction'), 2)
  }
})

test('the gate\'s policy: a 403 right after a good refresh fails with NOT_ALLOWED, no loop, session kept', async t => {
  const { api, client, now } = await setup(t)
  await client.login()
  api.denied.add('payOrder')
  const err = await failure(client.callFunction({ name: 'payOrder' }))
  assert.equal(err.errCode, ERR_CODES.NOT_ALLOWED)
  assertShape(err, 'cloud.callFunction:fail ')
  assert.equal(api.count('/session/refresh'), 1)
  assert.equal(api.count('/functions/payOrder'), 2)
  assert.notEqual(client.getSession(), null)
  // Known refused for this login: no more refreshes spent on it.
  const again = await failure(client.callFunction({ name: 'payOrder' }))
  assert.equal(again.errCode, ERR_CODES.NOT_ALLOWED)
  assert.equal(api.count('/session/refresh'), 1)
  assert.equal(api.count('/functions/payOrder'), 3)
  // A refresh ahead of expiry followed by a 403 is the policy too: no second refresh.
  api.denied.add('refund')
  now.advance(HOUR)
  const fresh = await failure(client.callFunction({ name: 'refund' }))
  assert.equal(fresh.errCode, ERR_CODES.NOT_ALLOWED)
  assert.equal(api.count('/session/refresh'), 2)
  assert.equal(api.count('/functions/refund'), 1)
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
})

test('10 parallel calls with an expired token make exactly one refresh', async t => {
  const { api, wx, client, now } = await setup(t)
  await client.login()
  api.refreshDelayMs = 50
  now.advance(2 * HOUR)
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.callFunction({ name: 'myCloudFunction', data: i })))
  assert.deepEqual(results.map(r => r.result.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.equal(api.count('/session/refresh'), 1)
  const token = storedSession(wx, api).token
  assert.ok(api.requests.filter(r => r.path === '/functions/myCloudFunction').every(r => r.authorization === 'Bearer ' + token))
})

test('10 parallel calls that all get 403 share one refresh and each retry once', async t => {
  const { api, client } = await setup(t)
  await client.login()
  api.refreshDelayMs = 20
  api.revokeAccess()
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.callFunction({ name: 'myCloudFunction', data: i })))
  assert.equal(results.length, 10)
  assert.equal(api.count('/session/refresh'), 1)
  assert.equal(api.count('/functions/myCloudFunction'), 20)
})

test('two clients on one wx and one baseUrl share the session and its one refresh; another baseUrl does not', async t => {
  const { api, make, now } = await setup(t)
  const pageA = make()
  const pageB = make()
  await pageA.login()
  assert.deepEqual(pageB.getSession(), pageA.getSession())
  const seenByB = []
  pageB.onSessionChange(e => seenByB.push(e.type))
  api.refreshDelayMs = 30
  now.advance(2 * HOUR)
  await Promise.all([
    ...Array.from({ length: 5 }, () => pageA.callFunction({ name: 'myCloudFunction' })),
    ...Array.from({ length: 5 }, () => pageB.callFunction({ name: 'myCloudFunction' })),
  ])
  assert.equal(api.count('/session/refresh'), 1, 'no client presents a refresh token another one has rotated')
  assert.deepEqual(seenByB, ['refreshed'])
  const other = make({ baseUrl: api.url + '/' })  // the same API, written with a trailing slash
  assert.deepEqual(other.getSession(), pageA.getSession())
})

test('429/503 with Retry-After of at most 5 s are retried once; longer or repeated ones fail retryable', async t => {
  const { api, client, slept } = await setup(t)
  await client.login()
  api.next('/functions/myCloudFunction', { status: 429, headers: { 'Retry-After': '2' }, body: { message: 'Too Many Requests' } })
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  api.next('/functions/myCloudFunction', { status: 503, headers: { 'retry-after': '5' }, body: { errCode: 900505, errMsg: 'busy' } })
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  assert.deepEqual(slept, [2000, 5000])

  api.next('/functions/myCloudFunction', { status: 503, headers: { 'Retry-After': '6' }, body: { message: 'Service Unavailable' } })
  const long = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(long.errCode, ERR_CODES.RETRY_LATER)
  assert.deepEqual(slept, [2000, 5000])

  api.next('/functions/myCloudFunction', { status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Too Many Requests' } })
  api.next('/functions/myCloudFunction', { status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Too Many Requests' } })
  const twice = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(twice.errCode, ERR_CODES.RETRY_LATER)
  assert.match(twice.errMsg, /throttling/)
  api.next('/functions/myCloudFunction', { status: 429, body: { message: 'Too Many Requests' } })
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(api.count('/functions/myCloudFunction'), 2 + 2 + 1 + 2 + 1)
  assert.notEqual(client.getSession(), null)
})

// ---- what ends a session, and what does not ----

const passing = [
  ['no connection', 'offline', ERR_CODES.NETWORK],
  ['a timeout', 'hang', ERR_CODES.NETWORK],
  ['a dropped connection', 'reset', ERR_CODES.NETWORK],
  ['429', { status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Too Many Requests' } }, ERR_CODES.RETRY_LATER],
  ['500', { status: 500, body: { errCode: 900999, errMsg: 'unexpected' } }, ERR_CODES.RETRY_LATER],
  ['a gateway\'s HTML 502', { status: 502, body: '<html><body>502 Bad Gateway</body></html>' }, ERR_CODES.RETRY_LATER],
  ['503 with Retry-After', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900505, errMsg: 'store busy' } }, ERR_CODES.RETRY_LATER],
  ['504 with no body', { status: 504 }, ERR_CODES.RETRY_LATER],
  ['200 that is not JSON (a captive portal)', { status: 200, body: '<html>Log in to the Wi-Fi</html>' }, ERR_CODES.RETRY_LATER],
  ['200 JSON without a token', { status: 200, body: { hello: 'world' } }, ERR_CODES.RETRY_LATER],
  ['400 that is not about the token\'s shape', { status: 400, body: { errCode: 900001, errMsg: 'body not an object' } }, ERR_CODES.RETRY_LATER],
]

for (const [kind, answer, errCode] of passing) {
  test('a refresh failing with ' + kind + ' keeps the stored session; the call fails retryable; a later call recovers', async t => {
    const { api, wx, client, now, events } = await setup(t, { timeout: 150 })
    await client.login()
    const before = storedSession(wx, api)
    now.advance(2 * HOUR)
    if (answer === 'offline') wx.offline = true
    else api.next('/session/refresh', answer)
    const err = await failure(client.callFunction({ name: 'myCloudFunction' }))
    assert.equal(err.errCode, errCode)
    assertShape(err, 'cloud.callFunction:fail ')
    assert.match(err.errMsg, /try again in a moment/)
    assert.ok(!JSON.stringify(err).includes(before.token) && !JSON.stringify(err).includes(before.refreshToken))
    assert.deepEqual(storedSession(wx, api), before)
    assert.notEqual(client.getSession(), null)
    assert.deepEqual(events.map(e => e.type), ['signedIn'])
    wx.offline = false
    now.advance(60 * 1000)
    assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
    assert.deepEqual(events.map(e => e.type), ['signedIn', 'refreshed'])
  })
}

for (const [kind, answer] of [
  ['401 (unknown, expired, revoked or reused)', { status: 401, body: { errCode: 900401, errMsg: 'log in again' } }],
  ['400 for a token not shaped like one', { status: 400, body: { errCode: 900003, errMsg: 'not a refresh token' } }],
]) {
  test('a refresh refused with ' + kind + ' ends the session; the app build then needs login()', async t => {
    const { api, wx, client, now, events } = await setup(t)
    await client.login()
    now.advance(2 * HOUR)
    api.next('/session/refresh', answer)
    const err = await failure(client.callFunction({ name: 'myCloudFunction' }))
    assert.equal(err.errCode, ERR_CODES.LOGIN_REQUIRED)
    assert.match(err.errMsg, /the session ended/)
    assert.equal(storedSession(wx, api), null)
    assert.equal(client.getSession(), null)
    assert.deepEqual(events.map(e => e.type + (e.reason ? ':' + e.reason : '')), ['signedIn', 'signedOut:refused'])
  })
}

test('mini-program build: a refused refresh logs in again by itself and the call goes through', async t => {
  const { api, client, now, events } = await setup(t, { build: 'miniProgram' })
  await client.login()
  now.advance(2 * HOUR)
  api.next('/session/refresh', { status: 401, body: { errCode: 900401, errMsg: 'log in again' } })
  const res = await client.callFunction({ name: 'myCloudFunction' })
  assert.equal(res.errMsg, 'cloud.callFunction:ok')
  assert.equal(api.count('/login'), 2)
  assert.deepEqual(events.map(e => e.type), ['signedIn', 'signedOut', 'signedIn'])
})

test('a 401/403 from a function never ends the session, even when its refresh then fails passing', async t => {
  const { api, wx, client } = await setup(t)
  await client.login()
  const before = storedSession(wx, api)
  api.revokeAccess()
  api.next('/session/refresh', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900505, errMsg: 'busy' } })
  const err = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(err.errCode, ERR_CODES.RETRY_LATER)
  assert.deepEqual(storedSession(wx, api), before)
})

test('a refresh ahead of expiry that fails keeps using the token that still works', async t => {
  const { api, client, now } = await setup(t)
  await client.login()
  now.advance(HOUR - 30 * 1000)  // inside the refresh-ahead minute, not expired
  api.next('/session/refresh', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900505, errMsg: 'busy' } })
  for (let i = 0; i < 3; i++) {
    assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  }
  assert.equal(api.count('/session/refresh'), 1, 'the back-off holds further refreshes')
  now.advance(5 * 1000)
  await client.callFunction({ name: 'myCloudFunction' })
  assert.equal(api.count('/session/refresh'), 2)
})

test('storm bound: after a passing refresh failure, calls fail at once with the same error until 5 s (or Retry-After, at most 60 s) pass', async t => {
  const { api, client, now } = await setup(t)
  await client.login()
  now.advance(2 * HOUR)
  api.next('/session/refresh', { status: 500, body: { errCode: 900999, errMsg: 'unexpected' } })
  const first = await failure(client.callFunction({ name: 'myCloudFunction' }))
  const during = await Promise.all(Array.from({ length: 20 }, () => failure(client.callFunction({ name: 'myCloudFunction' }))))
  assert.ok(during.every(e => e.errCode === first.errCode && e.errMsg === first.errMsg))
  now.advance(4999)
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(api.count('/session/refresh'), 1)
  assert.equal(api.count('/functions/myCloudFunction'), 0, 'an expired token is not sent')

  now.advance(1)
  api.next('/session/refresh', { status: 503, headers: { 'Retry-After': '30' }, body: { errCode: 900505, errMsg: 'busy' } })
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  now.advance(29999)
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(api.count('/session/refresh'), 2)

  now.advance(1)
  api.next('/session/refresh', { status: 429, headers: { 'Retry-After': '86400' }, body: { message: 'Too Many Requests' } })
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  now.advance(59999)
  await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(api.count('/session/refresh'), 3)
  now.advance(1)
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  assert.equal(api.count('/session/refresh'), 4)
})

// ---- device clocks ----

for (const [label, offset] of [['hours ahead', 5 * HOUR], ['hours behind', -7 * HOUR]]) {
  test('a device clock ' + label + ' causes no extra refresh and no early logout', async t => {
    const { api, client, now, events } = await setup(t, { start: Date.now() + offset })
    await client.login()
    now.advance(50 * 60 * 1000)
    await client.callFunction({ name: 'myCloudFunction' })
    assert.equal(api.count('/session/refresh'), 0)
    now.advance(10 * 60 * 1000)
    await client.callFunction({ name: 'myCloudFunction' })
    assert.equal(api.count('/session/refresh'), 1)
    assert.deepEqual(events.map(e => e.type), ['signedIn', 'refreshed'])
  })
}

test('a device clock set back after the token arrived: the age is unknown, so it refreshes', async t => {
  const { api, client, now } = await setup(t)
  await client.login()
  now.advance(-HOUR)
  await client.callFunction({ name: 'myCloudFunction' })
  assert.equal(api.count('/session/refresh'), 1)
})

// ---- storage ----

test('a stored session survives an app restart (a new wx on the same storage)', async t => {
  const { api, wx, client, now } = await setup(t)
  await client.login()
  const wx2 = await createWx({ storage: wx.storage })
  const restarted = createClient({ baseUrl: api.url, wx: wx2, now })
  assert.deepEqual(restarted.getSession(), client.getSession())
  await restarted.callFunction({ name: 'myCloudFunction' })
  assert.equal(api.count('/login'), 1)
  wx2.storage.set('wxlogin.session:' + api.url, JSON.stringify({ v: 1, token: 5 }))
  const corrupt = createClient({ baseUrl: api.url, wx: await createWx({ storage: wx.storage }), now })
  assert.equal(corrupt.getSession(), null)
})

test('full storage: login still works, the session lives in memory, and no stale refresh token is left behind', async t => {
  const { api, wx, client, now } = await setup(t)
  wx.storageFull = true
  await client.login()
  assert.notEqual(client.getSession(), null)
  assert.equal(storedSession(wx, api), null)
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')

  const other = await setup(t)
  await other.client.login()
  other.wx.storageFull = true
  other.now.advance(2 * HOUR)
  await other.client.callFunction({ name: 'myCloudFunction' })
  assert.equal(storedSession(other.wx, other.api), null, 'the rotated refresh token is not kept on disk')
  assert.equal((await other.client.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  assert.ok(now)
})

// ---- logout and account deletion ----

test('logout(): revokes this device\'s session, clears storage, tells listeners; everywhere sends everywhere: true', async t => {
  const { api, wx, client, events } = await setup(t)
  await client.login()
  const { refreshToken } = storedSession(wx, api)
  assert.deepEqual(await client.logout(), { errMsg: 'logout:ok' })
  assert.deepEqual(api.requests[1], { path: '/logout', body: { refreshToken }, authorization: null })
  assert.equal(storedSession(wx, api), null)
  assert.equal(client.getSession(), null)
  assert.deepEqual(events.map(e => e.type + (e.reason ? ':' + e.reason : '')), ['signedIn', 'signedOut:logout'])
  assert.deepEqual(await client.logout(), { errMsg: 'logout:ok' }, 'signed out already: nothing to do')
  assert.equal(api.count('/logout'), 1)

  await client.login()
  const second = storedSession(wx, api).refreshToken
  await client.logout({ everywhere: true })
  assert.deepEqual(api.requests[api.requests.length - 1].body, { refreshToken: second, everywhere: true })
})

test('logout() while a refresh is in flight presents the refresh token that is current after it', async t => {
  const { api, wx, client, now } = await setup(t)
  await client.login()
  api.refreshDelayMs = 50
  now.advance(2 * HOUR)
  const call = client.callFunction({ name: 'myCloudFunction' })
  await new Promise(resolve => setTimeout(resolve, 10))
  const out = client.logout()
  await Promise.all([call, out])
  const presented = api.requests.find(r => r.path === '/logout').body.refreshToken
  const refreshed = api.requests.find(r => r.path === '/session/refresh').body.refreshToken
  assert.notEqual(presented, refreshed)
  assert.equal(api.refresh.get(presented).used, false)
  assert.equal(storedSession(wx, api), null)
})

test('logout() on this device signs out even without an answer; logout everywhere without an answer keeps the session and fails retryable', async t => {
  const { api, wx, client } = await setup(t)
  await client.login()
  wx.offline = true
  assert.deepEqual(await client.logout(), { errMsg: 'logout:ok' })
  assert.equal(client.getSession(), null)
  wx.offline = false

  await client.login()
  const before = storedSession(wx, api)
  api.next('/logout', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900505, errMsg: 'busy' } })
  const err = await failure(client.logout({ everywhere: true }))
  assertShape(err, 'logout:fail ')
  assert.equal(err.errCode, ERR_CODES.RETRY_LATER)
  assert.deepEqual(storedSession(wx, api), before)
  await client.logout({ everywhere: true })
  assert.equal(client.getSession(), null)
})

test('deleteAccount(): gated with the bearer token, ends the session with reason "deleted"', async t => {
  const { api, wx, client, events } = await setup(t)
  await client.login()
  const { token } = storedSession(wx, api)
  assert.deepEqual(await client.deleteAccount(), { errMsg: 'deleteAccount:ok' })
  const req = api.requests.find(r => r.path === '/account/delete')
  assert.deepEqual(req.body, {})
  assert.equal(req.authorization, 'Bearer ' + token)
  assert.equal(storedSession(wx, api), null)
  assert.deepEqual(events[events.length - 1], { type: 'signedOut', reason: 'deleted' })
})

test('deleteAccount() with an old login says to log in again first and keeps the session; a 503 part-way is retried once', async t => {
  const { api, client } = await setup(t)
  await client.login()
  api.next('/account/delete', { status: 401, body: { errCode: 900410, errMsg: 'log in again, then delete' } })
  const err = await failure(client.deleteAccount())
  assert.equal(err.errCode, ERR_CODES.RECENT_LOGIN_REQUIRED)
  assert.match(err.errMsg, /^deleteAccount:fail deleting the account needs a login from the last 10 minutes: call login\(\)/)
  assert.notEqual(client.getSession(), null)
  assert.equal(api.count('/session/refresh'), 0, 'a refresh does not make a login recent')

  api.next('/account/delete', { status: 503, headers: { 'Retry-After': '1' }, body: { errCode: 900503, errMsg: 'partly done' } })
  await client.deleteAccount()
  assert.equal(api.count('/account/delete'), 3)
  assert.equal(client.getSession(), null)
})

for (const [kind, answer, errCode] of [
  ['503 part-way with a long Retry-After', { status: 503, headers: { 'Retry-After': '30' }, body: { errCode: 900505, errMsg: 'partly done: repeat' } }, ERR_CODES.RETRY_LATER],
  ['503 without Retry-After', { status: 503, body: { errCode: 900505, errMsg: 'partly done: repeat' } }, ERR_CODES.RETRY_LATER],
  ['429 with a long Retry-After', { status: 429, headers: { 'Retry-After': '10' }, body: { message: 'Too Many Requests' } }, ERR_CODES.RETRY_LATER],
  ['a gateway\'s HTML 502', { status: 502, body: '<html>Bad Gateway</html>' }, ERR_CODES.RETRY_LATER],
  ['a dropped connection', 'reset', ERR_CODES.NETWORK],
]) {
  test('deleteAccount() answered with ' + kind + ' keeps the session and fails retryable; a repeat answered 204 ends it', async t => {
    const { api, wx, client, events, slept } = await setup(t)
    await client.login()
    const before = storedSession(wx, api)
    api.next('/account/delete', answer)
    const err = await failure(client.deleteAccount())
    assertShape(err, 'deleteAccount:fail ')
    assert.equal(err.errCode, errCode)
    assert.match(err.errMsg, /call deleteAccount\(\) again/)
    assert.deepEqual(slept, [], 'no wait longer than 5 s inside a call')
    assert.deepEqual(storedSession(wx, api), before)
    assert.deepEqual(events.map(e => e.type), ['signedIn'])
    assert.deepEqual(await client.deleteAccount(), { errMsg: 'deleteAccount:ok' })
    assert.equal(api.count('/account/delete'), 2)
    assert.equal(storedSession(wx, api), null)
    assert.deepEqual(events.map(e => e.type + (e.reason ? ':' + e.reason : '')), ['signedIn', 'signedOut:deleted'])
  })
}

test('deleteAccount(): the gate\'s 401/403 (no errCode) is a stale token, not an old login: one refresh, one retry, 204 (no body) ends the session', async t => {
  for (const gate of [{ status: 403, body: { message: 'Forbidden' } }, { status: 401, body: { message: 'Unauthorized' } }]) {
    const { api, client, events } = await setup(t)
    await client.login()
    api.next('/account/delete', gate)
    assert.deepEqual(await client.deleteAccount(), { errMsg: 'deleteAccount:ok' })
    assert.equal(api.count('/session/refresh'), 1)
    assert.equal(api.count('/account/delete'), 2)
    const [first, second] = api.requests.filter(r => r.path === '/account/delete')
    assert.notEqual(first.authorization, second.authorization, 'the retry carries the refreshed token')
    assert.deepEqual(events.map(e => e.type + (e.reason ? ':' + e.reason : '')), ['signedIn', 'refreshed', 'signedOut:deleted'])
  }
})

test('deleteAccount(): the API\'s other errors pass through, 404 (a server without the route) is NOT_FOUND; the session stays', async t => {
  const { api, client } = await setup(t)
  await client.login()
  api.next('/account/delete', { status: 400, body: { errCode: 900001, errMsg: 'the body is not a JSON object' } })
  assert.deepEqual(await failure(client.deleteAccount()), { errCode: 900001, errMsg: 'deleteAccount:fail the body is not a JSON object' })
  api.next('/account/delete', { status: 404, body: { message: 'Not Found' } })
  const missing = await failure(client.deleteAccount())
  assert.equal(missing.errCode, ERR_CODES.NOT_FOUND)
  assert.match(missing.errMsg, /no account deletion/)
  assert.notEqual(client.getSession(), null)
  assert.equal(api.count('/session/refresh'), 0)
})

test('onSessionChange: off() unsubscribes', async t => {
  const { client, events } = await setup(t)
  const extra = []
  const off = client.onSessionChange(e => extra.push(e.type))
  await client.login()
  off()
  off()
  await client.logout()
  assert.deepEqual(extra, ['signedIn'])
  assert.deepEqual(events.map(e => e.type), ['signedIn', 'signedOut'])
})

test('a session without a refresh token (the store failed at login) is used until it expires, then needs login()', async t => {
  const { api, client, now } = await setup(t)
  api.next('/login', { status: 200, body: { token: 'only.access.token', tokenType: 'Bearer', expiresIn: 600, userId: 'u1', openid: null, unionid: null, loginType: 'apple' } })
  api.access.set('only.access.token', { userId: 'u1', revoked: false })
  await client.login({ method: 'appleLogin' })
  now.advance(599 * 1000)
  assert.equal((await client.callFunction({ name: 'myCloudFunction' })).result.userId, 'u1')
  now.advance(1000)
  const err = await failure(client.callFunction({ name: 'myCloudFunction' }))
  assert.equal(err.errCode, ERR_CODES.LOGIN_REQUIRED)
  assert.equal(api.count('/session/refresh'), 0)
  await client.logout()
  assert.equal(api.count('/logout'), 0, 'nothing to revoke without a refresh token')
  assert.equal(client.getSession(), null)
})
