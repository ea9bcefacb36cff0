import type { GenerationResult, JimengGateway, JimengSession, Site } from '../../../../../src/jimeng/gateway';

/**
 * The gateway as seen from an egress the upstream refuses on some sites ("region not allow",
 * upstream ret 3000): generation calls for those sites fail as SITE_MISMATCH, others pass through.
 */
export function regionRefusedOn(inner: JimengGateway, sites: readonly Site[]): JimengGateway {
  const refuse = (session: JimengSession): Promise<GenerationResult> | undefined =>
    sites.includes(session.site)
      ? Promise.resolve({
          ok: false,
          elapsedMs: 1,
          error: {
            errorClass: 'SITE_MISMATCH',
            serverCode: -2001,
            upstreamCode: 3000,
            message: '[请求失败]: region not allow (错误码: 3000)',
            submitted: false,
          },
        })
      : undefined;
  return {
    generateImages: (session, params, options) =>
      refuse(session) ?? inner.generateImages(session, params, options),
    composeImages: (session, params, options) =>
      refuse(session) ?? inner.composeImages(session, params, options),
    generateVideo: (session, params, options) =>
      refuse(session) ?? inner.generateVideo(session, params, options),
    checkSession: (session, options) => inner.checkSession(session, options),
    getCredits: (session, options) => inner.getCredits(session, options),
    receiveCredits: (session, options) => inner.receiveCredits(session, options),
  };
}

/** A gateway whose generation calls never answer until their signal aborts (a hung upstream). */
export function hangingGateway(inner: JimengGateway): JimengGateway {
  const hang = (signal: AbortSignal | undefined): Promise<GenerationResult> =>
    new Promise((resolve) => {
      const answer = (): void =>
        resolve({
          ok: false,
          elapsedMs: 0,
          error: { errorClass: 'TIMEOUT', message: 'cancelled', submitted: true },
        });
      if (signal?.aborted) answer();
      else signal?.addEventListener('abort', answer, { once: true });
    });
  return {
    generateImages: (_session, _params, options) => hang(options?.signal),
    composeImages: (_session, _params, options) => hang(options?.signal),
    generateVideo: (_session, _params, options) => hang(options?.signal),
    checkSession: (session, options) => inner.checkSession(session, options),
    getCredits: (session, options) => inner.getCredits(session, options),
    receiveCredits: (session, options) => inner.receiveCredits(session, options),
  };
}
