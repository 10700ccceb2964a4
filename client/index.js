'use strict'
// The app side of weixin-app-login: login, wx.cloud.callFunction-shaped calls, and a session that
// lasts. Plain ES2017 CommonJS with no dependencies, so the same file runs in the multi-terminal
// app build and in the mini-program build. The rules it follows are in README.md, "In the app".

// The kit's own errCodes (880xxx: neither WeChat's nor the server's 9xxxxx range).
const ERR_CODES = Object.freeze({
  NETWORK: 880001,               // no answer (no connection, timeout): retry later, session kept
  RETRY_LATER: 880002,           // busy, throttled, or an answer that is not the API's: retry later, session kept
  LOGIN_REQUIRED: 880003,        // app build without a usable session: call login() from a user action
  NOT_ALLOWED: 880004,           // 401/403 with a freshly issued token: the gate's policy refuses this call
  RECENT_LOGIN_REQUIRED: 880005, // deleteAccount() needs a login from the last 10 minutes
  BAD_ARGUMENT: 880006,          // the kit was called wrongly (function name, login method)
  LOGIN_UNAVAILABLE: 880007,     // the chosen wx.*Login does not exist in this build
  NOT_FOUND: 880008,             // no such route (an unknown cloud function, or an older server)
  INTERNAL: 880009,              // a bug in the kit
})

const IDENTITY_METHODS = ['weixinAppLogin', 'weixinMiniProgramLogin', 'appleLogin', 'phoneSmsLogin']
const MINI_PROGRAM_METHODS = ['login', 'getMiniProgramCode']
const STORAGE_PREFIX = 'wxlogin.session:'
const MIN_BACKOFF_MS = 5000
const MAX_BACKOFF_MS = 60000
const MAX_CALL_RETRY_AFTER_S = 5
const MAX_REFRESH_AHEAD_MS = 60000
const DEFAULT_TIMEOUT_MS = 15000
const REFRESH_TOKEN_SHAPE_ERRCODE = 900003  // the server's 400 for a refresh token not shaped like one

const LOGIN_API_HINTS = {
  '-1': 'WeChat had a system error: try again',
  10001005: 'the multi-terminal app has no identity management (身份管理) enabled: the operator must enable it',
  10001007: 'the multi-terminal app is not bound to a mobile app: the operator must bind one',
  10001015: 'the multi-terminal app is bound to its mobile app wrongly: the operator must fix the binding',
  10001011: 'there is no WeChat mini-program login state: call login({ method: "weixinMiniProgramLogin" }) first',
  10001014: 'the WeChat mini-program login was not completed: call login({ method: "weixinMiniProgramLogin" }) first',
  '-700000': 'WeChat could not start the login (front-end error; see the message)',
}

class KitError extends Error {
  constructor (errCode, reason, extra) {
    super(reason)
    this.errCode = errCode
    this.reason = reason
    if (extra && extra.requestID) this.requestID = extra.requestID
  }
}

// Clients on one wx and one baseUrl share this: the session, its one refresh, its back-off.
const sharedByWx = new WeakMap()

function sharedSession (wxApi, baseUrl) {
  let byUrl = sharedByWx.get(wxApi)
  if (!byUrl) {
    byUrl = new Map()
    sharedByWx.set(wxApi, byUrl)
  }
  let shared = byUrl.get(baseUrl)
  if (!shared) {
    shared = new SharedSession(wxApi, STORAGE_PREFIX + baseUrl)
    byUrl.set(baseUrl, shared)
  }
  return shared
}

class SharedSession {
  constructor (wxApi, key) {
    this.wx = wxApi
    this.key = key
    this.session = this.load()
    this.refreshing = null   // the one refresh in flight
    this.autoLogin = null    // the one wx.login in flight (mini-program build)
    this.backoffUntil = 0    // no refresh before this, after one failed passing
    this.backoffError = null
    this.loginBackoffUntil = 0  // no login by itself before this, after one failed
    this.loginBackoffError = null
    this.deniedPaths = []     // refused by the gate's policy for this login: no refresh to retry them
    this.listeners = []
  }

