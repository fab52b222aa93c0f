import { ALL_NODE_HEADER, SINGLE_NODE_HEADER } from '../../lambdas/domain/report/columns';
import { csvField, guardFormula, toCsv } from '../../lambdas/domain/report/csv';

describe('report headers (exact text and order)', () => {
  it('all-node report: Patch Manager columns, then ours', () => {
    expect(toCsv(ALL_NODE_HEADER, []).split('\r\n')[0]).toBe(
      'Index,Instance ID,Instance name,Instance IP,Platform name,Platform version,SSM Agent version,Patch baseline,Patch group,' +
        'Compliance status,Compliance severity,Noncompliant Critical severity patch count,Noncompliant High severity patch count,' +
        'Noncompliant Medium severity patch count,Noncompliant Low severity patch count,Noncompliant Informational severity patch count,' +
        'Noncompliant Unspecified severity patch count,' +
        'Causes,Action,Automation state,Last command ID,Last command status,Attempts,Non-compliant since,Scope,Account,Region',
    );
  });

  it('single-node report: Patch Manager columns, then Cause', () => {
    // "KB ID/Patch ID" holds a slash, no comma: it needs no quotes.
    expect(toCsv(SINGLE_NODE_HEADER, []).split('\r\n')[0]).toBe(
      'Index,Instance ID,Instance name,Patch name,KB ID/Patch ID,Patch state,Last report time,Compliance level,Patch severity,' +
        'Patch classification,CVE ID,Patch baseline,Logs URL,Instance IP,Platform name,Platform version,SSM Agent version,Cause',
    );
  });
});

describe('RFC 4180 quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line1\nline2', '"line1\nline2"'],
    ['line1\r\nline2', '"line1\r\nline2"'],
    ['', ''],
    ['naïve – ünïcode ✓', 'naïve – ünïcode ✓'],
  ])('%j -> %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('numbers and missing values', () => {
    expect(csvField(42)).toBe('42');
    expect(csvField(0)).toBe('0');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('every record ends with CRLF, the last one too', () => {
    expect(toCsv(['a', 'b'], [[1, 'x'], [2, 'y,z']])).toBe('a,b\r\n1,x\r\n2,"y,z"\r\n');
  });
});

describe('formula injection guard', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['web=1', 'web=1'],
    ["'already", "'already"],
  ])('%j -> %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('guards only the first character', () => {
    expect(guardFormula('a=b')).toBe('a=b');
    expect(guardFormula('=')).toBe("'=");
  });
});
