'use strict'
// What the kit promises as a package: no runtime dependencies, nothing required at run time, and
// its errCodes documented the same way in client/README.md and the project's README ("In the app").
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { ERR_CODES } = require('..')

const here = path.join(__dirname, '..')
const read = file => fs.readFileSync(path.join(here, file), 'utf8')

test('no runtime dependencies: index.js requires nothing, package.json has devDependencies only (pinned)', () => {
  const pkg = JSON.parse(read('package.json'))
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
    assert.equal(pkg[field], undefined, field)
  }
  assert.deepEqual(pkg.files, ['index.js', 'index.d.ts', 'README.md'])
  for (const [name, version] of Object.entries(pkg.devDependencies)) {
    assert.match(version, /^\d+\.\d+\.\d+$/, name + ' is pinned to one version')
  }
  const lock = JSON.parse(read('package-lock.json'))
  assert.deepEqual(lock.packages[''].devDependencies, pkg.devDependencies, 'package-lock.json matches package.json')
  assert.equal(lock.packages[''].dependencies, undefined)
  const source = read('index.js')
  assert.doesNotMatch(source, /\brequire\s*\(|\bimport\b/, 'index.js loads no module')
})

function kitTable (markdown, where) {
  const rows = new Map()
  for (const m of markdown.matchAll(/^\| (88\d{4}) \| `?([A-Z_]+)`? \|/gm)) rows.set(m[2], Number(m[1]))
  assert.ok(rows.size > 0, where + ' has a table of the kit\'s errCodes')
  return Object.fromEntries(rows)
}

test('every ERR_CODES entry is in client/README.md and in README.md\'s "In the app", with its number', () => {
  const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8')
  const inTheApp = readme.slice(readme.indexOf('\n## In the app'), readme.indexOf('\n## API'))
  assert.deepEqual(kitTable(read('README.md'), 'client/README.md'), { ...ERR_CODES })
  assert.deepEqual(kitTable(inTheApp, 'README.md, "In the app"'), { ...ERR_CODES })
  const dts = read('index.d.ts')
  for (const [name, code] of Object.entries(ERR_CODES)) assert.match(dts, new RegExp('readonly ' + name + ': ' + code + '\\b'))
})
