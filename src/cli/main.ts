#!/usr/bin/env node
import { runCli } from './program.js';

// The SDK warns on Node 20 about a future end of support; the pinned versions support it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
