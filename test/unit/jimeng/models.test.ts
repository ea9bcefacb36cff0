import { sitesSupporting, validateGenerationParams, videoDurations } from '../../../src/jimeng/models';

describe('model catalog per site', () => {
  it('knows which sites offer a model', () => {
    expect(sitesSupporting('video', 'jimeng-video-veo3')).toEqual(['hk', 'jp', 'sg']);
    expect(sitesSupporting('video', 'jimeng-video-seedance-2.0')).toEqual(['cn']);
    expect(sitesSupporting('image', 'nanobanana')).toEqual(['us', 'hk', 'jp', 'sg']);
    expect(sitesSupporting('image', 'jimeng-3.1')).toEqual(['cn']);
    expect(sitesSupporting('image', 'dall-e')).toEqual([]);
  });

  it('accepts the defaults on every site', () => {
    for (const site of ['cn', 'us', 'hk', 'jp', 'sg'] as const) {
      expect(validateGenerationParams('image', { prompt: 'x' }, site)).toEqual([]);
      expect(validateGenerationParams('video', { prompt: 'x' }, site)).toEqual([]);
    }
  });

  it('flags a model of another site as a site mismatch and an unknown one as plain bad', () => {
    expect(validateGenerationParams('video', { prompt: 'x', model: 'jimeng-video-sora2' }, 'cn')).toEqual([
      expect.objectContaining({ field: 'model', siteMismatch: true }),
    ]);
    expect(validateGenerationParams('image', { prompt: 'x', model: 'dall-e' }, 'cn')).toEqual([
      { field: 'model', message: 'unknown image model dall-e' },
    ]);
  });

  it('checks durations per video model', () => {
    expect(videoDurations('jimeng-video-veo3.1')).toEqual({ kind: 'set', values: [8] });
    expect(videoDurations('jimeng-video-seedance-2.0-fast')).toEqual({ kind: 'range', min: 4, max: 15 });
    const problems = (model: string, duration: number) =>
      validateGenerationParams(
        'video',
        { prompt: 'x', model, duration },
        model.includes('seedance') ? 'cn' : 'hk',
      );
    expect(problems('jimeng-video-sora2', 12)).toEqual([]);
    expect(problems('jimeng-video-sora2', 10).map((p) => p.field)).toEqual(['duration']);
    expect(problems('jimeng-video-seedance-2.0', 15)).toEqual([]);
    expect(problems('jimeng-video-seedance-2.0', 16).map((p) => p.field)).toEqual(['duration']);
    expect(problems('jimeng-video-3.0', 12).map((p) => p.field)).toEqual(['duration']);
  });

  it('checks ratios, resolutions, strength, image count and frame order', () => {
    const fields = (kind: 'image' | 'video', params: object) =>
      validateGenerationParams(kind, { prompt: 'x', ...params }, 'cn').map((p) => p.field);
    expect(fields('image', { ratio: '3:2', resolution: '4k', sampleStrength: 1 })).toEqual([]);
    expect(fields('image', { ratio: '5:4', resolution: '8k', sampleStrength: 2 })).toEqual([
      'ratio',
      'resolution',
      'sampleStrength',
    ]);
    expect(fields('image', { images: [] })).toEqual(['images']);
    expect(fields('video', { ratio: '3:2', resolution: '4k' })).toEqual(['ratio', 'resolution']);
    expect(fields('video', { lastFrameUrl: 'https://x/l.png' })).toEqual(['lastFrameUrl']);
    expect(fields('video', { prompt: ' ' })).toEqual(['prompt']);
  });
});
