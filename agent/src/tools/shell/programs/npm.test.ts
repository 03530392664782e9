import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('npm', [
  ['npm --version', 'ok'],
  ['npm ls --depth=0', 'ok'],
  ['npm ls left-pad', 'ok'],
  ['npm ls ../x', 'usage'],
  ['npm ls -g', 'option'],
  ['npm install', 'subcommand'],
  ['npm run build', 'subcommand'],
  ['npm exec x', 'subcommand'],
  ['npm ls --zzz', 'unknown_option'],
]);
