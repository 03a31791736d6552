// The hash of the sources the committed bundle was built from (checked by tests/contract/test_web_bundle.py).
// sha256 over, for each file in sorted posix path order: path, NUL, bytes, NUL.
// Files: index.html, package-lock.json, vite.config.ts and everything under src/.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
const files = [
  ...['index.html', 'package-lock.json', 'vite.config.ts'].map((f) => join(root, f)),
  ...walk(join(root, 'src')),
]
const rel = files.map((f) => relative(root, f).split(sep).join('/')).sort()
const hash = createHash('sha256')
for (const r of rel) {
  hash.update(r)
  hash.update('\0')
  hash.update(readFileSync(join(root, r)))
  hash.update('\0')
}
const digest = hash.digest('hex')
const target = join(root, '..', 'src', 'luoshi_gateway', 'web', 'sources.sha256')
if (process.argv.includes('--write')) writeFileSync(target, digest + '\n')
console.log(digest)
