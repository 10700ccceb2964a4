// The stack's ApiUrl output (sam deploy prints it; ./bin/local prints a local one). Add its host to
// the mini program's request domain allow-list (合法域名) in the WeChat console.
module.exports = { baseUrl: 'https://abc123.execute-api.ap-east-1.amazonaws.com/' }
