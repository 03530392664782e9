import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BIN = join(import.meta.dirname, '../../bin/luminamind');

describe('luminamind sim', () => {
  it('--help shows usage', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'sim', '--help']);
    expect(stdout).toContain('Usage: luminamind sim');
    expect(stdout).toContain('--cassettes');
    expect(stdout).toContain('--error-rate');
    expect(stdout).toContain('EVL_ERR_SIM_NO_CASSETTE');
  });

  it('on port 0 prints its URL, serves /v1/models and stops on SIGTERM', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'sim', '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(http:\/\/127\.0\.0\.1:\d+\/v1)$/m.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
        setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      });
      const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]?.id).toBe('sim');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
