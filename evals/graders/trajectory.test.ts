import { trajectoryGrader } from './trajectory.js';
import { call, trajectory } from './types.js';

const grade = (params: object, calls: ReturnType<typeof call>[]) => trajectoryGrader.grade(trajectoryGrader.params.parse(params), trajectory({ toolCalls: calls }));
const a = call('read_file', { file_path: 'a.txt' });
const b = call('list_directory', { dir_path: '.', depth: 1 });

describe('trajectory grader (agentevals semantics)', () => {
  const expected = [
    { name: 'read_file', args: { file_path: 'a.txt' } },
    { name: 'list_directory', args: { dir_path: '.', depth: 1 } },
  ];
  it.each([
    ['strict', [a, b], true],
    ['strict', [b, a], false],
    ['strict', [a, b, a], false],
    ['unordered', [b, a], true],
    ['unordered', [b, a, a], false],
    ['unordered', [a], false],
    ['superset', [a, call('tree_view'), b], true],
    ['superset', [a], false],
    ['subset', [a], true],
    ['subset', [], true],
    ['subset', [a, call('tree_view')], false],
  ] as const)('%s over %j passes: %s', (match, calls, pass) => {
    expect(grade({ match, calls: expected }, [...calls]).pass).toBe(pass);
  });

  it('matches arguments exactly, ignored, as a subset or a superset, with per-tool and per-call overrides', () => {
    const want = [{ name: 'list_directory', args: { dir_path: '.' } }];
    expect(grade({ calls: want }, [b]).pass).toBe(false); // exact: depth is extra
    expect(grade({ calls: want, args: 'superset' }, [b]).pass).toBe(true); // the call has every expected arg
    expect(grade({ calls: want, args: 'subset' }, [b]).pass).toBe(false); // the call has an arg not expected
    expect(grade({ calls: [{ name: 'list_directory', args: { dir_path: '.', depth: 1, x: 2 } }], args: 'subset' }, [b]).pass).toBe(true);
    expect(grade({ calls: want, args: 'ignore' }, [call('list_directory', { dir_path: 'elsewhere' })]).pass).toBe(true);
    expect(grade({ calls: want, toolArgs: { list_directory: 'superset' } }, [b]).pass).toBe(true);
    expect(grade({ calls: [{ ...want[0], argsMatch: 'superset' }], toolArgs: { list_directory: 'exact' } }, [b]).pass).toBe(true);
    expect(grade({ calls: [{ name: 'list_directory' }] }, [b]).pass).toBe(true); // no args given: any args
  });

  it('says which call went wrong', () => {
    expect(grade({ match: 'strict', calls: expected }, [b, a]).reason).toMatch(/call 1: expected read_file/);
    expect(grade({ match: 'superset', calls: expected }, [a]).reason).toMatch(/expected call list_directory.*not made/);
  });
});
