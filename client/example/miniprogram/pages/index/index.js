// A minimal page: a login button and a cloud function call, with the kit as it is (lib/wxlogin/ is
// client/index.js and index.d.ts; in your project, copy those two files there). The same page works
// in the mini-program build and in the multi-terminal app build.
const { createClient, ERR_CODES } = require('../../lib/wxlogin/index')
const { baseUrl } = require('../../config')

const cloud = createClient({ baseUrl })   // wx: the global one; build: detected

Page({
  data: { signedIn: false, userId: '', result: '', error: '' },
  off () {},

  onLoad () {
    const session = cloud.getSession()
    this.setData({ signedIn: session !== null, userId: (session && session.userId) || '' })
    // The login button shows exactly when a session really ends, never on a passing failure.
    this.off = cloud.onSessionChange(e => {
      if (e.type === 'signedOut') this.setData({ signedIn: false, userId: '' })
      else this.setData({ signedIn: true, userId: e.session.userId || '' })
    })
  },

  onUnload () {
    this.off()
  },

  // A tap: in the app build login() opens WeChat, so it is only ever called from one.
  onLogin () {
    return cloud.login().then(
      () => this.setData({ error: '' }),
      err => this.setData({ error: err.errMsg }))
  },

  // wx.cloud.callFunction's options and results. In the mini-program build the kit logs in by
  // itself when needed; in the app build it fails with LOGIN_REQUIRED and the button shows.
  onCall () {
    return cloud.callFunction({ name: 'myCloudFunction', data: { hello: 'world' } }).then(
      res => this.setData({ result: JSON.stringify(res.result), error: '' }),
      err => this.setData(err.errCode === ERR_CODES.LOGIN_REQUIRED
        ? { signedIn: false, error: 'Log in first' }
        : { error: err.errMsg }))   // NETWORK / RETRY_LATER: the session is kept; tap again later
  },

  onLogout () {
    return cloud.logout().then(() => this.setData({ result: '', error: '' }))
  },
})
