import * as items from '../../../lambdas/dispatcher/items';
import { NoticeInput, renderNotice, shellQuote, snsSubject, SUBJECT_MAX, TEXT_MAX } from '../../../lambdas/dispatcher/notice';

function input(overrides: Partial<NoticeInput> = {}): NoticeInput {
  return {
    kind: 'unresolved',
    accountId: '123456789012',
    eventAccount: '123456789012',
    report: 'Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
    facts: [['Reported at', '2026-11-20T10:00:00Z']],
    items: [items.unknownKey('AKIAIOSFODNN7EXAMPLE')],
    ...overrides,
  };
}

describe('renderNotice', () => {
  it('renders an unresolved exposure: subject, what the event said, and the commands to run', () => {
    const notice = renderNotice(input());

    expect(notice.subject).toBe('[UNRESOLVED] exposed-key report in 123456789012 names no key the responder can contain');
    expect(notice.text).toBe(
      [
        'AWS reported an exposed credential, and the responder could not tie it to an access key of this account that it may contain. Nothing was changed for what is listed below: check each item by hand.',
        '',
        'Report: Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
        'Reported at: 2026-11-20T10:00:00Z',
        '',
        'To check by hand:',
        '',
        '1. access key AKIAIOSFODNN7EXAMPLE: IAM knows no user with this key (NoSuchEntity): deleted already, mistyped in the report, or a key of another account or partition.',
        '   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE',
        '   $ aws sts get-access-key-info --access-key-id AKIAIOSFODNN7EXAMPLE',
        '   $ aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep -i AKIAIOSFODNN7EXAMPLE',
      ].join('\n'),
    );
  });

  it('keeps every subject within SNS\'s 100 characters, ASCII, one line', () => {
    const notice = renderNotice(input({ kind: 'refused', eventAccount: `99998888777${'7'.repeat(200)}` }));

    expect(notice.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(notice.subject).toMatch(/^\[REFUSED\] [\x20-\x7e]+$/);
  });

  it('quotes a value that the shell would read, so a pasted command does what it says', () => {
    const [, lookup] = items.unusableKey({ value: "AS'IA $(rm -rf ~)", reason: 'temporary-credentials' }).commands;

    expect(lookup).toBe(`aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue='AS'\\''IA $(rm -rf ~)'`);
  });

  it('lists at most 20 items and counts the rest, and cuts the text at its bound', () => {
    const many = Array.from({ length: 25 }, (_, i) => items.userNotFound(`user-${i}`));
    const long = renderNotice(input({ items: many, facts: Array.from({ length: 100 }, (_, i) => [`fact ${i}`, 'v'.repeat(2000)] as const) }));

    expect(long.text).not.toContain('21. user user-20');
    expect(long.text.length).toBeLessThanOrEqual(TEXT_MAX);
    expect(long.text.endsWith(`... (message cut at ${TEXT_MAX} characters)`)).toBe(true);
    expect(renderNotice(input({ items: many })).text).toContain('... and 5 more, not listed.');
  });

  it('removes control characters from what the event said', () => {
    const notice = renderNotice(input({ facts: [['Leaked at', 'https://x\r\nBcc: evil@example.com']] }));

    expect(notice.text).toContain('Leaked at: https://x Bcc: evil@example.com');
  });
});

describe('snsSubject and shellQuote', () => {
  it('folds non-ASCII to ASCII and cuts with three dots', () => {
    expect(snsSubject('Clé exposée\nà Zürich')).toBe('Cle exposee a Zurich');
    expect(snsSubject('x'.repeat(150))).toBe(`${'x'.repeat(97)}...`);
  });

  it('leaves plain ids unquoted and quotes everything else', () => {
    expect(shellQuote('AKIAIOSFODNN7EXAMPLE')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(shellQuote('a b')).toBe("'a b'");
  });
});

describe('items', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/deploy', 'deploy'],
    ['arn:aws:iam::123456789012:role/service/ci/deploy', 'deploy'],
    ['arn:aws:sts::123456789012:assumed-role/deploy/session-1', 'deploy'],
  ])('names the role of %s in its commands', (arn, name) => {
    expect(items.role(arn).commands[0]).toBe(`aws iam get-role --role-name ${name}`);
  });
});
