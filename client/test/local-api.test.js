'use strict'
// End to end: the kit against the project's real local API (./bin/local: template.yaml's routes,
// the real handlers, the WeChat sandbox, DynamoDB Local), through the wx stand-in's real HTTP.
// Set CLIENT_SKIP_LOCAL_API=1 to skip it (it builds and starts the Java stack, about a minute).
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const { createClient, ERR_CODES } = require('..')
const { createWx } = require('./support/wx')

const skip = process.env.CLIENT_SKIP_LOCAL_API === '1' && 'CLIENT_SKIP_LOCAL_API=1'
const HOUR = 3600 * 1000
let stack
let baseUrl

before(async () => {
  if (skip) return
  const root = path.resolve(__dirname, '..', '..')
  stack = spawn(path.join(root, 'bin', 'local'), ['--port', '0', '--wechat-port', '0'], {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('./bin/local did not start in 5 minutes:\n' + output)), 300000)
    const read = chunk => {
      output += chunk
      const m = /Local API \(template\.yaml, real handlers\): (http:\/\/\S+)/.exec(output)
      if (m && /Press Ctrl\+C to stop/.test(output)) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    stack.stdout.on('data', read)
    stack.stderr.on('data', read)
    stack.on('exit', code => { clearTimeout(timer); reject(new Error('./bin/local exited with ' + code + ':\n' + output)) })
  })
  stack.stdout.resume()
  stack.stderr.resume()
}, { timeout: 310000 })

after(() => {
  if (stack && stack.exitCode === null) process.kill(-stack.pid, 'SIGTERM')
})

function rawPost (url, body) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

