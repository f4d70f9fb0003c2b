import { describe, expect, it } from 'vitest'
import { inheritedExecArgv } from '../src/exec-argv.js'

describe('inheritedExecArgv', () => {
  it('drops the options that run something else than the entry, with their separate values', () => {
    expect(
      inheritedExecArgv([
        '--import', 'tsx',
        '--input-type', 'module',
        '-e', 'console.log(1)',
        '--max-old-space-size=64',
        '--eval=1',
        '-p', '2',
        '--watch', '--watch-path', 'src',
        '--inspect-brk=9229', '--inspect-port', '9230',
        '--test', '--test-name-pattern', 'x',
        '-i', '-c',
        '--conditions=dev',
      ]),
    ).toEqual(['--import', 'tsx', '--max-old-space-size=64', '--conditions=dev'])
  })

  it("reads process.execArgv by default", () => {
    expect(inheritedExecArgv()).toEqual(inheritedExecArgv(process.execArgv))
  })
})
