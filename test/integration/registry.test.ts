// The test registry helper runs a real docker-registry that demands the password the fake ECR's tokens carry.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REGISTRY_USER, startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ password: 'the-password' });
});
afterAll(async () => {
  await registry?.stop();
});

it('answers 401 without credentials and 200 with the htpasswd user', async () => {
  expect((await fetch(`${registry.url}/v2/`)).status).toBe(401);
  const basic = (password: string) => ({
    authorization: `Basic ${Buffer.from(`${REGISTRY_USER}:${password}`).toString('base64')}`,
  });
  expect((await fetch(`${registry.url}/v2/`, { headers: basic('wrong') })).status).toBe(401);
  expect((await fetch(`${registry.url}/v2/`, { headers: basic('the-password') })).status).toBe(200);
  expect((await registry.manifest('nothing-here', 'latest')).status).toBe(404);
});
