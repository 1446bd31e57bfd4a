import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.js';

/** Where `npm run setup:moto` installs moto's server (a project-local virtual environment). */
export const MOTO_SERVER = resolve(process.env.MOTO_SERVER ?? '.venv/bin/moto_server');

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
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
  const moto = await startMoto(MOTO_SERVER);
  project.provide('motoEndpoint', moto.endpoint);
  return moto.stop;
}
