import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

/** Where `npm run setup:moto` installs moto's server (a project-local virtual environment). */
export const MOTO_SERVER = resolve(process.env.MOTO_SERVER ?? '.venv/bin/moto_server');

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${output()}`);
}

/** Starts moto's server on a free loopback port for the integration tests, and stops it after. */
export default async function setup(project: TestProject) {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(
      `moto is not installed: ${MOTO_SERVER} does not exist.\n` +
        'The integration tests need a real AWS-protocol server. Install it with:\n' +
        '    npm run setup:moto    (creates .venv and installs moto[server] from test/requirements.txt)\n' +
        'or point MOTO_SERVER at an existing moto_server executable.',
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    log = (log + d).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-4000);
  });
  await waitUntilUp(endpoint, child, () => log);
  project.provide('motoEndpoint', endpoint);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
}
