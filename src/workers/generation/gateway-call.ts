import type { GenerationRecordState } from '../../commands';
import type { CallOptions, GenerationResult, JimengGateway, JimengSession } from '../../jimeng/gateway';

/** One Jimeng call for the record's mode, with the record's model, prompt and params. */
export function callGateway(
  gateway: JimengGateway,
  session: JimengSession,
  record: Pick<GenerationRecordState, 'mode' | 'model' | 'prompt' | 'params'>,
  options: CallOptions,
): Promise<GenerationResult> {
  const { mode, model, prompt, params } = record;
  const common = {
    model,
    prompt,
    ...defined({ ratio: params.ratio, resolution: params.resolution }),
  };
  switch (mode) {
    case 'text_to_image':
    case 'image_to_image': {
      const image = {
        ...common,
        ...defined({ negativePrompt: params.negativePrompt, sampleStrength: params.sampleStrength }),
      };
      return mode === 'text_to_image'
        ? gateway.generateImages(session, image, options)
        : gateway.composeImages(session, { ...image, images: params.images ?? [] }, options);
    }
    case 'text_to_video':
      return gateway.generateVideo(
        session,
        { ...common, ...defined({ duration: params.duration }) },
        options,
      );
    case 'image_to_video':
      return gateway.generateVideo(
        session,
        {
          ...common,
          ...defined({
            duration: params.duration,
            firstFrameUrl: params.firstFrameUrl ?? params.images?.[0],
          }),
        },
        options,
      );
    case 'first_last_frame':
      return gateway.generateVideo(
        session,
        {
          ...common,
          ...defined({
            duration: params.duration,
            firstFrameUrl: params.firstFrameUrl,
            lastFrameUrl: params.lastFrameUrl,
          }),
        },
        options,
      );
  }
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
