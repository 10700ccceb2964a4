'use strict'
// Runs tsc on misuse.ts and checks that the typings refuse each wrong use there: every line marked
// `// TSnnnn` fails with exactly that error, and no other line fails (so a typo cannot pass for one).
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const file = path.join(__dirname, 'misuse.ts')
const expected = new Map()
fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
  const m = /\/\/ (TS\d+) /.exec(line)
  if (m) expected.set(i + 1, m[1])
})

const tsc = require.resolve('typescript/bin/tsc')
const run = spawnSync(process.execPath, [tsc, '-p', __dirname, '--pretty', 'false'], { encoding: 'utf8' })
const found = new Map()
for (const m of run.stdout.matchAll(/misuse\.ts\((\d+),\d+\): error (TS\d+)/g)) {
  const line = Number(m[1])
  found.set(line, (found.get(line) || []).concat(m[2]))
}

const problems = []
if (run.status === 0) problems.push('tsc accepted misuse.ts')
for (const [line, code] of expected) {
  const got = found.get(line) || []
  if (got.length !== 1 || got[0] !== code) problems.push('line ' + line + ': expected ' + code + ', tsc said ' + (got.join(', ') || 'nothing'))
}
for (const line of found.keys()) {
  if (!expected.has(line)) problems.push('line ' + line + ': unexpected ' + found.get(line).join(', '))
}
if (expected.size < 10 || problems.length) {
  console.error('test/types/misuse.ts: the typings do not refuse what they should\n  ' + problems.join('\n  ') + '\n' + run.stdout + run.stderr)
  process.exit(1)
}
console.log('index.d.ts refuses all ' + expected.size + ' wrong uses in test/types/misuse.ts, each with the expected error')
