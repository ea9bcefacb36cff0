// What each site accepts (jimeng-protocol.md §1.1–1.3). Checked before calling because the server
// silently swaps an unknown video model (and an unknown CN image model) for its default.
import type {
  GenerationKind,
  ImageCompositionParams,
  ImageGenerationParams,
  Site,
  VideoGenerationParams,
} from './gateway';
import { SITES } from './gateway';

export const DEFAULT_IMAGE_MODEL = 'jimeng-4.5';
export const DEFAULT_VIDEO_MODEL = 'jimeng-video-3.5-pro';
export const DEFAULT_IMAGE_RATIO = '1:1';
export const DEFAULT_IMAGE_RESOLUTION = '2k';
export const DEFAULT_VIDEO_RATIO = '1:1';
export const DEFAULT_VIDEO_RESOLUTION = '720p';
export const DEFAULT_VIDEO_DURATION = 5;

const IMAGE_CN = [
  'jimeng-5.0',
  'jimeng-4.6',
  'jimeng-4.5',
  'jimeng-4.1',
  'jimeng-4.0',
  'jimeng-3.1',
  'jimeng-3.0',
];
const IMAGE_US = ['jimeng-4.5', 'jimeng-4.1', 'jimeng-4.0', 'jimeng-3.0', 'nanobanana', 'nanobananapro'];
const IMAGE_ASIA = [
  'jimeng-5.0',
  'jimeng-4.6',
  'jimeng-4.5',
  'jimeng-4.1',
  'jimeng-4.0',
  'jimeng-3.0',
  'nanobanana',
  'nanobananapro',
];

export const IMAGE_MODELS: Readonly<Record<Site, readonly string[]>> = {
  cn: IMAGE_CN,
  us: IMAGE_US,
  hk: IMAGE_ASIA,
  jp: IMAGE_ASIA,
  sg: IMAGE_ASIA,
};

const v = (names: string[]) => names.map((name) => `jimeng-video-${name}`);
const VIDEO_ASIA = v(['veo3', 'veo3.1', 'sora2', '3.5-pro', '3.0-pro', '3.0', '3.0-fast', '2.0-pro', '2.0']);

export const VIDEO_MODELS: Readonly<Record<Site, readonly string[]>> = {
  cn: v(['seedance-2.0', 'seedance-2.0-fast', '3.5-pro', '3.0-pro', '3.0', '3.0-fast', '2.0-pro', '2.0']),
  us: v(['3.5-pro', '3.0']),
  hk: VIDEO_ASIA,
  jp: VIDEO_ASIA,
  sg: VIDEO_ASIA,
};

export const IMAGE_RATIOS: readonly string[] = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'];
export const IMAGE_RESOLUTIONS: readonly string[] = ['1k', '2k', '4k'];
export const VIDEO_RATIOS: readonly string[] = ['1:1', '4:3', '3:4', '16:9', '9:16', '21:9'];
export const VIDEO_RESOLUTIONS: readonly string[] = ['720p', '1080p'];
export const MAX_COMPOSITION_IMAGES = 10;

/** Models whose `intelligent_ratio` the server honours. */
export const INTELLIGENT_RATIO_MODELS: readonly string[] = [
  'jimeng-4.0',
  'jimeng-4.1',
  'jimeng-4.5',
  'jimeng-4.6',
  'jimeng-5.0',
];

export type DurationRule =
  { kind: 'set'; values: readonly number[] } | { kind: 'range'; min: number; max: number };

/** Durations (seconds) the server accepts for a video model (iptag routes/videos.ts). */
export function videoDurations(model: string): DurationRule {
  if (model.includes('veo3')) return { kind: 'set', values: [8] };
  if (model.includes('sora2')) return { kind: 'set', values: [4, 8, 12] };
  if (model.includes('3.5-pro')) return { kind: 'set', values: [5, 10, 12] };
  if (model.includes('seedance-2.0')) return { kind: 'range', min: 4, max: 15 };
  return { kind: 'set', values: [5, 10] };
}

export function durationAllowed(model: string, duration: number): boolean {
  if (!Number.isInteger(duration)) return false;
  const rule = videoDurations(model);
  return rule.kind === 'set' ? rule.values.includes(duration) : duration >= rule.min && duration <= rule.max;
}

