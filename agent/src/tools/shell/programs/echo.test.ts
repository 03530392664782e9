import { describeVetTable } from './vet-table.test-support.js';

// echo touches nothing but its own stdout: every argument is harmless, even paths that name outside files.
describeVetTable('echo', [
  ['echo hello', 'ok'],
  ['echo /etc/passwd', 'ok'],
  ['echo -n --zzz', 'ok'],
]);
