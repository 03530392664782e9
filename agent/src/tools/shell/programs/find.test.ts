import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('find', [
  ['find . -type f -name x -maxdepth 2 -print', 'ok'],
  ['find src -newer file.txt', 'ok'],
  ['find /', 'path_outside'],
  ['find . -newer /etc/passwd', 'path_outside'],
  ['find . -exec rm {} ;', 'option'],
  ['find . -delete', 'option'],
  ['find . -fprint out', 'option'],
  ['find -L .', 'option'],
  ['find . -zzz', 'unknown_option'],
  ['find . -name', 'usage'],
]);