export function modelsFor(kind: GenerationKind, site: Site): readonly string[] {
  return kind === 'image' ? IMAGE_MODELS[site] : VIDEO_MODELS[site];
}

export function defaultModel(kind: GenerationKind): string {
  return kind === 'image' ? DEFAULT_IMAGE_MODEL : DEFAULT_VIDEO_MODEL;
}

/** The sites whose catalog holds `model` for `kind`, in the order cn, us, hk, jp, sg. */
export function sitesSupporting(kind: GenerationKind, model: string): Site[] {
  return SITES.filter((site) => modelsFor(kind, site).includes(model));
}

export interface ParamProblem {
  field: string;
  message: string;
  /** `model` problems where another site has the model: trying that site can help. */
  siteMismatch?: boolean;
}

type ParamsOf<K extends GenerationKind> = K extends 'image'
  ? ImageGenerationParams | ImageCompositionParams
  : VideoGenerationParams;

/** Everything the server would refuse or silently change; an empty list means "send it". */
export function validateGenerationParams<K extends GenerationKind>(
  kind: K,
  params: ParamsOf<K>,
  site: Site,
): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (typeof params.prompt !== 'string' || params.prompt.trim() === '') {
    problems.push({ field: 'prompt', message: 'prompt is required' });
  }
  const model = params.model ?? defaultModel(kind);
  if (!modelsFor(kind, site).includes(model)) {
    const elsewhere = sitesSupporting(kind, model);
    problems.push(
      elsewhere.length > 0
        ? {
            field: 'model',
            message: `${kind} model ${model} is not offered on site ${site} (offered on ${elsewhere.join(', ')})`,
            siteMismatch: true,
          }
        : { field: 'model', message: `unknown ${kind} model ${model}` },
    );
  }
  if (kind === 'image')
    problems.push(...imageProblems(params as ImageGenerationParams | ImageCompositionParams));
  else problems.push(...videoProblems(params as VideoGenerationParams, model));
  return problems;
}

function imageProblems(params: ImageGenerationParams | ImageCompositionParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (params.ratio !== undefined && !IMAGE_RATIOS.includes(params.ratio)) {
    problems.push({ field: 'ratio', message: `ratio ${params.ratio} not in ${IMAGE_RATIOS.join(', ')}` });
  }
  if (params.resolution !== undefined && !IMAGE_RESOLUTIONS.includes(params.resolution)) {
    problems.push({
      field: 'resolution',
      message: `resolution ${params.resolution} not in ${IMAGE_RESOLUTIONS.join(', ')}`,
    });
  }
  const strength = params.sampleStrength;
  if (strength !== undefined && !(Number.isFinite(strength) && strength >= 0 && strength <= 1)) {
    problems.push({ field: 'sampleStrength', message: 'sampleStrength must be within 0–1' });
  }
  if ('images' in params) {
    const count = Array.isArray(params.images) ? params.images.length : 0;
    if (count < 1 || count > MAX_COMPOSITION_IMAGES) {
      problems.push({
        field: 'images',
        message: `1–${MAX_COMPOSITION_IMAGES} input images required, got ${count}`,
      });
    }
  }
  return problems;
}

function videoProblems(params: VideoGenerationParams, model: string): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (params.ratio !== undefined && !VIDEO_RATIOS.includes(params.ratio)) {
    problems.push({ field: 'ratio', message: `ratio ${params.ratio} not in ${VIDEO_RATIOS.join(', ')}` });
  }
  if (params.resolution !== undefined && !VIDEO_RESOLUTIONS.includes(params.resolution)) {
    problems.push({
      field: 'resolution',
      message: `resolution ${params.resolution} not in ${VIDEO_RESOLUTIONS.join(', ')}`,
    });
  }
  if (params.duration !== undefined && !durationAllowed(model, params.duration)) {
    const rule = videoDurations(model);
    const allowed = rule.kind === 'set' ? rule.values.join(', ') : `${rule.min}–${rule.max}`;
    problems.push({
      field: 'duration',
      message: `duration ${params.duration}s not allowed for ${model} (${allowed})`,
    });
  }
  if (params.lastFrameUrl !== undefined && params.firstFrameUrl === undefined) {
    problems.push({ field: 'lastFrameUrl', message: 'a last frame needs a first frame' });
  }
  return problems;
}