  load () {
    let stored
    try {
      stored = this.wx.getStorageSync(this.key)
    } catch (e) {
      return null
    }
    return isStoredSession(stored) ? stored : null
  }

  // Storage that fails (quota full) leaves the session in memory; the stale copy is removed, since
  // presenting an already rotated refresh token after a restart would revoke the whole session.
  put (session) {
    this.session = session
    try {
      if (session) this.wx.setStorageSync(this.key, session)
      else this.wx.removeStorageSync(this.key)
    } catch (e) {
      try { this.wx.removeStorageSync(this.key) } catch (ignored) { /* memory only */ }
    }
  }

  start (session, type) {
    this.backoffUntil = 0
    this.backoffError = null
    this.loginBackoffUntil = 0
    this.loginBackoffError = null
    if (type === 'signedIn') this.deniedPaths = []
    this.put(session)
    this.emit({ type, session: publicView(session) })
  }

  end (reason) {
    this.backoffUntil = 0
    this.backoffError = null
    this.put(null)
    this.emit({ type: 'signedOut', reason })
  }

  emit (event) {
    for (const listener of this.listeners.slice()) {
      try {
        listener(event)
      } catch (e) {
        rethrowLater(e)
      }
    }
  }
}

function isStoredSession (s) {
  return s !== null && typeof s === 'object' && s.v === 1 && typeof s.token === 'string' && s.token !== '' &&
    (s.refreshToken === null || typeof s.refreshToken === 'string') &&
    typeof s.receivedAt === 'number' && typeof s.expiresAt === 'number' && s.expiresAt > s.receivedAt
}

// Expiry is expiresIn counted on the device's clock from the moment the answer arrived; the
// token's own exp is never compared with the device's time (phones' clocks are often far off).
function sessionFrom (body, receivedAt) {
  if (!isObject(body) || typeof body.token !== 'string' || body.token === '' ||
      typeof body.expiresIn !== 'number' || !(body.expiresIn > 0)) return null
  return {
    v: 1,
    token: body.token,
    refreshToken: typeof body.refreshToken === 'string' && body.refreshToken !== '' ? body.refreshToken : null,
    receivedAt,
    expiresAt: receivedAt + body.expiresIn * 1000,
    userId: stringOrNull(body.userId),
    openid: stringOrNull(body.openid),
    unionid: stringOrNull(body.unionid),
    loginType: stringOrNull(body.loginType),
  }
}

function publicView (s) {
  return s ? { userId: s.userId, openid: s.openid, unionid: s.unionid, loginType: s.loginType, expiresAt: s.expiresAt } : null
}

function expired (s, t) {
  return t >= s.expiresAt
}

// Refresh ahead: in the last minute (or last quarter of a short lifetime), or when the device's
// clock now reads earlier than when the token arrived (it was changed: the age is unknown).
function needsRefresh (s, t) {
  const ahead = Math.min(MAX_REFRESH_AHEAD_MS, (s.expiresAt - s.receivedAt) / 4)
  return t >= s.expiresAt - ahead || t < s.receivedAt
}

function detectBuild (wxApi) {
  // wx.miniapp exists only in the multi-terminal app build.
  return wxApi.miniapp !== null && typeof wxApi.miniapp === 'object' ? 'app' : 'miniProgram'
}

