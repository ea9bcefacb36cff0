/** The HTTP API as a client sees it: the envelope's data, or an error with the whole answer. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path, undefined, 200);
  }

  post<T>(path: string, body: unknown, expectedStatus = 202): Promise<T> {
    return this.call<T>('POST', path, body, expectedStatus);
  }

  /** The raw answer, for tests about status codes rather than data. */
  async raw(method: string, path: string): Promise<{ status: number; text: string }> {
    const answer = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}` },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: answer.status, text: await answer.text() };
  }

  private async call<T>(method: string, path: string, body: unknown, expectedStatus: number): Promise<T> {
    const answer = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await answer.text();
    if (answer.status !== expectedStatus) {
      throw new Error(`${method} ${path} answered ${answer.status} (expected ${expectedStatus}): ${text}`);
    }
    return (JSON.parse(text) as { data: T }).data;
  }
}
