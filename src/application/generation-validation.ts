import type { GenerationKind, GenerationMode, GenerationParams } from '../events';
import { defaultModel, sitesSupporting, validateGenerationParams, type ParamProblem } from '../jimeng/models';

export interface GenerationSpec {
  kind: GenerationKind;
  mode: GenerationMode;
  model: string;
  prompt: string;
  params: GenerationParams;
}

/**
 * Whether some site can run this generation as asked: the model must exist on at least one site
 * (the worker picks the site), and ratio / resolution / duration must fit that model. Problems name
 * the field to fix.
 */
export function generationProblems(spec: GenerationSpec): ParamProblem[] {
  const sites = sitesSupporting(spec.kind, spec.model);
  if (sites.length === 0) {
    return [{ field: 'model', message: `no site offers ${spec.kind} model ${spec.model}` }];
  }
  const { params } = spec;
  const common = {
    model: spec.model,
    prompt: spec.prompt,
    ratio: params.ratio,
    resolution: params.resolution,
  };
  const problems =
    spec.kind === 'image'
      ? validateGenerationParams(
          'image',
          {
            ...common,
            ...(params.negativePrompt === undefined ? {} : { negativePrompt: params.negativePrompt }),
            ...(params.sampleStrength === undefined ? {} : { sampleStrength: params.sampleStrength }),
            ...(spec.mode === 'image_to_image' ? { images: params.images ?? [] } : {}),
          },
          sites[0]!,
        )
      : validateGenerationParams(
          'video',
          {
            ...common,
            ...(params.duration === undefined ? {} : { duration: params.duration }),
            ...(params.firstFrameUrl === undefined ? {} : { firstFrameUrl: params.firstFrameUrl }),
            ...(params.lastFrameUrl === undefined ? {} : { lastFrameUrl: params.lastFrameUrl }),
          },
          sites[0]!,
        );
  return problems.filter((problem) => problem.field !== 'model');
}

export function modelOrDefault(kind: GenerationKind, model: string | undefined): string {
  return model ?? defaultModel(kind);
}