function createClient (options) {
  const o = options || {}
  const wxApi = o.wx || (typeof wx !== 'undefined' ? wx : undefined) // eslint-disable-line no-undef
  if (!wxApi || typeof wxApi.request !== 'function') {
    throw new TypeError('createClient: no wx with wx.request (pass { wx } outside WeChat)')
  }
  if (typeof o.baseUrl !== 'string' || !/^https?:\/\/[^/?#]+/.test(o.baseUrl)) {
    throw new TypeError('createClient: baseUrl must be the API\'s http(s) URL, e.g. the stack\'s ApiUrl output')
  }
  const build = o.build === undefined ? detectBuild(wxApi) : o.build
  if (build !== 'app' && build !== 'miniProgram') {
    throw new TypeError('createClient: build must be \'app\' or \'miniProgram\'')
  }
  const ctx = {
    wx: wxApi,
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    build,
    now: typeof o.now === 'function' ? o.now : Date.now,
    sleep: typeof o.sleep === 'function' ? o.sleep : ms => new Promise(resolve => setTimeout(resolve, ms)),
    timeout: typeof o.timeout === 'number' && o.timeout > 0 ? o.timeout : DEFAULT_TIMEOUT_MS,
  }
  ctx.shared = sharedSession(wxApi, ctx.baseUrl)

  return {
    build,
    login (opts) {
      return boundary(() => login(ctx, opts || {}), 'login:fail ')
    },
    callFunction (opts) {
      const call = opts || {}
      const result = boundary(() => callFunction(ctx, call), 'cloud.callFunction:fail ')
      if (typeof call.success !== 'function' && typeof call.fail !== 'function' && typeof call.complete !== 'function') {
        return result
      }
      result.then(res => settle(call.success, call.complete, res), err => settle(call.fail, call.complete, err))
      return undefined
    },
    logout (opts) {
      return boundary(() => logout(ctx, opts || {}), 'logout:fail ')
    },
    deleteAccount () {
      return boundary(() => deleteAccount(ctx), 'deleteAccount:fail ')
    },
    getSession () {
      return publicView(ctx.shared.session)
    },
    onSessionChange (listener) {
      if (typeof listener !== 'function') throw new TypeError('onSessionChange: listener must be a function')
      const listeners = ctx.shared.listeners
      listeners.push(listener)
      let on = true
      return function off () {
        if (!on) return
        on = false
        const i = listeners.indexOf(listener)
        if (i >= 0) listeners.splice(i, 1)
      }
    },
  }
}

// Every verb fails with {errCode, errMsg: '<verb>:fail <what to do>'}, like wx's own APIs.
function boundary (run, prefix) {
  return Promise.resolve().then(run).catch(e => {
    if (e instanceof KitError) {
      const failure = { errCode: e.errCode, errMsg: prefix + e.reason }
      if (e.requestID) failure.requestID = e.requestID
      throw failure
    }
    throw { errCode: ERR_CODES.INTERNAL, errMsg: prefix + 'unexpected error in the client kit: ' + (e && e.message) }
  })
}

// success/fail then complete, each once; an exception in app code surfaces to the app's error
// handler instead of turning a success into a failure.
function settle (first, complete, value) {
  for (const callback of [first, complete]) {
    if (typeof callback !== 'function') continue
    try {
      callback(value)
    } catch (e) {
      rethrowLater(e)
    }
  }
}

function rethrowLater (e) {
  setTimeout(() => { throw e }, 0)
}

// ---- HTTP ----

// Resolves with {status, body, retryAfter}; status 0 is "no answer" (reason says why). Never rejects.
function post (ctx, path, data, token) {
  return new Promise(resolve => {
    const header = { 'content-type': 'application/json' }
    if (token) header.authorization = 'Bearer ' + token
    try {
      ctx.wx.request({
        url: ctx.baseUrl + path,
        method: 'POST',
        data: JSON.stringify(data),
        header,
        dataType: 'text',     // parsed here, so every platform treats a non-JSON body alike
        responseType: 'text',
        timeout: ctx.timeout,
        success (res) {
          resolve(answerOf(res || {}))
        },
        fail (res) {
          resolve({ status: 0, body: undefined, retryAfter: null, reason: noAnswerReason(res) })
        },
      })
    } catch (e) {
      resolve({ status: 0, body: undefined, retryAfter: null, reason: 'the request could not be sent' })
    }
  })
}

function answerOf (res) {
  let body
  if (typeof res.data === 'string') {
    try {
      body = res.data === '' ? undefined : JSON.parse(res.data)
    } catch (e) {
      body = undefined
    }
  } else if (isObject(res.data)) {
    body = res.data
  }
  return { status: typeof res.statusCode === 'number' ? res.statusCode : 0, body, retryAfter: retryAfterOf(res.header) }
}

function retryAfterOf (header) {
  if (!isObject(header)) return null
  for (const name of Object.keys(header)) {
    if (name.toLowerCase() !== 'retry-after') continue
    const value = String(header[name]).trim()
    return /^\d+$/.test(value) ? Number(value) : null
  }
  return null
}

function noAnswerReason (res) {
  const message = res && typeof res.errMsg === 'string' ? res.errMsg : ''
  return /timeout/i.test(message) ? 'the API did not answer in time' : 'the API could not be reached'
}

function isApiError (body) {
  return isObject(body) && typeof body.errCode === 'number' && typeof body.errMsg === 'string'
}

// ---- login ----

async function login (ctx, opts) {
  if (opts.code !== undefined) {
    // A code the app already holds (the one-click phone button's); it is used once, never retried.
    if (typeof opts.code !== 'string' || opts.code === '') throw new KitError(ERR_CODES.BAD_ARGUMENT, 'code must be a non-empty string')
    const codeType = opts.codeType === undefined ? 'identity' : opts.codeType
    if (codeType !== 'identity' && codeType !== 'miniProgram') {
      throw new KitError(ERR_CODES.BAD_ARGUMENT, 'codeType must be \'identity\' or \'miniProgram\'')
    }
    return publicView(await exchange(ctx, opts.code, codeType))
  }
  const method = opts.method === undefined ? (ctx.build === 'app' ? 'weixinAppLogin' : 'login') : opts.method
  if (IDENTITY_METHODS.indexOf(method) < 0 && MINI_PROGRAM_METHODS.indexOf(method) < 0) {
    throw new KitError(ERR_CODES.BAD_ARGUMENT, 'unknown login method "' + method + '"; one of ' +
      IDENTITY_METHODS.concat(MINI_PROGRAM_METHODS).join(', '))
  }
  return publicView(await loginWith(ctx, method))
}

// Only wx.login needs no user action, so only it is retried, once, and always with a new code
// (WeChat may have spent the first one).
async function loginWith (ctx, method) {
  const codeType = MINI_PROGRAM_METHODS.indexOf(method) >= 0 ? 'miniProgram' : 'identity'
  for (let attempt = 1; ; attempt++) {
    const code = await codeFrom(ctx, method)
    try {
      return await exchange(ctx, code, codeType)
    } catch (e) {
      const wait = e.retryAfter
      if (method !== 'login' || attempt > 1 || !e.loginRetryable || (wait !== null && wait > MAX_CALL_RETRY_AFTER_S)) throw e
      if (wait) await ctx.sleep(wait * 1000)
    }
  }
}

function codeFrom (ctx, method) {
  const api = ctx.wx[method]
  if (typeof api !== 'function') {
    return Promise.reject(new KitError(ERR_CODES.LOGIN_UNAVAILABLE, 'wx.' + method + ' is not available in this build (' + ctx.build + ')'))
  }
  return new Promise((resolve, reject) => {
    try {
      api.call(ctx.wx, {
        success (res) {
          if (res && typeof res.code === 'string' && res.code !== '') resolve(res.code)
          else reject(new KitError(-1, 'wx.' + method + ' gave no code: try again'))
        },
        fail (res) {
          reject(loginApiError(method, res || {}))
        },
      })
    } catch (e) {
      reject(new KitError(ERR_CODES.LOGIN_UNAVAILABLE, 'wx.' + method + ' could not be called in this build'))
    }
  })
}

function loginApiError (method, res) {
  const errCode = typeof res.errCode === 'number' ? res.errCode : (typeof res.errno === 'number' ? res.errno : -1)
  const wxMessage = typeof res.errMsg === 'string' ? res.errMsg : ''
  let hint = LOGIN_API_HINTS[errCode] || 'WeChat refused the login'
  if (/cancel/i.test(wxMessage)) hint = 'the user cancelled the login: offer the login button again'
  else if (/launch wechat fail/i.test(wxMessage)) hint = 'WeChat could not be opened: is it installed, and is the multi-terminal app bound to a mobile app?'
  return new KitError(errCode, hint + (wxMessage ? ' (wx.' + method + ': ' + wxMessage + ')' : ''))
}

async function exchange (ctx, code, codeType) {
  const ans = await post(ctx, '/login', codeType === 'miniProgram' ? { code, codeType } : { code })
  if (ans.status === 200) {
    const session = sessionFrom(ans.body, ctx.now())
    if (session) {
      ctx.shared.start(session, 'signedIn')
      return session
    }
  }
  const e = ans.status === 0
    ? new KitError(ERR_CODES.NETWORK, ans.reason + ': log in again in a moment')
    : isApiError(ans.body)
      ? new KitError(ans.body.errCode, ans.body.errMsg)
      : unusableAnswer(ans, 'log in again in a moment')
  e.retryAfter = ans.retryAfter
  e.loginRetryable = ans.status === 0 || ans.status === 401 || ans.status === 429 || ans.status >= 502
  throw e
}

// ---- the session ----

function transientError (ans, what) {
  if (ans.status === 0) return new KitError(ERR_CODES.NETWORK, ans.reason + ' (' + what + '): try again in a moment')
  return unusableAnswer(ans, 'try again in a moment (' + what + ')')
}

function unusableAnswer (ans, todo) {
  const detail = isApiError(ans.body) ? ', errCode ' + ans.body.errCode
    : ans.body === undefined ? ', not the API\'s JSON' : ''
  const what = ans.status === 429 ? 'the API is throttling requests' : 'the API answered HTTP ' + ans.status + detail
  return new KitError(ERR_CODES.RETRY_LATER, what + ': ' + todo)
}

// The one refresh of a shared session; every caller meanwhile gets the same promise. Resolves with
// {outcome: 'refreshed' | 'refused' | 'failed' | 'superseded' | 'none', error?}; never rejects.
function refresh (ctx) {
  const shared = ctx.shared
  if (shared.refreshing) return shared.refreshing
  const s = shared.session
  if (!s || !s.refreshToken) return Promise.resolve({ outcome: 'none' })
  if (ctx.now() < shared.backoffUntil) return Promise.resolve({ outcome: 'failed', error: shared.backoffError })
  const presented = s.refreshToken
  const done = post(ctx, '/session/refresh', { refreshToken: presented }).then(ans => {
    const receivedAt = ctx.now()
    const current = shared.session
    if (!current || current.refreshToken !== presented) return { outcome: 'superseded' } // a login or logout meanwhile
    if (ans.status === 200) {
      const next = sessionFrom(ans.body, receivedAt)
      if (next) {
        shared.start(next, 'refreshed')
        return { outcome: 'refreshed' }
      }
    }
    if (ans.status === 401 || (ans.status === 400 && isObject(ans.body) && ans.body.errCode === REFRESH_TOKEN_SHAPE_ERRCODE)) {
      shared.end('refused')
      return { outcome: 'refused' }
    }
    // Anything else is passing: the session stays, and no new refresh starts before the back-off.
    const error = transientError(ans, 'the session could not be refreshed; it is kept')
    shared.backoffUntil = receivedAt + backoffMs(ans.retryAfter)
    shared.backoffError = error
    return { outcome: 'failed', error }
  })
  shared.refreshing = done
  const clear = () => { if (shared.refreshing === done) shared.refreshing = null }
  done.then(clear, clear)
  return done
}

// After a failure: at least 5 s, or Retry-After up to 60 s.
function backoffMs (retryAfter) {
  const wait = typeof retryAfter === 'number' ? Math.min(retryAfter * 1000, MAX_BACKOFF_MS) : 0
  return Math.max(MIN_BACKOFF_MS, wait)
}

// Without a usable session: wx.login in the mini-program build (no user action needed), the
// "login required" error in the app build (logging in opens WeChat: only from a user action).
function loginByItself (ctx, why) {
  const shared = ctx.shared
  if (ctx.build !== 'miniProgram' || typeof ctx.wx.login !== 'function') {
    return Promise.reject(new KitError(ERR_CODES.LOGIN_REQUIRED, why + ': call login() from a user action (a tap), then try again'))
  }
  if (!shared.autoLogin) {
    // A failed login by itself is not repeated by every call either: same back-off as refreshes.
    if (ctx.now() < shared.loginBackoffUntil) return Promise.reject(shared.loginBackoffError)
    const done = loginWith(ctx, 'login')
    shared.autoLogin = done
    done.then(() => { shared.autoLogin = null }, e => {
      shared.autoLogin = null
      shared.loginBackoffUntil = ctx.now() + backoffMs(e.retryAfter)
      shared.loginBackoffError = e
    })
  }
  return shared.autoLogin.then(s => ({ token: s.token, fresh: true }))
}

// The token for a call: {token, fresh}, fresh when a refresh or login just issued it.
async function tokenForCall (ctx) {
  const shared = ctx.shared
  for (let pass = 0; pass < 2; pass++) {
    const s = shared.session
    if (!s) return loginByItself(ctx, 'not logged in')
    if (!needsRefresh(s, ctx.now())) return { token: s.token, fresh: false }
    if (!s.refreshToken) {
      if (!expired(s, ctx.now())) return { token: s.token, fresh: false }
      return loginByItself(ctx, 'the session expired and has no refresh token')
    }
    const r = await refresh(ctx)
    if (r.outcome === 'refreshed' && shared.session) return { token: shared.session.token, fresh: true }
    if (r.outcome === 'refused') return loginByItself(ctx, 'the session ended (the API refused its refresh token)')
    if (r.outcome === 'failed') {
      // A token that has not expired yet keeps working while the refresh cannot be done.
      if (shared.session === s && !expired(s, ctx.now())) return { token: s.token, fresh: false }
      throw r.error
    }
    // superseded or none: look at the session again, once
  }
  const s = shared.session
  if (s && !expired(s, ctx.now())) return { token: s.token, fresh: false }
  return loginByItself(ctx, 'not logged in')
}

// After the API refused `rejected` (401/403): the token another call already got, or one refresh.
async function tokenAfterRejection (ctx, rejected) {
  const shared = ctx.shared
  const s = shared.session
  if (s && s.token !== rejected) return { token: s.token, fresh: true }
  if (!s) return loginByItself(ctx, 'not logged in')
  if (!s.refreshToken) return loginByItself(ctx, 'the API refused the session and it has no refresh token')
  const r = await refresh(ctx)
  if ((r.outcome === 'refreshed' || r.outcome === 'superseded') && shared.session) return { token: shared.session.token, fresh: true }
  if (r.outcome === 'failed') throw r.error
  return loginByItself(ctx, 'the session ended (the API refused its refresh token)')
}

// One gated request: on 401/403 one new token and one retry; on 429/503 with a short Retry-After
// one wait and one retry. A 401/403 with a freshly issued token is the gate's policy.
async function gated (ctx, path, data, denied) {
  let { token, fresh } = await tokenForCall(ctx)
  let retriedAuth = false
  let retriedBusy = false
  for (;;) {
    const ans = await post(ctx, path, data, token)
    if (ans.status === 401 || ans.status === 403) {
      const special = denied(ans)
      if (special) throw special
      if (fresh || retriedAuth || ctx.shared.deniedPaths.indexOf(path) >= 0) {
        if (ctx.shared.deniedPaths.indexOf(path) < 0) ctx.shared.deniedPaths.push(path)
        throw new KitError(ERR_CODES.NOT_ALLOWED, 'the API refused a freshly issued session (HTTP ' + ans.status +
          '): the gate\'s policy does not allow this login type here; do not retry')
      }
      retriedAuth = true
      const next = await tokenAfterRejection(ctx, token)
      token = next.token
      fresh = true
      continue
    }
    if ((ans.status === 429 || ans.status === 503) && !retriedBusy && ans.retryAfter !== null &&
        ans.retryAfter <= MAX_CALL_RETRY_AFTER_S) {
      retriedBusy = true
      await ctx.sleep(ans.retryAfter * 1000)
      continue
    }
    return ans
  }
}

// ---- the verbs ----

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,128}$/

