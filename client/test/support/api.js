'use strict'
// A scripted HTTP server that speaks the API's contract (README "API"): /login, /session/refresh
// with rotation, /logout (also everywhere), /account/delete and gated /functions/{name}, with
// one-shot scripted answers (status, body, Retry-After, a hang, a reset) per path.
const http = require('node:http')

async function startApi () {
  const api = {
    url: '',
    expiresIn: 3600,
    refreshDelayMs: 0,
    requests: [],                 // {path, body, authorization}
    denied: new Set(),            // function names the gate's policy refuses
    access: new Map(),            // access token -> {userId, revoked}
    refresh: new Map(),           // refresh token -> {userId, used}
    scripted: new Map(),          // path -> [answer, ...]
    seq: 0,
    next (path, answer) {
      if (!api.scripted.has(path)) api.scripted.set(path, [])
      api.scripted.get(path).push(answer)
    },
    count (path) {
      return api.requests.filter(r => r.path === path).length
    },
    revokeAccess () {
      for (const entry of api.access.values()) entry.revoked = true
    },
  }

  function mint (userId) {
    const n = ++api.seq
    // Shaped like a JWS whose exp follows the server's clock; the kit must never read it.
    const claims = Buffer.from(JSON.stringify({ sub: userId, exp: Math.floor(Date.now() / 1000) + api.expiresIn })).toString('base64url')
    const token = 'eyJhbGciOiJIUzI1NiJ9.' + claims + '.sig' + n
    const refreshToken = 'rt' + n + 'x'.repeat(40)
    api.access.set(token, { userId, revoked: false })
    api.refresh.set(refreshToken, { userId, used: false })
    return {
      token, tokenType: 'Bearer', expiresIn: api.expiresIn, userId, openid: 'o-' + userId, unionid: null,
      loginType: 'weixinApp', refreshToken, refreshExpiresIn: 2592000,
    }
  }

  function bearer (req) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization || '')
    const entry = m && api.access.get(m[1])
    return entry && !entry.revoked ? entry : null
  }

  function route (path, body, req) {
    if (path === '/login') {
      if (typeof body.code !== 'string') return { status: 400, body: { errCode: 900002, errMsg: 'code missing' } }
      if (body.code.startsWith('used.')) return { status: 401, body: { errCode: 10001001, errMsg: 'the code is invalid or used: log in again' } }
      return { status: 200, body: mint('user-' + body.code.split('.')[0]) }
    }
    if (path === '/session/refresh') {
      if (typeof body.refreshToken !== 'string' || !/^rt\d+x{40}$/.test(body.refreshToken)) {
        return { status: 400, body: { errCode: 900003, errMsg: 'refreshToken is not a refresh token' } }
      }
      const entry = api.refresh.get(body.refreshToken)
      if (!entry || entry.used) return { status: 401, body: { errCode: 900401, errMsg: 'the session ended: log in again' } }
      entry.used = true
      return { status: 200, body: mint(entry.userId), delay: api.refreshDelayMs }
    }
    if (path === '/logout') return { status: 204 }
    if (path === '/account/delete') return bearer(req) ? { status: 204 } : { status: 403, body: { message: 'Forbidden' } }
    const fn = /^\/functions\/([^/]+)$/.exec(path)
    if (fn) {
      const caller = bearer(req)
      if (!caller || api.denied.has(fn[1])) return { status: 403, body: { message: 'Forbidden' } }
      if (fn[1] === 'failing') {
        return { status: 500, body: { errCode: 12345, errMsg: 'cloud.callFunction:fail out of stock', requestID: 'req-fail' } }
      }
      return { status: 200, body: { result: { name: fn[1], data: body.data, userId: caller.userId }, requestID: 'req-' + api.seq, errMsg: 'cloud.callFunction:ok' } }
    }
    return { status: 404, body: { message: 'Not Found' } }
  }

  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body = {}
      try { body = JSON.parse(text) } catch (e) { body = {} }
      const path = req.url
      api.requests.push({ path, body, authorization: req.headers.authorization || null })
      const queue = api.scripted.get(path)
      const answer = queue && queue.length ? queue.shift() : route(path, body, req)
      if (answer === 'hang') return // the client's timeout ends it
      if (answer === 'reset') return req.socket.destroy()
      const send = () => {
        const headers = Object.assign({}, answer.headers)
        let payload = ''
        if (typeof answer.body === 'string') {
          payload = answer.body
          headers['Content-Type'] = headers['Content-Type'] || 'text/html'
        } else if (answer.body !== undefined) {
          payload = JSON.stringify(answer.body)
          headers['Content-Type'] = 'application/json'
        }
        res.writeHead(answer.status, headers)
        res.end(payload)
      }
      if (answer.delay) setTimeout(send, answer.delay)
      else send()
    })
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  api.url = 'http://127.0.0.1:' + server.address().port
  api.close = () => new Promise(resolve => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return api
}

module.exports = { startApi }
