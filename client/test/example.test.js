'use strict'
// The example mini-program page (example/miniprogram/) run as WeChat would run it: its own
// require of the kit, the global wx and Page(), taps as method calls, against the scripted API.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { startApi } = require('./support/api')
const { createWx } = require('./support/wx')
const { createClient } = require('..')

const root = path.join(__dirname, '..', 'example', 'miniprogram')

// Loads pages/index/index.js afresh with `wx` as the global wx and baseUrl in config.js, and
// returns the page instance Page() would make (data, setData, the handlers).
function loadPage (wx, baseUrl) {
  const pageFile = require.resolve(path.join(root, 'pages', 'index', 'index.js'))
  const configFile = require.resolve(path.join(root, 'config.js'))
  delete require.cache[pageFile]
  require.cache[configFile] = { id: configFile, filename: configFile, loaded: true, exports: { baseUrl } }
  let definition
  globalThis.wx = wx
  globalThis.Page = d => { definition = d }
  try {
    require(pageFile)
  } finally {
    delete globalThis.Page
    delete globalThis.wx
    delete require.cache[configFile]
  }
  const page = Object.assign({}, definition, { data: structuredClone(definition.data) })
  page.setData = patch => Object.assign(page.data, patch)
  return page
}

test('the example uses the kit unchanged: lib/wxlogin/ is client/index.js and index.d.ts', () => {
  for (const name of ['index.js', 'index.d.ts']) {
    assert.equal(fs.realpathSync(path.join(root, 'lib', 'wxlogin', name)), fs.realpathSync(path.join(__dirname, '..', name)))
  }
  const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'))
  for (const page of app.pages) {
    for (const ext of ['js', 'json', 'wxml']) assert.ok(fs.existsSync(path.join(root, page + '.' + ext)), page + '.' + ext)
  }
  const wxml = fs.readFileSync(path.join(root, 'pages', 'index', 'index.wxml'), 'utf8')
  for (const handler of wxml.matchAll(/bindtap="(\w+)"/g)) {
    assert.equal(typeof loadPageDefinition()[handler[1]], 'function', 'the page has ' + handler[1])
  }
})

function loadPageDefinition () {
  return loadPage({ request () {}, getStorageSync: () => '', setStorageSync () {}, removeStorageSync () {} }, 'https://api.example.com')
}

test('example page, mini-program build: a call logs in by itself (wx.login), shows the result, logout shows the button', async t => {
  const api = await startApi()
  t.after(() => api.close())
  const wx = await createWx({ build: 'miniProgram' })
  const page = loadPage(wx, api.url)
  page.onLoad()
  assert.equal(page.data.signedIn, false)
  await page.onCall()
  assert.deepEqual(api.requests.map(r => r.path), ['/login', '/functions/myCloudFunction'])
  assert.equal(api.requests[0].body.codeType, 'miniProgram')
  assert.equal(page.data.signedIn, true)
  assert.equal(page.data.userId, 'user-miniProgram')
  assert.deepEqual(JSON.parse(page.data.result).data, { hello: 'world' })
  assert.equal(page.data.error, '')
  await page.onLogout()
  assert.equal(page.data.signedIn, false)
  assert.equal(api.count('/logout'), 1)
  page.onUnload()
})

test('example page, app build: a call before login says to log in, with no request; the login tap signs in; a restart finds the session', async t => {
  const api = await startApi()
  t.after(() => api.close())
  const wx = await createWx({ build: 'app' })
  const page = loadPage(wx, api.url)
  page.onLoad()
  await page.onCall()
  assert.equal(page.data.error, 'Log in first')
  assert.equal(api.requests.length, 0)
  wx.loginFailures.push({ errMsg: 'weixinAppLogin:fail cancel' })
  await page.onLogin()
  assert.match(page.data.error, /^login:fail the user cancelled the login/)
  assert.equal(page.data.signedIn, false)
  await page.onLogin()
  assert.match(wx.codesIssued[0], /^weixinApp\./)
  assert.deepEqual(page.data, { signedIn: true, userId: 'user-weixinApp', result: '', error: '' })
  await page.onCall()
  assert.equal(JSON.parse(page.data.result).userId, 'user-weixinApp')

  // The app restarts: the page finds the stored session.
  const restarted = loadPage(await createWx({ build: 'app', storage: wx.storage }), api.url)
  restarted.onLoad()
  assert.equal(restarted.data.signedIn, true)

  // Once unloaded, the page hears nothing: another page's client on the same wx signs out.
  page.onUnload()
  await createClient({ baseUrl: api.url, wx }).logout()
  assert.equal(page.data.signedIn, true)
  assert.equal(api.count('/logout'), 1)
})
