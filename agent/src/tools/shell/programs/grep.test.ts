import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('grep', [
  ['grep -rn foo src', 'ok'],
  ['grep -A2 -e foo file.txt', 'ok'],
  ['grep -3 foo file.txt', 'ok'],
  ['grep foo', 'ok'],
  ['grep', 'usage'],
  ['grep foo /etc/passwd', 'path_outside'],
  ['grep -f /etc/passwd file.txt', 'path_outside'],
  ['grep --exclude-from=../x foo .', 'path_outside'],
  ['grep -R foo .', 'option'],
  ['grep --dereference-recursive foo .', 'option'],
  ['grep --zzz foo .', 'unknown_option'],
]);