async function callFunction (ctx, opts) {
  if (typeof opts.name !== 'string' || !FUNCTION_NAME.test(opts.name)) {
    throw new KitError(ERR_CODES.BAD_ARGUMENT, 'name must be a cloud function\'s name (letters, digits, _ and -)')
  }
  const data = opts.data === undefined ? {} : opts.data
  const ans = await gated(ctx, '/functions/' + opts.name, { data }, () => null)
  if (ans.status === 200 && isObject(ans.body) && !isApiError(ans.body)) {
    return { result: ans.body.result, requestID: ans.body.requestID, errMsg: 'cloud.callFunction:ok' }
  }
  if (isApiError(ans.body)) {
    // The function's own failure: its errCode and reason, as wx.cloud.callFunction gives them.
    const reason = ans.body.errMsg.replace(/^cloud\.callFunction:fail\s*/, '')
    throw new KitError(ans.body.errCode, reason, { requestID: ans.body.requestID })
  }
  if (ans.status === 404) throw new KitError(ERR_CODES.NOT_FOUND, 'no cloud function named "' + opts.name + '" (HTTP 404)')
  throw transientError(ans, 'the call was not made or its answer was lost')
}

async function logout (ctx, opts) {
  const shared = ctx.shared
  const everywhere = opts.everywhere === true
  if (shared.refreshing) await shared.refreshing // present the refresh token that is current after it
  const s = shared.session
  if (!s) return { errMsg: 'logout:ok' }
  if (!s.refreshToken) {
    if (everywhere) throw new KitError(ERR_CODES.LOGIN_REQUIRED, 'this session has no refresh token to sign out everywhere with: log in again, then sign out')
    shared.end('logout')
    return { errMsg: 'logout:ok' }
  }
  const ans = await post(ctx, '/logout', everywhere ? { refreshToken: s.refreshToken, everywhere: true } : { refreshToken: s.refreshToken })
  if (shared.session !== s) return { errMsg: 'logout:ok' }
  if (ans.status === 204 || ans.status === 200) {
    shared.end('logout')
    return { errMsg: 'logout:ok' }
  }
  if (!everywhere) {
    // This device forgets the session either way; the server lets the refresh token expire.
    shared.end('logout')
    return { errMsg: 'logout:ok' }
  }
  if (ans.status === 401 || (ans.status === 400 && isObject(ans.body) && ans.body.errCode === REFRESH_TOKEN_SHAPE_ERRCODE)) {
    shared.end('refused')
    throw new KitError(ERR_CODES.LOGIN_REQUIRED, 'the API refused this session\'s refresh token: log in again, then sign out everywhere')
  }
  throw transientError(ans, 'other devices were not signed out; this one stays signed in')
}

async function deleteAccount (ctx) {
  const ans = await gated(ctx, '/account/delete', {}, ans => {
    // The API's own 401 (with an errCode) is "log in again first", not a stale token.
    if (ans.status === 401 && isApiError(ans.body)) {
      return new KitError(ERR_CODES.RECENT_LOGIN_REQUIRED, 'deleting the account needs a login from the last 10 minutes: ' +
        'call login() (a user action), then deleteAccount() again')
    }
    return null
  })
  if (ans.status === 204 || ans.status === 200) {
    ctx.shared.end('deleted')
    return { errMsg: 'deleteAccount:ok' }
  }
  if (isApiError(ans.body) && ans.status >= 400 && ans.status < 500 && ans.status !== 429) {
    throw new KitError(ans.body.errCode, ans.body.errMsg)
  }
  if (ans.status === 404) throw new KitError(ERR_CODES.NOT_FOUND, 'this server has no account deletion (HTTP 404)')
  throw transientError(ans, 'the account was not deleted, or not completely; call deleteAccount() again')
}

function isObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function stringOrNull (v) {
  return typeof v === 'string' ? v : null
}

module.exports = { createClient, ERR_CODES }
