import Ajv from 'ajv';

/**
 * Every answer the tests see is recorded here; `checkConformance` validates each JSON answer
 * against the response schema the OpenAPI document declares for its route and status.
 * Uses ajv (6, present in node_modules through eslint): the schemas zod-to-openapi emits use only
 * keywords draft-07 also has (type arrays for null, const/enum, $ref into components).
 */
interface Seen {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

const seen: Seen[] = [];

export function recordAnswer(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
) {
  seen.push({ method: method.toLowerCase(), path, status, contentType, body });
}

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: Record<string, unknown>;
};

function findOperation(doc: Doc, method: string, path: string) {
  const pathname = path.split('?')[0]!;
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(pathname) && operations[method]) return { template, operation: operations[method] };
  }
  return null;
}

export interface ConformanceReport {
  checked: number;
  /** Answers of requests no route matched (404 for unknown paths), not in the document by design. */
  unmatched: number;
  failures: string[];
}

export function checkConformance(doc: Doc): ConformanceReport {
  const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', extendRefs: true, logger: false });
  const report: ConformanceReport = { checked: 0, unmatched: 0, failures: [] };
  for (const answer of seen) {
    const found = findOperation(doc, answer.method, answer.path);
    if (!found) {
      report.unmatched++;
      continue;
    }
    const response = found.operation.responses[String(answer.status)];
    if (!response) {
      report.failures.push(`${answer.method} ${found.template}: status ${answer.status} is not documented`);
      continue;
    }
    const media = (answer.contentType ?? '').split(';')[0]!.trim();
    const content = response.content?.[media];
    if (!content) {
      report.failures.push(
        `${answer.method} ${found.template} ${answer.status}: content type ${media} not documented`,
      );
      continue;
    }
    if (media !== 'application/json') {
      report.checked++;
      continue;
    }
    const validate = ajv.compile({ ...content.schema, components: doc.components });
    if (!validate(answer.body)) {
      report.failures.push(
        `${answer.method} ${found.template} ${answer.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer.body).slice(0, 400)}`,
      );
    }
    report.checked++;
  }
  return report;
}

export function clearSeen(): void {
  seen.length = 0;
}

/** Adds the conformance test to a file: run it last, after the file's other tests made their calls. */
export function itConformsToTheOpenApiDocument(fetchDocument: () => Promise<Doc>): void {
  it('answers exactly what the OpenAPI document declares (every answer seen in this file)', async () => {
    const doc = await fetchDocument();
    const report = checkConformance(doc);
    expect(report.failures).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
  });
}
