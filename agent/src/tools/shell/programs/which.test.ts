import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('which', [
  ['which git', 'ok'],
  ['which -a python3', 'ok'],
  ['which /usr/bin/git', 'usage'],
  ['which ../x', 'usage'],
  ['which -z git', 'unknown_option'],
]);
