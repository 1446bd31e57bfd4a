// npm run demo:collect: starts moto's server on loopback, creates a realistic 15-key,
// two-region scenario in it, and runs `kms-report collect` against it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../src/cli/program.js';
import { startMoto } from '../test/support/moto.js';
import { SCENARIO_REGIONS, seedScenario } from '../test/support/scenario.js';

const executable = resolve(process.env.MOTO_SERVER ?? '.venv/bin/moto_server');
if (!existsSync(executable)) {
  console.error(`demo: ${executable} not found; run npm run setup:moto first`);
  process.exit(1);
}
const out = process.argv[2] ?? 'reports/demo-inventory.json';
const moto = await startMoto(executable);
try {
  const keys = await seedScenario(moto.endpoint);
  console.log(`demo: created ${keys.length} KMS keys in a local moto server (${moto.endpoint})\n`);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: SCENARIO_REGIONS[0],
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  // moto has no GetKeyLastUsage: collecting it would only show that gap on every key.
  process.exitCode = await runCli(
    ['collect', '--regions', SCENARIO_REGIONS.join(','), '--no-last-usage', '--output-file', out],
    { stdout: process.stdout, stderr: process.stderr },
  );
} finally {
  await moto.stop();
}
