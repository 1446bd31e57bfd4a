import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A load-model server in its own process (TypeScript through tsx), talked to over IPC. */
export interface ServerProcess {
  readonly endpoint: string;
  request<T>(type: string): Promise<T>;
  close(): Promise<void>;
}

export async function startServerProcess(script: URL, argv: string[]): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(script), argv, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${script.pathname} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('message', (m: { type: string; port: number }) => {
      child.off('exit', onExit);
      if (m.type === 'ready') resolve(m.port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    request<T>(type: string) {
      return new Promise<T>((resolve) => {
        const on = (m: { type: string; stats?: T }) => {
          if (m.type !== type) return;
          child.off('message', on);
          resolve(m.stats as T);
        };
        child.on('message', on);
        child.send({ type });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'exit' });
      });
    },
  };
}
