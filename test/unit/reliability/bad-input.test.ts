import { runBadInputs } from './support/bad-input-run';

const COUNT = Number(process.env['BAD_INPUT_COUNT'] ?? 2000);

describe('malformed requests to every route of the route table', () => {
  it(`refuses ${COUNT} of them with a documented error code in the envelope, no 5xx, no state change`, async () => {
    const report = await runBadInputs(COUNT);

    console.log(
      `bad inputs tried: ${report.tried}`,
      JSON.stringify({ byStatus: report.byStatus, byCode: report.byCode }),
    );
    expect(report.tried).toBe(COUNT);
    expect(Object.keys(report.byStatus).every((status) => Number(status) < 500)).toBe(true);
  }, 60_000);
});
