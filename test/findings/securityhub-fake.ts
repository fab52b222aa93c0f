/**
 * A local Security Hub that speaks BatchImportFindings' REST-JSON protocol (POST /findings/import;
 * service model `securityhub/2018-10-26`): it validates every finding as the service would
 * (`validateFinding`), keeps what it ACCEPTED per finding Id, refuses an UpdatedAt that does not move
 * forward, and can be told to throttle (429 LimitExceededException), fail chosen findings
 * (FailedFindings in a 200), or answer as an account without Security Hub (401 InvalidAccessException).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateFinding } from './asff-validator';

type Json = Record<string, unknown>;

export interface FakeSecurityHub {
  endpoint: string;
  /** Accepted findings by Id: the latest accepted version. */
  findings: Map<string, Json>;
  /** Every BatchImportFindings request: how many findings it carried. */
  requests: number[];
  /** Answer the next `n` requests with 429 LimitExceededException. */
  throttleNext(n: number): void;
  /** Report these Ids in FailedFindings (ErrorCode `code`) the next `times` times they are sent. */
  failFinding(id: string, code: string, times: number): void;
  /** Answer every request with 401 InvalidAccessException (Security Hub not enabled in the account). */
  setNotEnabled(notEnabled: boolean): void;
  close(): Promise<void>;
}

export async function startFakeSecurityHub(): Promise<FakeSecurityHub> {
  const findings = new Map<string, Json>();
  const requests: number[] = [];
  const failures = new Map<string, { code: string; times: number }>();
  let throttles = 0;
  let notEnabled = false;

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (request.method !== 'POST' || request.url !== '/findings/import') return send(response, 404, 'ResourceNotFoundException', { Message: `not served: ${request.method} ${request.url}` });
    if (notEnabled) {
      return send(response, 401, 'InvalidAccessException', { Code: 'InvalidAccessException', Message: 'Account 111122223333 is not subscribed to AWS Security Hub' });
    }
    if (throttles > 0) {
      throttles -= 1;
      return send(response, 429, 'LimitExceededException', { Code: 'LimitExceededException', Message: 'Rate exceeded' });
    }
    const batch = (body['Findings'] ?? []) as Json[];
    requests.push(batch.length);
    if (batch.length < 1 || batch.length > 100) return send(response, 400, 'InvalidInputException', { Code: 'InvalidInputException', Message: `Findings must hold 1..100, got ${batch.length}` });
    const failed: Array<{ Id: string; ErrorCode: string; ErrorMessage: string }> = [];
    for (const finding of batch) {
      const id = String(finding['Id']);
      const planned = failures.get(id);
      if (planned && planned.times > 0) {
        planned.times -= 1;
        failed.push({ Id: id, ErrorCode: planned.code, ErrorMessage: `scripted ${planned.code}` });
        continue;
      }
      const problems = validateFinding(finding, { firstImport: !findings.has(id) });
      const previous = findings.get(id);
      if (previous && Date.parse(String(finding['UpdatedAt'])) <= Date.parse(String(previous['UpdatedAt']))) problems.push('UpdatedAt does not move forward');
      if (problems.length > 0) failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: problems.join('; ') });
      else findings.set(id, finding);
    }
    const payload = { FailedCount: failed.length, SuccessCount: batch.length - failed.length, FailedFindings: failed };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    findings,
    requests,
    throttleNext: (n) => {
      throttles = n;
    },
    failFinding: (id, code, times) => {
      failures.set(id, { code, times });
    },
    setNotEnabled: (value) => {
      notEnabled = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(response: ServerResponse, status: number, errorType: string, body: Json): void {
  // REST-JSON errors: the type in `x-amzn-errortype`, the message in the body.
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => resolve(text ? (JSON.parse(text) as Json) : {}));
    request.on('error', reject);
  });
}
