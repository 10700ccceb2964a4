// A minimal page of the app (either build), typed: a login button and a cloud function call.
// Checked by `npm run check-types` against the official mini-program typings.
import { createClient, ERR_CODES, Failure, Session } from '../index'

const cloud = createClient({ baseUrl: 'https://abc123.execute-api.ap-east-1.amazonaws.com', wx })

Page({
  data: { signedIn: cloud.getSession() !== null, result: '' },
  onLoad () {
    // Show the login button exactly when a session really ends, not on a passing failure.
    this.off = cloud.onSessionChange(e => this.setData({ signedIn: e.type !== 'signedOut' }))
  },
  onUnload () {
    this.off()
  },
  async onLoginTap () {   // a user action: in the app build login() opens WeChat
    try {
      const session: Session = await cloud.login()
      this.setData({ signedIn: true, result: 'hello ' + session.userId })
    } catch (e) {
      wx.showToast({ title: (e as Failure).errMsg, icon: 'none' })
    }
  },
  onCallTap () {
    cloud.callFunction({
      name: 'myCloudFunction',
      data: { hello: 'world' },
      success: res => this.setData({ result: JSON.stringify(res.result) }),
      fail: err => {
        if (err.errCode === ERR_CODES.LOGIN_REQUIRED) this.setData({ signedIn: false })
        else wx.showToast({ title: err.errMsg, icon: 'none' })   // NETWORK / RETRY_LATER: the session is kept
      },
    })
  },
  off: () => {},
})

// The multi-terminal login APIs are typed on the global wx as well.
wx.weixinAppLogin({ success: res => console.log(res.code.length) })
