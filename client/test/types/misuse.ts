// Wrong uses of the kit that index.d.ts must refuse. Each line marked `// TSnnnn` must fail with
// that error, and no other line may fail: test/types/misuse.js runs tsc on this file and checks.
import { createClient, ERR_CODES, Session } from '../../index'

createClient({ wx })                                           // TS2345 no baseUrl
createClient({ baseUrl: 'https://api.example.com', build: 'web' })  // TS2322 no such build
const cloud = createClient({ baseUrl: 'https://api.example.com' })

cloud.login({ method: 'qqLogin' })                             // TS2820 no such wx.*Login
cloud.login({ code: 123 })                                     // TS2322 a code is a string
cloud.login({ code: 'c', codeType: 'jscode' })                 // TS2322 identity or miniProgram
cloud.login({ method: 'login', code: 'c' })                    // TS2322 a method or a code, not both
cloud.login('weixinAppLogin')                                  // TS2345 options, not a name

cloud.callFunction({ data: { hello: 'world' } })               // TS2769 no name
const promised: Promise<unknown> = cloud.callFunction({ name: 'f', success () {} })  // TS2322 callbacks: no Promise
cloud.callFunction({ name: 'f', fail: err => err.result })     // TS2339 a failure has no result
cloud.callFunction({ name: 'f' }).then(res => res.errCode)     // TS2339 a success has no errCode
cloud.callFunction({ name: 'f' }).then(res => res.errMsg === 'cloud.callFunction:fail') // TS2367 success is always ok

cloud.logout({ everywhere: 'yes' })                            // TS2322 everywhere is a boolean
cloud.deleteAccount({ force: true })                           // TS2554 no options
const session: Session = cloud.getSession()                    // TS2322 null when signed out
cloud.onSessionChange(e => e.reason)                           // TS2339 reason only on signedOut
cloud.onSessionChange(e => e.type === 'expired')               // TS2367 no such event
cloud.onSessionChange('signedOut')                             // TS2345 a listener

ERR_CODES.NETWORK = 1                                          // TS2540 read-only
const timeout = ERR_CODES.TIMEOUT                              // TS2339 no such errCode
const networkIsNotRetryLater: typeof ERR_CODES.NETWORK = ERR_CODES.RETRY_LATER  // TS2322 distinct codes
wx.weixinAppLogin({ success: res => res.openid })              // TS2339 a login API gives a code only
console.log(promised, session, timeout, networkIsNotRetryLater)
