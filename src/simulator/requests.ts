// Validation of generation requests as jimeng-api does it, with its texts: route checks first
// (-2000 / -1000), then model × site (which needs the token's site).
import type { Site } from '../jimeng/gateway';
import {
  DEFAULT_IMAGE_MODEL,
  DEFAULT_VIDEO_MODEL,
  IMAGE_MODELS,
  IMAGE_RATIOS,
  IMAGE_RESOLUTIONS,
  VIDEO_MODELS,
  videoDurations,
} from '../jimeng/models';
import { answers } from './answers';
import type { ErrorBody } from './answers';

export type Endpoint = 'images' | 'compositions' | 'videos';

export interface GenerationInput {
  endpoint: Endpoint;
  /** JSON body, or the text fields of a multipart form. */
  fields: Record<string, unknown>;
  multipart: boolean;
  /** Uploaded files: `images` fields for compositions, any field for videos. */
  fileCount: number;
  authorization?: unknown;
}

export interface GenerationSpec {
  kind: 'image' | 'video';
  /** The model actually used (the server swaps unknown ones silently). */
  model: string;
  prompt: string;
  resolution: string;
  duration: number;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };
const fail = (error: ErrorBody): { ok: false; error: ErrorBody } => ({ ok: false, error });

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

/** Checks that need no session: shapes and field types. */
export function checkRoute(input: GenerationInput): Checked<{ authorization: string }> {
  const { fields } = input;
  if (input.endpoint !== 'videos') {
    const unsupported = ['size', 'width', 'height'].filter((key) => key in fields);
    if (unsupported.length > 0) {
      return fail(
        answers.systemError(
          `不支持的参数: ${unsupported.join(', ')}。请使用 ratio 和 resolution 参数控制图像尺寸。`,
        ),
      );
    }
  }
  for (const key of ['model', 'negative_prompt', 'ratio', 'resolution', 'response_format']) {
    if (!isOptionalString(fields[key])) return fail(answers.paramInvalid(`body.${key}`));
  }
  if (typeof fields.prompt !== 'string') return fail(answers.paramInvalid('body.prompt'));
  if (input.endpoint !== 'videos') {
    const ratio = fields.intelligent_ratio;
    const strength = fields.sample_strength;
    const ratioOk = input.multipart
      ? ratio === undefined || ratio === 'true' || ratio === 'false'
      : ratio === undefined || typeof ratio === 'boolean';
    const strengthOk = input.multipart
      ? strength === undefined || !Number.isNaN(parseFloat(String(strength)))
      : strength === undefined || (typeof strength === 'number' && Number.isFinite(strength));
    if (!ratioOk) return fail(answers.paramInvalid('body.intelligent_ratio'));
    if (!strengthOk) return fail(answers.paramInvalid('body.sample_strength'));
  }
  if (input.endpoint === 'compositions') {
    const count = input.multipart
      ? input.fileCount
      : Array.isArray(fields.images)
        ? fields.images.length
        : -1;
    if (!input.multipart && count < 0) return fail(answers.paramInvalid('body.images'));
    if (input.multipart && count === 0) return fail(answers.systemError("在form-data中缺少 'images' 字段"));
    if (count === 0) return fail(answers.systemError('至少需要提供1张输入图片'));
    if (count > 10) return fail(answers.systemError('最多支持10张输入图片'));
  }
  if (input.endpoint === 'videos') {
    const durationError = checkDuration(fields.duration, fields.model, input.multipart);
    if (durationError) return fail(durationError);
    for (const key of ['file_paths', 'filePaths']) {
      const value = fields[key];
      if (value !== undefined && !(Array.isArray(value) && value.length <= 2)) {
        return fail(answers.paramInvalid(`body.${key}`));
      }
    }
    if (input.fileCount > 2) return fail(answers.systemError('最多只能上传2个图片文件'));
  }
  if (typeof input.authorization !== 'string') return fail(answers.paramInvalid('headers.authorization'));
  return { ok: true, value: { authorization: input.authorization } };
}

