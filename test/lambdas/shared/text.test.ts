import { clip, fitBetween } from '../../../lambdas/shared/text';

describe('clip', () => {
  it('leaves a text that fits as it is, and cuts a longer one to the limit with an ellipsis', () => {
    expect(clip('AccessDenied', 12)).toBe('AccessDenied');
    expect(clip('AccessDenied: not authorized', 12)).toBe('AccessDenie…');
  });

  it('never leaves half a surrogate pair at the cut', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…');
  });
});

describe('fitBetween', () => {
  it('shortens only the middle, keeping the head and the tail whole', () => {
    expect(fitBetween('[KEY AKIA1] (', 'a-very-long-user-name', ') in 123', 30)).toBe('[KEY AKIA1] (a-very...) in 123');
  });

  it('keeps a middle that fits, and cuts the whole to the limit when even the head and tail do not fit', () => {
    expect(fitBetween('[', 'ci', ']', 10)).toBe('[ci]');
    expect(fitBetween('0123456789', 'user', 'abc', 8)).toBe('01234567');
  });
});
