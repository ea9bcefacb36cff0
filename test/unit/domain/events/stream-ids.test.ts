import { accountStreamId, generationStreamId, parseStreamId } from '../../../../src/events';

describe('stream ids', () => {
  it('names account and generation streams', () => {
    expect(accountStreamId('123')).toBe('account-123');
    expect(generationStreamId('image', 'p_1', 's-2')).toBe('image-p_1.s-2');
    expect(generationStreamId('video', 'p', 's')).toBe('video-p.s');
  });

  it('parses what it names', () => {
    expect(parseStreamId('account-123')).toEqual({ category: 'account', accountId: '123' });
    expect(parseStreamId('video-p_1.s-2')).toEqual({
      category: 'generation',
      kind: 'video',
      projectId: 'p_1',
      storyboardId: 's-2',
    });
  });

  it.each(['a.b', '', 'x'.repeat(65), 'a b', 'ü'])('refuses project/storyboard id %j', (bad) => {
    expect(() => generationStreamId('image', bad, 's')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => generationStreamId('image', 'p', bad)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it.each(['$all', 'image-p', 'image-a.b.c', 'account-', 'other-1'])('does not parse %j', (id) => {
    expect(parseStreamId(id)).toBeNull();
  });
});
