import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('ls', [
  ['ls', 'ok'],
  ['ls -la src', 'ok'],
  ['ls --sort=time -R .', 'ok'],
  ['ls /etc', 'path_outside'],
  ['ls ../', 'path_outside'],
  ['ls link-out', 'path_outside'],
  ['ls -L src', 'option'],
  ['ls --dereference', 'option'],
  ['ls --zzz', 'unknown_option'],
]);
