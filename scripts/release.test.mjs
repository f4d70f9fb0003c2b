// A release dry run: `changeset version` on a scratch copy of the workspace manifests and the
// pending changesets must succeed, bump every published package to one version (the fixed
// group), write each package a CHANGELOG.md holding the summaries of the changesets that name it,
// and leave the private packages alone. A changeset that names no workspace package fails it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, readManifest } from './packages.mjs';
import { scratchTrees } from './scratch-tree.mjs';
import { repoRoot } from './summary.mjs';

const scratchTree = scratchTrees('x-release-');

const changesetBin = path.join(repoRoot, 'node_modules', '.bin', 'changeset');

/**
 * The pending changesets: file name → the packages each names and its summary.
 * @param {string} dir a .changeset folder
 * @returns {{ file: string, packages: string[], summary: string }[]}
 */
function pendingChangesets(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/u.exec(text);
      if (match === null) throw new Error(`.changeset/${file} has no front matter`);
      const packages = [...(match[1] ?? '').matchAll(/^\s*['"]?(@[^'":]+)['"]?\s*:/gmu)].map((m) => m[1] ?? '');
      return { file, packages, summary: (match[2] ?? '').trim() };
    });
}

/**
 * Copies what `changeset version` reads (manifests, workspace file, .changeset/, changelogs) to
 * a scratch folder.
 * @returns {string} the copy's root
 */
function scratchWorkspace() {
  const root = scratchTree({});
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(path.join(repoRoot, file), path.join(root, file));
  cpSync(path.join(repoRoot, '.changeset'), path.join(root, '.changeset'), { recursive: true });
  for (const base of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, base), { withFileTypes: true })) {
      const from = path.join(repoRoot, base, entry.name);
      if (!entry.isDirectory() || !existsSync(path.join(from, 'package.json'))) continue;
      for (const file of ['package.json', 'CHANGELOG.md']) {
        if (existsSync(path.join(from, file))) cpSync(path.join(from, file), path.join(root, base, entry.name, file));
      }
    }
  }
  return root;
}

/**
 * @param {string} cwd
 * @returns {{ status: number | null, output: string }}
 */
function changesetVersion(cwd) {
  const result = spawnSync(changesetBin, ['version'], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('release dry run (changeset version on a scratch copy)', () => {
  it('versions every published package together and writes their changelogs', () => {
    const root = scratchWorkspace();
    const pending = pendingChangesets(path.join(root, '.changeset'));
    const published = publishedPackages(repoRoot);
    const before = new Map(published.map((f) => [f, readManifest(path.join(root, f, 'package.json')).version]));

    const { status, output } = changesetVersion(root);
    expect(status, output).toBe(0);

    const versions = new Set(published.map((f) => readManifest(path.join(root, f, 'package.json')).version));
    expect(versions.size, 'the fixed group gives every published package one version').toBe(1);
    const [version = ''] = versions;
    if (pending.length > 0) expect(version).not.toBe(before.get(published[0] ?? ''));

    for (const folder of published) {
      const { name } = readManifest(path.join(root, folder, 'package.json'));
      const changelog = readFileSync(path.join(root, folder, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`# ${String(name)}`);
      expect(changelog).toContain(`## ${version}`);
      for (const changeset of pending.filter((c) => c.packages.includes(String(name)))) {
        const firstLine = changeset.summary.split('\n')[0] ?? '';
        expect(changelog, `${folder}/CHANGELOG.md lacks .changeset/${changeset.file}`).toContain(firstLine);
      }
    }
    for (const base of ['packages', 'apps']) {
      for (const entry of readdirSync(path.join(root, base))) {
        const manifest = readManifest(path.join(root, base, entry, 'package.json'));
        if (manifest.private === true) {
          const original = readManifest(path.join(repoRoot, base, entry, 'package.json'));
          expect(manifest.version, `${base}/${entry} is private: never versioned`).toBe(original.version);
        }
      }
    }
    expect(readdirSync(path.join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
  });

  it('fails on a changeset that names no package of the workspace', () => {
    const root = scratchWorkspace();
    writeFileSync(path.join(root, '.changeset', 'typo.md'), "---\n'@x/no-such-package': patch\n---\n\nA typo.\n");
    const { status, output } = changesetVersion(root);
    expect(status).not.toBe(0);
    expect(output).toContain('@x/no-such-package');
  });
});
