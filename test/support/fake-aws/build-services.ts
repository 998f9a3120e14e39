// Routes the remote-build services of the fake AWS (S3 and CodeBuild) apart from index.ts: each request's signature
// is checked, its call recorded, and its answer written in the service's own protocol. They live in the default
// (account, region) partition only: remote builds of other regions are not modelled.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CODEBUILD_TARGET_PREFIX, FakeCodeBuild } from './codebuild.js';
import type { FakeLogs } from './logs.js';
import { AwsFault, type RecordedCall, writeJson11 } from './protocol.js';
import { FakeS3 } from './s3.js';
import { type TestCredentials, verifySignature } from './sigv4.js';

export interface BuildServices {
  s3: FakeS3;
  codebuild: FakeCodeBuild;
  /** Answers the request when it is S3's or CodeBuild's; false leaves it to the other services. */
  route(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
  /** Forgets everything at once; resolves when the builds it stopped have ended. */
  reset(): Promise<void>;
}

export function createBuildServices(options: {
  region: string;
  accountId: string;
  credentials: TestCredentials;
  logs: FakeLogs;
  calls: RecordedCall[];
  unexpected: string[];
  endpoint: () => string;
}): BuildServices {
  const { region, credentials, calls, unexpected } = options;
  const s3 = new FakeS3({ region, credentials });
  const codebuild = new FakeCodeBuild({ ...options, s3 });

  function codebuildCall(req: IncomingMessage, res: ServerResponse, body: Buffer, operation: string): void {
    const url = req.url ?? '/';
    const signature = verifySignature({ method: req.method ?? 'POST', url, headers: req.headers, body }, credentials);
    if (!signature.ok || signature.service !== 'codebuild' || signature.region !== region) {
      unexpected.push(
        `CodeBuild ${operation}: signature rejected (${signature.ok ? signature.service : signature.message})`,
      );
      writeJson11(res, new AwsFault(400, 'InvalidSignatureException', 'signature rejected'));
      return;
    }
    if (!FakeCodeBuild.operations.includes(operation)) {
      unexpected.push(`CodeBuild ${operation} is not modelled by the fake`);
      writeJson11(res, new AwsFault(400, 'UnknownOperationException', ''));
      return;
    }
    const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    let reply;
    try {
      reply = codebuild.handle(operation, input)!;
    } catch (error) {
      if (!(error instanceof AwsFault)) throw error;
      reply = error;
    }
    const fault = reply instanceof AwsFault ? reply : undefined;
    calls.push({
      service: 'codebuild',
      region,
      accountId: options.accountId,
      operation,
      input,
      status: reply.status,
      errorCode: fault?.code,
    });
    writeJson11(res, reply);
  }

  return {
    s3,
    codebuild,
    route(req, res, body) {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(CODEBUILD_TARGET_PREFIX)) {
        codebuildCall(req, res, body, target.slice(CODEBUILD_TARGET_PREFIX.length));
        return true;
      }
      if (!FakeS3.claims(req)) return false;
      const { operation, input } = s3.handle(req, res, body);
      const { status, errorCode, ...rest } = input as { status: number; errorCode?: string };
      if (status === 501) unexpected.push(`S3 ${req.method} ${req.url} is not modelled by the fake`);
      calls.push({ service: 's3', region, accountId: options.accountId, operation, input: rest, status, errorCode });
      return true;
    },
    reset() {
      // Cleared at once (a test's next setup follows); the stopped builds finish in the background.
      const stopping = codebuild.stopAll();
      codebuild.projects.clear();
      codebuild.builds.clear();
      s3.reset();
      return stopping;
    },
  };
}
