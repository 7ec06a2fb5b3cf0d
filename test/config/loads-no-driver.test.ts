import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The product's own files a module loads, in a fresh Node (a test process has loaded everything already). */
function productFilesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(join(root, entry))});
    const src = ${JSON.stringify(join(root, 'src') + '/')};
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(src)).map((f) => f.slice(src.length))));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('configuration loading imports no driver (issue 12 item 5)', () => {
  it('`fcr config check` loads the config schema and the face settings schema, never a camera or other device driver', function () {
    this.timeout(30_000);
    const files = productFilesLoadedBy('src/cli/commands/config.ts');
    assert.ok(files.includes('config/schema.ts'), `the check must load the schema itself: ${files.join(', ')}`);
    assert.deepEqual(files.filter((f) => f.startsWith('devices/')), [], 'no driver');
    assert.ok(!files.includes('face/settings.ts'), 'the camera factory (face/settings.ts) is not loaded');
  });
});
