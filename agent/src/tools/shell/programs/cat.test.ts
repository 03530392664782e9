import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('cat', [
  ['cat file.txt', 'ok'],
  ['cat -n file.txt', 'ok'],
  ['cat /etc/passwd', 'path_outside'],
  ['cat link-out/secret', 'path_outside'],
  ['cat -- ../x', 'path_outside'],
  ['cat --zzz file.txt', 'unknown_option'],
]);
