import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAnswer = { status: number; body: unknown };
export type FakeHandler = (operation: string, input: Record<string, unknown>) => FakeAnswer;

/**
 * A minimal KMS endpoint on loopback speaking the AWS JSON 1.1 protocol (`X-Amz-Target:
 * TrentService.<Operation>`), for what a mock of `send` cannot show: the SDK's own retries.
 */
export async function startFakeKms(
  handler: FakeHandler,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
      const input = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      const answer = handler(operation, input);
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'fake',
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const throttled: FakeAnswer = {
  status: 400,
  body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
};
