import { AddressInfo, createServer } from 'node:net';

/** A loopback port nothing listens on (it was free a moment ago): for servers to start, or to be refused by. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