function checkDuration(raw: unknown, model: unknown, multipart: boolean): ErrorBody | undefined {
  if (raw === undefined) return undefined;
  let duration: number;
  if (multipart && typeof raw === 'string') {
    duration = parseInt(raw, 10);
    if (!Number.isInteger(duration) || raw.trim() !== String(duration)) {
      return answers.systemError(`duration 必须是整数，当前值: ${raw}`);
    }
  } else if (typeof raw === 'number' && Number.isFinite(raw)) {
    duration = raw;
    if (!Number.isInteger(duration)) return answers.systemError(`duration 必须是整数，当前值: ${duration}`);
  } else {
    return answers.systemError('duration 参数格式错误');
  }
  const name = typeof model === 'string' ? model : DEFAULT_VIDEO_MODEL;
  const rule = videoDurations(name);
  if (rule.kind === 'range') {
    return duration < rule.min || duration > rule.max
      ? answers.systemError(`seedance 2.0/2.0-fast 模型支持 4~15 秒时长，当前值: ${duration}`)
      : undefined;
  }
  if (rule.values.includes(duration)) return undefined;
  const texts: Record<string, string> = {
    '8': 'veo3 模型仅支持 8 秒时长',
    '4,8,12': 'sora2 模型仅支持 4、8、12 秒时长',
    '5,10,12': '3.5-pro 模型仅支持 5、10、12 秒时长',
  };
  const text = texts[rule.values.join(',')] ?? '该模型仅支持 5、10 秒时长';
  return answers.systemError(`${text}，当前值: ${duration}`);
}

/** Model × site and sizes; unknown video models (and unknown CN image models) are swapped silently. */
export function resolveSpec(input: GenerationInput, site: Site): Checked<GenerationSpec> {
  const { fields } = input;
  const prompt = String(fields.prompt);
  const requested = typeof fields.model === 'string' ? fields.model : undefined;
  if (input.endpoint === 'videos') {
    const model = requested && VIDEO_MODELS[site].includes(requested) ? requested : DEFAULT_VIDEO_MODEL;
    const duration = fields.duration === undefined ? 5 : Number(fields.duration);
    const resolution = typeof fields.resolution === 'string' ? fields.resolution : '720p';
    return { ok: true, value: { kind: 'video', model, prompt, resolution, duration } };
  }
  const catalog = IMAGE_MODELS[site];
  let model = requested ?? DEFAULT_IMAGE_MODEL;
  if (site !== 'cn' && !catalog.includes(model)) {
    if (model !== DEFAULT_IMAGE_MODEL) {
      return fail(answers.systemError(`国际版不支持模型 "${model}"。支持的模型: ${catalog.join(', ')}`));
    }
  } else if (site === 'cn' && (model === 'nanobanana' || model === 'nanobananapro')) {
    return fail(answers.systemError(`国内站不支持${model}模型,请使用jimeng系列模型`));
  } else if (!catalog.includes(model)) {
    model = DEFAULT_IMAGE_MODEL;
  }
  const resolution = typeof fields.resolution === 'string' ? fields.resolution : '2k';
  const ratio = typeof fields.ratio === 'string' ? fields.ratio : '1:1';
  if (!IMAGE_RESOLUTIONS.includes(resolution)) {
    return fail(
      answers.systemError(`不支持的分辨率 "${resolution}"。支持的分辨率: ${IMAGE_RESOLUTIONS.join(', ')}`),
    );
  }
  if (!IMAGE_RATIOS.includes(ratio)) {
    return fail(
      answers.systemError(
        `在 "${resolution}" 分辨率下，不支持的比例 "${ratio}"。支持的比例: ${IMAGE_RATIOS.join(', ')}`,
      ),
    );
  }
  return { ok: true, value: { kind: 'image', model, prompt, resolution, duration: 0 } };
}
