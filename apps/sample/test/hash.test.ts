// `hash` against the reference pipeline on a generated tree: odd names (spaces, unicode, a
// backslash, a newline, a carriage return), hidden files, empty and larger files, nested and
// empty folders, and symbolic links (which find -type f neither lists nor follows).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from './run.js'

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const haveSha256sum = hasCommand('sha256sum') && hasCommand('find') && hasCommand('sort') && hasCommand('xargs')

let base: string
const root = 'tree'

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'x-sample-hash-'))
  const r = join(base, root)
  const file = (rel: string, content: string | Buffer): void => {
    writeFileSync(join(r, rel), content)
  }
  for (const dir of ['a/b/c', 'a/empty', 'Z', 'spaced dir', 'ünïcödé', '.hidden']) mkdirSync(join(r, dir), { recursive: true })
  file('a/one.txt', 'one\n')
  file('a/b/two.txt', 'two\n')
  file('a/b/c/deep.bin', Buffer.from(Array.from({ length: 256 }, (_, i) => i)))
  file('a/empty.txt', '')
  file('Z/upper-first.txt', 'sorted before lower case in the C locale\n')
  file('spaced dir/file with spaces.txt', 'spaces\n')
  file('ünïcödé/naïve café.txt', 'unicode\n')
  file('.hidden/.dotfile', 'hidden\n')
  file('back\\slash.txt', 'backslash\n')
  file('new\nline.txt', 'newline\n')
  file('carriage\rreturn.txt', 'cr\n')
  file('large.bin', Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a))
  for (let i = 0; i < 40; i++) file(`a/b/many-${String(i).padStart(2, '0')}.txt`, `file ${String(i)}\n`.repeat(i))
  symlinkSync('one.txt', join(r, 'a/link-to-file'))
  symlinkSync('b', join(r, 'a/link-to-dir'))
})

afterAll(() => {
  rmSync(base, { recursive: true, force: true })
})

/** What `find <paths> -type f -print0 | LC_ALL=C sort -z | xargs -r0 sha256sum` prints. */
function reference(...paths: string[]): string {
  return execFileSync('sh', ['-c', 'find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -r0 sha256sum', 'sh', ...paths], {
    cwd: base,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  })
}

/** The same, computed here with node:crypto (for machines without sha256sum). */
function referenceWithNode(): string {
  const files = [
    'a/one.txt', 'a/b/two.txt', 'a/b/c/deep.bin', 'a/empty.txt', 'Z/upper-first.txt', 'spaced dir/file with spaces.txt',
    'ünïcödé/naïve café.txt', '.hidden/.dotfile', 'back\\slash.txt', 'new\nline.txt', 'carriage\rreturn.txt', 'large.bin',
    ...Array.from({ length: 40 }, (_, i) => `a/b/many-${String(i).padStart(2, '0')}.txt`),
  ].map((rel) => `${root}/${rel}`)
  files.sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
  return files
    .map((p) => {
      const hex = createHash('sha256').update(readFileSync(join(base, p))).digest('hex')
      const escaped = p.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r')
      return escaped === p ? `${hex}  ${p}\n` : `\\${hex}  ${escaped}\n`
    })
    .join('')
}

const expected = (path: string): string => (haveSha256sum ? reference(path) : referenceWithNode())
const against = haveSha256sum ? 'sha256sum' : 'node:crypto (sha256sum was not found on this machine)'

describe(`hash: output equals ${against}`, () => {
  it.each(['async', 'thread', 'process'])('--backend %s on a generated tree', async (backend) => {
    const r = await run(['hash', root, '--backend', backend, '--workers', '3'], { cwd: base })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const want = expected(root)
    expect(want.split('\n').length).toBeGreaterThan(50)
    expect(r.stdout).toBe(want)
  })

  it.each([`${root}/`, `./${root}`])('keeps the path as given (%j)', async (path) => {
    const r = await run(['hash', path, '--backend', 'async'], { cwd: base })
    expect(r.code).toBe(0)
    if (haveSha256sum) expect(r.stdout).toBe(reference(path))
    else expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^[0-9a-f]{64}  ${path.replace('.', '\\.')}`, 'u'))
  })

  it('takes several paths and sorts them together, files included', async () => {
    const r = await run(['hash', `${root}/a/b`, `${root}/Z`, `${root}/large.bin`, '--backend', 'async'], { cwd: base })
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(44)
    if (haveSha256sum) expect(r.stdout).toBe(reference(`${root}/a/b`, `${root}/Z`, `${root}/large.bin`))
  })

  it('shows progress on stderr with --progress, never on stdout', async () => {
    const r = await run(['hash', root, '--backend', 'async', '--progress'], { cwd: base })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(expected(root))
    expect(r.stderr).toMatch(/^hash \[async x\d+\] 0\/52 \(0%\)/mu)
    expect(r.stderr).toMatch(/^hash \[async x\d+\] 52\/52 \(100%\)/mu)
  })

  it.each(['async', 'process', 'thread'])('--backend %s: the progress bar counts the bytes hashed', async (backend) => {
    const r = await run(['hash', `${root}/large.bin`, `${root}/Z`, '--backend', backend, '--workers', '2', '--progress'], { cwd: base })
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2)
    expect(r.stderr).toMatch(new RegExp(`^hash \\[${backend} x2\\] 0/2 \\(0%\\) \\d+\\.\\ds 0\\.0/3\\.0 MiB$`, 'mu'))
    expect(r.stderr).toMatch(new RegExp(`^hash \\[${backend} x2\\] 2/2 \\(100%\\) \\d+\\.\\ds 3\\.0/3\\.0 MiB$`, 'mu'))
  })

  it('does not follow a symbolic link given as the path, like find -P, and says so', async () => {
    const r = await run(['hash', `${root}/a/link-to-dir`, `${root}/Z`, '--backend', 'async'], { cwd: base })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(
      `x-sample hash: note: '${root}/a/link-to-dir' is a symbolic link: like find -type f, hash does not follow it (write '${root}/a/link-to-dir/' to follow it)\n`,
    )
    if (haveSha256sum) expect(r.stdout).toBe(reference(`${root}/a/link-to-dir`, `${root}/Z`))
    const followed = await run(['hash', `${root}/a/link-to-dir/`, '--backend', 'async'], { cwd: base })
    expect(followed.code).toBe(0)
    expect(followed.stdout.trimEnd().split('\n')).toHaveLength(42)
    if (haveSha256sum) expect(followed.stdout).toBe(reference(`${root}/a/link-to-dir/`))
  })

  it('prints nothing for a folder without files (xargs -r), and exits 0', async () => {
    const r = await run(['hash', `${root}/a/empty`, '--backend', 'process'], { cwd: base })
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    if (haveSha256sum) expect(reference(`${root}/a/empty`)).toBe('')
  })

  it('reports a missing path on stderr, hashes the rest, exits 1', async () => {
    const r = await run(['hash', 'no-such-dir', `${root}/Z`, '--backend', 'async'], { cwd: base })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("x-sample hash: 'no-such-dir': No such file or directory\n")
    expect(r.stdout).toMatch(/^[0-9a-f]{64} {2}tree\/Z\/upper-first\.txt\n$/u)
  })
})
