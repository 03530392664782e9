import { FOLLOWS_SYMLINKS, allInside, inside, plain, refuse, unknownOption, type ProgramPolicy } from '../grammar.js';

const FIND_NO_ARG = new Set(
  `-print -print0 -ls -prune -quit -empty -true -false -readable -writable -executable -nouser -nogroup -depth -d -xdev
  -mount -noleaf -daystart -not -a -o -and -or ! ( ) , -ignore_readdir_race -noignore_readdir_race -warn -nowarn -P -H`.split(/\s+/),
);
const FIND_VALUE = new Set(
  `-name -iname -path -ipath -wholename -iwholename -regex -iregex -type -xtype -size -mtime -mmin -atime -amin -ctime
  -cmin -maxdepth -mindepth -perm -user -group -uid -gid -links -inum -regextype -lname -ilname -printf -fstype -used`.split(/\s+/),
);
const FIND_PATH = new Set(['-newer', '-anewer', '-cnewer', '-samefile']);
const FIND_REFUSED: Readonly<Record<string, string>> = {
  '-exec': 'runs a program for each file',
  '-execdir': 'runs a program for each file',
  '-ok': 'runs a program for each file',
  '-okdir': 'runs a program for each file',
  '-delete': 'deletes files; use file_delete',
  '-fprint': 'writes to a file',
  '-fprint0': 'writes to a file',
  '-fprintf': 'writes to a file',
  '-fls': 'writes to a file',
  '-files0-from': 'reads its start points from a file',
  '-L': FOLLOWS_SYMLINKS,
  '-follow': FOLLOWS_SYMLINKS,
};

/** find: start points and reference files inside the workspace; actions that run, delete or write refused. */
export const find: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    let i = 0;
    const starts: string[] = [];
    while (i < args.length && ['-H', '-P', '-L'].includes(args[i]!)) {
      if (args[i] === '-L') refuse('option', `find -L: ${FOLLOWS_SYMLINKS}`);
      i++;
    }
    while (i < args.length && !/^[-(!)]/.test(args[i]!)) starts.push(args[i++]!);
    await allInside(p, starts, 'start point');
    for (; i < args.length; i++) {
      const a = args[i]!;
      const refusal = FIND_REFUSED[a];
      if (refusal) refuse('option', `find ${a} ${refusal}`);
      if (FIND_NO_ARG.has(a)) continue;
      const newer = /^-newer([aBcm])([aBcmt])$/.exec(a);
      if (FIND_VALUE.has(a) || FIND_PATH.has(a) || newer) {
        const value = args[++i];
        if (value === undefined) refuse('usage', `find ${a} needs a value`);
        if (FIND_PATH.has(a) || (newer && newer[2] !== 't')) await inside(p, value!, `${a} reference file`);
        continue;
      }
      if (a.startsWith('-')) unknownOption('find', a);
      refuse('usage', `find: unexpected argument '${a}' (start points go before the expression)`);
    }
    return plain(p, args);
  },
};
