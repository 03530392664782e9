import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('pwd', [
  ['pwd', 'ok'],
  ['pwd -P', 'ok'],
  ['pwd /etc', 'usage'],
  ['pwd --zzz', 'unknown_option'],
]);
