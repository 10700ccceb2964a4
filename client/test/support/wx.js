'use strict'
// A wx stand-in: wx.request does real HTTP with node's http module (WeChat's result shapes: success
// for any status, fail with errMsg on no answer), storage behaves like WeChat's (a missing key
// reads as '', values round-trip as JSON, setStorageSync can throw), and the wx.*Login APIs of
// either build hand out fresh codes or scripted failures.
const http = require('node:http')
const net = require('node:net')

// A port nothing listens on: requests there fail the way a phone without a connection does.
async function closedPort () {
  const server = net.createServer()
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port
  await new Promise(resolve => server.close(resolve))
  return port
}

// codePrefixes: what a wx.*Login API's codes start with, e.g. { login: 'mp.bound.alice' } for the
// local API's WeChat sandbox (a code is <prefix>.<nonce>).
async function createWx ({ build = 'app', storage = new Map(), codePrefixes = {} } = {}) {
  const deadPort = await closedPort()
  let codes = 0
  const wx = {
    storage,
    offline: false,
    storageFull: false,
    codesIssued: [],
    requested: [],        // the path of every wx.request, in order
    loginFailures: [],    // the next wx.*Login calls fail with these {errCode, errMsg}
    request (opts) {
      const url = new URL(opts.url)
      wx.requested.push(url.pathname)
      if (wx.offline) url.port = String(deadPort)
      const req = http.request(url, { method: opts.method || 'GET', headers: opts.header || {} }, res => {
        const chunks = []
        res.on('data', c => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let data = text
          if (opts.dataType === undefined || opts.dataType === 'json') {
            try { data = JSON.parse(text) } catch (e) { data = text }
          }
          const header = {}
          for (let i = 0; i < res.rawHeaders.length; i += 2) header[res.rawHeaders[i]] = res.rawHeaders[i + 1]
          const result = { statusCode: res.statusCode, data, header, errMsg: 'request:ok' }
          if (opts.success) opts.success(result)
          if (opts.complete) opts.complete(result)
        })
      })
      let timedOut = false
      if (opts.timeout) {
        req.setTimeout(opts.timeout, () => {
          timedOut = true
          req.destroy()
        })
      }
      req.on('error', err => {
        const result = { errMsg: timedOut ? 'request:fail timeout' : 'request:fail ' + (err.code || err.message), errno: 600001 }
        if (opts.fail) opts.fail(result)
        if (opts.complete) opts.complete(result)
      })
      req.end(typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data))
    },
    getStorageSync (key) {
      return storage.has(key) ? JSON.parse(storage.get(key)) : ''
    },
    setStorageSync (key, value) {
      if (wx.storageFull) throw new Error('setStorageSync:fail exceed storage max size 10Mb')
      storage.set(key, JSON.stringify(value))
    },
    removeStorageSync (key) {
      storage.delete(key)
    },
  }
  const loginApi = (name, fallback) => function ({ success, fail }) {
    const prefix = codePrefixes[name] || fallback
    setImmediate(() => {
      if (wx.loginFailures.length) return fail(wx.loginFailures.shift())
      const code = prefix + '.n' + (++codes) + 'r' + Math.random().toString(36).slice(2, 10)
      wx.codesIssued.push(code)
      success({ code, errMsg: 'login:ok' })
    })
  }
  wx.weixinMiniProgramLogin = loginApi('weixinMiniProgramLogin', 'weixinMiniProgram')
  wx.getMiniProgramCode = loginApi('getMiniProgramCode', 'miniProgramCode')
  if (build === 'app') {
    wx.miniapp = {}
    wx.weixinAppLogin = loginApi('weixinAppLogin', 'weixinApp')
    wx.appleLogin = loginApi('appleLogin', 'apple')
    wx.phoneSmsLogin = loginApi('phoneSmsLogin', 'phoneSms')
  } else {
    wx.login = loginApi('login', 'miniProgram')
  }
  return wx
}

module.exports = { createWx }
