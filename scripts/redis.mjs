#!/usr/bin/env node
// Redis for the @x/distributed tests, at REDIS_URL (default redis://127.0.0.1:6379).
//   node scripts/redis.mjs --check    exit 0 when a Redis answers PING, else 1 (and say why)
//   node scripts/redis.mjs --ensure   make one answer: start `redis-server` on the URL's port if
//                                     nothing answers, installing the Debian package `redis-server`
//                                     with apt-get first when it is missing (CI: .ci/run)
//   node scripts/redis.mjs --explain  (the package's `test` script) under CI=true the same as
//                                     --ensure; elsewhere, when nothing answers, print loudly that
//                                     the distributed suite will not run and how to get a Redis,
//                                     and leave a note that `pnpm test` repeats in its summary
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 6379);
const address = `${host}:${String(port)}`;
/** Where `pnpm test` looks for the note (scripts/test.mjs prints it in the summary). */
export const notRunNote = path.join(fileURLToPath(new URL('..', import.meta.url)), 'packages', 'distributed', 'test-results', 'NOT-RUN.txt');

/**
 * Whether a Redis answers PING at host:port within a second.
 * @returns {Promise<string | undefined>} undefined when it does, else why not
 */
export function ping() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (/** @type {string | undefined} */ why) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(1000, () => { done(`no answer within 1 s from ${address}`); });
    socket.on('error', (error) => { done(error.message); });
    socket.on('connect', () => {
      if (url.password !== '') {
        const user = url.username === '' ? '' : ` ${decodeURIComponent(url.username)}`;
        socket.write(`AUTH${user} ${decodeURIComponent(url.password)}\r\n`);
      }
      socket.write('PING\r\n');
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(undefined);
      else if (reply.includes('-')) done(`Redis at ${address} refused: ${reply.trim()}`);
    });
  });
}

/** @param {string} command */
function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** @param {string} command @param {string[]} args */
function run(command, args) {
  console.log(`redis: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** Starts (installing if needed) a redis-server on the URL's port; resolves to an error or undefined. */
async function ensure() {
  let why = await ping();
  if (why === undefined) return undefined;
  if (host !== '127.0.0.1' && host !== 'localhost') return `nothing answers at ${address} (${why}), and it is not this machine`;
  if (!has('redis-server')) {
    if (!has('apt-get')) return `nothing answers at ${address}, redis-server is not installed and there is no apt-get to install it`;
    const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
    const apt = (/** @type {string[]} */ args) => (sudo.length > 0 ? run('sudo', [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
    if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', 'redis-server'])) {
      return 'apt-get could not install redis-server';
    }
  }
  run('redis-server', ['--daemonize', 'yes', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction']);
  for (let i = 0; i < 50; i++) {
    why = await ping();
    if (why === undefined) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `redis-server was started but ${address} does not answer (${why})`;
}

const banner = (/** @type {string[]} */ lines) => {
  const bar = '!'.repeat(78);
  console.error(['', bar, ...lines.map((l) => `!! ${l}`), bar, ''].join('\n'));
};

async function main() {
  const mode = process.argv[2] ?? '--check';
  if (mode === '--check') {
    const why = await ping();
    if (why !== undefined) console.error(`redis: nothing answers at ${address}: ${why}`);
    return why === undefined ? 0 : 1;
  }
  if (mode === '--ensure' || (mode === '--explain' && process.env.CI === 'true')) {
    const why = await ensure();
    if (why === undefined) {
      console.log(`redis: answering at ${address}`);
      return 0;
    }
    banner([`No Redis for the @x/distributed suite: ${why}.`, 'Under CI the suite must run: this is a failure.']);
    return 1;
  }
  if (mode === '--explain') {
    const why = await ping();
    if (why === undefined) return 0;
    const lines = [
      `THE @x/distributed SUITE DID NOT RUN: no Redis answers at ${address} (${why}).`,
      'Get one (README, "Redis for the distributed tests"):',
      '  sudo apt-get install redis-server && redis-server --daemonize yes --save "" --appendonly no',
      '  or: docker run -d -p 6379:6379 redis:7      or: node scripts/redis.mjs --ensure',
      'then run pnpm test again (or set REDIS_URL to a Redis you have).',
    ];
    banner(lines);
    mkdirSync(path.dirname(notRunNote), { recursive: true });
    writeFileSync(notRunNote, `${lines.join('\n')}\n`);
    return 0;
  }
  console.error(`redis: unknown option ${mode}; use --check, --ensure or --explain`);
  return 2;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
