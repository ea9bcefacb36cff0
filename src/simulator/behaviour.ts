// What the simulator is told to do: per-session behaviour and global configuration (zod-validated,
// because both arrive over the control API).
import { z } from 'zod';

export const SiteSchema = z.enum(['cn', 'us', 'hk', 'jp', 'sg']);

export const LatencySchema = z.object({
  medianMs: z.number().nonnegative(),
  p95Ms: z.number().nonnegative(),
});

export const SessionBehaviourSchema = z.object({
  /** Sites whose login service knows the session; any other site prefix answers 1015 (-2002). */
  sites: z.array(SiteSchema).min(1),
  /** Daily gift credits, granted again at each new day (unused ones expire). */
  credits: z.number().nonnegative(),
  /** true: the day's credits are there at day start; false: they must be claimed (the server
   *  claims them on the first generation at 0, or through /token/receive). */
  autoGrant: z.boolean(),
  /** The daily claim is refused (`-4 shark check reject`), as for risk-flagged accounts. */
  claimRefused: z.boolean(),
  /** Generation refused with 1018 `account punish limit ai generate`. */
  banned: z.boolean(),
  /** Every call answers 1015 (-2002), whatever the site. */
  invalid: z.boolean(),
  /** Generation refused with 3000 `region not allow` (server egress IP ≠ account region). */
  regionRefused: z.boolean(),
  /** Generations running at once above which a submit is refused with 4013; null = no cap. */
  concurrency: z.number().int().positive().nullable(),
  /** Accepted submits per `rpmWindowMs` above which a submit is refused with 4013; null = none. */
  rpm: z.number().int().positive().nullable(),
  /** Share of accepted tasks that fail (5001 → -2007 for images, 5002 → -2008 for video). */
  failureRate: z.number().min(0).max(1),
  latency: z.object({ image: LatencySchema, video: LatencySchema }),
});

export type SessionBehaviour = z.infer<typeof SessionBehaviourSchema>;

/** PUT /__sim/sessions/{id}: fields over the default behaviour; `balance` sets today's balance. */
export const SessionBehaviourPatchSchema = SessionBehaviourSchema.extend({
  latency: z.object({ image: LatencySchema.optional(), video: LatencySchema.optional() }),
})
  .partial()
  .extend({ balance: z.number().nonnegative().optional() })
  .strict();

export type SessionBehaviourPatch = z.input<typeof SessionBehaviourPatchSchema>;

export const CostsSchema = z.object({
  /** Credits per image generation (4 images), by resolution. */
  image: z.object({
    '1k': z.number().nonnegative(),
    '2k': z.number().nonnegative(),
    '4k': z.number().nonnegative(),
  }),
  /** Credits per started 5 seconds of video, by resolution. */
  video: z.object({ '720p': z.number().nonnegative(), '1080p': z.number().nonnegative() }),
});

export const SimulatorConfigSchema = z.object({
  /** Multiplies every simulated latency: 1 = real time, 0.0002 = a 3-minute video in 36 ms, 0 = none. */
  timeScale: z.number().nonnegative(),
  seed: z.number().int(),
  defaultBehaviour: SessionBehaviourSchema,
  /** Prompts containing one of these (case-insensitive) fail with fail_code 2038 (content). */
  contentWords: z.array(z.string().min(1)),
  costs: CostsSchema,
  /** Window of the requests-per-minute limit, in real milliseconds (not scaled). */
  rpmWindowMs: z.number().positive(),
  /** Length of a credit day in real milliseconds; days start at midnight UTC+8 when 24 h. */
  dayLengthMs: z.number().positive(),
  /** The real /token/check answers live:false for every international session (issue #78). */
  intlTokenCheckAlwaysFalse: z.boolean(),
});

export type SimulatorConfig = z.infer<typeof SimulatorConfigSchema>;

export const SimulatorConfigPatchSchema = SimulatorConfigSchema.extend({
  defaultBehaviour: SessionBehaviourPatchSchema.omit({ balance: true }),
  costs: z
    .object({ image: CostsSchema.shape.image.partial(), video: CostsSchema.shape.video.partial() })
    .partial(),
})
  .partial()
  .strict();

export type SimulatorConfigPatch = z.input<typeof SimulatorConfigPatchSchema>;

export const DEFAULT_BEHAVIOUR: SessionBehaviour = {
  sites: ['cn'],
  credits: 66,
  autoGrant: true,
  claimRefused: false,
  banned: false,
  invalid: false,
  regionRefused: false,
  concurrency: null,
  rpm: null,
  failureRate: 0,
  latency: {
    image: { medianMs: 45_000, p95Ms: 180_000 },
    video: { medianMs: 180_000, p95Ms: 600_000 },
  },
};

export const DEFAULT_CONFIG: SimulatorConfig = {
  timeScale: 1,
  seed: 1,
  defaultBehaviour: DEFAULT_BEHAVIOUR,
  contentWords: ['forbidden', '违禁'],
  costs: { image: { '1k': 1, '2k': 2, '4k': 4 }, video: { '720p': 10, '1080p': 20 } },
  rpmWindowMs: 60_000,
  dayLengthMs: 86_400_000,
  intlTokenCheckAlwaysFalse: true,
};

type BehaviourFields = Omit<SessionBehaviourPatch, 'balance'>;

export function mergeBehaviour(base: SessionBehaviour, patch: BehaviourFields): SessionBehaviour {
  const { latency, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return {
    ...base,
    ...defined,
    latency: {
      image: latency?.image ?? base.latency.image,
      video: latency?.video ?? base.latency.video,
    },
  };
}

export function mergeConfig(base: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  const { defaultBehaviour, costs, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return {
    ...base,
    ...defined,
    defaultBehaviour: defaultBehaviour
      ? mergeBehaviour(base.defaultBehaviour, defaultBehaviour)
      : base.defaultBehaviour,
    costs: {
      image: { ...base.costs.image, ...costs?.image },
      video: { ...base.costs.video, ...costs?.video },
    },
  };
}