test('app build against the real local API: login, callFunction, refresh, recovery from a 403, logout', { skip }, async () => {
  const wx = await createWx({ build: 'app' })
  let t = Date.now() + 3 * HOUR   // a device clock hours off changes nothing
  const now = () => t
  const cloud = createClient({ baseUrl, wx, now })
  const events = []
  cloud.onSessionChange(e => events.push(e.type))
  const key = 'wxlogin.session:' + baseUrl

  const session = await cloud.login()
  assert.equal(session.loginType, 'weixinApp')
  assert.equal(typeof session.userId, 'string')
  assert.ok(wx.getStorageSync(key).refreshToken, 'lasting sessions: a refresh token is stored')

  const res = await cloud.callFunction({ name: 'myCloudFunction', data: { hello: 'world' } })
  assert.equal(res.errMsg, 'cloud.callFunction:ok')
  assert.equal(typeof res.requestID, 'string')
  assert.match(JSON.stringify(res.result), /hello/)

  const viaCallbacks = await new Promise((resolve, reject) => cloud.callFunction({ name: 'myCloudFunction', data: 1, success: resolve, fail: reject }))
  assert.equal(viaCallbacks.errMsg, 'cloud.callFunction:ok')

  // Expiry by the device's clock: the next call refreshes first, and the rotated token is stored.
  const first = wx.getStorageSync(key)
  t += 3 * HOUR
  await cloud.callFunction({ name: 'myCloudFunction' })
  const second = wx.getStorageSync(key)
  assert.notEqual(second.refreshToken, first.refreshToken)
  assert.deepEqual(events, ['signedIn', 'refreshed'])

  // The real gate refuses a broken access token (403): one refresh, one retry.
  const broken = Object.assign({}, second, { token: second.token.slice(0, -4) + (second.token.endsWith('AAAA') ? 'BBBB' : 'AAAA') })
  const wx2 = await createWx({ build: 'app', storage: new Map([[key, JSON.stringify(broken)]]) })
  const restarted = createClient({ baseUrl, wx: wx2, now })
  assert.equal((await restarted.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  const third = wx2.getStorageSync(key)
  assert.notEqual(third.refreshToken, second.refreshToken)

  // logout revokes the refresh token on the server.
  await restarted.logout()
  assert.equal(wx2.getStorageSync(key), '')
  const afterLogout = await rawPost(baseUrl + '/session/refresh', { refreshToken: third.refreshToken })
  assert.equal(afterLogout.status, 401)
})

test('app build against the real local API: a refresh token the API refuses ends the session, and then login is required', { skip }, async () => {
  const wx = await createWx({ build: 'app' })
  let t = Date.now()
  const cloud = createClient({ baseUrl, wx, now: () => t })
  await cloud.login()
  const key = 'wxlogin.session:' + baseUrl
  wx.storage.set(key, JSON.stringify(Object.assign(wx.getStorageSync(key), { refreshToken: 'not-a-refresh-token' })))
  const reloaded = createClient({ baseUrl, wx: await createWx({ build: 'app', storage: wx.storage }), now: () => t })
  const events = []
  reloaded.onSessionChange(e => events.push(e.type + ':' + e.reason))
  t += 3 * HOUR
  let err
  try {
    await reloaded.callFunction({ name: 'myCloudFunction' })
  } catch (e) {
    err = e
  }
  assert.equal(err.errCode, ERR_CODES.LOGIN_REQUIRED)
  assert.deepEqual(events, ['signedOut:refused'])
  assert.equal(reloaded.getSession(), null)
})

test('both builds against the real local API: the mini program logs in by itself with wx.login, and the app build is the same person', { skip }, async () => {
  const user = 'kit' + Math.random().toString(36).slice(2, 8)
  const mini = await createWx({ build: 'miniProgram', codePrefixes: { login: 'mp.bound.' + user } })
  const miniCloud = createClient({ baseUrl, wx: mini })
  // No session yet: in the mini-program build the kit logs in by itself (wx.login needs no user action).
  const res = await miniCloud.callFunction({ name: 'myCloudFunction', data: { from: 'mini program' } })
  assert.equal(res.errMsg, 'cloud.callFunction:ok')
  const miniSession = miniCloud.getSession()
  assert.equal(miniSession.loginType, 'miniProgram')
  assert.equal(mini.codesIssued.length, 1)
  assert.match(mini.codesIssued[0], /^mp\.bound\./)

  const app = await createWx({ build: 'app', codePrefixes: { weixinAppLogin: 'bound.' + user } })
  const appCloud = createClient({ baseUrl, wx: app })
  const appSession = await appCloud.login()
  assert.equal(appSession.loginType, 'weixinApp')
  assert.equal(appSession.userId, miniSession.userId, 'one person in both builds')
  assert.equal((await appCloud.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
})

test('app build against the real local API: 10 concurrent calls on two pages\' clients with an expired token make exactly one refresh', { skip }, async () => {
  const wx = await createWx({ build: 'app' })
  let t = Date.now() - 5 * HOUR   // a device clock hours behind changes nothing either
  const now = () => t
  const pageA = createClient({ baseUrl, wx, now })
  const pageB = createClient({ baseUrl, wx, now })
  await pageA.login()
  t += 3 * HOUR
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    (i % 2 ? pageA : pageB).callFunction({ name: 'myCloudFunction', data: { i } })))
  assert.ok(results.every(r => r.errMsg === 'cloud.callFunction:ok'))
  assert.equal(wx.requested.filter(p => p === '/session/refresh').length, 1)
  assert.equal(wx.requested.filter(p => p === '/functions/myCloudFunction').length, 10, 'no call needed a retry')
})

// POST /account/delete is built on the server separately; until this ./bin/local serves it, the
// route answers 404 and this test says so instead of failing.
test('app build against the real local API: deleteAccount() answers 204, ends the session (deleted), and the person comes back as a new user', { skip }, async t => {
  const probe = await rawPost(baseUrl + '/account/delete', {})
  if (probe.status === 404) {
    t.skip('POST /account/delete answers 404 on this ./bin/local: the route is not in template.yaml yet')
    return
  }
  assert.equal(probe.status, 401, 'no Authorization header: API Gateway\'s 401, the gate is not called')
  const user = 'del' + Math.random().toString(36).slice(2, 8)
  const wx = await createWx({ build: 'app', codePrefixes: { weixinAppLogin: 'bound.' + user } })
  const cloud = createClient({ baseUrl, wx })
  const events = []
  cloud.onSessionChange(e => events.push(e.type + (e.reason ? ':' + e.reason : '')))
  const key = 'wxlogin.session:' + baseUrl
  const first = await cloud.login()
  assert.equal((await cloud.callFunction({ name: 'myCloudFunction' })).errMsg, 'cloud.callFunction:ok')
  const stored = wx.getStorageSync(key)

  assert.deepEqual(await cloud.deleteAccount(), { errMsg: 'deleteAccount:ok' })
  assert.deepEqual(events, ['signedIn', 'signedOut:deleted'])
  assert.equal(cloud.getSession(), null)
  assert.equal(wx.getStorageSync(key), '')
  assert.equal((await rawPost(baseUrl + '/session/refresh', { refreshToken: stored.refreshToken })).status, 401, 'every session revoked')
  const repeat = await fetch(baseUrl + '/account/delete', {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + stored.token }, body: '{}',
  })
  assert.equal(repeat.status, 204, 'repeating the deletion answers 204')

  const err = await cloud.deleteAccount().then(() => null, e => e)
  assert.equal(err.errCode, ERR_CODES.LOGIN_REQUIRED, 'signed out: the app build needs login() first')
  const again = await cloud.login()
  assert.notEqual(again.userId, first.userId, 'a later login of the same person gets a new user id')
})
