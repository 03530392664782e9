import { ShellSyntaxError, splitWords } from './words.js';

describe('splitWords', () => {
  it.each([
    ['ls -la', ['ls', '-la']],
    ['  echo   a  b ', ['echo', 'a', 'b']],
    [`echo "a; b"`, ['echo', 'a; b']],
    [`echo 'it''s'`, ['echo', 'its']],
    [`echo "it's"`, ['echo', "it's"]],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo "say \\"hi\\""`, ['echo', 'say "hi"']],
    [`echo "\\$HOME"`, ['echo', '$HOME']],
    [`echo "a\\nb"`, ['echo', 'a\\nb']],
    [`echo ''`, ['echo', '']],
    [`find . -name '*.ts'`, ['find', '.', '-name', '*.ts']],
    [`a"b"'c'`, ['abc']],
    ['', []],
  ])('%j → %j', (command, words) => {
    expect(splitWords(command).map((w) => w.text)).toEqual(words);
  });

  it('records how each character was quoted', () => {
    const [w] = splitWords(`a'b'"c"\\d`);
    expect(w!.quoting).toEqual(['bare', 'single', 'double', 'escaped']);
  });

  it.each([
    [`echo "open`, 'No closing quotation'],
    [`echo 'open`, 'No closing quotation'],
    ['echo trailing\\', 'No escaped character'],
  ])('%j is a syntax error', (command, message) => {
    expect(() => splitWords(command)).toThrow(ShellSyntaxError);
    expect(() => splitWords(command)).toThrow(message);
  });
});
