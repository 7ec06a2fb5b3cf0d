/**
 * The import rules of eslint.config.mjs can fail (issue 12): a probe file that breaks each rule
 * is linted with the project's own configuration and must be refused, and a clean one accepted.
 * (`npm test` lints the whole tree; this shows the rules are not silently off.)
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

const repo = resolve(__dirname, '..', '..');

async function lintProbe(dir: string, code: string): Promise<string[]> {
  const file = join(repo, dir, `zz-lint-probe-${process.pid}.ts`);
  writeFileSync(file, code);
  try {
    const [result] = await new ESLint({ cwd: repo }).lintFiles([file]);
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('import direction (eslint.config.mjs)', function () {
  this.timeout(120_000);

  it('src/ may not import the rig, statically or lazily', async () => {
    const messages = await lintProbe('src/config', "import { RIG_READERS } from '../../rig/rig-config';\nexport const r = RIG_READERS;\nexport const load = () => import('../../rig/rig-config');\n");
    assert.equal(messages.filter((m) => m.startsWith('no-restricted-imports')).length, 1, messages.join('\n'));
    assert.equal(messages.filter((m) => m.startsWith('no-restricted-syntax')).length, 1, messages.join('\n'));
  });

  it('the session engine may not import the UI, and still not the rig', async () => {
    const messages = await lintProbe('src/session', "import { ja } from '../ui/text/ja';\nimport { RIG_READERS } from '../../rig/rig-config';\nexport const x = [ja, RIG_READERS];\n");
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('src/session is the pure engine')));
    assert.ok(messages.some((m) => m.includes('must not import the rig')));
  });

  it('the rig may import the product', async () => {
    const messages = await lintProbe('rig', "import { parseConfig } from '../src/config';\nexport const p = parseConfig;\n");
    assert.deepEqual(messages, []);
  });
});
