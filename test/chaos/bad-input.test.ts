import { runBadInputs } from '../unit/reliability/support/bad-input-run';

// The full run of the bounded test in test/unit/reliability/bad-input.test.ts (same generators).
const COUNT = Number(process.env['BAD_INPUT_COUNT'] ?? 10_000);

describe('malformed requests to every route of the route table (full run)', () => {
  it(`refuses ${COUNT} of them with a documented error code in the envelope, no 5xx, no state change`, async () => {
    const report = await runBadInputs(COUNT);

    console.log(
      `bad inputs tried: ${report.tried}`,
      JSON.stringify({ byStatus: report.byStatus, byCode: report.byCode }),
    );
    expect(report.tried).toBe(COUNT);
  });
});
